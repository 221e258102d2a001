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

from .spec import MAX_MS, RuleError, fields_of, milliseconds, number


class Latency(Protocol):
    kind: ClassVar[str]

    def sample(self, rng: random.Random) -> float: ...

    def as_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Fixed:
    kind: ClassVar[str] = "fixed_ms"
    ms: float

    def sample(self, rng: random.Random) -> float:
        return self.ms

    def as_json(self) -> dict[str, Any]:
        return {self.kind: self.ms}


@dataclass(frozen=True, slots=True)
class Uniform:
    kind: ClassVar[str] = "uniform_ms"
    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def as_json(self) -> dict[str, Any]:
        return {self.kind: [self.low, self.high]}


@dataclass(frozen=True, slots=True)
class Normal:
    kind: ClassVar[str] = "normal_ms"
    mean: float
    stddev: float

    def sample(self, rng: random.Random) -> float:
        return min(MAX_MS, max(0.0, rng.gauss(self.mean, self.stddev)))

    def as_json(self) -> dict[str, Any]:
        return {self.kind: {"mean": self.mean, "stddev": self.stddev}}


@dataclass(frozen=True, slots=True)
class LogNormal:
    kind: ClassVar[str] = "lognormal_ms"
    median: float
    sigma: float
    max: float

    def sample(self, rng: random.Random) -> float:
        return min(self.max, rng.lognormvariate(math.log(self.median), self.sigma))

    def as_json(self) -> dict[str, Any]:
        return {self.kind: {"median": self.median, "sigma": self.sigma, "max": self.max}}


def _fixed(value: Any, where: str) -> Latency:
    return Fixed(milliseconds(value, where))


def _uniform(value: Any, where: str) -> Latency:
    if not isinstance(value, list) or len(value) != 2:
        raise RuleError(where, "must be [low, high]")
    low = milliseconds(value[0], f"{where}[0]")
    high = milliseconds(value[1], f"{where}[1]")
    if high < low:
        raise RuleError(where, "high must not be below low")
    return Uniform(low, high)


def _normal(value: Any, where: str) -> Latency:
    found = fields_of(value, where, {"mean": milliseconds, "stddev": milliseconds})
    if len(found) != 2:
        raise RuleError(where, "needs mean and stddev")
    return Normal(found["mean"], found["stddev"])


def _lognormal(value: Any, where: str) -> Latency:
    found = fields_of(
        value,
        where,
        {
            "median": number(minimum=0.001, maximum=MAX_MS),
            "sigma": number(minimum=0, maximum=10),
            "max": milliseconds,
        },
    )
    if len(found) != 3:
        raise RuleError(where, "needs median, sigma and max")
    return LogNormal(found["median"], found["sigma"], found["max"])


KINDS = {
    Fixed.kind: _fixed,
    Uniform.kind: _uniform,
    Normal.kind: _normal,
    LogNormal.kind: _lognormal,
}


def parse_latency(document: Any, where: str = "latency") -> Latency:
    found = fields_of(document, where, KINDS)
    if len(found) != 1:
        raise RuleError(where, f"needs exactly one of: {', '.join(KINDS)}")
    return next(iter(found.values()))
