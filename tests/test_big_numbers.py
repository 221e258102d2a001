"""Numbers too big to hold: a 400 naming the field over HTTP, one line and exit 2 at start.

JSON has no bound on an integer (10**400 parses), a float of 1e400 reads as infinity, and
two finite weights can sum to one; a TOML file or a variable can say `inf`. None of them may
get past the check to fail later: as a 500 and a traceback, a server that cannot listen, or
a seeding stopped half way.
"""

from __future__ import annotations

import json

import pytest

from mockswitch.cli import main
from tests.test_fixtures import copy_fixtures, edit

BIG = 10**400  # beyond any float and any 64-bit integer
LONG = "9" * 5000  # more digits than Python's int() reads (4300)
INT64_MAX = 2**63 - 1


def start(capsys, *flags: str) -> str:
    """`mockswitch serve` with `flags` must stop at start: exit 2 and one line, returned."""
    assert main(["serve", "--db", ":memory:", "--port", "0", *flags]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    return error


# -- settings: flags, variables, a TOML file ----------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        # A backlog beyond a C int stopped the start with a traceback when it began to listen.
        (("--backlog", str(10**20)), "--backlog: 100000000000000000000 is more than 65535"),
        (("--backlog", LONG), "--backlog: 99999999999999999999...(5000 characters) is more than"),
        (("--journal-max", str(2**63)), "--journal-max: 9223372036854775808 is more than"),
        (("--max-request-bytes", str(2**40)), "--max-request-bytes: 1099511627776 is more than"),
        (("--shutdown-timeout", "inf"), "--shutdown-timeout: 'inf' is not a finite number"),
        (("--wait-timeout-max", "nan"), "--wait-timeout-max: 'nan' is not a finite number"),
        (("--proxy-timeout", "1e400"), "--proxy-timeout: '1e400' is not a finite number"),
        (("--wait-timeout-max", "1e9"), "--wait-timeout-max: 1000000000.0 is more than 86400"),
        (("--clock-speed", "1e400"), "--clock-speed: '1e400' is not a finite number"),
        (("--faults-seed", str(2**63)), "--faults-seed: 9223372036854775808 is more than"),
    ],
)
def test_a_setting_too_big_to_hold_stops_the_start(capsys, flags, message):
    assert start(capsys, *flags).startswith(f"mockswitch: {message}")


def test_a_toml_infinity_or_nan_stops_the_start(tmp_path, capsys):
    for text, message in [
        ("shutdown_timeout = inf\n", "shutdown_timeout: 'inf' is not a finite number"),
        ("wait_timeout_max = nan\n", "wait_timeout_max: 'nan' is not a finite number"),
        ("journal_max = 1e400\n", "journal_max: 'inf' is not an integer"),
    ]:
        config = tmp_path / "mockswitch.toml"
        config.write_text(text)
        error = start(capsys, "--config", str(config))
        assert error == f"mockswitch: {config}: {message}\n"


def test_a_variable_too_big_to_hold_stops_the_start(capsys, monkeypatch):
    monkeypatch.setenv("MOCKSWITCH_BACKLOG", "1e3")
    assert start(capsys) == "mockswitch: MOCKSWITCH_BACKLOG: '1e3' is not an integer\n"
    monkeypatch.setenv("MOCKSWITCH_BACKLOG", str(2**31))
    assert start(capsys) == "mockswitch: MOCKSWITCH_BACKLOG: 2147483648 is more than 65535\n"


# -- start-up documents: outcomes, faults, stubs, fixtures -------------------------------------


def test_outcome_weights_too_big_stop_the_start_with_one_line(capsys):
    """`--outcomes` with a weight of 10**400 gave a traceback and exit 1."""
    inline = json.dumps({"rules": [{"dnumber": "*", "weights": {"answer": BIG}}]})
    assert start(capsys, "--outcomes", inline) == (
        "mockswitch: the outcomes given inline: rules[0].weights.answer: must be a finite "
        "number (this one is too large)\n"
    )
    inline = json.dumps({"rules": [{"dnumber": "*", "weights": {"answer": 1e308, "busy": 1e308}}]})
    assert start(capsys, "--outcomes", inline) == (
        "mockswitch: the outcomes given inline: rules[0].weights: must sum to a finite positive "
        "number, not inf\n"
    )


def test_outcome_weights_too_big_in_a_file_name_the_file(tmp_path, capsys):
    rules = tmp_path / "outcomes.yaml"
    rules.write_text(f"rules:\n  - dnumber: '*'\n    weights: {{answer: {BIG}, busy: 1}}\n")
    assert start(capsys, "--outcomes", str(rules)) == (
        f"mockswitch: {rules}: rules[0].weights.answer: must be a finite number (this one is "
        "too large)\n"
    )


@pytest.mark.parametrize("flag", ["--outcomes", "--faults", "--stubs"])
def test_an_integer_longer_than_python_reads_is_one_line(tmp_path, capsys, flag):
    """More than 4,300 digits: YAML's reader raised ValueError, which nothing caught."""
    document = tmp_path / "document.yaml"
    document.write_text(f"value: {LONG}\n")
    error = start(capsys, flag, str(document))
    assert error.startswith(
        f"mockswitch: {document}: not valid JSON or YAML: Exceeds the limit (4300 digits) for "
        "integer string conversion"
    ), error


