"""The command line: `mockswitch serve | seed | calls | verify`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from mockswitch import __version__
from mockswitch.cli.calls import show_calls
from mockswitch.cli.failure import USAGE, failed
from mockswitch.cli.loops import LoopUnavailable, choose_loop
from mockswitch.cli.parser import Parser
from mockswitch.config import (
    API_VERSIONS,
    ConfigError,
    Settings,
    add_arguments,
    load_settings,
    upstream_address,
)
from mockswitch.dataset.fixtures import load_dataset
from mockswitch.dataset.generator import Progress, generate
from mockswitch.errors import FixtureError, ListenError
from mockswitch.faults.files import FaultFileError
from mockswitch.simulator.files import OutcomeFileError
from mockswitch.store import DatabaseFileError, SchemaMismatch, Store
from mockswitch.stubs import StubFileError
from mockswitch.switch.calllog import JsonFormatter
from mockswitch.switch.messages import MessagesFileError, load_messages
from mockswitch.testing import DEFAULT_URL, URL_VARIABLE, MockswitchClient
from mockswitch.verify.client import READ_TIMEOUT_SECONDS, TIMEOUT_SECONDS

log = logging.getLogger("mockswitch")

PASSWORD_VARIABLE = "MOCKSWITCH_VERIFY_PASSWORD"  # verify's password, kept out of `ps`
# The settings `mockswitch seed` reads; the rest only matter to a running server.
SEED_SETTINGS = ("db", "fixtures", "sync")
# What stops a start before it begins: one message, exit status 2, nothing written.
REFUSALS = (
    DatabaseFileError,
    ListenError,
    FixtureError,
    SchemaMismatch,
    FaultFileError,
    StubFileError,
    MessagesFileError,
    OutcomeFileError,
    LoopUnavailable,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mockswitch",
        description="An offline simulator of an Enswitch telephone switch's JSON API.",
    )
    parser.add_argument("--version", action="version", version=f"mockswitch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        # Its flags are every setting: listed by --help, too many for a usage line.
        usage="%(prog)s [options]",
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
        "The journal is kept. With --generate, the data set is the fixtures plus a busy "
        "demo switch around them: resellers, customers, people, features, and N campaigns "
        "with their destinations, the same for the same --seed.",
    )
    add_arguments(seed, SEED_SETTINGS)
    seed.add_argument(
        "--generate",
        type=_campaigns,
        metavar="N",
        help="add N generated campaigns (and customers, people, features to go with them)",
    )
    seed.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="the random seed of --generate: the same seed gives the same data (default 0)",
    )
    _add_calls_command(commands)
    _add_verify_command(commands)
    return parser


def _add_verify_command(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser(
        "verify",
        help="compare mockswitch with a real switch, with calls that change nothing",
        description="Send a battery of calls that change nothing (reads, and updates with "
        "validation=1 only) to a real switch and to a mockswitch in this process at the same "
        "time, and print what differs: HTTP status, response codes, keys and messages, and "
        "the names and types of data fields. Exit 0 when nothing differs, 1 when something "
        "does, 2 when verify had to stop (no answer in time, a 401 to the credentials given, "
        "an answer that is not an envelope or is malformed, or one that suggests a change "
        "happened).",
    )
    verify.add_argument("--switch", required=True, metavar="URL", help="the real switch")
    verify.add_argument("--username", required=True, help="a user of the real switch")
    verify.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_VARIABLE),
        help=f"their password (env {PASSWORD_VARIABLE}: flags show in ps)",
    )
    verify.add_argument(
        "--campaign", required=True, type=_count, metavar="ID", help="a campaign they can see"
    )
    verify.add_argument("--report", metavar="FILE.json", help="write the full report here")
    verify.add_argument(
        "--learn",
        metavar="FILE",
        help="write the switch's messages where mockswitch's differ, for serve --messages",
    )
    verify.add_argument(
        "--api-version",
        choices=API_VERSIONS,
        default=API_VERSIONS[-1],
        help="the Enswitch version the in-process mockswitch imitates (default: the newest)",
    )
    verify.add_argument(
        "--fixtures",
        default="",
        metavar="DIR",
        help="the data set of the in-process mockswitch (default: the one shipped)",
    )
    verify.add_argument(
        "--timeout",
        type=_seconds,
        default=TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"stop (exit 2) when the whole run takes longer (default {TIMEOUT_SECONDS:g})",
    )
    verify.add_argument(
        "--read-timeout",
        type=_seconds,
        default=READ_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="stop (exit 2) when a side sends nothing for this long while answering "
        f"(default {READ_TIMEOUT_SECONDS:g})",
    )
    verify.add_argument(
        "--messages",
        default=os.environ.get("MOCKSWITCH_MESSAGES", ""),
        metavar="FILE",
        help="run the in-process mockswitch with this messages file, as serve --messages "
        "(env MOCKSWITCH_MESSAGES)",
    )


def _add_calls_command(commands: argparse._SubParsersAction) -> None:
    calls = commands.add_parser(
        "calls",
        help="print a running server's call journal (and follow it)",
        description="Print the calls a running mockswitch recorded, one line each (oldest "
        "first unless --order desc); with --follow, keep printing them as they arrive.",
    )
    calls.add_argument(
        "--url",
        default=os.environ.get(URL_VARIABLE, DEFAULT_URL),
        help=f"the server (env {URL_VARIABLE}; default {DEFAULT_URL})",
    )
    calls.add_argument("--tenant", help="a tenant's journal instead of the default one")
    for name in ("function", "method", "code", "username"):
        calls.add_argument(f"--{name}", help=f"only calls with this {name}")
    calls.add_argument(
        "--since",
        metavar="ID|TIME",
        help="only later calls: a call id (the calls after it), or an ISO 8601 time such as "
        "2026-01-31T12:00:00Z, UTC unless it gives an offset (the calls at or after it)",
    )
    calls.add_argument(
        "--until",
        metavar="ID|TIME",
        help="only earlier calls: a call id (the calls up to it, it included), or an ISO 8601 "
        "time such as 2026-01-31T12:05:00Z (the calls at or before it)",
    )
    calls.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="only calls that sent this parameter value (repeatable)",
    )
    calls.add_argument(
        "--limit", type=int, default=100, metavar="N", help="at most this many (default 100)"
    )
    calls.add_argument(
        "--order",
        choices=("asc", "desc"),
        default="asc",
        help="asc: oldest first (default); desc: newest first",
    )
    calls.add_argument("-f", "--follow", action="store_true", help="keep printing new calls")
    calls.add_argument("--json", action="store_true", help="one JSON object per line")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exited:  # --help, --version or a usage error, already printed
        return exited.code if isinstance(exited.code, int) else 2
    if args.command == "calls":
        return _calls(args)
    if args.command == "verify":
        return _verify(args)
    try:
        settings = load_settings(args)
    except ConfigError as error:
        return failed(error, USAGE)
    _configure_logging(settings)
    try:
        if args.command == "seed":
            return asyncio.run(_seed(settings, args))
        loop_name, loop_factory = choose_loop(settings.event_loop)
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(_serve(settings, loop_name))
    except REFUSALS as error:
        return failed(error, USAGE)
    except OSError as error:
        return failed(error)


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


async def _serve(settings: Settings, loop_name: str) -> int:
    """Serve until SIGINT or SIGTERM; `loop_name` names the event loop for the start line."""
    # Imported here: the other commands (seed above all) do without aiohttp's import time.
    from mockswitch.web.runner import bind, quiet_aiohttp_logs, serving

    quiet_aiohttp_logs()
    # The address first: a busy port stops the start before the database file is touched.
    sockets = bind(settings.host, settings.port)
    async with serving(settings, sockets) as url:
        print(
            f"mockswitch {__version__} serving {url}/api/json/ "
            f"(database {settings.db}, Enswitch {settings.api_version}, "
            f"event loop {loop_name}); Ctrl-C stops",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("stopping: finishing the calls in flight")  # a JSON line with --log-format json
    return 0


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def _count(text: str, most: int = 2**63 - 1) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    digits = text.lstrip("0") or "0"  # int() refuses more than 4300 digits
    if len(digits) > len(str(most)) or int(digits) > most:
        shown = digits if len(digits) <= 20 else f"{digits[:20]}..."
        raise argparse.ArgumentTypeError(f"{shown} is more than {most}")
    return int(digits)


MAX_GENERATED = 10_000_000  # seed --generate: ten times the benchmark's largest data set


def _campaigns(text: str) -> int:
    return _count(text, MAX_GENERATED)


async def _seed(settings: Settings, args: argparse.Namespace) -> int:
    if args.seed is not None and args.generate is None:
        return failed("--seed is the seed of --generate: give --generate N", USAGE)
    started = time.perf_counter()
    dataset = load_dataset(settings.fixtures_path())
    if args.generate is not None:
        generating = time.perf_counter()
        progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
        dataset = generate(dataset, args.generate, args.seed or 0, progress)
        if progress is None:  # a log or a pipe: one line, not a bar redrawn a hundred times
            print(
                f"mockswitch: generated {args.generate} campaigns "
                f"in {time.perf_counter() - generating:.1f}s",
                file=sys.stderr,
            )
    store = await Store.open(
        settings.db, dataset, reseed=True, synchronous=settings.sync.upper(), build=True
    )
    await store.close()
    took = time.perf_counter() - started
    counts = ", ".join(f"{len(rows)} {table}" for table, rows in dataset.rows.items())
    print(f"mockswitch: seeded {settings.db} from {dataset.source} in {took:.1f}s: {counts}")
    return 0


def _progress_bar(stream: TextIO, width: int = 40) -> Progress:
    """Draw the generator's progress on one line of `stream`, redrawn in place."""

    def show(done: int, total: int) -> None:
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        end = "\n" if done == total else ""
        stream.write(f"\rgenerating campaigns [{bar}] {done}/{total}{end}")
        stream.flush()

    return show


