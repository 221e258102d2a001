"""Stubs: canned answers for Enswitch functions that mockswitch does not simulate.

No aiohttp and no SQL here: the model, the strict reading of a declaration, one tenant's
book of stubs (first match wins, a stub without match is the fallback; the near miss when
none matches), the byte bounds every book shares, and stub files.
"""

from .book import StubBook
from .budget import StubBudget, StubsFull
from .files import StubFileError, read_stub_file
from .model import NO_DATA, Match, Stub, make_stub
from .parse import FUNCTION_NAME, FUNCTION_RULE, StubError, parse_stub

__all__ = [
    "FUNCTION_NAME",
    "FUNCTION_RULE",
    "NO_DATA",
    "Match",
    "Stub",
    "StubBook",
    "StubBudget",
    "StubError",
    "StubFileError",
    "StubsFull",
    "make_stub",
    "parse_stub",
    "read_stub_file",
]
