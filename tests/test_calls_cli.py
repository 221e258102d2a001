"""`mockswitch calls`: a running server's journal on the command line, and `--follow`."""

from __future__ import annotations

import http.server
import io
import json
import queue
import socket
import subprocess
import sys
import threading
import urllib.request
from typing import Any

import pytest

from mockswitch.cli import main
from mockswitch.cli.calls import show_calls
from mockswitch.testing import MockswitchClient, ServerThread

UPDATE, GET = "bulk/campaigns/update", "bulk/campaigns/get"


def api(client: MockswitchClient, function: str, **params: Any) -> None:
    query = "auth_username=user;auth_password=password" + "".join(
        f";{k}={v}" for k, v in params.items()
    )
    with urllib.request.urlopen(f"{client.api_url}{function}/?{query}", timeout=10) as answer:
        answer.read()


@pytest.fixture
def server():
    with ServerThread() as running:
        yield running


def four_calls(client: MockswitchClient) -> dict[int, str]:
    """Four calls, and the line `mockswitch calls` shows for each, by id."""
    api(client, UPDATE, id=123, maximum=4)
    api(client, UPDATE, id=124, calerid=2125550199)
    api(client, GET, id=999)
    api(client, UPDATE, id=123, attempts=0)
    times = {c["id"]: c["at"][11:23] for c in client.calls()}
    return {
        1: f"#1      {times[1]} GET  {UPDATE} 204 user auth_username=user id=123 maximum=4",
        2: f"#2      {times[2]} GET  {UPDATE} 204 user auth_username=user id=124 "
        "calerid=2125550199  [unknown: calerid]",
        3: f"#3      {times[3]} GET  {GET} 404 user auth_username=user id=999",
        4: f"#4      {times[4]} GET  {UPDATE} 400/attempts user auth_username=user id=123 "
        "attempts=0",
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(["calls", *argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_prints_one_line_per_call_with_unknown_parameters_flagged(server, capsys):
    lines = four_calls(server.client())
    assert run(capsys, "--url", server.url) == (0, [lines[1], lines[2], lines[3], lines[4]], "")


def test_stubbed_calls_are_flagged(server, capsys):
    client = server.client()
    stub = client.add_stub(function="people/list", data=[])
    api(client, "people/list")
    (at,) = [c["at"][11:23] for c in client.calls()]
    line = f"#1      {at} GET  people/list 200 user auth_username=user  [stub: {stub['id']}]"
    assert run(capsys, "--url", server.url) == (0, [line], "")


def test_a_calls_warnings_are_shown(server, capsys):
    client = server.client()
    with urllib.request.urlopen(f"{client.api_url}{GET}/?auth_username=User;id=123") as answer:
        answer.read()
    (at,) = [c["at"][11:23] for c in client.calls()]
    line = (
        f"#1      {at} GET  {GET} 401 - auth_username=User id=123  [warning: login failed: the "
        "call sent no auth_password]"
    )
    assert run(capsys, "--url", server.url) == (0, [line], "")


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["--function", GET], [3]),
        (["--param", "id=123"], [1, 4]),
        (["--param", "id=123", "--param", "maximum=4"], [1]),
        (["--code", "400"], [4]),
        (["--function", UPDATE, "--code", "204"], [1, 2]),
        (["--since", "2", "--limit", "1"], [3]),
        (["--order", "desc", "--limit", "2"], [4, 3]),
    ],
)
def test_the_filters(server, capsys, argv, shown):
    lines = four_calls(server.client())
    assert run(capsys, "--url", server.url, *argv) == (0, [lines[i] for i in shown], "")


def test_json_prints_each_call_as_the_control_api_has_it(server, capsys):
    client = server.client()
    four_calls(client)
    status, lines, err = run(capsys, "--url", server.url, "--json", "--function", UPDATE)
    assert (status, [json.loads(line) for line in lines], err) == (
        0,
        client.calls(UPDATE),
        "",
    )