def test_a_fault_rule_count_too_big_stops_the_start(capsys):
    inline = json.dumps([{"action": {"type": "envelope", "code": "500"}, "times": BIG}])
    assert start(capsys, "--faults", inline) == (
        f"mockswitch: the faults given inline: rule 1: times: must be at most {INT64_MAX}\n"
    )


def test_stub_data_that_no_client_could_read_stops_the_start(tmp_path, capsys):
    stubs = tmp_path / "stubs.json"
    stubs.write_text('[{"function": "people/list", "data": [{"id": 1e400}]}]')
    error = start(capsys, "--stubs", str(stubs))
    assert error.startswith(f"mockswitch: {stubs}: "), error
    assert error.endswith(
        "data[0].id: is inf, which JSON cannot carry (only finite numbers: 1e400, NaN and "
        "Infinity are not JSON)\n"
    ), error


def test_a_fixture_integer_beyond_64_bits_is_refused_before_seeding(tmp_path, capsys):
    """SQLite holds signed 64 bits: seeding stopped half way with an OverflowError."""
    folder = copy_fixtures(tmp_path)
    edit(folder, "campaigns.json", lambda records: records[0].update(retry=2**64))
    assert main(["serve", "--db", str(tmp_path / "x.db"), "--fixtures", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"mockswitch: the fixtures in {folder} cannot be loaded:\n"
        f"  campaigns.json, record 1 (id 123), field 'retry': must be from {-(2**63)} to "
        f"{INT64_MAX}, not {2**64}\n"
    )
    assert not (tmp_path / "x.db").exists()


def test_a_fixture_integer_longer_than_python_reads_is_refused(tmp_path, capsys):
    folder = copy_fixtures(tmp_path)
    text = (folder / "campaigns.json").read_text()
    (folder / "campaigns.json").write_text(text.replace('"retry": 600', f'"retry": {LONG}', 1))
    assert main(["serve", "--db", ":memory:", "--fixtures", str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "mockswitch: campaigns.json: not valid: Exceeds the limit (4300 digits) for integer "
        "string conversion"
    ), error


def test_seed_generate_refuses_a_count_it_could_never_make(tmp_path, capsys):
    assert main(["seed", "--db", str(tmp_path / "x.db"), "--generate", str(10**12)]) == 2
    assert "argument --generate: 1000000000000 is more than 10000000" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


# -- control documents over HTTP ----------------------------------------------------------------


def refusal(field: str, message: str) -> dict:
    return {"error": {"status": 400, "message": message, "field": field}}


async def test_fault_rule_numbers_too_big_are_a_400_naming_the_field(client):
    for rule, field, message in [
        ({"times": BIG}, "times", f"must be at most {INT64_MAX}"),
        ({"after": 2**63}, "after", f"must be at most {INT64_MAX}"),
        ({"seed": 2**64}, "seed", "must be a 64-bit integer (or a string)"),
        ({"latency": {"fixed_ms": BIG}}, "latency.fixed_ms", "must be a finite number"),
    ]:
        body = {"action": {"type": "envelope", "code": "500"}, **rule}
        response = await client.post("/_mock/faults", json=body)
        assert (response.status, await response.json()) == (400, refusal(field, message))
    listed = await client.get("/_mock/faults")
    assert (await listed.json())["rules"] == []


async def test_clock_numbers_too_big_are_a_400_naming_the_field(client):
    response = await client.put("/_mock/clock", json={"mode": "real", "speed": BIG})
    assert (response.status, await response.json()) == (
        400,
        refusal("speed", f"must be more than 0 and at most 3600, not {BIG!r}"),
    )
    response = await client.post("/_mock/clock/advance", json={"seconds": BIG})
    assert (response.status, await response.json()) == (
        400,
        refusal("seconds", f"must be from 0 to 604800 (a week), not {BIG!r}"),
    )
    # Python's JSON reader takes Infinity and NaN: neither is a number of seconds.
    for text in ("Infinity", "NaN"):
        response = await client.post("/_mock/clock/advance", data=f'{{"seconds": {text}}}')
        assert response.status == 400, text
        assert (await response.json())["error"]["field"] == "seconds"


async def test_stub_data_no_client_could_read_is_a_400(client):
    finite = "which JSON cannot carry (only finite numbers: 1e400, NaN and Infinity are not JSON)"
    for data, field, value in (
        ("1e400", "data", "inf"),
        ("NaN", "data", "nan"),
        ("[1, -Infinity]", "data[1]", "-inf"),
    ):
        body = f'{{"function": "people/list", "data": {data}}}'
        response = await client.post("/_mock/stubs", data=body)
        assert (response.status, await response.json()) == (
            400,
            refusal(field, f"is {value}, {finite}"),
        ), data
    listed = await client.get("/_mock/stubs")
    assert (await listed.json())["stubs"] == []