def _verify(args: argparse.Namespace) -> int:
    from mockswitch.verify import Options, verify

    if args.password is None:
        print(f"mockswitch verify: give --password or {PASSWORD_VARIABLE}", file=sys.stderr)
        return 2
    try:
        switch = upstream_address(args.switch)
        load_messages(args.messages)  # a bad file is one line, before any call is sent
    except (ValueError, MessagesFileError) as error:
        print(f"mockswitch verify: {error}", file=sys.stderr)
        return 2
    options = Options(
        switch=switch,
        username=args.username,
        password=args.password,
        campaign=args.campaign,
        report=args.report,
        learn=args.learn,
        messages=args.messages,
        api_version=args.api_version,
        fixtures=args.fixtures,
        timeout=args.timeout,
        read_timeout=args.read_timeout,
    )
    return verify(options)


def _calls(args: argparse.Namespace) -> int:
    params = {}
    for pair in args.param:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            return failed(f"--param {pair!r} must look like NAME=VALUE", USAGE)
        params[name] = value
    query = {
        name: getattr(args, name)
        for name in ("function", "method", "code", "username", "since", "until", "limit", "order")
        if getattr(args, name) is not None
    }
    client = MockswitchClient(args.url, args.tenant)
    return show_calls(client, query | {"params": params}, follow=args.follow, as_json=args.json)
