"""The command line: `mockswitch serve`, `mockswitch seed`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from aiohttp import web

from . import __version__
from .config import ConfigError, Settings, add_arguments, load_settings
from .errors import FixtureError
from .store import SchemaMismatch, Store, load_dataset
from .web import create_app

log = logging.getLogger("mockswitch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockswitch",
        description="An offline simulator of an Enswitch telephone switch's JSON API.",
    )
    parser.add_argument("--version", action="version", version=f"mockswitch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the API and the control API",
        description="Serve the Enswitch JSON API and the control API under /_mock/. Every "
        "setting can also come from an environment variable or a TOML file; "
        "flags win over the environment, which wins over the file.",
    )
    add_arguments(serve)
    seed = commands.add_parser(
        "seed",
        help="(re)seed a database from fixtures, resetting every tenant",
        description="Write the data set into the database and reset every tenant to it. "
        "The journal is kept.",
    )
    add_arguments(seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
    except ConfigError as error:
        print(f"mockswitch: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings)
    command = {"serve": _serve, "seed": _seed}[args.command]
    try:
        return asyncio.run(command(settings))
    except (FixtureError, SchemaMismatch) as error:
        print(f"mockswitch: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"mockswitch: {error}", file=sys.stderr)
        return 1


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    # aiohttp logs every unparseable request with a traceback; one line is enough.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


async def _serve(settings: Settings) -> int:
    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()  # loads the data set: nothing listens before it is ready
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        print(
            f"mockswitch {__version__} serving http://{host}:{port}/api/json/ "
            f"(database {settings.db}, Enswitch {settings.api_version}); Ctrl-C stops",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        print("mockswitch: stopping: finishing the calls in flight", file=sys.stderr, flush=True)
    finally:
        await runner.cleanup()  # waits for calls in flight, then flushes the journal
    return 0


async def _seed(settings: Settings) -> int:
    dataset = load_dataset(settings.fixtures_path())
    store = await Store.open(settings.db, dataset, reseed=True, synchronous=settings.sync.upper())
    await store.close()
    counts = ", ".join(f"{len(rows)} {table}" for table, rows in dataset.rows.items())
    print(f"mockswitch: seeded {settings.db} from {dataset.source}: {counts}")
    return 0
