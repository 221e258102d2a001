"""Calls to one side (the switch, or the in-process mock), with the safety rules of verify.

Whatever the battery asks, a changing function is sent only with `validation=1`, and an
answer that says a change happened (200 or 204 to a changing function) stops everything.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from mockswitch.switch.proxy import api_url

# The functions that only read; every other function changes something when it succeeds.
READING = frozenset({"bulk/campaigns/get", "bulk/campaigns/list", "bulk/destinations/list"})
CHANGED = ("200", "204")  # what a changing function answers when it did change something
TIMEOUT_SECONDS = 20.0
MAX_ANSWER_BYTES = 4 * 2**20


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


class Side:
    """One Enswitch server that verify talks to."""

    def __init__(self, name: str, url: str, *, guarded: bool) -> None:
        self.name = name
        self.url = url
        self.guarded = guarded  # the real switch: the safety rules apply

    def call(self, function: str, params: dict[str, str]) -> Answer:
        if self.guarded and function not in READING and params.get("validation") != "1":
            raise UnsafeCall(f"refusing to send {function} to {self.url} without validation=1")
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(
            api_url(self.url, function),
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        # No proxy from the environment: the switch is called at the address given.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status, raw = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(MAX_ANSWER_BYTES + 1)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise VerifyStop(f"{self.url} does not answer ({reason})") from None
        answer = Answer(status, self._envelope(function, status, raw))
        if self.guarded and function not in READING and answer.code in CHANGED:
            raise VerifyStop(
                f"STOPPED: {self.url} answered {answer.code} to {function} with validation=1, "
                "which suggests it changed something; no further call was sent"
            )
        return answer

    def _envelope(self, function: str, status: int, raw: bytes) -> dict[str, Any]:
        try:
            document = json.loads(raw)
            entries = document["responses"]
            if not entries or not all(isinstance(e, dict) and "code" in e for e in entries):
                raise ValueError("no responses")
        except (ValueError, KeyError, TypeError):
            shown = raw[:60].decode("utf-8", "replace").replace("\n", " ")
            raise VerifyStop(
                f"{self.url} answered {function} with something that is not an Enswitch "
                f"envelope (HTTP {status}: {shown!r})"
            ) from None
        return document
