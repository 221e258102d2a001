"""Which functions a tenant's calls reach: those mockswitch serves and those its stubs
answer. Read for the reason a call to an unknown function gets in the journal and for the
check of a fault rule's function (web/faults.py), so that the two agree."""

from __future__ import annotations

from collections.abc import Iterable

from mockswitch.endpoints import FUNCTIONS
from mockswitch.endpoints.reasons import unknown_function


def served_or_stubbed(stubbed: Iterable[str]) -> list[str]:
    """The functions served, then the `stubbed` ones."""
    return [*FUNCTIONS, *stubbed]


def why_unknown(function: str, stubbed: Iterable[str]) -> tuple[str, ...]:
    """The journal's warning for a call to a function nothing answers: the nearest name
    among those served and the tenant's `stubbed` ones."""
    return (unknown_function(function, served_or_stubbed(stubbed)),)
