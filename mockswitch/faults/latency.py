"""How long a call is held before it is handled: fixed, uniform, normal or lognormal.

A latency is written as an object with exactly one key, its kind:
`{"fixed_ms": 250}`, `{"uniform_ms": [50, 150]}`, `{"normal_ms": {"mean": 100, "stddev": 20}}`,
`{"lognormal_ms": {"median": 80, "sigma": 0.5, "max": 2000}}`. Samples are never negative.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from .spec import MAX_MS, Field, Number, RuleError, Schema, fields_of, milliseconds, object_schema


class Latency(Protocol):
    kind: ClassVar[str]

    def sample(self, rng: random.Random) -> float: ...

    def as_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Fixed:
    kind: ClassVar[str] = "fixed_ms"
    ms: float

    @classmethod
    def parse(cls, value: Any, where: str) -> Fixed:
        return cls(milliseconds()(value, where))

    @staticmethod
    def schema() -> Schema:
        return milliseconds().schema()

    def sample(self, rng: random.Random) -> float:
        return self.ms

    def as_json(self) -> dict[str, Any]:
        return {self.kind: self.ms}


@dataclass(frozen=True, slots=True)
class Uniform:
    kind: ClassVar[str] = "uniform_ms"
    low: float
    high: float

    @classmethod
    def parse(cls, value: Any, where: str) -> Uniform:
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(where, "must be [low, high]")
        low = milliseconds()(value[0], f"{where}[0]")
        high = milliseconds()(value[1], f"{where}[1]")
        if high < low:
            raise RuleError(where, "high must not be below low")
        return cls(low, high)

    @staticmethod
    def schema() -> Schema:
        bound = milliseconds().schema()
        return {
            "type": "array",
            "prefixItems": [bound, bound],
            "minItems": 2,
            "maxItems": 2,
            "description": "[low, high]",
        }

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def as_json(self) -> dict[str, Any]:
        return {self.kind: [self.low, self.high]}


class _Written:
    """A kind written as an object of all its fields: {"mean": 100, "stddev": 20}."""

    __slots__ = ()
    fields: ClassVar[dict[str, Field]]
    needs: ClassVar[str]  # the error for a field left out

    @classmethod
    def parse(cls, value: Any, where: str) -> Any:
        found = fields_of(value, where, cls.fields)
        if len(found) != len(cls.fields):
            raise RuleError(where, cls.needs)
        return cls(**found)

    @classmethod
    def schema(cls) -> Schema:
        return object_schema(cls.fields, tuple(cls.fields))


@dataclass(frozen=True, slots=True)
class Normal(_Written):
    kind: ClassVar[str] = "normal_ms"
    fields: ClassVar[dict[str, Field]] = {"mean": milliseconds(), "stddev": milliseconds()}
    needs: ClassVar[str] = "needs mean and stddev"
    mean: float
    stddev: float

    def sample(self, rng: random.Random) -> float:
        return min(MAX_MS, max(0.0, rng.gauss(self.mean, self.stddev)))

    def as_json(self) -> dict[str, Any]:
        return {self.kind: {"mean": self.mean, "stddev": self.stddev}}


@dataclass(frozen=True, slots=True)
class LogNormal(_Written):
    kind: ClassVar[str] = "lognormal_ms"
    fields: ClassVar[dict[str, Field]] = {
        "median": Number(0.001, MAX_MS),
        "sigma": Number(0, 10),
        "max": milliseconds(),
    }
    needs: ClassVar[str] = "needs median, sigma and max"
    median: float
    sigma: float
    max: float

    def sample(self, rng: random.Random) -> float:
        return min(self.max, rng.lognormvariate(math.log(self.median), self.sigma))

    def as_json(self) -> dict[str, Any]:
        return {self.kind: {"median": self.median, "sigma": self.sigma, "max": self.max}}


KINDS = {kind.kind: kind for kind in (Fixed, Uniform, Normal, LogNormal)}


def parse_latency(document: Any, where: str = "latency") -> Latency:
    found = fields_of(document, where, {name: kind.parse for name, kind in KINDS.items()})
    if len(found) != 1:
        raise RuleError(where, f"needs exactly one of: {', '.join(KINDS)}")
    return next(iter(found.values()))


def latency_schema() -> Schema:
    """Every kind, as the OpenAPI document's `Latency`: an object with exactly one key."""
    return {
        "oneOf": [
            {
                "type": "object",
                "properties": {name: kind.schema()},
                "required": [name],
                "additionalProperties": False,
            }
            for name, kind in KINDS.items()
        ]
    }
