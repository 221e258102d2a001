"""Stubs: canned answers for Enswitch functions that mockswitch does not simulate.

No aiohttp and no SQL here: the model, the strict reading of a declaration, one tenant's
book of stubs (first match wins, a stub without match is the fallback), and stub files.
"""

from .book import StubBook
from .files import StubFileError, read_stub_file, write_stub_file
from .model import NO_DATA, Match, Stub
from .parse import FUNCTION_NAME, FUNCTION_RULE, StubError, parse_stub

__all__ = [
    "FUNCTION_NAME",
    "FUNCTION_RULE",
    "NO_DATA",
    "Match",
    "Stub",
    "StubBook",
    "StubError",
    "StubFileError",
    "parse_stub",
    "read_stub_file",
    "write_stub_file",
]
