"""A busy demo switch: the default cast, and resellers, customers and campaigns around it.

`generate(base, campaigns, seed)` keeps every record of `base` (the fixtures) as it is and
adds, under the system owner, resellers with customers of their own; each customer gets
people (an administrator, users, now and then a panel-only login), phones, queues, time
groups and record groups; then `campaigns` campaigns are shared out among the customers whose
rate plan has bulk dialling, busy customers having more, each with destinations in every
status. Everything comes from one `random.Random(seed)` in a fixed order, so the same base,
size and seed give the same rows, byte for byte. Every generated person's password is
"password", like the cast's, so a demo can log in as anyone.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from mockswitch.dataset.fixtures import Dataset, Row, dataset_from_rows
from mockswitch.domain.records import DESTINATION_STATUSES as STATUSES

Progress = Callable[[int, int], None]
"""Told (campaigns made, campaigns to make) as the campaigns are generated."""

# Part of a generated data set's fingerprint: raise it whenever a change to this module
# changes the rows it makes (tests/test_generator.py's recorded database says when).
GENERATOR_VERSION = 1
PASSWORD = "password"
SYSTEM_OWNER_CUSTOMER = 1
CUSTOMERS_PER_RESELLER = 20
CAMPAIGNS_PER_CUSTOMER = 25
# Roles of the default cast (fixtures/roles.json) and its two rate plans.
RESELLER, ADMINISTRATOR, USER, PANEL_ONLY = 2, 3, 4, 5
WITH_BULK_DIALLING, WITHOUT_BULK_DIALLING = 1, 2

_FIRST = [
    "Alice",
    "Amir",
    "Beatriz",
    "Chen",
    "Dmitri",
    "Elena",
    "Farah",
    "Gustav",
    "Hana",
    "Ivan",
    "Jonas",
    "Keiko",
    "Lars",
    "Maya",
    "Noor",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tariq",
    "Ursula",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
_LAST = [
    "Andersen",
    "Baker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umar",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zhang",
]
_COMPANY = [
    "Acorn",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northwind",
    "Orchid",
    "Pinnacle",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
    "Umbra",
    "Vertex",
    "Willow",
    "Yarrow",
    "Zephyr",
]
_TRADE = [
    "Logistics",
    "Dental",
    "Insurance",
    "Motors",
    "Realty",
    "Foods",
    "Telecom",
    "Travel",
    "Analytics",
    "Plumbing",
    "Fitness",
    "Energy",
    "Legal",
    "Media",
    "Pharma",
    "Retail",
]
_FORM = ("Ltd", "Inc", "LLC", "GmbH", "plc", "& Co", "Group", "Partners")
_PHONE_NAMES = (
    "Reception",
    "Sales desk",
    "Support desk",
    "Accounts",
    "Warehouse",
    "Boardroom",
    "Front desk",
    "Dispatch",
    "Helpdesk",
    "Lobby",
)
_QUEUE_NAMES = ("Support", "Sales", "Billing", "Renewals team", "Bookings", "Complaints")
_TIMEGROUP_NAMES = ("Business hours", "Weekdays", "Weekends", "Evenings", "Lunch break")
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
# What the dialler reads, by the time group's name: its days, start and end (UTC).
_OPENING_TIMES: dict[str, tuple[list[str], str, str]] = {
    "Business hours": (_WEEKDAYS, "09:00", "17:00"),
    "Weekdays": (_WEEKDAYS, "00:00", "24:00"),
    "Weekends": (["sat", "sun"], "00:00", "24:00"),
    "Evenings": ([*_WEEKDAYS, "sat", "sun"], "17:00", "22:00"),
    "Lunch break": (_WEEKDAYS, "12:00", "13:00"),
}
_RECORDGROUP_NAMES = ("All calls", "Sales", "Quality review", "Compliance")
_CAMPAIGN_TOPICS = (
    ("Spring promo", "Tell last year's buyers about the spring range"),
    ("Renewal reminders", "Contracts that expire next month"),
    ("Overdue invoices", "Remind customers whose invoice is more than 30 days overdue"),
    ("Satisfaction survey", "Ask recent callers how we did"),
    ("Appointment reminders", "Confirm tomorrow's appointments"),
    ("Webinar invites", "Invite partners to the quarterly webinar"),
    ("Support callback", "Call back customers who left a voicemail for support"),
    ("Delivery notice", "Tell customers their order is on its way"),
    ("Win-back", "Customers who cancelled in the last six months"),
    ("Event tickets", "Offer early tickets to last year's visitors"),
)
_SEASONS = ("Q1", "Q2", "Q3", "Q4", "January", "March", "June", "September", "November")
_RETRIES = (300, 600, 900, 1800, 3600, 7200)
# Destination types with the weight of each among generated campaigns.
_DTYPES = (("forward", 30), ("", 20), ("phone", 20), ("queue", 15), ("sipuri", 10), ("peer", 5))
_DTYPE_BOUNDS = tuple(accumulate(w for _, w in _DTYPES))
# How the destinations of a running campaign stand, and of one not (yet) running.
_ENABLED_STATUS_BOUNDS = tuple(accumulate((45, 30, 15, 10)))
_DISABLED_STATUS_BOUNDS = tuple(accumulate((80, 5, 5, 10)))
# keep_agents_available for a queue campaign and for another; then machine and success.
_QUEUE_KEEPS = (-2, -1, 0, 0, 1, 2)
_OTHER_KEEPS = (0, 0, 0, 1)
_MACHINES = ("", "failed", "retry", "success")
_SUCCESSES = ("answer", "key")


def _dialler_fields(kind: str, name: str) -> dict[str, Any]:
    """A time group's opening times, a queue's agents (from its name: the dice are kept
    for the rest, so a seed gives the same data set as before these fields existed)."""
    if kind == "timegroups":
        days, start, end = _OPENING_TIMES[name]
        return {"days": list(days), "start": start, "end": end, "timezone": "UTC"}
    if kind == "queues":
        return {"agents": 2 + len(name) % 5}
    return {}


@dataclass
class _Customer:
    id: int
    area: str  # the telephone area code its numbers and destinations use
    bulk_dialling: bool
    people: list[int] = field(default_factory=list)
    phones: list[int] = field(default_factory=list)
    queues: list[int] = field(default_factory=list)
    timegroups: list[int] = field(default_factory=list)
    recordgroups: list[int] = field(default_factory=list)


class _Ids:
    """The next id of each table, starting at the first round thousand above the base's."""

    def __init__(self, rows: dict[str, list[Row]]) -> None:
        self._next = {
            table: (max((r["id"] for r in found), default=0) // 1000 + 1) * 1000
            for table, found in rows.items()
            if table not in ("dtypes", "destinations")
        }

    def take(self, table: str) -> int:
        taken = self._next[table]
        self._next[table] += 1
        return taken


def generate(base: Dataset, campaigns: int, seed: int, progress: Progress | None = None) -> Dataset:
    """`base` and a busy switch around it, with `campaigns` more campaigns, from `seed`."""
    if campaigns < 0:
        raise ValueError("the number of campaigns must not be negative")
    rows = {table: [dict(r) for r in found] for table, found in base.rows.items()}
    maker = _Maker(random.Random(seed), rows)
    customers = maker.customers(max(4, -(-campaigns // CAMPAIGNS_PER_CUSTOMER)))
    maker.campaigns(customers, campaigns, progress)
    source = f"generated: {campaigns} campaigns from seed {seed}, on {base.source}"
    # The rows follow from these alone: the base's rows, the count, the seed, this generator.
    made_from = f"{base.fingerprint} generate {GENERATOR_VERSION} {campaigns} {seed}"
    return dataset_from_rows(rows, source, hashlib.sha256(made_from.encode()).hexdigest())


class _Maker:
    """Adds generated rows to `rows`, drawing every choice from one random generator."""

    def __init__(self, rng: random.Random, rows: dict[str, list[Row]]) -> None:
        self.rng = rng
        # The campaign loop draws from random() directly: choice() and randrange() cost a
        # few times more, and they run millions of times for 100,000 campaigns.
        self.random = rng.random
        self.rows = rows
        self.ids = _Ids(rows)
        self.usernames = {p["username"] for p in rows["people"]}

    def add(self, table: str, **fields: Any) -> int:
        row = {"id": fields.pop("id", None) or self.ids.take(table), **fields}
        self.rows[table].append(row)
        return row["id"]

    def pick(self, choices: Sequence[Any]) -> Any:
        return choices[int(self.random() * len(choices))]

    def below(self, bound: int) -> int:
        return int(self.random() * bound)

    def customers(self, count: int) -> list[_Customer]:
        """Resellers under the system owner, then `count` customers shared among them."""
        rng = self.rng
        resellers = []
        for _ in range(max(1, -(-count // CUSTOMERS_PER_RESELLER))):
            reseller = self.add(
                "customers",
                name=f"{rng.choice(_COMPANY)} Telecom {rng.choice(('Wholesale', 'Networks'))}",
                parent=SYSTEM_OWNER_CUSTOMER,
                rateplan=WITH_BULK_DIALLING,
            )
            resellers.append(reseller)
            self.person(reseller, RESELLER)
        made = []
        for _ in range(count):
            bulk_dialling = rng.random() < 0.9
            customer = _Customer(
                self.add(
                    "customers",
                    name=f"{rng.choice(_COMPANY)} {rng.choice(_TRADE)} {rng.choice(_FORM)}",
                    parent=rng.choice(resellers),
                    rateplan=WITH_BULK_DIALLING if bulk_dialling else WITHOUT_BULK_DIALLING,
                ),
                area=str(rng.randrange(201, 990)),
                bulk_dialling=bulk_dialling,
            )
            self.equip(customer)
            made.append(customer)
        return made

    def person(self, customer: int, role: int) -> int:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        person_id = self.ids.take("people")
        username = f"{first[0]}{last}{person_id}".lower()
        while username in self.usernames:  # only a base with such names could collide
            username += "x"
        self.usernames.add(username)
        return self.add(
            "people",
            id=person_id,
            username=username,
            password=PASSWORD,
            customer=customer,
            role=role,
            name=f"{first} {last}",
        )

    def equip(self, customer: _Customer) -> None:
        """People and features for one customer, in numbers a small business would have."""
        rng = self.rng
        roles = [ADMINISTRATOR] + [USER] * rng.randint(1, 4)
        if rng.random() < 0.2:
            roles.append(PANEL_ONLY)
        customer.people = [self.person(customer.id, role) for role in roles]
        for kind, names, low, high in (
            ("phones", _PHONE_NAMES, 1, 6),
            ("queues", _QUEUE_NAMES, 0, 3),
            ("timegroups", _TIMEGROUP_NAMES, 1, 3),
            ("recordgroups", _RECORDGROUP_NAMES, 0, 2),
        ):
            chosen = rng.sample(names, rng.randint(low, high))
            owned = [
                self.add(kind, customer=customer.id, name=name, **_dialler_fields(kind, name))
                for name in chosen
            ]
            setattr(customer, kind, owned)

    def campaigns(self, customers: list[_Customer], count: int, progress: Progress | None) -> None:
        rng = self.rng
        dialling = [c for c in customers if c.bulk_dialling] or customers[:1]
        # A few customers run most campaigns, as on a real switch.
        weights = [rng.paretovariate(1.5) for _ in dialling]
        owners = rng.choices(dialling, weights, k=count)
        step = max(1, count // 100)
        for made, customer in enumerate(owners):
            self.campaign(customer, every_status=made == 0)
            if progress is not None and (made % step == 0 or made == count - 1):
                progress(made + 1, count)

    def campaign(self, customer: _Customer, every_status: bool) -> None:
        # The hot loop of `seed --generate` (100,000 runs): plain local calls, one dict per
        # row. The draws come in a fixed order, which is what the same seed's same rows rest
        # on: change the order and every generated data set changes.
        random = self.random
        dtype = _DTYPES[bisect(_DTYPE_BOUNDS, int(random() * _DTYPE_BOUNDS[-1]))][0]
        if dtype == "queue" and not customer.queues:
            dtype = "phone"
        dnumber = self.dnumber(customer, dtype)
        topic, description = _CAMPAIGN_TOPICS[int(random() * len(_CAMPAIGN_TOPICS))]
        enabled = int(random() < 0.4)
        keeps = _QUEUE_KEEPS if dtype == "queue" else _OTHER_KEEPS
        keep = keeps[int(random() * len(keeps))]
        season = _SEASONS[int(random() * len(_SEASONS))]
        attempts = 1 + int(random() * 5)
        maximum = 1 + int(random() * 20)
        retry = _RETRIES[int(random() * len(_RETRIES))]
        machine = _MACHINES[int(random() * len(_MACHINES))]
        success = _SUCCESSES[int(random() * len(_SUCCESSES))]
        maybe = self.maybe
        owner = maybe(customer.people)
        recordgroup = maybe(customer.recordgroups)
        timegroup = maybe(customer.timegroups)
        callerid = f"{customer.area}555{int(random() * 10000):04d}"  # drawn whether used or not
        if random() < 0.5:
            callerid = ""
        campaign_id = self.ids.take("campaigns")
        self.rows["campaigns"].append(
            {
                "id": campaign_id,
                "customer": customer.id,
                "name": f"{topic} {season}",
                "description": description,
                "dtype": dtype,
                "dnumber": dnumber,
                "enabled": enabled,
                "attempts": attempts,
                "maximum": maximum,
                "retry": retry,
                "machine": machine,
                "success": success,
                "keep_agents_available": keep,
                "owner": owner,
                "recordgroup": recordgroup,
                "timegroup": timegroup,
                "callerid": callerid,
            }
        )
        total = int(random() * 13)
        statuses = list(STATUSES) if every_status else []
        if total > len(statuses):
            # What rng.choices(STATUSES, cum_weights=bounds, k=...) draws, without its call.
            bounds = _ENABLED_STATUS_BOUNDS if enabled else _DISABLED_STATUS_BOUNDS
            weight, last = bounds[-1] + 0.0, len(bounds) - 1
            statuses += [
                STATUSES[bisect(bounds, random() * weight, 0, last)]
                for _ in range(total - len(statuses))
            ]
        # What number(customer) draws, inlined: it runs 600,000 times.
        local = f"{customer.area}555"
        numbers: set[str] = set()
        destinations = self.rows["destinations"]
        for status in statuses:
            while True:
                if random() < 0.1:
                    dialled = f"+44{1000000000 + int(random() * 9000000000)}"
                else:
                    dialled = f"{local}{int(random() * 10000):04d}"
                if dialled not in numbers:
                    break
            numbers.add(dialled)
            destinations.append({"campaign": campaign_id, "dnumber": dialled, "status": status})

    def maybe(self, ids: list[int]) -> int:
        """One of `ids`, or 0 (none) about a third of the time."""
        return self.pick(ids) if ids and self.random() < 0.67 else 0

    def number(self, customer: _Customer) -> str:
        """A telephone number in the customer's area, or now and then abroad. (campaign()
        inlines the same draws for its destinations: keep the two in step.)"""
        if self.random() < 0.1:
            return f"+44{1000000000 + self.below(9000000000)}"
        return f"{customer.area}555{self.below(10000):04d}"

    def dnumber(self, customer: _Customer, dtype: str) -> str:
        if dtype == "phone":
            return str(self.pick(customer.phones))
        if dtype == "queue":
            return str(self.pick(customer.queues))
        if dtype == "sipuri":
            return f"sip:{self.pick(_FIRST).lower()}@pbx{customer.id}.example.net"
        if dtype == "peer":
            return f"peer-{customer.id}-{self.below(100)}"
        return self.number(customer)
