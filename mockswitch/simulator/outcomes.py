"""Outcome rules: what happens when a number is dialled, seeded so that runs repeat.

A rule matches a dnumber exactly, or by a prefix ending in `*` (`*` alone matches every
number), and gives one outcome or weights; the first matching rule wins, and a number no
rule matches gets `DEFAULT_WEIGHTS`. Each attempt draws from its own generator, seeded by
(seed, campaign, dnumber, attempt number): the outcome of an attempt does not depend on
what else was dialled before it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OUTCOMES = ("answer", "key", "machine", "busy", "noanswer", "failed")

# Our plausible mix for a number no rule matches (docs/simulator.md).
DEFAULT_WEIGHTS: dict[str, float] = {
    "answer": 0.45,
    "key": 0.05,
    "machine": 0.15,
    "busy": 0.1,
    "noanswer": 0.2,
    "failed": 0.05,
}

# Ring and talk times per outcome, whole seconds (low, high), drawn uniformly: an attempt
# lasts ring + talk, between 1 and 60 seconds. "talk" is the conversation for answer and key,
# the greeting until detection (or until it ends) for machine, and zero otherwise.
RING_SECONDS: dict[str, tuple[int, int]] = {
    "answer": (3, 15),
    "key": (3, 15),
    "machine": (3, 15),
    "busy": (1, 3),
    "noanswer": (30, 30),
    "failed": (1, 2),
}
TALK_SECONDS: dict[str, tuple[int, int]] = {
    "answer": (15, 40),
    "key": (15, 40),
    "machine": (10, 30),
    "busy": (0, 0),
    "noanswer": (0, 0),
    "failed": (0, 0),
}

_SPAN = float(2**64)
_MASK = 2**64 - 1
# A rule's dnumber: a number, or a prefix ending in *; * alone matches all.
DNUMBER_PATTERN = re.compile(r"\+?[0-9]*\*?")
_RULE_FIELDS = frozenset({"dnumber", "outcome", "weights"})


class OutcomeError(Exception):
    """An outcome rules document that cannot be used; `field` is the path to the fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Draw:
    """One attempt's fate: its outcome and how long it rings and talks (seconds)."""

    outcome: str
    ring: int
    talk: int


@dataclass(frozen=True, slots=True)
class _Rule:
    prefix: str
    exact: bool
    outcomes: tuple[str, ...]
    cumulative: tuple[float, ...]  # running sums of the weights, for one uniform draw

    def matches(self, dnumber: str) -> bool:
        return dnumber == self.prefix if self.exact else dnumber.startswith(self.prefix)

    def pick(self, uniform: float) -> str:
        if len(self.outcomes) == 1:
            return self.outcomes[0]
        point = uniform * self.cumulative[-1]
        for outcome, bound in zip(self.outcomes, self.cumulative, strict=True):
            if point < bound:
                return outcome
        return self.outcomes[-1]


def _weighted(prefix: str, exact: bool, weights: Mapping[str, float]) -> _Rule:
    outcomes = tuple(o for o in OUTCOMES if weights.get(o, 0) > 0)
    sums, total = [], 0.0
    for outcome in outcomes:
        total += float(weights[outcome])
        sums.append(total)
    return _Rule(prefix, exact, outcomes, tuple(sums))


_DEFAULT_RULE = _weighted("", False, DEFAULT_WEIGHTS)


