"""SIGTERM: the calls in flight finish with their answers, the journal reaches the disk, and
the process exits 0 promptly, long polls and hanging calls notwithstanding."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from tests.process import serving

QUERY = "auth_username=user;auth_password=password"
UPDATE = "bulk/campaigns/update"
SLOW_MS = 800
# What would hold a stop if it were not cut short: the long poll's timeout, and the shutdown
# timeout that bounds the calls in flight. A stop must take a small part of it; the bound on
# its time is half of it, wide enough for a slow, loaded machine.
HOLD_S = 60
LONG_POLL = f"/_mock/calls/wait?count=1000&timeout={HOLD_S}"


def rule_matched(server, rule_id: int) -> int:
    return server.json("GET", f"/_mock/faults/{rule_id}")["matched"]


def wait_until(condition, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def long_poll_waiting(server) -> bool:
    """True once the server counts a long poll as waiting: with `--max-long-polls 1`, a second
    one is refused with 429 then, and without one it times out at once with 408."""
    status, _, _ = server.request("GET", "/_mock/calls/wait?count=1000&timeout=0")
    assert status in (408, 429), status
    return status == 429


def journal(db) -> dict[int, tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = connection.execute("SELECT id, function, code, params FROM calls").fetchall()
    return {row[0]: (row[1], row[2], json.loads(row[3])) for row in rows}


def test_sigterm_finishes_the_calls_in_flight_and_keeps_them_in_the_journal(tmp_path):
    db = tmp_path / "journal.sqlite3"
    with (
        serving(
            tmp_path,
            *("--db", str(db), "--max-long-polls", "1", "--shutdown-timeout", str(HOLD_S)),
        ) as server,
        ThreadPoolExecutor(8) as pool,
    ):
        rule = server.json(
            "POST",
            "/_mock/faults",
            {
                "match": {"function": UPDATE, "params": {"id": 123}},
                "latency": {"fixed_ms": SLOW_MS},
            },
        )
        # Fast calls, answered before the signal.
        fast = [server.request("GET", f"/api/json/bulk/campaigns/get/?{QUERY};id=123")]
        fast.append(server.request("POST", f"/api/json/{UPDATE}/?{QUERY};id=124;maximum=3"))
        # Slow calls, and a long poll that would wait a minute: all in flight at the signal.
        slow = [
            pool.submit(server.request, "GET", f"/api/json/{UPDATE}/?{QUERY};id=123;name=slow-{n}")
            for n in range(5)
        ]
        polls = [pool.submit(server.request, "GET", LONG_POLL, None, 90)]

        def poll_waiting() -> bool:
            # The probe takes the one place while it looks: a poll that came just then was
            # refused (429, at once), and is sent again.
            if polls[-1].done() and polls[-1].result()[0] == 429:
                polls.append(pool.submit(server.request, "GET", LONG_POLL, None, 90))
            return long_poll_waiting(server)

        wait_until(lambda: rule_matched(server, rule["id"]) == 5)
        # The poll must be waiting too, or the signal could beat its request to the server.
        wait_until(poll_waiting)
        poll = polls[-1]
        assert not any(call.done() for call in slow)

        code, took = server.stop(timeout=2 * HOLD_S)
        answers = [call.result(timeout=10) for call in slow]
        poll_status, _, poll_body = poll.result(timeout=10)
        log = server.stderr

    assert code == 0, log
    assert took < HOLD_S / 2, f"took {took:.1f}s to stop"
    assert "Traceback" not in log, log
    assert "stopping: finishing the calls in flight" in log
    # Each call in flight got its whole answer ...
    for status, headers, body in answers:
        assert status == 200
        assert json.loads(body) == {"responses": [{"code": "204", "key": "", "message": "OK"}]}
        assert headers["X-Mockswitch-Call"].isdigit()
    # ... the long poll ended at once rather than at its timeout, saying why ...
    assert poll_status == 503
    assert json.loads(poll_body)["timed_out"] is True
    # ... and every answered call is in the database, the slow changes with them.
    kept = journal(db)
    answered = [int(headers["X-Mockswitch-Call"]) for _, headers, _ in fast + answers]
    assert sorted(kept) == sorted(answered)
    slow_ids = [int(headers["X-Mockswitch-Call"]) for _, headers, _ in answers]
    assert [kept[i][:2] for i in slow_ids] == [(UPDATE, "204")] * 5
    assert {kept[i][2]["name"] for i in slow_ids} == {f"slow-{n}" for n in range(5)}
    with sqlite3.connect(db) as connection:
        (name,) = connection.execute(
            "SELECT c.name FROM campaigns c JOIN tenants t ON t.id = c.tenant "
            "WHERE t.name = 'default' AND c.id = 123"
        ).fetchone()
    assert name.startswith("slow-")


def test_a_call_that_hangs_is_cut_off_after_the_shutdown_timeout(tmp_path):
    db = tmp_path / "journal.sqlite3"
    with (
        serving(tmp_path, "--db", str(db), "--shutdown-timeout", "0.5") as server,
        ThreadPoolExecutor(1) as pool,
    ):
        hang = {"type": "hang", "max_ms": HOLD_S * 1000}
        rule = server.json("POST", "/_mock/faults", {"action": hang})
        hanging = pool.submit(server.request, "GET", f"/api/json/{UPDATE}/?{QUERY};id=123")
        wait_until(lambda: rule_matched(server, rule["id"]) == 1)

        code, took = server.stop(timeout=2 * HOLD_S)
        try:
            outcome = hanging.result(timeout=10)
        except OSError as error:  # the connection closes without an answer
            outcome = error
        log = server.stderr

    assert code == 0, log
    assert took < HOLD_S / 2, f"took {took:.1f}s to stop"  # cut off, not left to hang
    assert not isinstance(outcome, tuple), outcome  # no answer: the connection was closed
    # The call was recorded before it hung, and the record survived the stop.
    assert [(f, c) for f, c, _ in journal(db).values()] == [(UPDATE, "")]
