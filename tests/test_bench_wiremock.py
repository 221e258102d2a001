"""The benchmark's WireMock column is wired right, checked without running WireMock or a load.

Its stubs (bench/wiremock/mappings/bench.json) must answer every request of scenarios (a)
and (b) with mockswitch's own bytes, status and content type on a new database; and without
Java or the jar the column is skipped with a note, not a failure.
"""

from __future__ import annotations

import contextlib
import re
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bench import peer, run
from bench.load import Mix, _invalid, cycle


def _accepts(rule: dict[str, str], value: str | None) -> bool:
    """WireMock's query rules the stubs use (its `matches` is a whole-value match)."""
    if value is None:
        return False
    if "equalTo" in rule:
        return value == rule["equalTo"]
    if "matches" in rule:
        return re.fullmatch(rule["matches"], value) is not None
    raise AssertionError(f"a rule this test does not know: {rule}")


def stub_for(path: str) -> dict:
    """The stub WireMock picks for a GET of `path`: the matching one of best priority."""
    url = urlsplit(path)
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    matching = [
        stub
        for stub in peer.stubs()
        if stub["request"]["method"] == "GET"
        and stub["request"]["urlPath"] == url.path
        and all(
            _accepts(rule, query.get(name))
            for name, rule in stub["request"]["queryParameters"].items()
        )
    ]
    assert matching, f"no stub answers {path}"
    best = min(stub["priority"] for stub in matching)
    chosen = [stub for stub in matching if stub["priority"] == best]
    assert len(chosen) == 1, f"{path}: several stubs of priority {best}"
    return chosen[0]


def bench_paths() -> list[str]:
    """Every request scenarios (a) and (b) send, and both kinds of invalid update the load
    can make (the cycle of (b) happens to make only one), gets first (updates change what
    gets read)."""
    paths = dict.fromkeys(cycle(Mix(1, 0, 0)) + cycle(Mix(70, 20, 10)) + [_invalid(0), _invalid(1)])
    return sorted(paths, key=lambda path: "/get/" not in path)


async def test_each_request_of_a_and_b_gets_mockswitchs_own_bytes_from_wiremock(serve):
    client = await serve()
    kinds = set()
    for path in bench_paths():
        stub = stub_for(path)
        kinds.add(stub["name"])
        response = await client.get(path)
        answer = stub["response"]
        assert response.status == answer["status"], path
        assert response.headers["Content-Type"] == answer["headers"]["Content-Type"], path
        assert await response.read() == answer["body"].encode(), path
    assert kinds == {stub["name"] for stub in peer.stubs()}  # every stub is used


def test_every_stub_declares_the_length_of_its_body():
    for stub in peer.stubs():
        answer = stub["response"]
        assert answer["headers"]["Content-Length"] == str(len(answer["body"].encode()))


def test_the_pinned_wiremock_is_the_jar_the_benchmark_runs():
    assert peer.VERSION == "3.13.2"
    assert peer.BUNDLED_JAR.name == "wiremock-standalone-3.13.2.jar"
    assert "node_modules/" in (peer.HOME / ".gitignore").read_text().splitlines()


def fake_java(folder: Path, says: str) -> str:
    java = folder / "java"
    java.write_text(f"#!/bin/sh\necho '{says}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return str(java)


def test_without_java_wiremock_is_skipped_with_the_package_to_install(tmp_path):
    found = peer.find(tmp_path / "wiremock.jar", java=str(tmp_path / "no-java"))
    assert not found.usable
    assert found.note == (
        "WireMock skipped: no java on PATH (apt-get install -y openjdk-17-jre-headless)"
    )


def test_without_the_jar_wiremock_is_skipped_with_how_to_install_it(tmp_path, monkeypatch):
    java = fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    missing = tmp_path / "node_modules" / "wiremock-standalone-3.13.2.jar"
    monkeypatch.setattr(peer, "BUNDLED_JAR", missing)
    found = peer.find(java=java)
    assert not found.usable
    assert found.note == (
        "WireMock skipped: no wiremock-standalone-3.13.2.jar (npm --prefix bench/wiremock ci)"
    )
    given = peer.find(tmp_path / "elsewhere.jar", java=java)
    assert given.note == "WireMock skipped: no elsewhere.jar (check --wiremock-jar)"


def test_with_java_and_the_jar_it_is_found(tmp_path):
    java = fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    jar = tmp_path / "wiremock-standalone-3.13.2.jar"
    jar.write_bytes(b"PK")
    found = peer.find(jar, java=java)
    assert found.usable
    assert found.note == "WireMock: wiremock-standalone-3.13.2.jar, java 17.0.15"
    server = peer.server(found, tmp_path, journal=False)
    assert server.argv == [
        java,
        "-jar",
        str(jar),
        "--port",
        str(server.port),
        "--bind-address",
        "127.0.0.1",
        "--root-dir",
        str(peer.HOME),
        "--disable-banner",
        "--no-request-journal",
    ]


@pytest.mark.parametrize("flag", [[], ["--wiremock", "off"]])
def test_the_run_goes_on_without_wiremock_and_its_header_says_why(tmp_path, flag):
    args = run.parse_args(["--wiremock-jar", str(tmp_path / "missing.jar"), *flag])
    report = run.Report(header={})
    with contextlib.ExitStack() as servers:
        assert run._start_wiremock(args, tmp_path, report, servers) is None
    if flag:
        assert report.header["wiremock"] == "WireMock left out (--wiremock off)"
        assert report.skipped == []
    else:
        assert report.header["wiremock"].startswith("WireMock skipped: no ")
        assert report.skipped == [f"(a), (b): {report.header['wiremock']}"]


def test_the_wiremock_flags_have_their_defaults():
    args = run.parse_args([])
    assert (args.wiremock, args.wiremock_journal, args.wiremock_warmup) == ("auto", "on", 15.0)
    assert run.parse_args(["--quick"]).wiremock_warmup == 5.0
