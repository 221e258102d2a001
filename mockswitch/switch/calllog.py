"""The log line of one call, for people or as JSON; formatting only.

The switch logs every call as it ends, on the `mockswitch.calls` logger at INFO, with the
words of `human_line` as the message and the call's fields attached to the record as `call`.
The human format is then any ordinary `logging.Formatter`; `JsonFormatter` writes each record
(a call or anything else) as one JSON object on one line, the call's fields at the top level,
for log collectors.

    2026-01-31 12:00:00,123 mockswitch.calls #7 GET bulk/campaigns/update 204 user 2.1ms
    {"time": "2026-01-31T12:00:00.123Z", "level": "INFO", "logger": "mockswitch.calls",
     "message": "#7 GET ...", "event": "call", "id": 7, "tenant": "default", ...}
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from mockswitch.store import CallRecord

CALL = "call"  # the LogRecord attribute that carries a call's fields
DEFAULT_TENANT = "default"
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything that could
# end a log line early or rewrite it on a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SHOWN_CHARS = 200  # longest text taken from a request into a human log line


def shortened(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text`, or its first `limit` characters with a note of how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


def printable(text: str) -> str:
    """`text` safe for one line of a log: controls escaped (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def loggable(text: str) -> str:
    """Text from a request, shortened and made printable for a log line."""
    return printable(shortened(text))


def call_fields(tenant: str, call_id: int, record: CallRecord) -> dict[str, Any]:
    """What a log line says about a call (no parameters: they may hold passwords; the texts
    a client sent are `shortened`, so that a line stays short whatever was sent)."""
    return {
        "event": "call",
        "id": call_id,
        "tenant": tenant,
        "method": record.method,
        "function": shortened(record.function),
        "code": shortened(record.code),
        "key": shortened(record.key),
        "http_status": record.http_status,
        "username": shortened(record.username),
        "duration_ms": record.duration_ms,
        "latency_ms": record.latency_ms,
        "fault": (record.fault.get("action") or "latency") if record.fault else None,
        "stub": record.stub,
        "proxied": record.proxied,
        "warnings": [shortened(warning) for warning in record.warnings],
    }


def human_line(fields: dict[str, Any]) -> str:
    """`#7 GET bulk/campaigns/update 204 user 2.1ms`, then the tenant and fault if any.

    Everything from outside is made `printable`: the function and the username the client
    sent (a fault that strikes before the switch records the name as given), the code of the
    switch behind --proxy-to, a tenant's name. A line break in any of them cannot forge a
    second log line."""
    outcome = fields["code"] or (f"http {fields['http_status']}" if fields["http_status"] else "")
    words = [
        f"#{fields['id']}",
        printable(fields["method"]),
        printable(fields["function"]) or "-",
        printable(outcome) or "dropped",
        printable(fields["username"]) or "-",
        f"{fields['duration_ms']:.1f}ms",
    ]
    if fields["tenant"] != DEFAULT_TENANT:
        words.append(f"tenant={printable(fields['tenant'])}")
    if fields["fault"]:
        words.append(f"fault={fields['fault']}")
    if fields.get("stub"):
        words.append(f"stub={fields['stub']}")
    if fields.get("proxied"):
        words.append("proxied")
    for warning in fields.get("warnings") or ():
        words.append(f"warning: {printable(warning)}")
    return " ".join(words)


class JsonFormatter(logging.Formatter):
    """Every log record as one line of JSON; a call's fields are merged in at the top."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        document: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update(getattr(record, CALL, None) or {})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)
