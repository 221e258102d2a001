"""One log line per call: human by default, JSON with --log-format json, none with --quiet."""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import struct
import sys

from mockswitch.store import CallRecord
from mockswitch.switch.calllog import CALL, JsonFormatter, call_fields, human_line
from tests.helpers import call
from tests.process import serving

QUERY = "auth_username=user;auth_password=password"


def record(**changes) -> CallRecord:
    fields = {
        "at": "2026-01-31T12:00:00.000Z",
        "method": "GET",
        "path": "/api/json/bulk/campaigns/update/",
        "function": "bulk/campaigns/update",
        "query": "",
        "params": {"auth_password": "********"},
        "unknown": (),
        "username": "user",
        "code": "204",
        "key": "",
        "http_status": 200,
        "body": "",
        "fault": None,
        "latency_ms": 0.0,
        "duration_ms": 2.345,
    }
    return CallRecord(**(fields | changes))


# -- the words -------------------------------------------------------------------------------


def test_a_human_line_says_who_called_what_and_how_it_went():
    assert human_line(call_fields("default", 7, record())) == (
        "#7 GET bulk/campaigns/update 204 user 2.3ms"
    )
    faulted = record(
        code="",
        http_status=503,
        username="",
        fault={"rule": 1, "name": "", "action": "http", "processed": False},
    )
    assert human_line(call_fields("acme", 8, faulted)) == (
        "#8 GET bulk/campaigns/update http 503 - 2.3ms tenant=acme fault=http"
    )
    dropped = record(code="", http_status=0, function="", fault={"rule": 2, "action": None})
    assert human_line(call_fields("default", 9, dropped)) == (
        "#9 GET - dropped user 2.3ms fault=latency"
    )
    stubbed = record(function="people/list", code="200", stub=3)
    assert human_line(call_fields("default", 10, stubbed)) == (
        "#10 GET people/list 200 user 2.3ms stub=3"
    )
    proxied = record(function="people/list", code="200", proxied=True)
    assert human_line(call_fields("default", 11, proxied)) == (
        "#11 GET people/list 200 user 2.3ms proxied"
    )


def test_a_human_line_escapes_what_could_break_or_rewrite_it():
    sent = record(username="eve\n2026-01-31 12:00:00,000 <forged>", function="a\r\x1b[2Kb")
    line = human_line(call_fields("default", 7, sent))
    assert line == "#7 GET a\\r\\x1b[2Kb 204 eve\\n2026-01-31 12:00:00,000 <forged> 2.3ms"
    assert line.isprintable()
    long = human_line(call_fields("default", 8, record(function="f" * 5000)))
    assert long == f"#8 GET {'f' * 200}...(5000 chars) 204 user 2.3ms"


def test_a_human_line_ends_with_the_calls_warnings_escaped():
    sent = record(warnings=("no such user 'bob'", "line\nbreak"))
    line = human_line(call_fields("default", 9, sent))
    assert line == (
        "#9 GET bulk/campaigns/update 204 user 2.3ms warning: no such user 'bob' "
        "warning: line\\nbreak"
    )


def test_the_json_formatter_writes_one_object_per_record():
    fields = call_fields("acme", 7, record())
    line = logging.LogRecord("mockswitch.calls", logging.INFO, __file__, 1, "%s", ("hi",), None)
    setattr(line, CALL, fields)
    document = json.loads(JsonFormatter().format(line))
    assert document.pop("time").endswith("Z")
    assert document == {
        "level": "INFO",
        "logger": "mockswitch.calls",
        "message": "hi",
        "event": "call",
        "id": 7,
        "tenant": "acme",
        "method": "GET",
        "function": "bulk/campaigns/update",
        "code": "204",
        "key": "",
        "http_status": 200,
        "username": "user",
        "duration_ms": 2.345,
        "latency_ms": 0.0,
        "fault": None,
        "stub": None,
        "proxied": False,
        "warnings": [],
    }
    try:
        raise ValueError("boom")
    except ValueError:
        failure = logging.LogRecord(
            "mockswitch.calls", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    text = JsonFormatter().format(failure)
    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exception"]


# -- in a server -----------------------------------------------------------------------------


async def test_each_call_is_logged_once_with_its_fields(serve, caplog):
    client = await serve(quiet=False)
    with caplog.at_level(logging.INFO, logger="mockswitch.calls"):
        await call(client, "bulk/campaigns/update", id=123, name="x")
        await call(client, "bulk/campaigns/get", user="nobody", id=123)
    lines = [r for r in caplog.records if r.name == "mockswitch.calls"]
    assert [r.getMessage().split(" ", 1)[1].rsplit(" ", 1)[0] for r in lines] == [
        "GET bulk/campaigns/update 204 user",
        "GET bulk/campaigns/get 401 -",
    ]
    assert [getattr(r, CALL)["code"] for r in lines] == ["204", "401"]
    assert getattr(lines[0], CALL)["id"] + 1 == getattr(lines[1], CALL)["id"]


async def test_quiet_logs_no_calls(serve, caplog):
    client = await serve(quiet=True)
    with caplog.at_level(logging.INFO, logger="mockswitch.calls"):
        await call(client, "bulk/campaigns/get", id=123)
    assert not [r for r in caplog.records if r.name == "mockswitch.calls"]


# -- from the command line -------------------------------------------------------------------


def test_the_command_logs_human_lines_by_default(tmp_path):
    with serving(tmp_path, "--db", ":memory:") as server:
        server.request("GET", f"/api/json/bulk/campaigns/get/?{QUERY};id=123")
        server.request("POST", "/t/acme/api/json/no/such/")
        assert server.stop()[0] == 0
        log = server.stderr
    lines = [line for line in log.splitlines() if " mockswitch.calls " in line]
    assert len(lines) == 2, log
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} mockswitch\.calls "
        r"#1 GET bulk/campaigns/get 200 user \d+\.\dms",
        lines[0],
    ), lines[0]
    assert re.search(r"#2 POST no/such 404 - \d+\.\dms tenant=acme$", lines[1]), lines[1]


