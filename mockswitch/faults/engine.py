"""The rules of one tenant, in order, and the decision for each call."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .actions import Action
from .latency import Latency, parse_latency
from .match import CallFacts
from .rules import Rule, parse_rule

# The rules named in a call's warnings when none fired: the first few say enough.
MISSES_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to a call: the rule that fired (if any), its action, the delay, and,
    when none fired, why the rules for its function left it alone (for the journal)."""

    rule: Rule | None
    action: Action | None
    latency_ms: float
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any] | None:
        """How the journal describes the fault; None when the call was left alone."""
        if self.rule is None:
            return None
        return {
            "rule": self.rule.id,
            "name": self.rule.name,
            "action": self.action.type if self.action else None,
            "processed": self.action.processed if self.action else True,
        }


class FaultEngine:
    """Ordered rules and a default latency; the first rule that fires decides."""

    def __init__(
        self,
        documents: Sequence[Any] = (),
        default_latency: Any = None,
        seed: int | str = 0,
    ) -> None:
        self.seed = str(seed)
        self.rules: list[Rule] = []
        self._next_id = 1
        self.default_latency: Latency | None = None
        self._default_rng = random.Random(f"{self.seed}:default")
        for document in documents:
            self.add(document)
        if default_latency is not None:
            self.set_default_latency(default_latency)

    def add(self, document: Any) -> Rule:
        """Parse and append a rule; a bad document raises RuleError and adds nothing."""
        rule = parse_rule(document, self._next_id, self.seed)
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def get(self, rule_id: int) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def remove(self, rule_id: int) -> bool:
        rule = self.get(rule_id)
        if rule is not None:
            self.rules.remove(rule)
        return rule is not None

    def clear(self) -> None:
        self.rules.clear()

    def set_default_latency(self, document: Any) -> None:
        self.default_latency = None if document is None else parse_latency(document)

    @property
    def may_act(self) -> bool:
        """Whether any call could get a decision: a rule, or a default latency."""
        return bool(self.rules) or self.default_latency is not None

    def decide(self, call: CallFacts) -> Decision | None:
        """The fault for this call, or None when it goes through untouched."""
        for rule in self.rules:
            if rule.fires_for(call):
                latency = rule.sample_latency() if rule.latency else self._default_delay()
                return Decision(rule, rule.action, latency)
        warnings = self._misses(call)
        if self.default_latency is not None or warnings:
            return Decision(None, None, self._default_delay(), warnings)
        return None

    def _misses(self, call: CallFacts) -> tuple[str, ...]:
        """Why each rule naming the call's function did not match it (the first few)."""
        misses = []
        for rule in self.rules:
            if rule.match.names(call.function):
                miss = rule.match.miss(call)
                if miss is not None:
                    misses.append(f"fault rule {rule.label} left the call alone: {miss}")
        if len(misses) > MISSES_SHOWN:
            more = len(misses) - MISSES_SHOWN
            misses[MISSES_SHOWN:] = [f"{more} more fault rules for {call.function} did not match"]
        return tuple(misses)

    def _default_delay(self) -> float:
        if self.default_latency is None:
            return 0.0
        return self.default_latency.sample(self._default_rng)

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": [r.as_json() for r in self.rules],
            "default_latency": self.default_latency.as_json() if self.default_latency else None,
        }
