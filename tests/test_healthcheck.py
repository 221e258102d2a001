"""`python -m mockswitch.healthcheck`, the container's HEALTHCHECK, against real servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time

import pytest
from aiohttp import web

from mockswitch.cli.healthcheck import health_url, main


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def healthcheck(*argv: str, **environ: str) -> int:
    # urllib blocks: run it in a thread so that the test's own server can answer.
    return await asyncio.to_thread(main, list(argv), environ)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080/_mock/health"),
        ("", "http://127.0.0.1:8080/_mock/health"),
        ("::", "http://[::1]:8080/_mock/health"),
        ("127.0.0.2", "http://127.0.0.2:8080/_mock/health"),
        ("localhost", "http://localhost:8080/_mock/health"),
    ],
)
def test_a_wildcard_address_is_reached_on_loopback(host, url):
    assert health_url(host, 8080) == url


async def test_healthy_on_the_port_from_the_environment(serve, capsys):
    client = await serve()
    port = client.server.port
    assert await healthcheck(MOCKSWITCH_PORT=str(port)) == 0
    assert f"127.0.0.1:{port}" in capsys.readouterr().out


async def test_the_host_and_port_flags_win_over_the_environment(serve):
    client = await serve()
    port = str(client.server.port)
    assert await healthcheck("--host", "127.0.0.1", "--port", port, MOCKSWITCH_PORT="1") == 0


async def test_the_port_from_a_config_file(serve, tmp_path):
    client = await serve()
    config = tmp_path / "mockswitch.toml"
    config.write_text(f"port = {client.server.port}\n", encoding="utf-8")
    assert await healthcheck(MOCKSWITCH_CONFIG=str(config)) == 0


async def test_unhealthy_when_nothing_listens(capsys):
    assert await healthcheck("--timeout", "2", MOCKSWITCH_PORT=str(free_port())) == 1
    assert "unhealthy" in capsys.readouterr().err


async def test_unhealthy_on_the_wrong_port(serve):
    await serve()
    assert await healthcheck("--timeout", "2", MOCKSWITCH_PORT=str(free_port())) == 1


async def test_unhealthy_on_a_bad_setting(capsys):
    assert await healthcheck(MOCKSWITCH_PORT="eighty") == 1
    assert "MOCKSWITCH_PORT" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, '{"status": "starting"}'),
        (200, '["ok"]'),
        (200, "ok"),
        (503, '{"status": "ok"}'),
        (404, "not found"),
    ],
)
async def test_unhealthy_unless_200_with_status_ok(aiohttp_server, status, body):
    async def health(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/_mock/health", health)
    server = await aiohttp_server(app)
    assert await healthcheck("--timeout", "2", MOCKSWITCH_PORT=str(server.port)) == 1


async def test_unhealthy_when_the_answer_is_too_slow(aiohttp_server):
    # The answer comes when the test lets it, or after 30 s: "unhealthy" (not the 200 that
    # would follow) shows the check gave up by itself, and well before then.
    answer = asyncio.Event()

    async def health(request: web.Request) -> web.Response:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(answer.wait(), 30)
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/_mock/health", health)
    server = await aiohttp_server(app)
    started = time.monotonic()
    try:
        assert await healthcheck("--timeout", "0.5", MOCKSWITCH_PORT=str(server.port)) == 1
        assert time.monotonic() - started < 15
    finally:
        answer.set()


def test_the_module_against_a_real_mockswitch_serve(tmp_path):
    """As in the container: `mockswitch serve` and the healthcheck share only the environment."""
    environ = {
        **{name: value for name, value in os.environ.items() if not name.startswith("MOCKSWITCH_")},
        "MOCKSWITCH_PORT": str(free_port()),
        "MOCKSWITCH_DB": str(tmp_path / "mock.sqlite3"),
        "MOCKSWITCH_QUIET": "true",
    }
    probe = [sys.executable, "-m", "mockswitch.healthcheck", "--timeout", "2"]

    def healthy() -> bool:
        done = subprocess.run(probe, env=environ, capture_output=True, timeout=20, check=False)
        return done.returncode == 0

    assert not healthy()
    server = subprocess.Popen(
        [sys.executable, "-m", "mockswitch", "serve"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy():
            assert server.poll() is None, "mockswitch serve exited"
            assert time.monotonic() < deadline, "not healthy within 60 s"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not healthy()
