"""Turn the bytes of an Enswitch request into an ordered list of parameters.

Enswitch reads parameters from the query string (separated by `;` or `&`, freely mixed) and,
for a POST, from a form body as well. Anything a strict reading rejects (broken
percent-encoding, bytes that are not UTF-8, a NUL, a parameter given twice, a body that is
not a form) gives one 400 problem per bad parameter, which the switch refuses the call
with; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import unquote_to_bytes

from mockswitch.errors import Problem, invalid

from .masking import MASK, is_secret, masked_plain_query

Pairs = tuple[tuple[str, str], ...]

_SEPARATORS = re.compile(rb"[;&]")
# A `%` must start a full two-digit escape; anything else is malformed, not literal text.
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def read_parameters(
    query: bytes, body: bytes = b"", content_type: str = ""
) -> tuple[Pairs, list[Problem]]:
    """The parameters that could be read, and a problem for each piece that could not.

    With problems the call is refused, but the journal still records what was readable (the
    query string of a POST whose body is not a form, say), so that filters find the call.
    """
    problems: list[Problem] = []
    pairs = _plain_pairs(query)
    if pairs is None:
        pairs = list(_decode_pieces(query, problems))
    if body:
        pairs.extend(_parse_body(body, content_type, problems))
    if len({name for name, _ in pairs}) < len(pairs):
        seen: set[str] = set()
        reported: set[str] = set()
        for name, _ in pairs:
            if name in seen and name not in reported:
                problems.append(invalid(name, "was given more than once"))
                reported.add(name)
            seen.add(name)
    return tuple(pairs), problems


def _plain_pairs(raw: bytes) -> list[tuple[str, str]] | None:
    """The pairs of a query or form with no percent escape, read the quick way (most calls:
    one decode, then splits); None when it needs `_decode_pieces`, which reads the same
    pairs, and reports the problems of text that is not UTF-8 or holds a NUL."""
    if b"%" in raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    pairs = []
    for piece in text.replace("+", " ").replace(";", "&").split("&"):
        name, _, value = piece.partition("=")
        if name:
            pairs.append((name, value))
    return pairs


def _parse_body(body: bytes, content_type: str, problems: list[Problem]) -> list[tuple[str, str]]:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in ("", FORM):
        plain = _plain_pairs(body)
        return plain if plain is not None else list(_decode_pieces(body, problems))
    if media_type == MULTIPART:
        return _parse_multipart(body, content_type, problems)
    problems.append(
        invalid("", f"the request body must be {FORM} or {MULTIPART}, not {media_type}")
    )
    return []


def _decode_pieces(raw: bytes, problems: list[Problem]) -> Iterator[tuple[str, str]]:
    for piece in _SEPARATORS.split(raw):
        raw_name, _, raw_value = piece.partition(b"=")
        if not raw_name:
            continue  # an empty piece, or one with no name
        name = _decode_component(raw_name, raw_name, problems)
        if name is None:
            continue  # one entry per bad parameter, even when its value is bad too
        value = _decode_component(raw_value, raw_name, problems)
        if value is not None:
            yield name, value


def _decode_component(raw: bytes, raw_name: bytes, problems: list[Problem]) -> str | None:
    if b"%" in raw:
        if _BAD_ESCAPE.search(raw):
            problems.append(invalid(_shown(raw_name), "has malformed percent-encoding"))
            return None
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    elif b"+" in raw:
        raw = raw.replace(b"+", b" ")
    return _text(raw, raw_name, problems)


def _shown(raw_name: bytes) -> str:
    """A parameter's name as a problem names it, even when it is not UTF-8."""
    return raw_name.decode("utf-8", "backslashreplace")


def _text(data: bytes, raw_name: bytes | str, problems: list[Problem]) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(invalid(_name_of(raw_name), "is not valid UTF-8"))
        return None
    if "\x00" in text:
        problems.append(invalid(_name_of(raw_name), "must not contain a NUL character"))
        return None
    return text


def _name_of(raw_name: bytes | str) -> str:
    return raw_name if isinstance(raw_name, str) else _shown(raw_name)


def _parse_multipart(
    body: bytes, content_type: str, problems: list[Problem]
) -> list[tuple[str, str]]:
    header = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    if not message.is_multipart() or message.defects:
        problems.append(invalid("", "the multipart/form-data body is malformed"))
        return []
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            problems.append(invalid("", "a multipart/form-data part has no name"))
            continue
        payload = part.get_payload(decode=True)  # bytes, or None for an empty part
        value = _text(payload if isinstance(payload, bytes) else b"", name, problems)
        if value is not None:
            pairs.append((name, value))
    return pairs


def masked_query(raw: bytes) -> str:
    """The query string as sent, with the value of every secret parameter masked."""
    if b"%" in raw:  # a name may be escaped: decode each one to know it
        return _masked_escaped(raw)
    # No escapes: a name is what it looks like (with a `+` it would be another name).
    return masked_plain_query(raw).decode("utf-8", "backslashreplace")


def _masked_escaped(raw: bytes) -> str:
    pieces = re.split(rb"([;&])", raw)
    for index in range(0, len(pieces), 2):
        name, equals, _ = pieces[index].partition(b"=")
        shown = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        if equals and is_secret(shown):
            pieces[index] = name + b"=" + MASK.encode()
    return b"".join(pieces).decode("utf-8", "backslashreplace")


def masked_parameters(pairs: Pairs) -> dict[str, str]:
    """The parameters in order, with the value of every secret parameter masked."""
    return {name: MASK if is_secret(name) else value for name, value in pairs}
