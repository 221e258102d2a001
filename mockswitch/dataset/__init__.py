"""The data set: what it is made of (`tables`), how a fixtures folder is read and checked
(`fixtures`), and the demo generator (`generator`). No SQL: `store/` writes it."""

from .fixtures import Dataset, load_dataset

__all__ = ["Dataset", "load_dataset"]
