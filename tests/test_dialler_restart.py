"""A server killed while its dialler works leaves no attempt open, and a restart carries on.

At start, every dial left without an end is closed (result `interrupted`, at the last moment
the tenant's dials show), and the destination keeps it as an attempt it had: its next attempt
carries the next number, never 1 again (store/retries.py). Through a real server process, a
real SQLite file and `kill -9`.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import urllib.parse
from collections import defaultdict
from typing import Any

from tests.cast import PASSWORD
from tests.process import Server, serving

START = "2030-01-07T10:00:00Z"  # a Monday
AUTH = {"auth_username": "user", "auth_password": PASSWORD}
NUMBERS = [f"3125550{n:03d}" for n in range(300)]


def api(server: Server, function: str, **params: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({**AUTH, **params})
    status, _, body = server.request("GET", f"/api/json/{function}/?{query}")
    assert status == 200
    return json.loads(body)


def every_dial(server: Server) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = server.json("GET", f"/_mock/dials?offset={len(found)}")
        found += page["dials"]
        if len(found) >= page["total"]:
            return found


def dialling(server: Server) -> None:
    """Campaign 123 dialling 300 numbers that are always busy, 50 attempts a minute apart."""
    server.json("PUT", "/_mock/outcomes", {"rules": [{"dnumber": "*", "outcome": "busy"}]})
    changed = api(
        server,
        "bulk/campaigns/update",
        id="123",
        enabled="1",
        timegroup="0",
        attempts="50",
        retry="60",
        maximum="20",
    )
    assert changed["responses"][0]["code"] == "204"
    added = api(server, "bulk/destinations/create", campaign="123", dnumbers=",".join(NUMBERS))
    assert added["responses"][0]["code"] == "200"


def advance_a_week(server: Server) -> None:
    """The advance the kill cuts off: it never answers."""
    with contextlib.suppress(OSError):
        server.request("POST", "/_mock/clock/advance", {"seconds": 604800}, 120)


def test_a_kill_9_mid_advance_leaves_no_dial_open_and_attempt_numbers_carry_on(tmp_path):
    db = tmp_path / "dialler.sqlite3"
    flags = ("--db", str(db), "--clock-start", START)
    with serving(tmp_path, *flags) as server:
        dialling(server)
        week = threading.Thread(target=advance_a_week, args=(server,), daemon=True)
        week.start()
        for _ in range(20000):  # until many dials were committed, some of them still open
            page = server.json("GET", "/_mock/dials?limit=1")
            if page["total"] > 400:
                break
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        week.join(30)

    with serving(tmp_path, *flags) as server:
        before = every_dial(server)
        assert before, "no dial was committed before the kill"
        assert [d for d in before if d["ended"] is None] == []
        interrupted = [d for d in before if d["result"] == "interrupted"]
        assert interrupted, "the kill came when no attempt was in progress"
        last = max(max(d["started"], d["ended"]) for d in before)
        for dial in interrupted:
            assert (dial["outcome"], dial["answered"], dial["ended"]) == (None, None, last)

        advanced = server.json("POST", "/_mock/clock/advance", {"seconds": 604800})
        assert advanced["mode"] == "virtual"
        after = every_dial(server)
        assert after[: len(before)] == before  # the history is kept as it was
        numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
        for dial in after:
            numbers[dial["campaign"], dial["dnumber"]].append(dial["attempt"])
        # Every destination's attempts run 1, 2, 3...: none starts again at 1 after the
        # restart, and each interrupted attempt is followed by the next number.
        wrong = {n: a for n, a in numbers.items() if a != list(range(1, len(a) + 1))}
        assert wrong == {}
        for dial in interrupted:
            later = [
                d
                for d in after[len(before) :]
                if (d["campaign"], d["dnumber"]) == (dial["campaign"], dial["dnumber"])
            ]
            assert later, f"{dial['dnumber']} was never tried again"
            assert later[0]["attempt"] == dial["attempt"] + 1
        assert [d for d in after if d["ended"] is None and d["id"] <= len(before)] == []
        assert server.stop()[0] == 0
