"""What the data set is made of: one `Table` per fixture file, declared once.

The schema, the fixture loader and the copy that gives each tenant its own data all read
these declarations, so adding a column or a table is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.domain.records import DESTINATION_STATUSES
from mockswitch.simulator.opening import DAYS

REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: type  # int, str or list (a list of strings, stored as JSON)
    default: object = REQUIRED
    nullable: bool = False
    references: str | None = None  # the table whose key this column holds
    zero_is_none: bool = False  # 0 stands for "no reference", as in the Enswitch API
    same_customer: bool = False  # the referenced record must belong to this record's customer
    choices: tuple[object, ...] | None = None
    unique: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    nested_in: str | None = None  # fixtures give these records inside their parent's record
    parent_column: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id() -> Column:
    return Column("id", int)


def _customer() -> Column:
    return Column("customer", int, references="customers")


def _feature(name: str) -> Table:
    return Table(name, (_id(), _customer(), Column("name", str, default="")))


# In load order: every reference points at a table listed before it.
TABLES: tuple[Table, ...] = (
    Table("rateplans", (_id(), Column("name", str), Column("features", list, default=[]))),
    Table(
        "roles",
        (
            _id(),
            Column("name", str),
            Column("privileges", list, default=[]),
            Column("reach", str, default="own", choices=("own", "below")),
        ),
    ),
    Table(
        "customers",
        (
            _id(),
            Column("name", str),
            Column("parent", int, default=None, nullable=True, references="customers"),
            Column("rateplan", int, references="rateplans"),
        ),
    ),
    Table(
        "people",
        (
            _id(),
            Column("username", str, unique=True),
            Column("password", str),
            _customer(),
            Column("role", int, references="roles"),
            Column("name", str, default=""),
        ),
    ),
    _feature("phones"),
    Table(
        "queues",
        # The dialler's agent rule (keep_agents_available) counts these agents.
        (_id(), _customer(), Column("name", str, default=""), Column("agents", int, default=1)),
    ),
    Table(
        "timegroups",
        (
            _id(),
            _customer(),
            Column("name", str, default=""),
            # When the dialler may start calls: these days, from start to end, local time.
            Column("days", list, default=list(DAYS)),
            Column("start", str, default="00:00"),
            Column("end", str, default="24:00"),
            Column("timezone", str, default="UTC"),
        ),
    ),
    _feature("recordgroups"),
    Table(
        "dtypes",
        (
            Column("name", str),
            Column("description", str, default=""),
            Column("dnumber", str, choices=("number", "phone", "queue", "text", "sipuri")),
        ),
        key=("name",),
    ),
    Table(
        "campaigns",
        (
            _id(),
            _customer(),
            Column("name", str),
            Column("description", str, default=""),
            Column("dtype", str, references="dtypes"),
            Column("dnumber", str),
            Column("enabled", int, default=1, choices=(0, 1)),
            Column("attempts", int, default=1),
            Column("maximum", int, default=1),
            Column("retry", int, default=3600),
            Column("machine", str, default="failed", choices=("", "failed", "retry", "success")),
            Column("success", str, default="answer", choices=("answer", "key")),
            Column("keep_agents_available", int, default=0),
            Column(
                "owner", int, default=0, references="people", zero_is_none=True, same_customer=True
            ),
            Column(
                "recordgroup",
                int,
                default=0,
                references="recordgroups",
                zero_is_none=True,
                same_customer=True,
            ),
            Column(
                "timegroup",
                int,
                default=0,
                references="timegroups",
                zero_is_none=True,
                same_customer=True,
            ),
            Column("callerid", str, default=""),
        ),
    ),
    Table(
        "destinations",
        (
            Column("campaign", int, references="campaigns"),
            Column("dnumber", str),
            Column("status", str, default="pending", choices=DESTINATION_STATUSES),
        ),
        key=("campaign", "dnumber"),
        nested_in="campaigns",
        parent_column="campaign",
    ),
)

BY_NAME = {t.name: t for t in TABLES}
