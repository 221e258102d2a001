"""What a destination number must look like for each kind of destination type.

The data set's `dtypes` name a rule for each destination type, so a team can add types
without code: `number` (digits, optional leading +), `text` (anything non-empty), `sipuri`
(sip:user@host), and `phone` / `queue` (the id of one of the customer's own phones or queues).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

_NUMBER = re.compile(r"\+?[0-9]+", re.ASCII)
_SIP_URI = re.compile(r"sip:[^@\s]+@[^@\s]+")

FEATURE_RULES = ("phone", "queue")


def dnumber_problem(rule: str, dnumber: str, owned: Mapping[str, Collection[int]]) -> str | None:
    """Why `dnumber` does not fit `rule`, or None when it does.

    `owned` maps "phone" and "queue" to the ids the campaign's customer owns.
    """
    if rule == "number":
        return None if _NUMBER.fullmatch(dnumber) else "must be digits with an optional leading +"
    if rule == "text":
        return None if dnumber else "must not be empty"
    if rule == "sipuri":
        return None if _SIP_URI.fullmatch(dnumber) else "must look like sip:user@host"
    if rule in FEATURE_RULES:
        ids = owned.get(rule, ())
        # The id as written, without leading zeros: "01001" would be stored and shown as sent.
        if re.fullmatch(r"[1-9][0-9]*", dnumber, re.ASCII) and int(dnumber) in ids:
            return None
        return f"no such {rule}"
    return f"cannot be checked: unknown rule {rule!r}"
