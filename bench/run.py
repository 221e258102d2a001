"""mockswitch's benchmark: a bare aiohttp baseline and mockswitch under the same load.

    python -m bench            # the full run, about 2-3 minutes
    python -m bench --quick    # about 20-30 seconds, for CI

Every server runs as a subprocess on 127.0.0.1 on a free port and is stopped at the end,
whatever happens. See bench/README.md for the scenarios, the targets and the flags.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/run.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dialler, journal_fill, peer, profile_summary, stub_flood
from bench.load import (
    LoadResult,
    Mix,
    cpu_stall_us,
    listen_overflows,
    loadavg,
    run_load,
    wrk_path,
)
from bench.servers import (
    MOCKSWITCH_DIR,
    ROOT,
    Server,
    baseline,
    http,
    mockswitch,
    mockswitch_command,
    raise_file_limit,
    run_command,
    stop_all,
)

UPDATE = "bulk/campaigns/update"
DELAY_MS = 100.0
SCENARIOS = "abcdefgh"
MONDAY_9 = "2026-12-07T09:00:00Z"


@dataclass
class LoadRow:
    scenario: str
    server: str
    result: LoadResult
    ratio: float | None = None
    note: str = ""


@dataclass
class Measure:
    scenario: str
    what: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Target:
    scenario: str
    what: str
    shown: str
    passed: bool


@dataclass
class Report:
    header: dict[str, Any]
    loads: list[LoadRow] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# -- options ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark mockswitch against a bare aiohttp server on 127.0.0.1.",
    )
    parser.add_argument("--quick", action="store_true", help="short runs for CI (~20-30 s)")
    parser.add_argument("--duration", type=float, help="seconds of each measured load run")
    parser.add_argument("--warmup", type=float, help="seconds of load before each measured run")
    parser.add_argument("--connections", type=int, default=50, help="for (a) and (b)")
    parser.add_argument("--delay-connections", type=int, default=1000, help="for (c)")
    parser.add_argument(
        "--pace-ms",
        type=int,
        default=900,
        help="(c'): each connection's pause after an answer, bounding the offered load "
        "(default 900: 1,000 connections offer at most 1,000 req/s); 0 leaves (c') out",
    )
    parser.add_argument("--journal-entries", type=int, help="(d); default 1,000,000")
    parser.add_argument("--generate", type=int, help="(f) campaigns; default 100,000")
    parser.add_argument("--runs", type=int, help="repetitions of each timing in (d), (e), (f)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="turns of baseline then mockswitch per scenario (the median run and ratio kept)",
    )
    parser.add_argument(
        "--scenarios", default=SCENARIOS, help=f"which to run, e.g. 'ab' (default {SCENARIOS})"
    )
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "asyncio"),
        default="auto",
        help="load generator: wrk if installed (auto), or the built-in asyncio client",
    )
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="the baseline's event loop; auto: the one mockswitch runs on",
    )
    parser.add_argument(
        "--mockswitch-dir",
        type=Path,
        default=ROOT,
        help="run `python -m mockswitch` from this folder (another checkout, to compare)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="record mockswitch with py-spy during (a) (raw stacks to FILE) and summarise",
    )
    parser.add_argument(
        "--wiremock",
        choices=("auto", "off"),
        default="auto",
        help="add WireMock to (a) and (b) when java and its jar are found (auto), or never",
    )
    parser.add_argument(
        "--wiremock-jar",
        type=Path,
        metavar="PATH",
        help=f"WireMock's standalone jar (default: the npm package's, `{peer.INSTALL}`)",
    )
    parser.add_argument(
        "--wiremock-warmup",
        type=float,
        help="seconds of load before WireMock's first measured run of a scenario, for the "
        "JVM's compiler (default 15; 5 with --quick)",
    )
    parser.add_argument(
        "--wiremock-journal",
        choices=("on", "off"),
        default="on",
        help="WireMock's request journal (on: its default, every request kept in memory)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (2.0 if quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.0 if quick else 2.0)
    args.journal_entries = args.journal_entries or (100_000 if quick else 1_000_000)
    args.generate = args.generate or (10_000 if quick else 100_000)
    args.runs = args.runs or (3 if quick else 5)
    if args.wiremock_warmup is None:
        args.wiremock_warmup = 5.0 if quick else 15.0
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {''.join(sorted(unknown))}: pick from {SCENARIOS}")
    if args.client == "auto":
        args.client = "wrk" if wrk_path() else "asyncio"
    elif args.client == "wrk" and not wrk_path():
        parser.error("wrk is not installed (apt-get install wrk), or use --client asyncio")
    return args


def _uses_uvloop(server: Server) -> bool:
    """Whether the running server loaded uvloop (its library is mapped in the process)."""
    with contextlib.suppress(OSError):
        return "uvloop" in Path(f"/proc/{server.pid}/maps").read_text()
    return False


def _cpu_pressure() -> str:
    """How long runnable tasks waited for a CPU lately (another load on the machine)."""
    with contextlib.suppress(OSError):
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return line.split()[1].replace("avg10=", "") + "% (avg10)"
    return "?"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "?"


def _wrk_version() -> str:
    wrk = wrk_path()
    if not wrk:
        return "?"
    out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).split(" [")[0].strip() or "wrk"


# -- helpers ---------------------------------------------------------------------------------


def _median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def _journal_codes(port: int, codes: tuple[str, ...]) -> dict[str, int]:
    counts = {}
    for code in codes:
        status, body, _ = http("GET", port, f"/_mock/calls/count?code={code}")
        counts[code] = body["count"] if status == 200 else -1
    return counts


def _measured_load(
    server: Server,
    args: argparse.Namespace,
    mix: Mix,
    connections: int,
    profile: Path | None = None,
    warmup: float | None = None,
) -> LoadResult:
    """A warm-up run (`warmup` seconds, default --warmup), then the measured one, with the
    server's CPU time, the handshakes the kernel dropped and the CPU pressure during it.
    With `profile`, py-spy records it."""
    warmup = args.warmup if warmup is None else warmup
    if warmup > 0:
        run_load(args.client, server.port, mix, connections, warmup, args.wrk_threads)
        time.sleep(0.5)  # let the server finish the warm-up's calls in flight
    cpu, overflows, stalled = server.cpu_seconds(), listen_overflows(), cpu_stall_us()
    with _profiling(server, profile, args.duration):
        result = run_load(
            args.client, server.port, mix, connections, args.duration, args.wrk_threads
        )
    result.cpu_s = server.cpu_seconds() - cpu
    result.listen_overflows = listen_overflows() - overflows
    result.cpu_pressure = (cpu_stall_us() - stalled) / 1e6 / result.seconds
    return result


def _median_run(results: list[LoadResult]) -> LoadResult:
    return sorted(results, key=lambda r: r.rps)[len(results) // 2]


@contextlib.contextmanager
def _profiling(server: Server, out: Path | None, seconds: float) -> Iterator[None]:
    """py-spy records `server` for most of the block (starting 0.5 s in), if `out` is set."""
    if out is None:
        yield
        return
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    length = max(1, int(seconds - 1))
    argv = [spy, "record", "--pid", str(server.pid), "--duration", str(length), "--rate", "250"]
    argv += ["--threads", "--format", "raw", "--output", str(out)]
    process = subprocess.Popen(
        ["sh", "-c", 'sleep 0.5; exec "$@"', "py-spy", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield
        _, errors = process.communicate(timeout=60)
        if process.returncode != 0:
            _say(f"py-spy failed: {errors.decode(errors='replace').strip()}")
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def _running(server: Server) -> Iterator[Server]:
    with _running_at(server, "/_mock/health") as running:
        yield running


@contextlib.contextmanager
def _running_at(server: Server, health: str) -> Iterator[Server]:
    server.start()
    try:
        server.wait_ready(health)
        yield server
    finally:
        server.stop()


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- scenarios -------------------------------------------------------------------------------


def load_scenarios(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(a) valid updates, (b) the mix, (c) 1,000 connections under a 100 ms delay."""
    loop = report.header["baseline_loop"]
    wanted = [s for s in "abc" if s in args.scenarios]
    if not wanted:
        return
    plain = [s for s in wanted if s in "ab"]
    if "c" in wanted and args.pace_ms > 0:
        wanted.append("c'")
    mix_of = {
        "a": Mix(1, 0, 0),
        "b": Mix(70, 20, 10),
        "c": Mix(1, 0, 0),
        "c'": Mix(1, 0, 0, args.pace_ms),
    }
    label = {
        "a": f"(a) valid updates, {args.connections} conn",
        "b": f"(b) 70/20/10 mix, {args.connections} conn",
        "c": f"(c) {args.delay_connections} conn, {DELAY_MS:g} ms delay",
        "c'": f"(c') the same, paced ({args.pace_ms} ms pause)",
    }
    connections_of = {"a": args.connections, "b": args.connections}
    connections_of["c"] = connections_of["c'"] = args.delay_connections
    with contextlib.ExitStack() as servers:
        mock = servers.enter_context(_running(mockswitch(work, work / "load.sqlite3")))
        report.header["mockswitch_loop"] = "uvloop" if _uses_uvloop(mock) else "asyncio"
        if args.loop == "auto":
            loop = report.header["baseline_loop"] = report.header["mockswitch_loop"]
        bases = {}
        wiremock = None
        if plain:
            bases[0.0] = servers.enter_context(_running(baseline(work, 0.0, loop)))
            wiremock = _start_wiremock(args, work, report, servers)
        if "c" in wanted:
            bases[DELAY_MS] = servers.enter_context(_running(baseline(work, DELAY_MS, loop)))
        for s in wanted:
            base_server = bases[DELAY_MS if s.startswith("c") else 0.0]
            connections, mix = connections_of[s], mix_of[s]
            codes = ("204", "400", "200")
            before = _journal_codes(mock.port, codes)
            base_runs, mock_runs, ratios = [], [], []
            peer_runs, peer_ratios = [], []
            # Baseline and mockswitch take turns, so that another load on the machine that
            # comes and goes hits both alike; the ratio is the median of each turn's ratio.
            for turn in range(max(1, args.repeat)):
                _say(f"{label[s]}: baseline")
                base_runs.append(_measured_load(base_server, args, mix, connections))
                _say(f"{label[s]}: mockswitch")
                if s.startswith("c"):
                    status, body, _ = http(
                        "POST", mock.port, "/_mock/faults", {"latency": {"fixed_ms": DELAY_MS}}
                    )
                    if status not in (200, 201):
                        raise RuntimeError(f"could not add the latency rule: {status} {body}")
                profile = args.profile if s == "a" and turn == 0 else None
                mock_runs.append(_measured_load(mock, args, mix, connections, profile))
                if s.startswith("c"):
                    http("DELETE", mock.port, "/_mock/faults")
                rps = base_runs[-1].rps
                ratios.append(mock_runs[-1].rps / rps if rps else 0.0)
                if wiremock is not None and s in "ab":
                    _say(f"{label[s]}: wiremock")
                    # The JVM compiles the hot path after many calls: a longer warm-up first.
                    warmup = args.wiremock_warmup if turn == 0 else args.warmup
                    peer_runs.append(_measured_load(wiremock, args, mix, connections, None, warmup))
                    peer_ratios.append(peer_runs[-1].rps / rps if rps else 0.0)
            after = _journal_codes(mock.port, codes)
            recorded = {c: after[c] - before[c] for c in codes if after[c] - before[c] > 0}
            total = sum(recorded.values()) or 1
            note = "journal: " + ", ".join(
                f"{c} {100 * n / total:.0f}%" for c, n in sorted(recorded.items())
            )
            if s == "c'":
                note += "; asyncio client, random pauses"
            p99s = [run.p99_ms for run in mock_runs]
            if len(ratios) > 1:
                note += "; ratios " + ", ".join(f"{r:.2f}" for r in ratios)
                note += "; p99s " + ", ".join(f"{p:.1f}" for p in p99s)
            base, result = _median_run(base_runs), _median_run(mock_runs)
            ratio = statistics.median(ratios)
            report.loads.append(
                LoadRow(s, "baseline", base, note="asyncio client" if s == "c'" else "")
            )
            report.loads.append(LoadRow(s, "mockswitch", result, ratio, note))
            if peer_runs:
                peer_note = "static stubs"
                if len(peer_ratios) > 1:
                    peer_note += "; ratios " + ", ".join(f"{r:.2f}" for r in peer_ratios)
                report.loads.append(
                    LoadRow(
                        s,
                        "wiremock",
                        _median_run(peer_runs),
                        statistics.median(peer_ratios),
                        peer_note,
                    )
                )
            if s == "a":
                report.targets.append(
                    Target("a", "throughput >= 0.5 x baseline", f"{ratio:.2f} x", ratio >= 0.5)
                )
                worst = max(p99s)
                report.targets.append(
                    Target("a", "p99 < 10 ms in every round", f"{worst:.1f} ms", worst < 10)
                )
            if s == "b":
                report.targets.append(
                    Target("b", "throughput >= 0.45 x baseline", f"{ratio:.2f} x", ratio >= 0.45)
                )
            if s in "ab":
                # A stable tail: no round's p99 more than twice the median round's.
                steady = max(p99s) / statistics.median(p99s)
                report.targets.append(
                    Target(
                        s,
                        "stable tail: worst round's p99 <= 2 x the median round's",
                        f"{steady:.2f} x",
                        steady <= 2,
                    )
                )
            if s.startswith("c"):
                what = f"p99 < {DELAY_MS + 15:g} ms"
                if s == "c'":
                    what += f" (extra: paced, {result.rps:.0f} req/s)"
                report.targets.append(
                    Target(
                        s,
                        what,
                        f"{result.p99_ms:.1f} ms (+{result.p99_ms - DELAY_MS:.1f})",
                        result.p99_ms < DELAY_MS + 15,
                    )
                )
        report.measures.append(
            Measure("a-c", "mockswitch RSS after the load runs", mock.rss_mb(), "MB")
        )
        if wiremock is not None:
            journal = f"request journal {args.wiremock_journal}"
            report.measures.append(
                Measure("a-b", "wiremock RSS after the load runs", wiremock.rss_mb(), "MB", journal)
            )


