"""The bytes the stubs hold, bounded per tenant and across every tenant: one `StubBudget`
shared by every tenant's `StubBook`, so that the bound holds however the books are kept.

A stub counts its envelope's bytes and `STUB_OVERHEAD_BYTES` (model.py). The stubs given at
start are shared by every tenant (one copy in memory): they count once in the total, and in
full in each tenant's own bound (what a tenant lists is bounded by it).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mockswitch.config import Settings

from .model import Stub

if TYPE_CHECKING:
    from .book import StubBook


class StubsFull(Exception):
    """Adding stubs would pass a byte bound; the message names the setting (a 413)."""


class StubBudget:
    """The byte bounds of `max_stub_bytes` (per tenant) and `max_stub_bytes_total` (every
    tenant), and the deepest `data` a stub may hold (`max_stub_depth`)."""

    def __init__(
        self, tenant_bytes: int, total_bytes: int, max_depth: int, start_bytes: int = 0
    ) -> None:
        self.tenant_bytes = tenant_bytes
        self.total_bytes = total_bytes
        self.max_depth = max_depth
        self.start_bytes = start_bytes  # the stubs given at start, held once for every tenant
        # The books alive: one that is dropped (a reset, a dropped tenant) stops counting as
        # soon as nothing holds it, without being told to.
        self._books: weakref.WeakSet[StubBook] = weakref.WeakSet()

    @classmethod
    def of(cls, settings: Settings, start: Sequence[Stub] = ()) -> StubBudget:
        """The bounds the settings give, the stubs given at start (`start`) counted once."""
        return cls(
            settings.max_stub_bytes,
            settings.max_stub_bytes_total,
            settings.max_stub_depth,
            start_bytes=sum(stub.size for stub in start),
        )

    def join(self, book: StubBook) -> None:
        self._books.add(book)

    def held(self) -> int:
        """The bytes every tenant's stubs hold, those given at start counted once."""
        return self.start_bytes + sum(book.own_bytes for book in self._books)

    def check(self, book: StubBook, adding: int) -> None:
        """StubsFull if `book` cannot take `adding` more bytes of stubs."""
        if book.bytes + adding > self.tenant_bytes:
            raise StubsFull(
                f"the tenant's stubs hold {book.bytes} bytes, and these {adding} more would "
                f"pass the max_stub_bytes setting ({self.tenant_bytes}): remove some first"
            )
        held = self.held()
        if held + adding > self.total_bytes:
            raise StubsFull(
                f"the stubs of every tenant hold {held} bytes, and these {adding} more would "
                f"pass the max_stub_bytes_total setting ({self.total_bytes}): remove some first"
            )
