"""`mockswitch verify` against a hostile switch (tests/hostile.py): a 401 to the credentials
given, slow bytes, a read that never comes, an answer nested 100,000 deep, and a switch that
echoes the password. verify stops with one line and exit status 2, or goes on without the
password anywhere in what it prints or writes."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

from mockswitch.cli import main
from mockswitch.config import DEFAULT_FIXTURES
from mockswitch.testing import ServerThread
from tests.hostile import Answer, Sent, answering, envelope, hostile_switch

PASSWORD = "Zx9-s3cret/pw"


def verify(url: str, *extra: str) -> list[str]:
    flags = ["--switch", url, "--username", "user", "--password", PASSWORD, "--campaign", "123"]
    return ["verify", *flags, *extra]


def test_a_401_to_the_credentials_given_stops_verify_with_one_line(capsys):
    refused = envelope(first={"code": "401", "key": "", "message": "Invalid login."})
    with hostile_switch({}, default=answering(refused)) as switch:
        assert main(verify(switch.url)) == 2
        sent = list(switch.sent)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"mockswitch verify: {switch.url} refused the credentials given (401 Invalid login.) to "
        "bulk/campaigns/get: check --username and --password; nothing was compared\n"
    )
    assert [s.function for s in sent] == ["bulk/campaigns/get"]


def test_a_switch_that_sends_a_byte_at_a_time_meets_the_overall_timeout(capsys):
    slow = answering(envelope({"id": 123}), piece=1, pause=0.5)
    with hostile_switch({}, default=slow) as switch:
        assert main(verify(switch.url, "--timeout", "2", "--read-timeout", "5")) == 2
    assert capsys.readouterr().err == (
        f"mockswitch verify: {switch.url} had not finished answering bulk/campaigns/get when "
        "the --timeout of 2 s for the whole run passed\n"
    )


def test_a_switch_that_stops_sending_meets_the_read_timeout(capsys):
    # The headers, a first piece, then nothing for a minute.
    stalled = answering(envelope({"id": 123}), piece=8, pause=60)
    with hostile_switch({}, default=stalled) as switch:
        assert main(verify(switch.url, "--read-timeout", "1")) == 2
    assert capsys.readouterr().err == (
        f"mockswitch verify: {switch.url} sent nothing for 1 s while answering "
        "bulk/campaigns/get (--read-timeout)\n"
    )


def test_an_answer_nested_100000_deep_is_one_line_and_exit_2(capsys):
    deep = b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":%s}' % (
        b"[" * 100_000 + b"]" * 100_000
    )
    with hostile_switch({}, default=answering(deep)) as switch:
        assert main(verify(switch.url)) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"mockswitch verify: {switch.url} answered bulk/campaigns/get with something that is "
        "not an Enswitch envelope (nested too deeply) (HTTP 200: "
    ), err
    assert err.count("\n") == 1


def test_a_password_the_switch_echoes_is_masked_in_everything_verify_writes(tmp_path: Path, capsys):
    # The switch behind the echo: a mockswitch whose user has our password.
    fixtures = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES, fixtures)
    people = json.loads((fixtures / "people.json").read_text())
    for person in people:
        if person["username"] == "user":
            person["password"] = PASSWORD
    (fixtures / "people.json").write_text(json.dumps(people))

    with ServerThread(fixtures=str(fixtures)) as backend:

        def echoing(sent: Sent) -> Answer:
            request = urllib.request.Request(
                f"{backend.url}/api/json/{sent.function}/",
                data=urllib.parse.urlencode(sent.params).encode(),
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                document = json.load(response)
            for entry in document["responses"]:  # "...: you sent Zx9-s3cret/pw"
                entry["message"] += f" (you sent {sent.params.get('auth_password', '')})"
            if isinstance(document.get("data"), dict):
                document["data"]["echo"] = json.dumps(sent.params)  # escaped: Zx9-s3cret\/pw
            return Answer(json.dumps(document).replace("/", "\\/").encode())

        report, learned = tmp_path / "report.json", tmp_path / "learned.json"
        with hostile_switch({}, default=echoing) as switch:
            argv = verify(switch.url, "--report", str(report), "--learn", str(learned))
            assert main(argv) == 1
            echoed = [s for s in switch.sent if s.params.get("auth_password") == PASSWORD]
    captured = capsys.readouterr()
    assert len(echoed) > 20
    assert "(you sent ********)" in captured.out
    for written in (captured.out, captured.err, report.read_text(), learned.read_text()):
        assert PASSWORD not in written
        assert PASSWORD.replace("/", "\\/") not in written
    # What verify learned is the switch's wording, the password masked; the wrong password
    # of its own probes is no secret.
    messages = json.loads(learned.read_text())["messages"]
    assert {m["message"].rpartition(" (you sent ")[2] for m in messages} == {
        "********)",
        "not-the-password-0)",
    }
