"""Calls to one side (the switch, or the in-process mock), with the safety rules of verify.

Whatever the battery asks, a changing function is sent only with `validation=1`, and an
answer that says a change happened (200 or 204 to a changing function) stops everything. So
does a 401 to the credentials given (nothing else would be worth comparing), an answer that
is no Enswitch envelope, or one malformed (nested deeper than `MAX_DEPTH`, say).

Every call has two deadlines: each read waits at most `--read-timeout`, and the whole run
ends at `--timeout` (a switch that sends a byte every few seconds never trips the first).
The password never leaves in what verify prints or writes: every copy of it in an answer
is masked as soon as the answer arrives.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from mockswitch.enswitch.jsontext import depth_of, escaped, strict_loads
from mockswitch.enswitch.masking import masked_echoes
from mockswitch.enswitch.params import AUTH_PASSWORD
from mockswitch.switch.proxy import api_url

# The functions that only read; every other function changes something when it succeeds.
READING = frozenset({"bulk/campaigns/get", "bulk/campaigns/list", "bulk/destinations/list"})
CHANGED = ("200", "204")  # what a changing function answers when it did change something
TIMEOUT_SECONDS = 60.0  # the whole run (--timeout)
READ_TIMEOUT_SECONDS = 20.0  # each read (--read-timeout)
MAX_ANSWER_BYTES = 4 * 2**20
MAX_DEPTH = 64  # of an answer's arrays and objects: deeper is malformed
SHOWN_CHARS = 60  # of an answer quoted in a one-line stop


class VerifyStop(Exception):
    """verify cannot go on; the message is the one line it prints (exit status 2)."""


class UnsafeCall(VerifyStop):
    """A changing call without validation=1 was about to leave: it never does."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    document: dict[str, Any]

    @property
    def responses(self) -> list[dict[str, Any]]:
        return self.document["responses"]

    @property
    def code(self) -> str:
        return str(self.responses[0].get("code", ""))


class Deadline:
    """When the whole run must end (`--timeout`), shared by both sides."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def left(self) -> float:
        return self._ends - time.monotonic()


class Side:
    """One Enswitch server that verify talks to."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        guarded: bool,
        password: str,
        deadline: Deadline,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.name = name
        self.url = url
        self.guarded = guarded  # the real switch: the safety rules apply
        self.password = password  # the one given, never shown
        self.deadline = deadline
        self.read_timeout = read_timeout

    def call(self, function: str, params: dict[str, str]) -> Answer:
        if self.guarded and function not in READING and params.get("validation") != "1":
            raise UnsafeCall(f"refusing to send {function} to {self.url} without validation=1")
        status, raw = self._exchange(function, urllib.parse.urlencode(params).encode())
        answer = Answer(status, self._envelope(function, status, raw))
        if self.guarded and answer.code == "401" and params.get(AUTH_PASSWORD) == self.password:
            message = str(answer.responses[0].get("message", ""))
            raise VerifyStop(
                f"{self.url} refused the credentials given (401 {_shown(message)}) to "
                f"{function}: check --username and --password; nothing was compared"
            )
        if self.guarded and function not in READING and answer.code in CHANGED:
            raise VerifyStop(
                f"STOPPED: {self.url} answered {answer.code} to {function} with validation=1, "
                "which suggests it changed something; no further call was sent"
            )
        return answer

    def _exchange(self, function: str, body: bytes) -> tuple[int, str]:
        """The HTTP status and the answer as text, every copy of the password masked."""
        left = self.deadline.left()
        if left <= 0:
            raise self._out_of_time(function)
        url = urllib.parse.urlsplit(api_url(self.url, function))
        kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        # No proxy from the environment: the switch is called at the address given.
        connection = kind(url.hostname or "", url.port, timeout=min(self.read_timeout, left))
        expired = threading.Event()
        watchdog: threading.Timer | None = None
        try:
            connection.connect()  # within the read timeout; the deadline watches the rest
            # The whole run's deadline, however slowly the bytes come: shutting the socket
            # down wakes a read blocked in this thread (the connection lets go of its socket
            # once the answer says it will close, so the watchdog holds it).
            watchdog = threading.Timer(self.deadline.left(), _expire, (connection.sock, expired))
            watchdog.start()
            connection.request(
                "POST",
                url.path,
                body,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            raw = response.read(MAX_ANSWER_BYTES + 1)
        except (OSError, http.client.HTTPException) as error:
            if expired.is_set():
                raise self._out_of_time(function) from None
            if isinstance(error, TimeoutError):
                raise VerifyStop(
                    f"{self.url} sent nothing for {self.read_timeout:g} s while answering "
                    f"{function} (--read-timeout)"
                ) from None
            raise VerifyStop(f"{self.url} does not answer ({_reason(error)})") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            connection.close()
        if expired.is_set():
            raise self._out_of_time(function)
        if len(raw) > MAX_ANSWER_BYTES:
            raise VerifyStop(
                f"{self.url} answered {function} with more than {MAX_ANSWER_BYTES} bytes"
            )
        return response.status, masked_echoes(raw.decode("utf-8", "replace"), (self.password,))

    def _out_of_time(self, function: str) -> VerifyStop:
        return VerifyStop(
            f"{self.url} had not finished answering {function} when the --timeout of "
            f"{self.deadline.seconds:g} s for the whole run passed"
        )

    def _envelope(self, function: str, status: int, raw: str) -> dict[str, Any]:
        try:
            document = strict_loads(raw)
            entries = document["responses"]
            if not entries or not all(isinstance(e, dict) and "code" in e for e in entries):
                raise ValueError("no responses")
            if depth_of(document, MAX_DEPTH) > MAX_DEPTH:
                raise RecursionError("deeper than verify reads")
        except (ValueError, RecursionError, KeyError, TypeError) as error:
            why = "nested too deeply" if isinstance(error, RecursionError) else ""
            raise VerifyStop(
                f"{self.url} answered {function} with something that is not an Enswitch "
                f"envelope{f' ({why})' if why else ''} (HTTP {status}: {_shown(raw)!r})"
            ) from None
        return document


def _expire(sock: socket.socket, expired: threading.Event) -> None:
    expired.set()
    with contextlib.suppress(OSError):  # already closed: the read has ended anyway
        sock.shutdown(socket.SHUT_RDWR)


def _shown(text: str) -> str:
    """The start of a text from the switch, on one line, for a one-line stop."""
    return escaped(" ".join(text[:SHOWN_CHARS].split()))


def _reason(error: Exception) -> str:
    return _shown(str(getattr(error, "reason", None) or error) or type(error).__name__)


def dumps(document: Any, **options: Any) -> str:
    """JSON text that can be printed and written whatever the switch sent (masking.py has
    masked it already; lone surrogates are escaped)."""
    return escaped(json.dumps(document, ensure_ascii=False, **options))
