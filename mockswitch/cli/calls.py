"""`mockswitch calls`: print a running server's journal, and follow it as calls arrive."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from mockswitch.cli.failure import failed
from mockswitch.switch.calllog import printable
from mockswitch.testing import ControlApiError, MockswitchClient

FOLLOW_POLL_SECONDS = 25.0


def format_call(call: Mapping[str, Any]) -> str:
    """One line a developer can scan: id, time, function, outcome, who, what was sent."""
    params = " ".join(
        f"{name}={value}" for name, value in call["params"].items() if name != "auth_password"
    )
    line = (
        f"#{call['id']:<6} {call['at'][11:23]} {call['method']:<4} "
        f"{call['function'] or '-'} {call['code']}"
        f"{'/' + call['key'] if call['key'] else ''} {call['username'] or '-'} {params}"
    )
    if call["unknown"]:
        line += f"  [unknown: {', '.join(call['unknown'])}]"
    if call["fault"]:
        line += f"  [fault: {call['fault'].get('rule', '?')} {call['fault'].get('action', '')}]"
    if call.get("stub"):  # .get: a server older than stubs does not send these
        line += f"  [stub: {call['stub']}]"
    if call.get("proxied"):
        line += "  [proxied]"
    for warning in call.get("warnings") or ():  # why the call went as it did
        line += f"  [warning: {printable(warning)}]"
    return line


def show_calls(
    client: MockswitchClient,
    query: Mapping[str, Any],
    *,
    follow: bool = False,
    as_json: bool = False,
    out: TextIO | None = None,
) -> int:
    """Print the matching calls; with `follow`, keep printing new ones until interrupted."""
    out = out or sys.stdout  # looked up now: a default would keep the stdout of import time
    render = (lambda c: json.dumps(c, ensure_ascii=False)) if as_json else format_call
    try:
        calls = client.calls(**query)
        for call in calls:
            print(render(call), file=out, flush=True)
        # The newest shown, whatever the order: following goes on from there.
        last = max(c["id"] for c in calls) if calls else query.get("since") or 0
        while follow:
            options = dict(query) | {"since": last}
            options.pop("limit", None)
            options.pop("offset", None)
            found = client.wait(count=1, timeout=FOLLOW_POLL_SECONDS, **options)
            for call in found["calls"]:
                print(render(call), file=out, flush=True)
                last = call["id"]
    except KeyboardInterrupt:
        return 0
    except ControlApiError as error:
        return failed(error)
    except OSError as error:
        return failed(f"cannot reach {client.url}: {error}")
    return 0
