"""One HTTP exchange with a mockswitch server over aiohttp: the async client's transport.

`testing.AsyncMockswitchClient` sends through this, so that aiohttp stays in `web/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp


async def exchange(
    method: str, url: str, body: Any, headers: Mapping[str, str], seconds: float
) -> tuple[int, bytes]:
    """Send one request (`body` as JSON, if not None) within `seconds`; the answer's status
    and bytes."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
        session.request(method, url, json=body, headers=headers) as response,
    ):
        return response.status, await response.read()
