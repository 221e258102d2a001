"""The bulk dialler's simulation: a clock per tenant, outcome rules and the dialler's rules.

No aiohttp and no SQL in here: the dialler reads and writes through a `DialStore` (the
store implements it), and the web layer moves the clocks. Our model of the real dialler is
written down in docs/simulator.md.
"""

from .clock import (
    MAX_SPEED,
    MODES,
    Clock,
    ClockError,
    ClockSpec,
    check_mode,
    check_speed,
    format_ms,
    parse_time,
)
from .dialler import Dialler, DialStore, Ended
from .opening import OpeningError, OpeningHours
from .outcomes import DNUMBER_PATTERN, OUTCOMES, OutcomeError, OutcomeRules
from .simulator import (
    MAX_ADVANCE_SECONDS,
    ClockConflict,
    Simulation,
    SimulationEnded,
    Simulator,
)

__all__ = [
    "DNUMBER_PATTERN",
    "MAX_ADVANCE_SECONDS",
    "MAX_SPEED",
    "MODES",
    "OUTCOMES",
    "Clock",
    "ClockConflict",
    "ClockError",
    "ClockSpec",
    "DialStore",
    "Dialler",
    "Ended",
    "OpeningError",
    "OpeningHours",
    "OutcomeError",
    "OutcomeRules",
    "Simulation",
    "SimulationEnded",
    "Simulator",
    "check_mode",
    "check_speed",
    "format_ms",
    "parse_time",
]
