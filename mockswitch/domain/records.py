"""The records of a switch's data set, as plain values shared by the store and the functions."""

from __future__ import annotations

from dataclasses import dataclass, fields

ALL_PRIVILEGES = "*"


@dataclass(frozen=True, slots=True)
class RatePlan:
    id: int
    name: str
    features: frozenset[str]


@dataclass(frozen=True, slots=True)
class Role:
    id: int
    name: str
    privileges: frozenset[str]
    reach: str  # "own": the person's customer only; "below": it and every customer under it

    def allows(self, privilege: str) -> bool:
        return ALL_PRIVILEGES in self.privileges or privilege in self.privileges


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str
    parent: int | None
    rateplan: int


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    username: str
    password: str
    customer: int
    role: int
    name: str


@dataclass(frozen=True, slots=True)
class DestinationType:
    name: str
    description: str
    dnumber: str  # the rule a dnumber must follow: number, phone, queue, text or sipuri


# Not frozen: made on every update (docs/architecture.md, "Per-call records"); the rows kept
# in memory (store/campaigns.py) are shared, and read-only all the same: an update makes a
# new one.
@dataclass(slots=True)
class Campaign:
    id: int
    customer: int
    name: str
    description: str
    dtype: str
    dnumber: str
    enabled: int
    attempts: int
    maximum: int
    retry: int
    machine: str
    success: str
    keep_agents_available: int
    owner: int
    recordgroup: int
    timegroup: int
    callerid: str


CAMPAIGN_FIELDS = tuple(f.name for f in fields(Campaign))


# Where a destination (a number a campaign dials) stands.
DESTINATION_STATUSES = ("pending", "success", "failed", "cancelled")


@dataclass(frozen=True, slots=True)
class Destination:
    campaign: int
    dnumber: str
    status: str
