"""The command line: `mockswitch serve | seed | calls`, and the container's healthcheck."""

from .main import main

__all__ = ["main"]
