"""Who is who on a switch: people, roles, customers and what they own, held in memory.

These records change only when the data set is seeded or reset, and every call needs them
(to authenticate, to check a role and a rate plan, to find what a user may reach), so the
store loads them once per tenant and the functions read them here without a query.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mockswitch.domain.records import Customer, DestinationType, Person, RatePlan, Role

FEATURE_KINDS = ("phone", "queue", "timegroup", "recordgroup")


@dataclass
class Directory:
    rateplans: dict[int, RatePlan]
    roles: dict[int, Role]
    customers: dict[int, Customer]
    people: dict[int, Person]
    dtypes: dict[str, DestinationType]
    # kind -> feature id -> the customer that owns it
    features: dict[str, dict[int, int]]
    _by_username: dict[str, Person] = field(init=False)
    _children: dict[int, list[int]] = field(init=False)
    _owned: dict[int, dict[str, set[int]]] = field(init=False)
    _reach: dict[int, frozenset[int]] = field(init=False, default_factory=dict)
    # Usernames by their case-folded form, made on the first failed login that needs it.
    _by_folded: dict[str, str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._by_username = {p.username: p for p in self.people.values()}
        self._children = defaultdict(list)
        for customer in self.customers.values():
            if customer.parent is not None:
                self._children[customer.parent].append(customer.id)
        self._owned = defaultdict(lambda: {"phone": set(), "queue": set()})
        for kind in ("phone", "queue"):
            for feature_id, owner in self.features[kind].items():
                self._owned[owner][kind].add(feature_id)

    def authenticate(self, username: str, password: str) -> Person | None:
        """The person with these credentials, or None."""
        person = self._by_username.get(username)
        if person is None or not hmac.compare_digest(person.password.encode(), password.encode()):
            return None
        return person

    def has_username(self, username: str) -> bool:
        return username in self._by_username

    def same_but_case(self, username: str) -> str | None:
        """The username that differs from `username` only in case, if there is one."""
        if self._by_folded is None:
            self._by_folded = {name.casefold(): name for name in self._by_username}
        found = self._by_folded.get(username.casefold())
        return found if found != username else None

    def role_of(self, person: Person) -> Role:
        return self.roles[person.role]

    def features_of(self, customer_id: int) -> frozenset[str]:
        """The features the customer's rate plan allows."""
        return self.rateplans[self.customers[customer_id].rateplan].features

    def reach(self, person: Person) -> frozenset[int]:
        """The customers a person may act on: their own, and all below it if the role says so."""
        if person.id not in self._reach:
            own = person.customer
            reach = self._below(own) if self.role_of(person).reach == "below" else {own}
            self._reach[person.id] = frozenset(reach)
        return self._reach[person.id]

    def _below(self, root: int) -> set[int]:
        found, stack = set(), [root]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self._children.get(current, ()))
        return found

    def owns(self, customer_id: int, kind: str, feature_id: int) -> bool:
        """Whether the customer owns the phone, queue, time group or record group."""
        return self.features[kind].get(feature_id) == customer_id

    def person_of(self, customer_id: int, person_id: int) -> bool:
        person = self.people.get(person_id)
        return person is not None and person.customer == customer_id

    def owned(self, customer_id: int) -> dict[str, set[int]]:
        """The customer's phones and queues, for checking a dnumber."""
        return self._owned[customer_id]


def index_features(rows: Iterable[tuple[str, int, int]]) -> dict[str, dict[int, int]]:
    """Group (kind, id, customer) rows by kind."""
    features: dict[str, dict[int, int]] = {kind: {} for kind in FEATURE_KINDS}
    for kind, feature_id, customer in rows:
        features[kind][feature_id] = customer
    return features