def test_the_command_logs_json_with_log_format_json(tmp_path):
    with serving(tmp_path, "--db", ":memory:", "--log-format", "json") as server:
        server.request("GET", f"/api/json/bulk/campaigns/get/?{QUERY};id=123")
        server.request("GET", f"/api/json/bulk/campaigns/update/?{QUERY};id=123;maximum=0")
        assert server.stop()[0] == 0
        log = server.stderr
    documents = [json.loads(line) for line in log.splitlines()]  # every line is JSON
    calls = [d for d in documents if d.get("event") == "call"]
    assert [(c["id"], c["function"], c["code"], c["key"]) for c in calls] == [
        (1, "bulk/campaigns/get", "200", ""),
        (2, "bulk/campaigns/update", "400", "maximum"),
    ]
    assert all(c["logger"] == "mockswitch.calls" and c["level"] == "INFO" for c in calls)
    assert "password" not in log  # the log never shows what was sent
    assert documents[-1]["message"] == "stopping: finishing the calls in flight"


def test_the_command_logs_no_calls_with_quiet(tmp_path):
    with serving(tmp_path, "--db", ":memory:", "--quiet") as server:
        server.request("GET", f"/api/json/bulk/campaigns/get/?{QUERY};id=123")
        assert server.stop()[0] == 0
        log = server.stderr
    assert "mockswitch.calls" not in log
    assert "stopping" in log  # the server still says what it does


def _port(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_a_name_with_a_line_break_cannot_forge_a_log_line(tmp_path):
    """A fault strikes before the switch, so the journal (and the log) keep the name as sent."""
    with serving(tmp_path, "--db", ":memory:") as server:
        rule = {"match": {"function": "bulk/campaigns/get"}, "action": {"type": "http"}}
        assert server.request("POST", "/_mock/faults", rule)[0] == 201
        forged = "%0a2026-01-31%2012:00:00,000%20mockswitch.calls%20%239%20forged"
        status, _, _ = server.request(
            "GET", f"/api/json/bulk/campaigns/get/?auth_username=eve{forged};auth_password=x"
        )
        assert status == 503
        server.request("GET", "/api/json/bulk%0d%0aforged/?auth_username=eve")
        assert server.stop()[0] == 0
        log = server.stderr
    lines = [line for line in log.splitlines() if " mockswitch.calls " in line]
    assert [line.split(" ", 3)[3] for line in lines] == [
        "#1 GET bulk/campaigns/get http 503 eve\\n2026-01-31 12:00:00,000 mockswitch.calls "
        "#9 forged " + lines[0].rsplit(" ", 2)[1] + " fault=http",
        "#2 GET bulk\\r\\nforged 404 - " + lines[1].rsplit(" ", 1)[1],
    ]
    assert not [line for line in log.splitlines() if "forged" in line and line not in lines]


def _reset_mid_body(port: int, path: str, content_type: str) -> None:
    """Send the head of a POST and part of its body, then reset the connection.

    The head asks `Expect: 100-continue`: the server answers it once it has routed the request
    and is about to read the body, so the reset comes while it waits for the rest of it."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            "Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.sendall(head.encode())
        sock.settimeout(30)
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"auth_username=user&" * 20)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_client_that_leaves_mid_body_logs_no_traceback(tmp_path):
    db = tmp_path / "left.sqlite3"
    with serving(tmp_path, "--db", str(db)) as server:
        for path, content_type in [
            ("/api/json/bulk/campaigns/update/", "application/x-www-form-urlencoded"),
            ("/t/acme/_mock/faults/default-latency", "application/json"),
        ]:
            _reset_mid_body(_port(server), path, content_type)
        # A clean stop waits for every request the server still handles: after it, the
        # half-read calls have ended, and left no journal entry and no tenant.
        assert server.stop()[0] == 0
        log = server.stderr
    assert "Traceback" not in log
    assert "Error" not in log, log
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM calls").fetchone() == (0,)
        assert connection.execute("SELECT name FROM tenants").fetchall() == [("default",)]
    connection.close()