def _start_wiremock(
    args: argparse.Namespace, work: Path, report: Report, servers: contextlib.ExitStack
) -> Server | None:
    """WireMock for (a) and (b), running and checked, or None (the header says why)."""
    if args.wiremock == "off":
        report.header["wiremock"] = "WireMock left out (--wiremock off)"
        return None
    found = peer.find(args.wiremock_jar)
    report.header["wiremock"] = found.note
    if not found.usable:
        report.skipped.append(f"(a), (b): {found.note}")
        return None
    _say("starting WireMock")
    wiremock = peer.server(found, work, journal=args.wiremock_journal == "on")
    servers.enter_context(_running_at(wiremock, peer.HEALTH))
    ready = time.perf_counter() - wiremock.started_at
    peer.check(wiremock)
    report.measures.append(Measure("a-b", "wiremock start to ready", ready, "s", peer.HEALTH))
    return wiremock


def journal_scenario(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(d) a journal of N calls: RSS, a filtered count and a filtered page."""
    db = work / "journal.sqlite3"
    n = args.journal_entries
    with _running(mockswitch(work, db)):
        pass  # creates the schema, the seed and the default tenant, then stops cleanly
    _say(f"(d) filling the journal with {n:,} calls (sqlite3, straight into the file)")
    fill_s = journal_fill.fill(str(db), n)
    report.measures.append(
        Measure("d", f"fill {n:,} calls with sqlite3 (not timed by a target)", fill_s, "s")
    )
    server = mockswitch(work, db)
    with _running(server) as mock:
        ready = time.perf_counter() - mock.started_at
        report.measures.append(Measure("d", f"start to ready with {n:,} calls", ready, "s"))
        rss_idle = mock.rss_mb()
        where = "&".join(f"{k}={v}" for k, v in journal_fill.FILTER.items())
        counts, pages, found = [], [], None
        for _ in range(args.runs):
            status, body, took = http("GET", mock.port, f"/_mock/calls/count?{where}")
            assert status == 200, body
            counts.append(took)
            found = body["count"]
        for _ in range(args.runs):
            status, body, took = http("GET", mock.port, f"/_mock/calls?{where}&limit=100")
            assert status == 200, body
            assert len(body["calls"]) == 100, len(body["calls"])
            pages.append(took)
        rss = max(rss_idle, mock.rss_mb())
    count_ms, page_ms = _median_ms(counts), _median_ms(pages)
    share = f"{where}: {found:,} of {n:,}"
    report.measures.append(Measure("d", "server RSS (max of idle, after queries)", rss, "MB"))
    report.measures.append(Measure("d", "filtered count, median", count_ms, "ms", share))
    report.measures.append(Measure("d", "filtered page of 100, median", page_ms, "ms", share))
    report.targets.append(Target("d", "RSS < 150 MB", f"{rss:.1f} MB", rss < 150))
    report.targets.append(
        Target("d", "filtered count < 100 ms", f"{count_ms:.1f} ms", count_ms < 100)
    )


def _reset_times(mock: Server, runs: int) -> tuple[list[float], list[float]]:
    """POST /_mock/reset `runs` times, each after a few changes; (round trips, server's own)."""
    trips, own = [], []
    for run in range(runs):
        for i in range(5):
            path = f"/api/json/{UPDATE}/?auth_username=user&auth_password=password&id=123"
            http("GET", mock.port, f"{path}&name=Reset+{run}+{i}")
        status, body, took = http("POST", mock.port, "/_mock/reset")
        assert status == 200, body
        trips.append(took)
        own.append(body.get("took_ms", float("nan")) / 1000)
    return trips, own


def _tenant_times(mock: Server, runs: int) -> list[float]:
    """Create `runs` new tenants (their first call is a reset) and drop them; round trips."""
    trips = []
    for run in range(runs):
        status, body, took = http("POST", mock.port, f"/t/bench-{run}/_mock/reset")
        assert status == 200, body
        trips.append(took)
        http("DELETE", mock.port, f"/t/bench-{run}/_mock")
    return trips


def start_scenario(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(e) spawn to ready on a new database with the default data set, and a reset."""
    readies = []
    for run in range(args.runs):
        with _running(mockswitch(work, work / f"start-{run}.sqlite3")) as mock:
            readies.append(time.perf_counter() - mock.started_at)
            if run == args.runs - 1:
                trips, own = _reset_times(mock, args.runs)
                tenants = _tenant_times(mock, args.runs)
    ready_ms, reset_ms = _median_ms(readies), _median_ms(trips)
    tenant_ms = _median_ms(tenants)
    report.measures.append(
        Measure(
            "e",
            "start to ready, new database, median",
            ready_ms,
            "ms",
            "runs: " + ", ".join(f"{1000 * r:.0f}" for r in readies),
        )
    )
    report.measures.append(
        Measure(
            "e",
            "reset (HTTP round trip), median",
            reset_ms,
            "ms",
            f"server's own took_ms median {_median_ms(own):.1f}",
        )
    )
    report.measures.append(Measure("e", "new tenant (a copy of the seed), median", tenant_ms, "ms"))
    report.targets.append(Target("e", "ready < 1 s", f"{ready_ms:.0f} ms", ready_ms < 1000))
    report.targets.append(
        Target("e", "new tenant < 100 ms (issue 9)", f"{tenant_ms:.1f} ms", tenant_ms < 100)
    )
    report.targets.append(Target("e", "reset < 100 ms", f"{reset_ms:.1f} ms", reset_ms < 100))


def seed_scenario(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(f) `mockswitch seed --generate N`, if it exists; then ready and reset on that data."""
    helped = subprocess.run(
        mockswitch_command("seed", "--help"),
        cwd=args.mockswitch_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if "--generate" not in helped.stdout:
        report.skipped.append("(f) skipped: `mockswitch seed --generate` does not exist yet")
        return
    n = args.generate
    db = work / "generated.sqlite3"
    _say(f"(f) mockswitch seed --generate {n:,}")
    took = run_command(
        mockswitch_command("seed", "--db", str(db), "--generate", str(n)),
        work / "seed.log",
    )
    size_mb = sum(p.stat().st_size for p in work.glob("generated.sqlite3*")) / 2**20
    report.measures.append(
        Measure("f", f"seed --generate {n:,} (new database)", took, "s", f"{size_mb:.0f} MB file")
    )
    report.targets.append(Target("f", f"seed --generate {n:,} < 5 s", f"{took:.2f} s", took < 5))
    with _running(mockswitch(work, db)) as mock:
        ready = time.perf_counter() - mock.started_at
        trips, _ = _reset_times(mock, args.runs)
        _say(f"(f) updates of another tenant while the {n:,}-campaign one is reset in a loop")
        beside, resets = _load_beside_resets(args, mock)
        rss = mock.rss_mb()
    report.measures.append(Measure("f", f"start to ready on {n:,} campaigns", ready, "s"))
    report.measures.append(
        Measure("f", f"reset on {n:,} campaigns, median", _median_ms(trips), "ms")
    )
    report.measures.append(Measure("f", f"server RSS on {n:,} campaigns", rss, "MB"))
    note = (
        f"{beside.rps:,.0f} req/s, p50 {beside.p50_ms:.1f} ms, max {beside.max_ms:.0f} ms; "
        f"{len(resets)} resets meanwhile, median {_median_ms(resets):.0f} ms"
    )
    report.measures.append(
        Measure("f", "another tenant's updates during resets, p99", beside.p99_ms, "ms", note)
    )
    report.targets.append(
        Target(
            "f",
            f"another tenant's p99 < 50 ms while {n:,} campaigns are reset in a loop",
            f"{beside.p99_ms:.1f} ms",
            beside.p99_ms < 50,
        )
    )


def _load_beside_resets(args: argparse.Namespace, mock: Server) -> tuple[LoadResult, list[float]]:
    """Valid updates to tenant `other` (its own copy of the large data set) while the default
    tenant is reset back to back: one tenant's big copy must not stall another's calls."""
    status, body, _ = http("POST", mock.port, "/t/other/_mock/reset")  # creates it
    assert status == 200, body
    stop, resets = threading.Event(), []

    def reset_in_a_loop() -> None:
        while not stop.is_set():
            status, body, took = http("POST", mock.port, "/_mock/reset")
            assert status == 200, body
            resets.append(took)

    resetter = threading.Thread(target=reset_in_a_loop, daemon=True)
    resetter.start()
    try:
        mix = Mix(prefix="/t/other")
        result = run_load(args.client, mock.port, mix, args.connections, args.duration, 1)
    finally:
        stop.set()
        resetter.join()
    return result, resets


def stub_scenario(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(h) the stub flood: 1,000 posts of a 255 KB stub to one tenant (100 with --quick),
    then as many to each of four tenants at once; the RSS before and at its highest, the
    answers (201 until a byte bound, then 413), and the size and time of `GET /_mock/stubs`."""
    posts = stub_flood.POSTS // (10 if args.quick else 1)
    with _running(mockswitch(work, work / "stubs.sqlite3")) as mock:
        _say(f"(h) {posts:,} posts of a {stub_flood.STUB_BYTES // 1024} KB stub to one tenant")
        one = stub_flood.flood(mock.port, mock.pid, ["default"], posts)
        size, took = stub_flood.listing(mock.port)
        tenants = [f"flood-{n}" for n in range(stub_flood.TENANTS)]
        _say(f"(h) {posts:,} posts to each of {len(tenants)} tenants at once")
        four = stub_flood.flood(mock.port, mock.pid, tenants, posts)
    for name, run in (("one tenant", one), (f"{len(tenants)} more tenants", four)):
        answers = ", ".join(f"{n:,} x {status}" for status, n in sorted(run.statuses.items()))
        report.measures.append(
            Measure(
                "h",
                f"{name}: RSS at its highest ({run.rss_mb[0]:.0f} MB before)",
                max(run.rss_mb),
                "MB",
                f"{answers}; {run.seconds:.1f} s",
            )
        )
    report.measures.append(
        Measure("h", "GET /_mock/stubs of the full tenant", took, "s", f"{size:,} bytes")
    )
    highest = max(four.rss_mb)
    report.targets.append(
        Target("h", "RSS < 400 MB after the floods", f"{highest:.0f} MB", highest < 400)
    )


def dialler_scenario(args: argparse.Namespace, work: Path, report: Report) -> None:
    """(g) the dialler: 100,000 pending destinations in 10 enabled campaigns. The time of an
    advance over one hour of clock time; the update load with the clock frozen and with the
    campaigns dialling on a real clock at 60x."""
    per_campaign = dialler.PER_CAMPAIGN // (10 if args.quick else 1)
    total = dialler.CAMPAIGNS * per_campaign
    fixtures = dialler.write_fixtures(work / "dialler-fixtures", per_campaign=per_campaign)
    extra = ("--fixtures", str(fixtures), "--clock-start", MONDAY_9)
    with _running(mockswitch(work, work / "dialler.sqlite3", *extra)) as mock:
        _say(f"(g) advance one hour over {total:,} pending destinations")
        status, body, took = http("POST", mock.port, "/_mock/clock/advance", {"seconds": 3600})
        assert status == 200, body
        _, dials, _ = http("GET", mock.port, "/_mock/dials?limit=0")
        _, _, took_again = http("POST", mock.port, "/_mock/clock/advance", {"seconds": 3600})
        _, more, _ = http("GET", mock.port, "/_mock/dials?limit=0")
    report.measures.append(
        Measure(
            "g",
            f"advance 1 h, {total:,} pending in 10 campaigns",
            took,
            "s",
            f"{dials['total']:,} attempts; the next hour {took_again:.2f} s, "
            f"{more['total'] - dials['total']:,} attempts",
        )
    )
    report.targets.append(Target("g", "advance 1 h < 2 s", f"{took:.2f} s", took < 2))
    # The API beside the dialler: the update load of (a) on the default data set (no dialler
    # at work: today's benchmark), then on this one, frozen, in real time, and at 60x.
    runs = (
        ("default data set", (), ()),
        ("frozen clock", extra, ()),
        ("real clock 1x", extra, ("--clock", "real")),
        ("real clock 60x", extra, ("--clock", "real", "--clock-speed", "60")),
    )
    # Turns, as in (a): a load that comes and goes on the machine hits every run alike; each
    # ratio is the median of the turns' ratios.
    results: dict[str, list[LoadResult]] = {label: [] for label, _, _ in runs}
    ratios: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    dial_counts: dict[str, int] = {}
    for turn in range(max(1, args.repeat)):
        for label, data, clock in runs:
            db = work / f"dialler-{turn}-{len(dial_counts)}-{label[:4]}.sqlite3"
            with _running(mockswitch(work, db, *data, *clock)) as mock:
                _say(f"(g) valid updates, {args.connections} conn, {label}")
                results[label].append(_measured_load(mock, args, Mix(1, 0, 0), args.connections))
                _, dials, _ = http("GET", mock.port, "/_mock/dials?limit=0")
            dial_counts[label] = dials["total"]
        today_rps = results["default data set"][-1].rps or 1.0
        for label, _, _ in runs:
            ratios[label].append(results[label][-1].rps / today_rps)
    rates = {label: statistics.median(found) for label, found in ratios.items()}
    for label, _, _ in runs:
        note = f"{label}: {dial_counts[label]:,} dials"
        if len(ratios[label]) > 1:
            note += "; ratios " + ", ".join(f"{r:.2f}" for r in ratios[label])
        report.loads.append(
            LoadRow("g", "mockswitch", _median_run(results[label]), rates[label], note)
        )
    for label, bound in (("frozen clock", 0.9), ("real clock 1x", 0.9)):
        ratio = rates[label]
        report.targets.append(
            Target(
                "g",
                f"updates, dialler data, {label} >= {bound} x default",
                f"{ratio:.2f} x",
                ratio >= bound,
            )
        )
    extra_ratio = rates["real clock 60x"]
    report.measures.append(
        Measure(
            "g",
            "updates while 10 campaigns dial at 60x, vs default",
            extra_ratio,
            "x",
            "extra: the dialler's own CPU (about 230 attempts a second) shares the core",
        )
    )


# -- the report ------------------------------------------------------------------------------


def render(report: Report) -> str:
    h = report.header
    lines = [
        "mockswitch benchmark",
        f"  machine: {h['cpu']}, {h['cores']} cores, Python {h['python']}, {h['system']}",
        f"  load generator: {h['client']}; event loop: baseline {h['baseline_loop']}, "
        f"mockswitch {h['mockswitch_loop']}",
        f"  runs: {h['duration']:g} s measured after {h['warmup']:g} s warm-up; "
        f"load average at start: {h['loadavg_start']}, at end: {h.get('loadavg_end', '?')}; "
        f"CPU pressure at start {h['cpu_pressure_start']}, at end "
        f"{h.get('cpu_pressure_end', '?')}",
    ]
    if h.get("wiremock"):
        lines.append(f"  {h['wiremock']}")
    if Path(h["mockswitch_dir"]).resolve() != ROOT:
        lines.append(f"  mockswitch run from: {h['mockswitch_dir']}")
    if report.loads:
        lines += [
            "",
            f"{'scenario':<34} {'server':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'max ms':>8} {'CPU us/req':>10} {'ratio':>6}  notes",
        ]
    for row in report.loads:
        r = row.result
        labels = {
            "a": "(a) valid updates",
            "b": "(b) 70% valid, 20% 400, 10% get",
            "c": f"(c) {DELAY_MS:g} ms delay, many conn",
            "c'": "(c') the same, paced",
        }
        name = labels[row.scenario] if row.server == "baseline" else ""
        if row.scenario == "g":  # no baseline: two mockswitch rows, told apart by their note
            name = "(g) valid updates, dialler data"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
        notes = [row.note] if row.note else []
        if r.errors:
            notes.append("errors " + json.dumps(r.errors))
        if r.listen_overflows:
            notes.append(f"{r.listen_overflows} handshakes dropped (listen backlog full)")
        if r.cpu_pressure >= 0.1:
            notes.append(f"CPU pressure {100 * r.cpu_pressure:.0f}%")
        note = "; ".join(notes)
        lines.append(
            f"{name:<34} {row.server:<10} {r.rps:>8.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.max_ms:>8.1f} {r.cpu_us_per_request:>10.0f} {ratio:>6}  {note}"
        )
    if report.measures:
        lines += ["", f"{'scenario':<8} {'measurement':<52} {'value':>12}  notes"]
        for m in report.measures:
            value = f"{m.value:.1f} {m.unit}" if m.unit != "s" else f"{m.value:.2f} s"
            lines.append(f"({m.scenario})".ljust(8) + f" {m.what:<52} {value:>12}  {m.note}")
    if report.targets:
        lines += ["", f"{'target':<44} {'measured':>20}  result"]
        for t in report.targets:
            verdict = "PASS" if t.passed else "FAIL"
            lines.append(f"({t.scenario}) {t.what:<40} {t.shown:>20}  {verdict}")
    lines += report.skipped
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    MOCKSWITCH_DIR[0] = args.mockswitch_dir.resolve()
    files = raise_file_limit()
    if "c" in args.scenarios and files < args.delay_connections + 100:
        _say(f"warning: only {files} file descriptors for {args.delay_connections} connections")
    # mockswitch serve runs on asyncio's own loop; the load scenarios check what it loaded.
    loop = args.loop if args.loop != "auto" else "asyncio"
    client = (
        f"wrk ({_wrk_version()}, {args.wrk_threads} thread, Lua mix)"
        if (args.client == "wrk")
        else "built-in asyncio client (bench/load.py)"
    )
    report = Report(
        header={
            "cpu": _cpu_model(),
            "cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}",
            "client": client,
            "baseline_loop": loop,
            "mockswitch_loop": "asyncio",
            "duration": args.duration,
            "warmup": args.warmup,
            "loadavg_start": loadavg(),
            "cpu_pressure_start": _cpu_pressure(),
            "mockswitch_dir": str(args.mockswitch_dir),
            "argv": sys.argv[1:] if argv is None else argv,
        }
    )

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="mockswitch-bench-"))
    steps: list[tuple[str, Callable[[argparse.Namespace, Path, Report], None]]] = [
        ("abc", load_scenarios),
        ("d", journal_scenario),
        ("e", start_scenario),
        ("f", seed_scenario),
        ("g", dialler_scenario),
        ("h", stub_scenario),
    ]
    try:
        for letters, step in steps:
            if set(letters) & set(args.scenarios):
                step(args, work, report)
    finally:
        stop_all()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            _say(f"kept {work}")
    report.header["loadavg_end"] = loadavg()
    report.header["cpu_pressure_end"] = _cpu_pressure()
    report.header["seconds"] = round(time.perf_counter() - started, 1)
    print(render(report))
    print(f"\n(took {report.header['seconds']:.0f} s)")
    if args.profile and args.profile.exists():
        print(f"\nprofile of mockswitch during (a), from {args.profile}:")
        print(profile_summary.report(args.profile.read_text(), top=20))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2, default=str))
    failed = [t for t in report.targets if not t.passed]
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