class OutcomeRules:
    """A checked rules document: the rules in order, and the seed."""

    def __init__(self, rules: list[dict[str, Any]] | None = None, seed: int = 0) -> None:
        self._shown = [dict(r) for r in rules or []]
        self.seed = seed
        self._rules = [_compile(rule) for rule in self._shown]

    @classmethod
    def from_json(cls, document: Any) -> OutcomeRules:
        """Read `{"rules": [...], "seed": N}` strictly; OutcomeError names what is wrong."""
        if not isinstance(document, dict):
            raise OutcomeError("body", 'must be an object such as {"rules": [...], "seed": 7}')
        unknown = sorted(set(document) - {"rules", "seed"})
        if unknown:
            raise OutcomeError(unknown[0], "unknown field (the fields are rules and seed)")
        if "rules" not in document:
            raise OutcomeError("rules", "required: a list of rules (may be empty)")
        rules = document["rules"]
        if not isinstance(rules, list):
            raise OutcomeError("rules", f"must be a list of rules, not {rules!r}")
        seed = document.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise OutcomeError("seed", f"must be an integer from 0 to 2**63-1, not {seed!r}")
        for index, rule in enumerate(rules):
            _check(rule, f"rules[{index}]")
        return cls(rules, seed)

    def as_json(self) -> dict[str, Any]:
        return {"rules": [dict(r) for r in self._shown], "seed": self.seed}

    def draw(self, campaign: int, dnumber: str, attempt: int) -> Draw:
        """The fate of this attempt: the same for the same seed, whatever else happened."""
        key = f"{self.seed}/{campaign}/{dnumber}/{attempt}".encode()
        bits = int.from_bytes(hashlib.blake2b(key, digest_size=24).digest(), "big")
        first, second, third = (
            (bits >> 128) / _SPAN,
            (bits >> 64 & _MASK) / _SPAN,
            (bits & _MASK) / _SPAN,
        )
        rule = next((r for r in self._rules if r.matches(dnumber)), _DEFAULT_RULE)
        outcome = rule.pick(first)
        return Draw(
            outcome, _between(RING_SECONDS[outcome], second), _between(TALK_SECONDS[outcome], third)
        )


def _between(bounds: tuple[int, int], uniform: float) -> int:
    """A whole number from low to high (both included), from a uniform number in [0, 1)."""
    low, high = bounds
    return low + int(uniform * (high - low + 1))


def _check(rule: Any, where: str) -> None:
    if not isinstance(rule, dict):
        raise OutcomeError(where, 'must be an object such as {"dnumber": "44*", "outcome": "busy"}')
    unknown = sorted(set(rule) - _RULE_FIELDS)
    if unknown:
        raise OutcomeError(f"{where}.{unknown[0]}", "unknown field (dnumber, outcome, weights)")
    pattern = rule.get("dnumber")
    if not isinstance(pattern, str) or not pattern or not DNUMBER_PATTERN.fullmatch(pattern):
        raise OutcomeError(
            f"{where}.dnumber",
            "must be a number (digits, an optional leading +), optionally ending in * to match "
            f"every number it starts, or * alone; not {pattern!r}",
        )
    if ("outcome" in rule) == ("weights" in rule):
        raise OutcomeError(where, "needs exactly one of outcome or weights")
    if "outcome" in rule:
        if rule["outcome"] not in OUTCOMES:
            raise OutcomeError(
                f"{where}.outcome",
                f"must be one of {', '.join(OUTCOMES)}, not {rule['outcome']!r}",
            )
        return
    weights = rule["weights"]
    if not isinstance(weights, dict) or not weights:
        raise OutcomeError(f"{where}.weights", "must be an object of outcome: weight")
    total = 0.0
    for outcome, weight in weights.items():
        if outcome not in OUTCOMES:
            raise OutcomeError(
                f"{where}.weights.{outcome}", f"is not an outcome ({', '.join(OUTCOMES)})"
            )
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise OutcomeError(
                f"{where}.weights.{outcome}", f"must be a number of 0 or more, not {weight!r}"
            )
        total += _finite(weight, f"{where}.weights.{outcome}")
    # Each weight finite, their sum need not be (1e308 twice): the draw scales by the sum.
    if not (math.isfinite(total) and total > 0):
        raise OutcomeError(f"{where}.weights", f"must sum to a finite positive number, not {total}")


def _finite(weight: int | float, where: str) -> float:
    """A weight as the draw uses it: a float, so finite and not beyond a float's range."""
    try:
        value = float(weight)  # an integer of 400 digits is too large for one
    except OverflowError:
        raise OutcomeError(where, "must be a finite number (this one is too large)") from None
    if not math.isfinite(value):
        raise OutcomeError(where, "must be a finite number")
    return value


def _compile(rule: dict[str, Any]) -> _Rule:
    pattern: str = rule["dnumber"]
    exact = not pattern.endswith("*")
    prefix = pattern if exact else pattern[:-1]
    if "outcome" in rule:
        return _Rule(prefix, exact, (rule["outcome"],), (1.0,))
    return _weighted(prefix, exact, rule["weights"])
