"""Which parameters are secrets, declared once, and how their values are masked.

A secret's value never shows where mockswitch writes or prints a call: the journal (its
`params` and `query`), the log, recorded stubs (`--record-stubs`: a stub never matches on a
secret), verify's table, report and learned messages. Nor does it show where a switch
echoes it back: in the answer of a proxied call as the journal and a recording keep it, and
in verify's answers, every copy of a secret the call sent is masked too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

MASK = "********"
# The one declaration: a parameter named so, or whose name ends so, is a secret.
SECRET_NAMES = ("password",)
SECRET_SUFFIXES = ("_password", "_secret", "_token")
RULE = (
    "every parameter named `password`, or whose name ends in `_password`, `_secret` or "
    "`_token` (`auth_password` among them)"
)

_MASK_BYTES = MASK.encode()
# A piece `name=value` of a query without percent escapes whose name is a secret's, with the
# separator before it (one C-level pass over the query; this runs on every call).
_SECRET_PIECE = re.compile(
    rb"(^|[;&])((?:"
    + b"|".join(re.escape(name.encode()) for name in SECRET_NAMES)
    + rb")|[^;&=]*(?:"
    + b"|".join(re.escape(suffix.encode()) for suffix in SECRET_SUFFIXES)
    + rb"))=[^;&]*"
)


def is_secret(name: str) -> bool:
    """Whether the parameter `name` holds a secret."""
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES)


def masked_plain_query(raw: bytes) -> bytes:
    """A query string without percent escapes, with every secret's value masked."""
    return _SECRET_PIECE.sub(rb"\1\2=" + _MASK_BYTES, raw)


def secret_values(given: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the call's secrets, longest first (so that a value holding another is
    masked whole); empty values are nothing to mask."""
    values = {value for name, value in given.items() if value and is_secret(name)}
    return tuple(sorted(values, key=len, reverse=True))


def masked_echoes(text: str, secrets: Iterable[str]) -> str:
    """`text` with every copy of each secret masked: as it is, and as JSON writes it (a
    switch's answer may escape a quote, a slash or a non-ASCII letter of it)."""
    for secret in secrets:
        for form in _forms(secret):
            if form in text:
                text = text.replace(form, MASK)
    return text


def _forms(secret: str) -> dict[str, None]:
    quoted = json.dumps(secret)[1:-1]  # ASCII, \u escapes
    return dict.fromkeys(
        (
            secret,
            json.dumps(secret, ensure_ascii=False)[1:-1],
            quoted,
            quoted.replace("/", "\\/"),  # PHP and some Perl encoders escape slashes
        )
    )
