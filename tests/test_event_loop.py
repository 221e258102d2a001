"""`--event-loop`: serve runs on asyncio's own loop by default, on uvloop when asked for (or,
with `auto`, when installed), and says which at start. Both loops answer alike, faults that
act on the connection included (the test extra installs uvloop, so both are tested here)."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import urllib.parse

import pytest

from mockswitch.cli import loops
from tests.cast import PASSWORD
from tests.helpers import OK_204, shown_rule
from tests.process import serving

UPDATE = "/api/json/bulk/campaigns/update/?" + urllib.parse.urlencode(
    {"auth_username": "user", "auth_password": PASSWORD, "id": "123", "name": "loop"}
)


def test_auto_takes_uvloop_when_installed_and_asyncio_otherwise(monkeypatch):
    from mockswitch.config import Settings

    assert Settings().event_loop == "asyncio"
    assert loops.choose_loop("asyncio") == ("asyncio", None)
    import uvloop

    assert loops.choose_loop("auto") == ("uvloop", uvloop.new_event_loop)
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    monkeypatch.setattr(loops.importlib.util, "find_spec", lambda name: None)
    assert loops.choose_loop("auto") == ("asyncio", None)
    with pytest.raises(loops.LoopUnavailable, match=r"pip install 'mockswitch\[fast\]'"):
        loops.choose_loop("uvloop")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_each_loop_serves_and_says_so(tmp_path, loop):
    with serving(tmp_path, "--db", str(tmp_path / "db.sqlite3"), "--event-loop", loop) as server:
        status, _, body = server.request("GET", UPDATE)
        assert (status, json.loads(body)) == (200, OK_204)
        # A fault that acts on the socket itself: a reset (TCP RST), under either loop.
        rule = {"match": {"function": "bulk/campaigns/get"}, "action": {"type": "reset"}}
        assert server.json("POST", "/_mock/faults", rule) == shown_rule(
            1, match=rule["match"], action={"type": "reset", "processed": False}
        )
        port = int(server.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", UPDATE.replace("update", "get"))
        with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
            connection.getresponse()
        connection.close()
        calls = json.loads(server.request("GET", "/_mock/calls")[2])["calls"]
        assert [c["code"] for c in calls] == ["204", ""]
    started = (tmp_path / f"stdout-{port}.txt").read_text()
    assert f"event loop {loop})" in started
    assert "Traceback" not in server.stderr


def test_an_unknown_loop_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mockswitch", "serve", "--event-loop", "trio", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr == "mockswitch: --event-loop: 'trio' is not one of asyncio, uvloop, auto\n"
