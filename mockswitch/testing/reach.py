"""Whether a running server can serve a test session: it answers, it is mockswitch, and it
takes the admin token given (or wants none), said in one line naming the variable to fix.

The pytest plugin asks once, before the first test, when `MOCKSWITCH_URL` names a server: a
service container not up yet, or a token that is not the server's, then stops the session
with that line rather than failing every test with a traceback of its own.
"""

from __future__ import annotations

import urllib.error
import uuid

from .client import ControlApiError, MockswitchClient
from .urls import TOKEN_VARIABLE, URL_VARIABLE


def server_problem(url: str, token: str | None, timeout: float = 30.0) -> str | None:
    """What stops a session from using the server at `url` with `token`, in one line; None
    when nothing does. Changes nothing on the server."""
    given = f"{URL_VARIABLE}={url}"
    # A tenant nobody made: dropping it changes nothing, and the answer says whether the token
    # is right (404, no such tenant) or not (401), as a reset would.
    probe = MockswitchClient(url, f"probe-{uuid.uuid4().hex[:16]}", timeout=timeout, token=token)
    try:
        probe.health()
    except ControlApiError as error:
        return (
            f"{given}: something answers there, but not as mockswitch does (HTTP {error.status} "
            f"to {probe.url}/_mock/health): set {URL_VARIABLE} to the root URL of a mockswitch "
            "server"
        )
    except (urllib.error.URLError, OSError) as error:  # refused, timed out, no such host
        return (
            f"{given}: no mockswitch answers there ({_why(error)}): start it first (mockswitch "
            f"serve, or the CI service container, up once its healthcheck passes), or unset "
            f"{URL_VARIABLE} to run one inside the test session"
        )
    try:
        probe.drop_tenant()
    except ControlApiError as error:
        if error.status == 404:
            return None
        if error.status == 401 and token is None:
            return (
                f"{given}: the server wants its admin token for changes, and "
                f"{TOKEN_VARIABLE} is not set: set it to the token the server was started with"
            )
        if error.status == 401:
            return (
                f"{given}: {TOKEN_VARIABLE} is not the server's admin token: set it to the "
                "token the server was started with (its --admin-token or "
                f"{TOKEN_VARIABLE})"
            )
        return f"{given}: the server refused a change (HTTP {error.status}: {error.body})"
    except (urllib.error.URLError, OSError) as error:
        return f"{given}: the server stopped answering ({_why(error)})"
    return None


def _why(error: OSError) -> str:
    """`Connection refused`, rather than `<urlopen error [Errno 111] Connection refused>`."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)
