"""Fault and latency injection: rules that make the mock misbehave on purpose, reproducibly.

No aiohttp here: actions act on an `Exchange` that the web layer provides.
"""

from .actions import Action, Exchange
from .engine import Decision, FaultEngine
from .match import CallFacts
from .spec import RuleError

__all__ = ["Action", "CallFacts", "Decision", "Exchange", "FaultEngine", "RuleError"]
