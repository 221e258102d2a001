"""`mockswitch verify` against a second mockswitch process as the "real switch": no
difference with an unchanged one, the difference named with a messages file, --learn then
--messages making it disappear, and never a changing call without validation=1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockswitch.cli import main
from mockswitch.config import DEFAULT_FIXTURES
from mockswitch.endpoints import FUNCTIONS
from tests.process import Server, free_port, json_file, serving

THEIR_MESSAGE = "Invalid retry specified."
DIFFERING = {
    "messages": [
        {
            "function": "bulk/campaigns/update",
            "code": "400",
            "key": "retry",
            "message": THEIR_MESSAGE,
        }
    ]
}


def verify(server_url: str, *extra: str, campaign: str = "123") -> list[str]:
    return [
        "verify",
        "--switch",
        server_url,
        "--username",
        "user",
        "--password",
        "password",
        "--campaign",
        campaign,
        *extra,
    ]


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[Server]:
    with serving(tmp_path, "--db", ":memory:", "--quiet") as server:
        yield server


@pytest.fixture
def differing_switch(tmp_path: Path) -> Iterator[Server]:
    messages = json_file(tmp_path, "their-messages.json", DIFFERING)
    with serving(tmp_path, "--db", ":memory:", "--quiet", "--messages", messages) as server:
        yield server


def journal(server: Server) -> list[dict[str, Any]]:
    return server.json("GET", "/_mock/calls?limit=1000")["calls"]


def assert_nothing_changing_without_validation(server: Server) -> None:
    calls = journal(server)
    assert calls, "verify sent nothing"
    changing = [c for c in calls if c["function"] not in READING]
    assert changing, "the battery has changing calls, all with validation=1"
    assert [c for c in changing if c["params"].get("validation") != "1"] == []
    assert all(FUNCTIONS[c["function"]].changes_data for c in changing)


READING = {"bulk/campaigns/get", "bulk/campaigns/list", "bulk/destinations/list"}


def test_an_unchanged_switch_shows_no_difference(switch: Server, tmp_path: Path, capsys):
    report = tmp_path / "report.json"
    assert main(verify(switch.url, "--report", str(report))) == 0
    out = capsys.readouterr().out
    assert out.endswith(" and mockswitch, 0 differences\n"), out
    document = json.loads(report.read_text())
    assert document["differences"] == 0
    assert document["campaign"] == {"switch": 123, "mockswitch": 123}
    names = [c["name"] for c in document["calls"]]
    for expected in (
        "get",
        "list",
        "get without id",
        "get with id=abc",
        "get with a wrong password",
        "update with valid values",
        "update with retry='abc'",
        "update with name=''",
        "destinations list",
    ):
        assert expected in names
    valid = next(c for c in document["calls"] if c["name"] == "update with valid values")
    assert valid["switch"]["body"] == {"responses": [{"code": "201", "key": "", "message": "OK"}]}
    assert "password" not in json.dumps(document).replace("auth_password", "").replace(
        "wrong password", ""
    )
    assert_nothing_changing_without_validation(switch)


def test_a_differing_switch_is_named_with_the_function_parameter_and_both_messages(
    differing_switch: Server, tmp_path: Path, capsys
):
    report = tmp_path / "report.json"
    assert main(verify(differing_switch.url, "--report", str(report))) == 1
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if THEIR_MESSAGE in line]
    assert row.split()[:2] == ["bulk/campaigns/update", "retry"]
    assert f'"{THEIR_MESSAGE}"' in row
    assert '"must be an integer"' in row
    assert out.endswith(" and mockswitch, 1 differences\n")
    (differing,) = [c for c in json.loads(report.read_text())["calls"] if c["differences"]]
    assert (differing["function"], differing["parameter"]) == ("bulk/campaigns/update", "retry")
    assert differing["differences"] == [
        {
            "aspect": "responses[0].message",
            "switch": THEIR_MESSAGE,
            "mock": "must be an integer",
            "code": "400",
            "key": "retry",
        }
    ]
    assert_nothing_changing_without_validation(differing_switch)


def test_learned_messages_make_the_difference_disappear(
    differing_switch: Server, tmp_path: Path, capsys
):
    learned = tmp_path / "learned.json"
    assert main(verify(differing_switch.url, "--learn", str(learned))) == 1
    assert json.loads(learned.read_text()) == {
        "messages": [
            {
                "function": "bulk/campaigns/update",
                "code": "400",
                "key": "retry",
                "instead_of": "must be an integer",
                "message": THEIR_MESSAGE,
            }
        ]
    }
    assert main(verify(differing_switch.url, "--messages", str(learned))) == 0
    assert capsys.readouterr().out.endswith(" 0 differences\n")
    # And a mockswitch served with the learned messages answers as the switch does.
    query = (
        "/api/json/bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;"
        "retry=abc;validation=1"
    )
    with serving(tmp_path, "--db", ":memory:", "--quiet", "--messages", str(learned)) as ours:
        assert ours.request("GET", query)[2] == differing_switch.request("GET", query)[2]
    assert_nothing_changing_without_validation(differing_switch)


def test_an_answer_that_suggests_a_change_stops_verify_at_once(switch: Server, capsys):
    rule = {
        "match": {"function": "bulk/campaigns/update"},
        "action": {"type": "envelope", "code": "204"},
    }
    assert switch.request("POST", "/_mock/faults", rule)[0] == 201
    assert main(verify(switch.url)) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mockswitch verify: STOPPED: {switch.url} answered 204 to bulk/campaigns/update with "
        "validation=1, which suggests it changed something; no further call was sent\n"
    )
    calls = journal(switch)
    assert calls[-1]["function"] == "bulk/campaigns/update"
    assert [c for c in calls if c["function"] == "bulk/campaigns/update"] == calls[-1:]
    assert_nothing_changing_without_validation(switch)


def test_a_wrong_password_stops_verify_with_one_line(switch: Server, capsys):
    argv = verify(switch.url)
    argv[argv.index("--password") + 1] = "not-my-password"
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"mockswitch verify: {switch.url} refused the credentials given (401 The "
        "authentication details provided are invalid.) to bulk/campaigns/get: check "
        "--username and --password; nothing was compared\n",
    )
    assert [c["function"] for c in journal(switch)] == ["bulk/campaigns/get"]


def test_a_switch_that_does_not_answer_or_answers_no_envelope_is_one_line(switch: Server, capsys):
    nowhere = f"http://127.0.0.1:{free_port()}"
    assert main(verify(nowhere)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockswitch verify: {nowhere} does not answer (")
    assert err.count("\n") == 1
    rule = {"action": {"type": "http", "status": 502, "body": "<html>Bad gateway</html>"}}
    assert switch.request("POST", "/_mock/faults", rule)[0] == 201
    assert main(verify(switch.url)) == 2
    assert capsys.readouterr().err == (
        f"mockswitch verify: {switch.url} answered bulk/campaigns/get with something that is "
        "not an Enswitch envelope (HTTP 502: '<html>Bad gateway</html>')\n"
    )


def test_a_campaign_the_user_cannot_see_is_a_warning_and_a_comparison(switch: Server, capsys):
    # Campaign 200 is Globex's: user sees it neither on the switch nor in the mock, so the
    # mock side uses user's first campaign, and the get answers differ.
    assert main(verify(switch.url, campaign="200")) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"mockswitch verify: warning: {switch.url} does not show campaign 200 to user (404 "
        "The campaign does not exist, or you do not have permission to view it.); comparing "
        "without its values\n"
    )
    rows = [line.split()[:4] for line in captured.out.splitlines() if '"404"' in line]
    assert rows == [
        ["bulk/campaigns/get", "-", "get", "responses[0].code"],
        ["bulk/campaigns/update", "-", "update", "with"],
        ["bulk/destinations/list", "-", "destinations", "list"],
    ]
    assert_nothing_changing_without_validation(switch)


@pytest.mark.parametrize(
    "argv",
    [
        verify("switch.example.com"),
        verify("http://127.0.0.1:1", campaign="abc"),
        ["verify", "--switch", "http://127.0.0.1:1"],
    ],
)
def test_bad_arguments_are_exit_2(argv: list[str], capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.strip()


@pytest.mark.parametrize(("username", "cast_user"), [("alice", "user"), ("bob", "admin")])
def test_a_user_the_cast_does_not_know_is_mapped_to_a_cast_user_of_the_same_role(
    tmp_path: Path, capsys, username: str, cast_user: str
):
    fixtures = tmp_path / "their-fixtures"
    shutil.copytree(DEFAULT_FIXTURES, fixtures)
    people = json.loads((fixtures / "people.json").read_text())
    people += [
        {
            "id": 900,
            "username": "alice",
            "password": "s3cret",
            "customer": 20,
            "role": 4,
            "name": "Alice",
        },
        {
            "id": 901,
            "username": "bob",
            "password": "s3cret",
            "customer": 20,
            "role": 3,
            "name": "Bob",
        },
    ]
    (fixtures / "people.json").write_text(json.dumps(people))
    report = tmp_path / "report.json"
    flags = ("--db", ":memory:", "--quiet", "--fixtures", str(fixtures))
    with serving(tmp_path, *flags) as switch:
        argv = verify(switch.url, "--report", str(report), campaign="200")
        argv[argv.index("user")] = username
        argv[argv.index("--password") + 1] = "s3cret"
        assert main(argv) == 0, capsys.readouterr()
        # The role was asked with a create that cannot succeed: validation=1 and no name.
        (asked,) = [c for c in journal(switch) if c["function"] == "bulk/campaigns/create"]
        assert asked["params"] == {
            "auth_username": username,
            "auth_password": "********",
            "validation": "1",
        }
        assert asked["code"] == ("402" if cast_user == "user" else "400")
        assert_nothing_changing_without_validation(switch)
    summary = json.loads(report.read_text())
    assert summary["user"] == {"switch": username, "mockswitch": cast_user}
    # Campaign 200 is Globex's; the cast user sees Acme's, and the first is a phone campaign.
    assert summary["campaign"] == {"switch": 200, "mockswitch": 123}


def test_an_older_version_leaves_out_the_parameters_it_does_not_know(switch: Server, tmp_path):
    report = tmp_path / "report.json"
    argv = verify(switch.url, "--report", str(report), "--api-version", "3.13")
    # The switch (4.4) knows keep_agents_available; a 3.13 mock ignores it: no probe for it.
    main(argv)
    names = [c["name"] for c in json.loads(report.read_text())["calls"]]
    assert not [n for n in names if "keep_agents_available" in n]
    assert "update with retry='abc'" in names


def test_the_password_may_come_from_the_environment(switch: Server, monkeypatch, capsys):
    argv = verify(switch.url)
    del argv[argv.index("--password") : argv.index("--password") + 2]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "mockswitch verify: give --password or MOCKSWITCH_VERIFY_PASSWORD\n"
    )
    monkeypatch.setenv("MOCKSWITCH_VERIFY_PASSWORD", "password")
    assert main(argv) == 0
    assert "password" not in capsys.readouterr().out


def test_a_switch_made_to_differ_by_a_fault_rule_is_a_difference(tmp_path: Path, capsys):
    rules = tmp_path / "faults.json"
    rules.write_text(
        json.dumps(
            [
                {
                    "match": {"function": "bulk/destinations/list"},
                    "action": {"type": "envelope", "code": "404", "message": "No campaign."},
                }
            ]
        )
    )
    with serving(tmp_path, "--db", ":memory:", "--quiet", "--faults", str(rules)) as switch:
        assert main(verify(switch.url)) == 1
        assert_nothing_changing_without_validation(switch)
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:-1]]
    assert [row[:4] for row in rows] == [
        ["bulk/destinations/list", "-", "destinations", "list"]
    ] * 3
    assert [row[4:] for row in rows] == [
        ["responses[0].code", '"404"', '"200"'],
        ["responses[0].message", '"No', 'campaign."', '"OK"'],
        ["data", '"absent"', '"present"'],
    ]


def test_without_a_campaign_for_the_user_in_the_mock_verify_creates_one(
    switch: Server, tmp_path: Path, capsys
):
    fixtures = tmp_path / "mock-fixtures"
    shutil.copytree(DEFAULT_FIXTURES, fixtures)
    campaigns = json.loads((fixtures / "campaigns.json").read_text())
    kept = [c for c in campaigns if c["customer"] != 10]  # Acme (admin's customer) has none
    (fixtures / "campaigns.json").write_text(json.dumps(kept))
    report = tmp_path / "report.json"
    argv = verify(switch.url, "--report", str(report), "--fixtures", str(fixtures), campaign="124")
    argv[argv.index("user")] = "admin"
    # The switch here is a mockswitch too, so nothing differs once the campaign is made.
    assert main(argv) == 0, capsys.readouterr()
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"mockswitch verify: 27 calls to {switch.url} and mockswitch, 0 differences"
    )
    summary = json.loads(report.read_text())
    new_id = max(c["id"] for c in kept) + 1
    assert summary["campaign"] == {"switch": 124, "mockswitch": new_id}
    get = next(c for c in summary["calls"] if c["name"] == "get")
    # Made like the switch's campaign 124: a queue campaign on queue 500.
    data = get["mockswitch"]["body"]["data"]
    assert (data["id"], data["name"], data["dtype"], data["dnumber"]) == (
        new_id,
        "verify",
        "queue",
        "500",
    )
    assert_nothing_changing_without_validation(switch)
