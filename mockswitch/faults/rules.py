"""A fault rule: what it matches, what it does, how slow it makes the call, and when.

    {"match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
     "action": {"type": "envelope", "code": "500", "message": "Internal error"},
     "times": 2}

The schedule, checked in this order for every call the rule matches: `after` lets the first
N matches through, `every` fires on every k-th match after those, `times` expires the rule
after N firings, `probability` rolls the rule's own seeded dice. The same seed and the same
sequence of calls therefore give the same faults, run after run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .actions import Action, parse_action
from .latency import Latency, parse_latency
from .match import CallFacts, Match, parse_match
from .spec import RuleError, fields_of, integer, number, text


@dataclass(eq=False)
class Rule:
    id: int
    match: Match
    action: Action | None
    latency: Latency | None
    probability: float = 1.0
    times: int | None = None
    after: int = 0
    every: int = 1
    seed: int | str = 0
    name: str = ""
    matched: int = 0
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @property
    def expired(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def fires_for(self, call: CallFacts) -> bool:
        """Whether this call triggers the rule; counts the match and the firing."""
        if not self.match.matches(call):
            return False
        self.matched += 1  # every matching call counts, also once the rule has expired
        if self.expired:
            return False
        position = self.matched - self.after
        if position <= 0 or position % self.every:
            return False
        if self.probability < 1.0 and self._rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def sample_latency(self) -> float:
        return self.latency.sample(self._rng) if self.latency else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "match": self.match.as_json(),
            "action": self.action.as_json() if self.action else None,
            "latency": self.latency.as_json() if self.latency else None,
            "probability": self.probability,
            "times": self.times,
            "after": self.after,
            "every": self.every,
            "seed": self.seed,
            "matched": self.matched,
            "fired": self.fired,
            "expired": self.expired,
        }


def _seed(value: Any, where: str) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RuleError(where, "must be an integer or a string")
    return value


RULE_FIELDS = {
    "name": text,
    "match": parse_match,
    "action": parse_action,
    "latency": parse_latency,
    "probability": number(minimum=0, maximum=1),
    "times": integer(minimum=1),
    "after": integer(minimum=0),
    "every": integer(minimum=1),
    "seed": _seed,
}


def parse_rule(document: Any, rule_id: int, default_seed: str) -> Rule:
    """A rule from its JSON form; `default_seed` seeds it when the rule names no seed."""
    found = fields_of(document, "", RULE_FIELDS)
    if "action" not in found and "latency" not in found:
        raise RuleError("action", "a rule needs an action, a latency, or both")
    return Rule(
        id=rule_id,
        match=found.get("match", Match()),
        action=found.get("action"),
        latency=found.get("latency"),
        probability=found.get("probability", 1.0),
        times=found.get("times"),
        after=found.get("after", 0),
        every=found.get("every", 1),
        seed=found.get("seed", f"{default_seed}:{rule_id}"),
        name=found.get("name", ""),
    )
