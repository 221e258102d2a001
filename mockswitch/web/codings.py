"""A request body's content codings (`Content-Encoding`), decoded here, not by aiohttp.

aiohttp's parser decodes gzip and deflate, and br or zstd only when a package for them
happens to be installed; without one, a `br` body got aiohttp's plain-text 400 before any
handler ran, so no envelope and no journal entry. So the server reads bodies as sent
(`auto_decompress=False`, web/app.py), and this module decodes what mockswitch promises to,
the same on every machine: `gzip` (and its old name `x-gzip`), `deflate` (with or without
its zlib header, as aiohttp takes it) and `identity`, in any combination
(`Content-Encoding: gzip, identity`). Any other coding is a `CodingError` with status 415;
a gzip or deflate body that does not decode, one with 400. The callers answer them: an
envelope under `/api/json/` (journaled), a JSON error under `/_mock/`.

A decoded body is bounded like a plain one: past `limit` bytes the decoding stops
(`BodyTooLarge`), so a small compressed body cannot unfold into gigabytes.
"""

from __future__ import annotations

import zlib

DECODED = ("gzip", "x-gzip", "deflate", "identity")  # what mockswitch decodes, in the docs' order
UNSUPPORTED = 415
UNDECODABLE = 400
_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class CodingError(Exception):
    """A body mockswitch cannot decode: `status` 415 (a coding it does not know) or 400 (a
    known coding whose data does not decode); the message (lower case, as the control API's
    are) says which for a person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyTooLarge(Exception):
    """The decoded body would pass the limit."""


def codings(header: str) -> list[str]:
    """The codings a `Content-Encoding` names, in the order they were applied, lower case,
    without `identity` (which changes nothing)."""
    named = (token.strip().lower() for token in header.split(","))
    return [token for token in named if token and token != "identity"]


def decode(body: bytes, header: str, limit: int) -> bytes:
    """`body` with the codings `header` names undone, last applied first; at most `limit`
    bytes (`BodyTooLarge` beyond), or `CodingError`."""
    if limit < 0:
        raise BodyTooLarge
    applied = codings(header)
    unknown = [coding for coding in applied if coding not in DECODED]
    if unknown:
        raise CodingError(
            UNSUPPORTED,
            f"the content coding {unknown[0]} is not supported: send the body as it is, or "
            "with gzip or deflate",
        )
    for coding in reversed(applied):
        body = _inflate(body, coding, limit)
    return body


def _inflate(data: bytes, coding: str, limit: int) -> bytes:
    if coding == "deflate":
        # Some clients send raw deflate data without the zlib header: aiohttp takes both.
        wbits = _ZLIB if data and data[0] & 0x0F == 8 else _RAW_DEFLATE
    else:
        wbits = _GZIP
    out = bytearray()
    while True:  # gzip may hold several members one after another
        inflater = zlib.decompressobj(wbits=wbits)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit or inflater.unconsumed_tail:
                raise BodyTooLarge
            out += inflater.flush()
        except zlib.error as error:
            raise CodingError(
                UNDECODABLE, f"the request body is not valid {coding} data ({error})"
            ) from None
        if len(out) > limit:
            raise BodyTooLarge
        if not inflater.eof:
            raise CodingError(UNDECODABLE, f"the request body's {coding} data is cut short")
        data = inflater.unused_data
        if not data or wbits != _GZIP:
            break
    if data:
        raise CodingError(UNDECODABLE, f"the request body has bytes after its {coding} data")
    return bytes(out)
