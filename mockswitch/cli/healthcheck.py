"""`python -m mockswitch.healthcheck`: exit 0 if the local mockswitch is healthy, else 1.

Made for a container's HEALTHCHECK: it needs nothing but the standard library (no curl in
the image), and it finds the server where `mockswitch serve` put it, by reading the same
settings: `MOCKSWITCH_PORT`, `MOCKSWITCH_HOST` and the `MOCKSWITCH_CONFIG` file. Healthy means
`GET /_mock/health` answers 200 with a JSON object whose `status` is `"ok"`; the server only
listens once its data set is loaded, so a healthy answer means it is ready for calls.

A server started with flags the environment does not show (`mockswitch serve --port 9000`)
needs the same flag here: `python -m mockswitch.healthcheck --port 9000`.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from mockswitch.config import ConfigError, load_settings

PATH = "/_mock/health"
DEFAULT_TIMEOUT = 3.0

# A server listening on every address is reached here on the loopback one.
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}


def health_url(host: str, port: int) -> str:
    """The health address of a server listening on `host`:`port`."""
    host = _WILDCARDS.get(host.strip(), host.strip())
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{PATH}"


def check(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[bool, str]:
    """Ask `url`; whether the answer is healthy, and one line that says why."""
    # No proxy: the server is on this machine, whatever HTTP_PROXY says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        return False, f"{url}: HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"{url}: {reason}"
    if status != 200:
        return False, f"{url}: HTTP {status}"
    try:
        document = json.loads(body)
    except ValueError:
        return False, f"{url}: the answer is not JSON"
    if not isinstance(document, dict) or document.get("status") != "ok":
        return False, f"{url}: status is not ok: {body[:200].decode(errors='replace')}"
    return True, f"{url}: ok (mockswitch {document.get('version', '?')})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mockswitch.healthcheck",
        description="Exit 0 if the local mockswitch answers /_mock/health with status ok, "
        "else 1. Host and port come from MOCKSWITCH_HOST, MOCKSWITCH_PORT and "
        "MOCKSWITCH_CONFIG unless given here.",
    )
    parser.add_argument("--host", help="address the server listens on (0.0.0.0 means loopback)")
    parser.add_argument("--port", type=int, help="port the server listens on")
    parser.add_argument("--url", help="the whole health address; overrides --host and --port")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for the answer (default {DEFAULT_TIMEOUT:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url = args.url
    if url is None:
        try:
            settings = load_settings({}, environ)
        except ConfigError as error:
            print(f"unhealthy: {error}", file=sys.stderr)
            return 1
        port = settings.port if args.port is None else args.port
        if port == 0:
            print("unhealthy: the port is 0 (picked at start); pass --port", file=sys.stderr)
            return 1
        url = health_url(settings.host if args.host is None else args.host, port)
    healthy, why = check(url, args.timeout)
    print(
        ("healthy: " if healthy else "unhealthy: ") + why,
        file=sys.stdout if healthy else sys.stderr,
    )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
