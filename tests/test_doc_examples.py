"""Every curl command in the README and docs/ runs against a real server, in the order shown,
and where the doc shows the answer, the answer is byte for byte that (`...` stands for the
rest of a long answer).

One fresh server per doc: a doc's commands build on each other (the fault rule its next line
reads back). A command the doc shows as a shape rather than a command to paste (`[{...}]`)
is listed in SHAPES, and the list is checked against the docs so that it cannot go stale.
"""

from __future__ import annotations

import re
import shlex
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mockswitch.testing import ServerThread

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ORIGIN = re.compile(r"^(?:https?://)?(?:localhost|127\.0\.0\.1):8080")

# Commands shown as shapes, or that wait on purpose: not run, but each must still be in a doc.
SHAPES = {
    # a placeholder array of rules
    "curl -X POST localhost:8080/_mock/faults -d '[{...},{...}]'",
    # waits its 10 s for calls nobody sends; tests/test_journal_wait.py covers the long poll
    "curl 'http://127.0.0.1:8080/_mock/calls/wait?function=bulk/campaigns/update&since=now"
    "&count=2&timeout=10'",
}


@dataclass
class Command:
    """One curl line of a doc, with the answer the doc shows after it (if any)."""

    doc: str
    line: str
    words: list[str]
    expected: str | None = None


@dataclass
class Request:
    method: str = "GET"
    url: str = ""
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def code_blocks(text: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)]


def expand(command: str, variables: dict[str, str]) -> str:
    """The command with the block's shell variables ($B, $A) put in."""
    return re.sub(r"\$([A-Z]+)", lambda m: variables[m[1]], command)


def commands_of(path: Path) -> list[Command]:
    found: list[Command] = []
    for block in code_blocks(path.read_text()):
        variables: dict[str, str] = {}
        for line in block:
            line = line.removeprefix("$ ")
            assignment = re.fullmatch(r"([A-Z]+)='([^']*)'", line)
            if assignment:
                variables[assignment[1]] = assignment[2]
            elif line.startswith("curl "):
                command = line.split(" #", 1)[0].split(" > ", 1)[0].rstrip()
                words = shlex.split(expand(command, variables))[1:]
                found.append(Command(path.name, command, words))
            elif line.removeprefix("# ").startswith("{") and found and not found[-1].expected:
                found[-1].expected = line.removeprefix("# ")  # shown as a line or a comment
    return found


def request_of(words: list[str], origin: str) -> Request:
    request = Request()
    args = iter(words)
    for word in args:
        if word == "-X":
            request.method = next(args)
        elif word == "-d":
            request.data = next(args).encode()
            if request.method == "GET":
                request.method = "POST"
            request.headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif word == "-H":
            name, value = next(args).split(":", 1)
            request.headers[name] = value.strip()
        elif word == "-w":
            next(args)
        elif word == "-s":
            pass  # silent: curl's progress meter, not the request
        elif word.startswith("-"):
            raise AssertionError(f"a curl option this test does not know: {word}")
        else:
            assert ORIGIN.match(word), f"a doc's curl leaves 127.0.0.1:8080: {word}"
            request.url = ORIGIN.sub(origin, word)
    return request


def send(request: Request) -> tuple[int, str]:
    http = urllib.request.Request(
        request.url, data=request.data, method=request.method, headers=request.headers
    )
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def matches(expected: str, body: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, body, re.S) is not None


def test_the_shapes_not_run_are_still_in_the_docs():
    shown = {c.line for path in DOCS for c in commands_of(path)}
    assert shown >= SHAPES


def test_the_docs_show_curl_commands_with_their_answers():
    """The extraction finds the examples: the response codes, in the README and docs/api.md."""
    readme = commands_of(ROOT / "README.md")
    api = commands_of(ROOT / "docs" / "api.md")
    assert sum(c.expected is not None for c in readme) >= 2
    assert sum(c.expected is not None for c in api) >= 9


@pytest.mark.parametrize("path", [p for p in DOCS if commands_of(p)], ids=lambda p: p.name)
def test_every_curl_in_the_doc_runs_as_shown(path):
    with ServerThread() as server:
        for command in commands_of(path):
            if command.line in SHAPES:
                continue
            status, body = send(request_of(command.words, server.url))
            if command.expected is not None:
                assert matches(command.expected, body), f"{command.line}\n{body}"
            else:
                # No answer shown: the command must at least be one the server takes (a
                # route that exists, a query it accepts), not a refusal of the command. A
                # fresh server has no call 57 to show.
                missing_call = status == 404 and re.search(r"/_mock/calls/[0-9]+", command.line)
                assert status < 400 or missing_call, f"{command.line}: HTTP {status} {body[:300]}"
