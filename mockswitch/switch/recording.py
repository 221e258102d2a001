"""`--record-stubs FILE`: each proxied answer kept as a stub declaration, to replay offline.

Off the event loop, and bounded:
- each answer is checked and turned into its declaration on a worker thread (parsing a large
  answer is the costly part), and the call waits only for that verdict: an answer that
  cannot be replayed is skipped, with a warning in the log and in the call's journal entry;
- the file is rewritten whole by one writer on a second thread, a temporary file renamed
  over it (fsync'ed first), taking every declaration made since its last write: a burst of
  calls makes one write, no call waits for the disk, and the file is always valid;
- the file holds at most `record_stubs_max_bytes`; past it, answers are skipped (and said so).

A call is identified by its function, its parameters but the secrets, and its user;
capturing the same call again replaces its declaration. Secrets never reach the file: a
stub never matches on a secret (masking.py), and every copy of a secret the call sent that
the answer echoes is masked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mockswitch.enswitch.jsontext import strict_loads
from mockswitch.enswitch.masking import is_secret, masked_echoes, secret_values
from mockswitch.enswitch.params import AUTH_USERNAME
from mockswitch.stubs import StubError, parse_stub, read_stub_file

from . import calllog

log = logging.getLogger("mockswitch.proxy")

HEAD, SEPARATOR, END = b'{"stubs": [\n', b",\n", b"\n]}\n"
ENVELOPE_MEMBERS = frozenset({"responses", "data"})


class StubRecorder:
    """Records proxied answers to `path` (a file that exists is kept and added to)."""

    def __init__(self, path: str, *, max_bytes: int, max_depth: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        # Each call's declaration, in JSON bytes, by the call's identity; in the file's order.
        self._lines: dict[str, bytes] = {}
        self._bytes = len(HEAD) + len(END)
        if Path(path).exists():
            for stub in read_stub_file(path, max_depth=max_depth, max_bytes=2**63):
                self._keep(_identity(stub.function, stub.match.as_json()), stub.declaration())
        self._reading = ThreadPoolExecutor(1, thread_name_prefix="record-stubs-read")
        self._writing = ThreadPoolExecutor(1, thread_name_prefix="record-stubs-write")
        self._writer: asyncio.Future[None] | None = None
        self._unwritten = False

    async def capture(
        self, function: str, given: Mapping[str, str], body: bytes
    ) -> tuple[str, ...]:
        """Record the answer `body` to the call (`given`: its parameters, each name's last
        value); the warnings for the call's journal entry: none when it was recorded."""
        loop = asyncio.get_running_loop()
        made = await loop.run_in_executor(
            self._reading, declaration_of, function, given, body, self.max_depth
        )
        if isinstance(made, str):
            return self._skipped(function, made)
        identity, line = made
        before = self._lines.get(identity)
        growth = len(line) - len(before) if before is not None else len(line) + len(SEPARATOR)
        if self._bytes + growth > self.max_bytes:
            return self._skipped(
                function,
                f"the file would pass the record_stubs_max_bytes setting ({self.max_bytes} "
                f"bytes; it holds {self._bytes})",
            )
        self._keep(identity, line)
        self._unwritten = True
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_while_unwritten())
        return ()

    def _keep(self, identity: str, line: bytes) -> None:
        before = self._lines.get(identity)  # a call captured again keeps its place
        if before is not None:
            self._bytes -= len(before) + len(SEPARATOR)
        self._lines[identity] = line
        self._bytes += len(line) + len(SEPARATOR)

    def _skipped(self, function: str, reason: str) -> tuple[str, ...]:
        warning = f"not recorded to {self.path}: {reason}"
        log.warning("%s: %s", calllog.loggable(function), calllog.loggable(warning))
        return (warning,)

    async def _write_while_unwritten(self) -> None:
        loop = asyncio.get_running_loop()
        while self._unwritten:
            self._unwritten = False
            lines = list(self._lines.values())  # the declarations as they are now
            try:
                await loop.run_in_executor(self._writing, write_lines, self.path, lines)
            except OSError as error:
                log.warning("cannot write %s: %s", self.path, calllog.loggable(str(error)))

    async def written(self) -> None:
        """Wait until every declaration recorded so far is in the file."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    async def close(self) -> None:
        """Write what is not written yet, then stop the threads."""
        await self.written()
        self._reading.shutdown()
        self._writing.shutdown()


def declaration_of(
    function: str, given: Mapping[str, str], body: bytes, max_depth: int
) -> tuple[str, bytes] | str:
    """The call's identity and its stub declaration in JSON bytes; or why the answer cannot
    be replayed. Runs on a worker thread: nothing here touches the recorder."""
    try:
        # Masked as text, before parsing: in keys and values alike, escaped or not.
        document = strict_loads(masked_echoes(body.decode(), secret_values(given)))
    except (ValueError, RecursionError) as error:
        return f"the answer is not JSON ({_reason(error)})"
    if not isinstance(document, dict) or "responses" not in document:
        return "the answer is no Enswitch envelope (no responses)"
    extra = sorted(set(document) - ENVELOPE_MEMBERS)
    if extra:
        return f"the answer has members a stub cannot give back ({', '.join(extra)[:80]})"
    declaration: dict[str, Any] = {"function": function, **document}
    params = {n: v for n, v in given.items() if n != AUTH_USERNAME and not is_secret(n)}
    match: dict[str, Any] = {"params": params} if params else {}
    if AUTH_USERNAME in given:
        match["username"] = given[AUTH_USERNAME]
    if match:
        declaration["match"] = match
    try:
        stub = parse_stub(declaration, max_depth=max_depth)
    except StubError as error:
        return f"the answer is no stub envelope ({calllog.shortened(str(error), 120)})"
    return _identity(function, stub.match.as_json()), stub.declaration()


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply to read"
    return calllog.shortened(str(error), 120)


def _identity(function: str, match: dict[str, Any]) -> str:
    return json.dumps([function, match], sort_keys=True)


def write_lines(path: str, lines: Sequence[bytes]) -> None:
    """Replace `path` with a stub file of these declarations, atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(HEAD)
            for index, line in enumerate(lines):
                if index:
                    stream.write(SEPARATOR)
                stream.write(line)
            stream.write(END)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
