"""`mockswitch verify`: the battery against the switch and an in-process mockswitch at once.

1. The campaign as the switch shows it to the user (`bulk/campaigns/get`): its values are
   the valid values of the update probe (a warning, and only the id, if it is not shown).
2. The mock side: the same user if the mock's cast knows them, else a cast user of the same
   role (found by a `bulk/campaigns/create` with validation=1 and no name: 402 for a role
   without the administrator privilege); the same campaign id if that user sees it there,
   else their first campaign, else one created in the mock (like the switch's if it can be).
3. Each probe goes to both sides at the same time; the answers are compared.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

from mockswitch.config import API_VERSIONS
from mockswitch.enswitch.versions import parse_version
from mockswitch.testing import ServerThread

from .battery import Context, battery
from .client import READ_TIMEOUT_SECONDS, TIMEOUT_SECONDS, Answer, Deadline, Side, VerifyStop
from .compare import compare
from .report import Checked, table, write_learned, write_report

CAST_PASSWORD = "password"
CAST_BY_ROLE = {"administrator": "admin", "user": "user"}


@dataclass(frozen=True, slots=True)
class Options:
    switch: str
    username: str
    password: str
    campaign: int
    report: str | None = None
    learn: str | None = None
    messages: str = ""
    api_version: str = API_VERSIONS[-1]
    fixtures: str = ""  # the mock side's data set; the shipped one by default
    timeout: float = TIMEOUT_SECONDS  # the whole run
    read_timeout: float = READ_TIMEOUT_SECONDS  # each read


def verify(options: Options, out: TextIO | None = None) -> int:
    """Run the battery; 0 without differences, 1 with, 2 when verify had to stop."""
    out = out or sys.stdout
    deadline = Deadline(options.timeout)  # for the whole run, both sides
    switch = Side(
        "switch",
        options.switch,
        guarded=True,
        password=options.password,
        deadline=deadline,
        read_timeout=options.read_timeout,
    )
    try:
        with ServerThread(
            messages=options.messages, api_version=options.api_version, fixtures=options.fixtures
        ) as server:
            mock = Side(
                "mockswitch",
                server.url,
                guarded=False,
                password=options.password,
                deadline=deadline,
                read_timeout=options.read_timeout,
            )
            checked, summary = _run(options, switch, mock)
    except VerifyStop as stop:
        print(f"mockswitch verify: {stop}", file=sys.stderr)
        return 2
    differences = sum(len(item.differences) for item in checked)
    if differences:
        print(table(checked), file=out)
    print(
        f"mockswitch verify: {len(checked)} calls to {options.switch} and mockswitch, "
        f"{differences} differences",
        file=out,
    )
    if options.report:
        write_report(options.report, summary, checked)
    if options.learn:
        learned = write_learned(options.learn, checked)
        print(f"mockswitch verify: wrote {learned} messages to {options.learn}", file=out)
    return 1 if differences else 0


def _run(options: Options, switch: Side, mock: Side) -> tuple[list[Checked], dict[str, Any]]:
    theirs = Context(options.username, options.password, {"id": options.campaign})
    shown = switch.call("bulk/campaigns/get", {**theirs.auth(), "id": str(options.campaign)})
    if shown.code == "200" and isinstance(shown.document.get("data"), dict):
        theirs = Context(options.username, options.password, shown.document["data"])
    else:
        # Compare all the same (that is a difference too), but the valid-values update can
        # only send the id: say why the table will be long.
        message = shown.responses[0].get("message", "")
        print(
            f"mockswitch verify: warning: {options.switch} does not show campaign "
            f"{options.campaign} to {options.username} ({shown.code} {message}); comparing "
            "without its values",
            file=sys.stderr,
        )
    ours = _mock_context(options, switch, mock, theirs)
    checked = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for probe in battery(parse_version(options.api_version)):
            switch_params, mock_params = probe.build(theirs), probe.build(ours)
            # Both sides at once: the switch's answer never waits on the mock's.
            on_mock = pool.submit(mock.call, probe.function, mock_params)
            answer: Answer = switch.call(probe.function, switch_params)
            item = Checked(probe, switch_params, mock_params, answer, on_mock.result())
            item.differences = compare(item.switch, item.mock)
            checked.append(item)
    summary = {
        "switch": options.switch,
        "campaign": {"switch": options.campaign, "mockswitch": int(ours.campaign["id"])},
        "user": {"switch": options.username, "mockswitch": ours.username},
    }
    return checked, summary


def _mock_context(options: Options, switch: Side, mock: Side, theirs: Context) -> Context:
    username, password = options.username, options.password
    probe = mock.call("bulk/campaigns/list", theirs.auth())
    if probe.code == "401":  # not in the mock's cast: a cast user of the same role
        username, password = CAST_BY_ROLE[_role(switch, theirs)], CAST_PASSWORD
    context = Context(username, password, {})
    same = mock.call("bulk/campaigns/get", {**context.auth(), "id": str(options.campaign)})
    if same.code == "200":
        return Context(username, password, same.document["data"])
    listed = mock.call("bulk/campaigns/list", context.auth())
    rows = listed.document.get("data") or []
    if listed.code == "200" and rows:
        alike = [r for r in rows if r.get("dtype") == theirs.campaign.get("dtype")] or rows
        chosen = mock.call("bulk/campaigns/get", {**context.auth(), "id": str(alike[0]["id"])})
        return Context(username, password, chosen.document["data"])
    # Like the switch's campaign if the mock's data allows it, else a plain-number campaign.
    alike_fields = {n: str(theirs.campaign.get(n, "")) for n in ("dtype", "dnumber")}
    for fields in (alike_fields, {"dtype": "", "dnumber": "2125550100"}):
        created = mock.call("bulk/campaigns/create", {**context.auth(), "name": "verify", **fields})
        if created.code == "200":
            break
    if created.code != "200":
        raise VerifyStop(f"no campaign for {username} in mockswitch, and none could be created")
    new = mock.call(
        "bulk/campaigns/get", {**context.auth(), "id": str(created.document["data"]["id"])}
    )
    return Context(username, password, new.document["data"])


def _role(switch: Side, theirs: Context) -> str:
    """Whether the switch's user holds the administrator privilege: a create without a name,
    validation=1, is refused with 402 without it (and with 400 with it); nothing is made."""
    answer = switch.call("bulk/campaigns/create", {**theirs.auth(), "validation": "1"})
    return "user" if answer.code == "402" else "administrator"
