"""Read a fixtures folder into a checked `Dataset`, or explain exactly what is wrong.

One file per table (`people.json`, `campaigns.yaml`, ...), each a list of records. A file
that cannot be read, a record with an unknown or missing field, a duplicate key or a
reference to nothing raises `FixtureError` naming the file, the record and the field; the
caller loads nothing in that case, because a `Dataset` only exists once all of it is sound.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockswitch.dataset.tables import BY_NAME, REQUIRED, TABLES, Column, Table
from mockswitch.enswitch.dnumbers import dnumber_problem
from mockswitch.enswitch.params import INT64_MAX, INT64_MIN
from mockswitch.errors import FixtureError
from mockswitch.simulator.opening import OpeningError, OpeningHours

SUFFIXES = (".json", ".yaml", ".yml")
Row = dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    """A whole data set, checked, as rows per table in load order."""

    rows: dict[str, list[Row]]
    source: str
    fingerprint: str
    generated: bool = False  # made by the demo generator rather than read from files

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def fingerprint_of(rows: dict[str, list[Row]]) -> str:
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_dataset(folder: Path) -> Dataset:
    """Read and check every fixture file in `folder`."""
    if folder.is_file():
        raise FixtureError(f"{folder}: is a file; --fixtures takes the folder that holds the files")
    if not folder.is_dir():
        raise FixtureError(f"{folder}: the fixtures folder does not exist")
    raw = _read_files(folder)
    if not raw:  # surely a wrong folder: a switch without people refuses every login
        raise FixtureError(
            f"{folder}: the fixtures folder holds no fixture files ({', '.join(SUFFIXES)})"
        )
    rows: dict[str, list[Row]] = {t.name: [] for t in TABLES}
    files: dict[str, str] = {}
    problems: list[str] = []
    for table in TABLES:
        if table.nested_in:
            files[table.name] = files[table.nested_in]
            continue
        file_name, records = raw.get(table.name, (f"{table.name}.json", []))
        files[table.name] = file_name
        _check_records(table, file_name, records, rows, problems)
    return _checked(rows, str(folder), files, problems)


def dataset_from_rows(rows: dict[str, list[Row]], source: str, fingerprint: str) -> Dataset:
    """Check rows built in code (the demo generator) as files would be checked; their
    `fingerprint` comes from what made them (hashing 70 MB of rows took a second)."""
    return _checked(rows, source, {}, [], fingerprint)


def _checked(
    rows: dict[str, list[Row]],
    source: str,
    files: dict[str, str],
    problems: list[str],
    fingerprint: str | None = None,
) -> Dataset:
    _check_references(rows, files, problems)
    _check_customer_tree(rows, files, problems)
    _check_campaign_destinations(rows, files, problems)
    _check_dialler_fields(rows, files, problems)
    if problems:
        raise FixtureError(_summarise(source, problems))
    if fingerprint is None:
        return Dataset(rows, source, fingerprint_of(rows))
    return Dataset(rows, source, fingerprint, generated=True)


def _summarise(folder: str, problems: list[str]) -> str:
    shown = problems[:20]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return f"the fixtures in {folder} cannot be loaded:\n  " + "\n  ".join(shown) + more


def _read_files(folder: Path) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in SUFFIXES or path.name.startswith("."):
            continue
        table = BY_NAME.get(path.stem)
        if table is None or table.nested_in:
            known = ", ".join(t.name for t in TABLES if not t.nested_in)
            raise FixtureError(f"{path.name}: not a fixture file this version knows ({known})")
        if path.stem in found:
            raise FixtureError(f"{path.name}: {found[path.stem][0]} holds the same table")
        found[path.stem] = (path.name, _parse(path))
    return found


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FixtureError(f"{path.name}: cannot be read: {error}") from None
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text) or []
    except json.JSONDecodeError as error:
        raise FixtureError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except yaml.YAMLError as error:
        raise FixtureError(f"{path.name}: not valid YAML: {error}") from None
    except RecursionError:
        raise FixtureError(f"{path.name}: not valid: nested too deeply") from None
    except ValueError as error:  # an integer of more digits than Python reads
        raise FixtureError(f"{path.name}: not valid: {error}") from None


def _label(file_name: str, index: int, record: Any, key: tuple[str, ...]) -> str:
    if isinstance(record, dict) and all(k in record for k in key):
        shown = ", ".join(f"{k} {record[k]!r}" for k in key)
        return f"{file_name}, record {index + 1} ({shown})"
    return f"{file_name}, record {index + 1}"


def _check_records(
    table: Table,
    file_name: str,
    records: Any,
    rows: dict[str, list[Row]],
    problems: list[str],
    parent: Row | None = None,
) -> None:
    if not isinstance(records, list):
        problems.append(f"{file_name}: must hold a list of records")
        return
    seen: dict[tuple, str] = {}
    unique_seen: dict[tuple[str, Any], str] = {}
    children = [t for t in TABLES if t.nested_in == table.name]
    for index, record in enumerate(records):
        label = _label(file_name, index, record, table.key)
        if not isinstance(record, dict):
            problems.append(f"{label}: must be an object")
            continue
        nested = {child.name: record.get(child.name, []) for child in children}
        allowed = set(table.column_names) - {table.parent_column} | set(nested)
        for field in record:
            if field not in allowed:
                problems.append(f"{label}, field {field!r}: unknown field")
        row = {}
        if parent is not None and table.parent_column:
            row[table.parent_column] = parent["id"]
        for column in table.columns:
            if column.name == table.parent_column:
                continue
            value = _field_value(column, record, label, problems)
            if value is not _MISSING:
                row[column.name] = value
        if len(row) != len(table.columns):
            continue
        key = tuple(row[k] for k in table.key)
        if key in seen:
            problems.append(f"{label}: duplicate {_key_text(table, key)}, first in {seen[key]}")
            continue
        seen[key] = label
        for column in table.columns:
            if column.unique:
                marker = (column.name, row[column.name])
                if marker in unique_seen:
                    problems.append(
                        f"{label}, field {column.name!r}: {row[column.name]!r} "
                        f"is already used by {unique_seen[marker]}"
                    )
                unique_seen[marker] = label
        rows[table.name].append(row)
        for child in children:
            _check_records(
                child, f"{label}, {child.name}", nested[child.name], rows, problems, parent=row
            )


def _key_text(table: Table, key: tuple) -> str:
    return " and ".join(f"{k} {v!r}" for k, v in zip(table.key, key, strict=True))


_MISSING = object()


def _field_value(column: Column, record: Row, label: str, problems: list[str]) -> Any:
    where = f"{label}, field {column.name!r}"
    if column.name not in record:
        if column.default is REQUIRED:
            problems.append(f"{where}: required")
            return _MISSING
        return column.default
    value = record[column.name]
    if value is None and column.nullable:
        return None
    if not _has_type(value, column.type):
        problems.append(f"{where}: must be {_type_name(column.type)}, not {value!r}")
        return _MISSING
    if column.type is int and not INT64_MIN <= value <= INT64_MAX:
        # SQLite holds signed 64 bits: a larger id or count stopped the seeding with a traceback.
        problems.append(f"{where}: must be from {INT64_MIN} to {INT64_MAX}, not {value}")
        return _MISSING
    if column.choices is not None and value not in column.choices:
        shown = ", ".join(repr(c) for c in column.choices)
        problems.append(f"{where}: must be one of {shown}, not {value!r}")
        return _MISSING
    return value


def _has_type(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, expected)


def _type_name(expected: type) -> str:
    return {int: "an integer", str: "a string", list: "a list of strings"}[expected]


def _check_references(
    rows: dict[str, list[Row]], files: dict[str, str], problems: list[str]
) -> None:
    # Only referenced tables need an index of their keys, and a reference holds a one-column
    # key: a generated data set has 600,000 destinations that nothing references.
    targets = {c.references for t in TABLES for c in t.columns if c.references is not None}
    keys = {}
    for name in targets:
        (key,) = BY_NAME[name].key
        keys[name] = {r[key]: r for r in rows[name]}
    for table in TABLES:
        for column in table.columns:
            if column.references is None:
                continue
            target = column.references
            for row in rows[table.name]:
                value = row[column.name]
                if value is None or (column.zero_is_none and value == 0):
                    continue
                referenced = keys[target].get(value)
                if referenced is None:
                    where = f"{_row_name(table, row, files)}, field {column.name!r}"
                    problems.append(f"{where}: no {target} record has key {value!r}")
                elif column.same_customer and referenced["customer"] != row["customer"]:
                    where = f"{_row_name(table, row, files)}, field {column.name!r}"
                    problems.append(
                        f"{where}: {target} {value!r} belongs to customer "
                        f"{referenced['customer']}, not {row['customer']}"
                    )


def _row_name(table: Table, row: Row, files: dict[str, str]) -> str:
    """Names a record by its key, for checks that run after the files were read."""
    where = files.get(table.name, table.name)
    record = f"{table.name} record with " if table.nested_in else "record with "
    return f"{where}: {record}{_key_text(table, tuple(row[k] for k in table.key))}"


def _check_customer_tree(
    rows: dict[str, list[Row]], files: dict[str, str], problems: list[str]
) -> None:
    table = BY_NAME["customers"]
    parents = {c["id"]: c["parent"] for c in rows["customers"]}
    for start in parents:
        seen, current = {start}, parents[start]
        while current is not None and current in parents:
            if current in seen:
                row = {"id": start}
                problems.append(
                    f"{_row_name(table, row, files)}, field 'parent': "
                    f"the parents form a loop through customer {current}"
                )
                break
            seen.add(current)
            current = parents[current]


def _check_campaign_destinations(
    rows: dict[str, list[Row]], files: dict[str, str], problems: list[str]
) -> None:
    table = BY_NAME["campaigns"]
    rules = {d["name"]: d["dnumber"] for d in rows["dtypes"]}
    owned: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"phone": set(), "queue": set()})
    for kind, feature_table in (("phone", "phones"), ("queue", "queues")):
        for feature in rows[feature_table]:
            owned[feature["customer"]][kind].add(feature["id"])
    for campaign in rows["campaigns"]:
        rule = rules.get(campaign["dtype"])
        if rule is None:
            continue  # already reported as a broken reference
        problem = dnumber_problem(rule, campaign["dnumber"], owned[campaign["customer"]])
        if problem:
            problems.append(
                f"{_row_name(table, campaign, files)}, field 'dnumber': "
                f"{campaign['dnumber']!r} {problem} (dtype {campaign['dtype']!r})"
            )


def _check_dialler_fields(
    rows: dict[str, list[Row]], files: dict[str, str], problems: list[str]
) -> None:
    """What the dialler reads: time groups' opening times, queues' agents."""
    for group in rows["timegroups"]:
        try:
            OpeningHours.parse(group["days"], group["start"], group["end"], group["timezone"])
        except OpeningError as error:
            where = _row_name(BY_NAME["timegroups"], group, files)
            problems.append(f"{where}, field {error.field!r}: {error.message}")
    for queue in rows["queues"]:
        if queue["agents"] < 0:
            where = _row_name(BY_NAME["queues"], queue, files)
            problems.append(f"{where}, field 'agents': must be 0 or more, not {queue['agents']}")
