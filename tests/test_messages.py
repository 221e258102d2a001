"""A messages file (`--messages`): the switch answers in another wording, chosen by code,
key, function and the message mockswitch would have said; a bad file stops the start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockswitch.cli import main
from tests.helpers import call, envelope


async def test_the_messages_file_rewords_the_entries_it_fits(serve, tmp_path: Path):
    path = tmp_path / "messages.json"
    path.write_text(
        json.dumps(
            {
                "messages": [
                    {
                        "function": "bulk/campaigns/update",
                        "code": "400",
                        "key": "retry",
                        "instead_of": "must be an integer",
                        "message": "Invalid retry specified.",
                    },
                    {"code": "404", "instead_of": "No such function.", "message": "Unknown."},
                    {"code": "401", "message": "Bad login."},
                ]
            }
        )
    )
    plain = await serve()
    status, before = await call(plain, "bulk/campaigns/update", id=123, retry="x", attempts="y")
    assert before == envelope(
        ("400", "attempts", "must be an integer"), ("400", "retry", "must be an integer")
    )
    client = await serve(messages=str(path))
    status, after = await call(client, "bulk/campaigns/update", id=123, retry="x", attempts="y")
    assert (status, after) == (
        200,
        envelope(
            ("400", "attempts", "must be an integer"), ("400", "retry", "Invalid retry specified.")
        ),
    )
    assert await call(client, "no/such") == (200, envelope(("404", "", "Unknown.")))
    assert await call(client, "bulk/campaigns/get", id=9999) == (
        200,
        envelope(
            ("404", "", "The campaign does not exist, or you do not have permission to view it.")
        ),
    )
    assert await call(client, "bulk/campaigns/get", user=None, id=123) == (
        200,
        envelope(("401", "", "Bad login.")),
    )
    (entry,) = [c for c in (await (await client.get("/_mock/calls")).json())["calls"][:1]]
    assert json.loads(entry["body"]) == after  # the journal keeps what was answered


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("[{]", "not valid JSON or YAML"),
        (
            '{"messages": [{"code": "999", "message": "x"}]}',
            "messages[0].code: must be an Enswitch code",
        ),
        ('[{"code": "400"}]', "messages[0].message: is required"),
        ('[{"code": "400", "message": "x", "kee": "y"}]', "messages[0].kee: is not a field"),
        ('[{"code": "400", "message": 5}]', "messages[0].message: must be a string"),
        ('{"other": []}', "must be"),
    ],
)
def test_a_bad_messages_file_stops_the_start_with_one_line(
    tmp_path: Path, capsys, document, problem
):
    path = tmp_path / "messages.json"
    path.write_text(document)
    assert main(["serve", "--db", ":memory:", "--port", "0", "--messages", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"mockswitch: {path}")
    assert problem in err
