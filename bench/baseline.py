"""The baseline: a bare aiohttp server that answers every Enswitch URL with one constant envelope.

It does nothing but route and answer, so its throughput is the ceiling of an aiohttp server
on this machine with this load generator: mockswitch is measured as a fraction of it.

    python bench/baseline.py --port 8081 [--delay-ms 100] [--loop asyncio|uvloop] [--backlog N]
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web

ENVELOPE = b'{"responses":[{"code":"204","key":"","message":"OK"}]}'
CONTENT_TYPE = "application/json; charset=utf-8"


def make_app(delay_ms: float = 0.0) -> web.Application:
    delay = delay_ms / 1000

    async def answer(request: web.Request) -> web.Response:
        if delay:
            await asyncio.sleep(delay)
        return web.Response(body=ENVELOPE, headers={"Content-Type": CONTENT_TYPE})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    # The same URL as mockswitch's update (and every other function, for the mixes).
    app.router.add_route("*", "/api/json/{function:.*}", answer)
    app.router.add_get("/_mock/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="sleep before answering")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="event loop to run on"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=128,
        help="listen backlog (default 128: aiohttp's default, which mockswitch serve uses)",
    )
    args = parser.parse_args()
    loop = None
    if args.loop == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(
        make_app(args.delay_ms),
        host=args.host,
        port=args.port,
        access_log=None,
        print=None,
        loop=loop,
        backlog=args.backlog,
    )


if __name__ == "__main__":
    main()
