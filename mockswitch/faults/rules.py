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
from dataclasses import MISSING, dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from .actions import KINDS, Action, action_schema, parse_action
from .latency import Latency, latency_schema, parse_latency
from .match import CallFacts, Match, match_schema, parse_match
from .spec import (
    LARGEST_INTEGER,
    Boolean,
    Component,
    Field,
    Integer,
    Number,
    RuleError,
    Schema,
    Text,
    fields_of,
    object_schema,
    ref,
)


@dataclass(eq=False)
class Rule:
    id: int
    match: Match = field(default_factory=Match)
    action: Action | None = None
    latency: Latency | None = None
    probability: float = 1.0
    times: int | None = None
    after: int = 0
    every: int = 1
    seed: int | str = 0
    name: str = ""
    allow_unknown: bool = False  # a function neither served nor stubbed (yet) is accepted
    matched: int = 0
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @property
    def label(self) -> str:
        """How a person's words name the rule: its id, and its name if it has one."""
        return f"{self.id} ({self.name!r})" if self.name else str(self.id)

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
            "allow_unknown": self.allow_unknown,
            "matched": self.matched,
            "fired": self.fired,
            "expired": self.expired,
        }


@dataclass(frozen=True, slots=True)
class Seed(Field):
    def parse(self, value: Any, where: str) -> int | str:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise RuleError(where, "must be an integer or a string")
        if isinstance(value, int) and not -LARGEST_INTEGER - 1 <= value <= LARGEST_INTEGER:
            raise RuleError(where, "must be a 64-bit integer (or a string)")
        if isinstance(value, str):
            value = Text()(value, where)  # a lone surrogate could not be shown back
        return value

    def base_schema(self) -> Schema:
        return {"type": ["integer", "string"]}


RULE_FIELDS: dict[str, Field] = {
    "name": Text(),
    "match": Component(name="Match", parser=parse_match),
    "action": Component(name="Action", parser=parse_action),
    "latency": Component(name="Latency", parser=parse_latency),
    "probability": Number(0, 1),
    "times": Integer(1, description="Expire after firing N times."),
    "after": Integer(0, description="Skip N matches."),
    "every": Integer(1, description="Every k-th match."),
    "seed": Seed(description="Seed of the rule's own dice."),
    "allow_unknown": Boolean(
        description="Accept a `match.function` that no function served or stubbed answers "
        "yet (one the tenant will stub later); without it such a rule is refused."
    ),
}


def parse_rule(document: Any, rule_id: int, default_seed: str) -> Rule:
    """A rule from its JSON form; `default_seed` seeds it when the rule names no seed."""
    found = fields_of(document, "", RULE_FIELDS)
    if "action" not in found and "latency" not in found:
        raise RuleError("action", "a rule needs an action, a latency, or both")
    found.setdefault("seed", f"{default_seed}:{rule_id}")
    return Rule(id=rule_id, **found)


def schemas() -> dict[str, Schema]:
    """The rule documents, as the OpenAPI document's schemas: what `POST /_mock/faults`
    takes (`FaultRuleInput` and its parts) and what the control API shows (`FaultRule`)."""
    rule_input = object_schema(
        RULE_FIELDS,
        anyOf=[{"required": ["action"]}, {"required": ["latency"]}],
        description="What a call must look like, what happens to it, and how often. "
        "The schedule: `after` lets the first N matches through, `every` fires on every "
        "k-th match after those, `times` expires the rule, `probability` rolls its dice.",
    )
    defaults = {f.name: f.default for f in dataclass_fields(Rule) if f.default is not MISSING}
    for name, schema in rule_input["properties"].items():
        if name in defaults and defaults[name] is not None and name != "seed":
            schema.setdefault("default", defaults[name])
    shown = {name: dict(schema) for name, schema in rule_input["properties"].items()}
    either = {"oneOf": [ref("Latency"), {"type": "null"}]}
    return {
        "Match": match_schema(),
        "Action": action_schema(),
        "Latency": latency_schema(),
        "FaultRuleInput": rule_input,
        "FaultRule": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                **shown,
                "action": {
                    "type": ["object", "null"],
                    "properties": {
                        "type": {"enum": list(KINDS)},
                        "processed": {"type": "boolean"},
                    },
                },
                "latency": either,
                "times": {"type": ["integer", "null"]},
                "matched": {"type": "integer"},
                "fired": {"type": "integer"},
                "expired": {"type": "boolean"},
            },
            "required": ["id", "match", "action", "latency", "matched", "fired", "expired"],
        },
        "FaultRules": {
            "type": "object",
            "properties": {
                "rules": {"type": "array", "items": ref("FaultRule")},
                "default_latency": either,
            },
            "required": ["rules", "default_latency"],
        },
    }
