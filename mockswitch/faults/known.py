"""A rule for a function that nothing answers would never fire: such a rule is refused, with
the nearest name, unless it says `"allow_unknown": true` (a function to be stubbed later).

The names known are the caller's to give (the functions served and the tenant's stubbed
ones): the fault rules know nothing of the endpoints or the stubs.
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase

from mockswitch.nearest import did_you_mean

from .rules import Rule
from .spec import RuleError

GLOB = frozenset("*?[")
KEEP = 'add "allow_unknown": true to keep a rule for a function you will stub later'


def check_function(rule: Rule, known: Collection[str], *, any_function: bool = False) -> None:
    """Refuse `rule` if its `match.function` names, or globs, no function of `known`;
    `any_function` (a switch behind --proxy-to, which answers every name) accepts any."""
    pattern = rule.match.function
    if pattern is None or rule.allow_unknown or any_function:
        return
    if any(fnmatchcase(name, pattern) for name in known):
        return
    if GLOB.isdisjoint(pattern):
        why = f"`{pattern}` is neither served nor stubbed here{did_you_mean(pattern, known)}"
    else:
        why = f"`{pattern}` matches no function served or stubbed here"
    raise RuleError("match.function", f"{why}; {KEEP}")
