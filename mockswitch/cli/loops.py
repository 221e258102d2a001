"""The event loop `mockswitch serve` runs on (`event_loop`): asyncio's own by default,
uvloop when asked for (or, with `auto`, when installed). The start line names the one chosen.

uvloop is optional (`pip install 'mockswitch[fast]'`): a compiled extension that not every
platform has. It is not the default because, measured (docs/benchmarks.md, "Event loops"),
it answers about 10-20% more calls a second but lets another tenant's calls wait hundreds of
milliseconds while a 100,000-campaign tenant is reset, where asyncio's loop keeps them
under 50 ms.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class LoopUnavailable(Exception):
    """`event_loop = uvloop` was asked for and uvloop is not installed (one line)."""


def choose_loop(setting: str) -> tuple[str, LoopFactory | None]:
    """The loop's name and its factory (None: asyncio's default) for the `event_loop` setting."""
    wanted_uvloop = setting == "uvloop" or (
        setting == "auto" and importlib.util.find_spec("uvloop") is not None
    )
    if not wanted_uvloop:
        return "asyncio", None
    try:
        import uvloop
    except ImportError:
        raise LoopUnavailable(
            "--event-loop uvloop: uvloop is not installed (pip install 'mockswitch[fast]')"
        ) from None
    return "uvloop", uvloop.new_event_loop