def test_bad_input_and_errors_are_reported(server, capsys):
    assert run(capsys, "--url", server.url, "--param", "id") == (
        2,
        [],
        "mockswitch: --param 'id' must look like NAME=VALUE\n",
    )
    status, lines, err = run(capsys, "--url", server.url, "--since", "yesterday")
    assert (status, lines) == (1, [])
    assert err.startswith("mockswitch: HTTP 400: {'error': {'status': 400, 'message': ")
    assert "'field': 'since'" in err
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    status, lines, err = run(capsys, "--url", nowhere)
    assert (status, lines) == (1, [])
    assert err.startswith(f"mockswitch: cannot reach {nowhere}: ")


class NotMockswitch(http.server.BaseHTTPRequestHandler):
    """Another service on the port (8080 is a popular one): it answers with an HTML page."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_server_that_is_not_mockswitch_is_an_error_not_a_traceback(capsys):
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotMockswitch)
    serving = threading.Thread(target=other.serve_forever)
    serving.start()
    try:
        status, lines, err = run(capsys, "--url", f"http://127.0.0.1:{other.server_address[1]}")
    finally:
        other.shutdown()
        other.server_close()
        serving.join(5)
    assert (status, lines) == (1, [])
    assert err.startswith("mockswitch: HTTP 501: <!DOCTYPE HTML>")


class CallThenInterrupt(MockswitchClient):
    """Following: one call arrives during the first wait; Ctrl-C during the second."""

    waits = 0

    def wait(self, function: str | None = None, **options: Any) -> dict[str, Any]:
        self.waits += 1
        if self.waits > 1:
            raise KeyboardInterrupt
        api(self, GET, id=125)
        return super().wait(function, **options)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_follow_goes_on_from_the_newest_call_shown(server, order):
    client = CallThenInterrupt(server.url)
    api(client, UPDATE, id=123, maximum=4)
    api(client, GET, id=123)
    out = io.StringIO()
    status = show_calls(client, {"order": order, "params": {}}, follow=True, out=out)
    shown = [line.split()[0] for line in out.getvalue().splitlines()]
    first = ["#1", "#2"] if order == "asc" else ["#2", "#1"]
    assert (status, shown) == (0, [*first, "#3"])  # each call once, then the new one


def test_follow_prints_each_call_as_it_lands(server, tmp_path):
    client = server.client()
    errors = (tmp_path / "stderr").open("w")
    follower = subprocess.Popen(
        [sys.executable, "-m", "mockswitch", "calls", "--follow", "--url", server.url],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in follower.stdout])
    reader.start()
    try:
        api(client, UPDATE, id=123, maximum=4)
        first = lines.get(timeout=15)  # printed by the first listing or by the follow
        api(client, GET, id=123)
        second = lines.get(timeout=15)  # can only come from following
        follower.terminate()
        follower.wait(30)  # at once, unless the machine is very busy
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait(10)
        reader.join(10)
        follower.stdout.close()
        errors.close()
    times = {c["id"]: c["at"][11:23] for c in client.calls()}
    assert [first, second] == [
        f"#1      {times[1]} GET  {UPDATE} 204 user auth_username=user id=123 maximum=4\n",
        f"#2      {times[2]} GET  {GET} 200 user auth_username=user id=123\n",
    ]
    assert (tmp_path / "stderr").read_text() == ""


def test_the_command_line_ends_each_envelope_with_a_newline_and_http_keeps_the_bytes(server):
    client = server.client()
    query = "auth_username=user;auth_password=password;id=123;name=example"
    with urllib.request.urlopen(f"{client.api_url}{UPDATE}/?{query}", timeout=10) as answer:
        sent = answer.read()
    assert sent == b'{"responses":[{"code":"204","key":"","message":"OK"}]}'  # as the switch

    printed = subprocess.run(
        [sys.executable, "-m", "mockswitch", "calls", "--url", server.url, "--json"],
        capture_output=True,
        timeout=30,
        check=True,
    ).stdout
    assert printed.endswith(b"\n")
    (line,) = printed.decode().splitlines(keepends=True)
    assert line.endswith("\n")
    assert json.loads(line)["body"] == sent.decode()
