"""A corpus of hostile input: each gets its documented error, and the data set is unchanged.

Every case runs against a server on a database file, and the file is dumped (`iterdump`)
before and after: every table but the journal (`calls`, and its `sqlite_sequence` counter)
must be identical, and so must the fault rules and the list of tenants. The whole answer is
compared, status, Content-Type and body, not a fragment of it; an Enswitch call must also be
in the journal with the code and body it was answered with.

tests/test_bad_input.py covers the parser's own corpus (escapes, UTF-8, NUL, repeated keys,
413s, bodies that are not forms); this one adds SQL, numbers, ids, separators, tenant names,
the control API's query strings and JSON bodies, and odd methods.

Only parameterised SQL. mockswitch/store/ builds a few statements with f-strings; audited,
each interpolates only names from our own declarations, never request data:
- `tables.TABLES` (table and column names, via schema.py, seeding.py), `SEED_TENANT` (0);
- `CAMPAIGN_FIELDS` (campaigns.py `_COLUMNS`), and in create/update only campaign field names
  that were checked against `_CREATABLE`/`_EDITABLE` first (a ValueError otherwise), with
  `?` for every value;
- destinations.py: `_IN_LIST` (a constant), `ORDER BY` from `SORTS` (checked) and ASC/DESC;
- journal.py: `_INSERT`/`_SELECT` from `_COLUMNS`, `CallFilter.where` from fixed column
  names and operators with `?` for values, ASC/DESC; store/store.py: a literal tuple of
  table names; database.py: `PRAGMA synchronous` from the `sync` setting (normal or full).
`test_no_request_data_ever_reaches_sql_text` checks this at run time, so that it stays true:
it records the text of every statement SQLite is given while the corpus runs, and no SQL
fragment of the corpus may be in any of them (they travel as bound values only).
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from tests.cast import PASSWORD
from tests.helpers import OK_204, envelope

A = "auth_username=user;auth_password=password"
UPDATE = "/api/json/bulk/campaigns/update/"
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
NOT_FOUND = "The campaign does not exist, or you do not have permission to update it."
NAME_RULE = "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"


def bad(key: str, message: str) -> dict[str, Any]:
    return envelope(("400", key, message))


def control_error(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


def not_a_tenant(name: str) -> dict[str, Any]:
    return control_error(400, f"{name!r} is not a tenant name: {NAME_RULE}", "tenant")


# (label, method, target as sent, body, Content-Type, status, Content-Type, whole answer).
# A `dict` answer is JSON; `bytes` is compared as they are.
Case = tuple[str, str, str, bytes | None, str | None, int, str, Any]

API: list[Case] = [
    # SQL fragments where an id, a number, a name, a choice or a function is read
    ("SQL in an id", "GET", f"{UPDATE}?{A};id=1%3B%20DROP%20TABLE%20campaigns", None, None,
     200, JSON_TYPE, bad("id", "must be an integer")),
    ("SQL after a raw ; is another parameter", "GET",
     f"{UPDATE}?{A};id=1;%20DROP%20TABLE%20campaigns", None, None,
     200, JSON_TYPE, envelope(("404", "", NOT_FOUND))),
    ("quote-OR in a name, validated only", "GET",
     f"{UPDATE}?{A};id=123;name=%27%20OR%201%3D1%20--;validation=1", None, None,
     200, JSON_TYPE, envelope(("201", "", "OK"))),
    ("quote-OR as the username", "GET",
     f"{UPDATE}?auth_username=%27%20OR%201%3D1%20--;auth_password=x;id=123", None, None,
     200, JSON_TYPE, envelope(("401", "", "The authentication details provided are invalid."))),
    ("quote-OR as the password", "GET",
     f"{UPDATE}?auth_username=user;auth_password=%27%20OR%20%271%27%3D%271;id=123", None, None,
     200, JSON_TYPE, envelope(("401", "", "The authentication details provided are invalid."))),
    ("SQL in the function name", "GET",
     f"/api/json/bulk/campaigns/get%27%20OR%201=1--/?{A};id=123", None, None,
     200, JSON_TYPE, envelope(("404", "", "No such function."))),
    ("SQL in a sort", "GET",
     f"/api/json/bulk/destinations/list/?{A};campaign=123;sort=dnumber%3B%20DROP%20TABLE%20x",
     None, None, 200, JSON_TYPE, bad("sort", "must be one of: dnumber, status")),
    ("SQL in a list of numbers", "GET",
     f"/api/json/bulk/destinations/create/?{A};campaign=123;dnumbers=1,2)%3BDROP%20TABLE%20x%3B--",
     None, None, 200, JSON_TYPE,
     bad("dnumbers", "entry 2 ('2);DROP TABLE x;--') must be digits with an optional leading +")),
    ("SQL in a customer", "GET", f"/api/json/bulk/campaigns/list/?{A};customer=10%20OR%201=1",
     None, None, 200, JSON_TYPE, bad("customer", "must be an integer")),
    ("SQL in a dtype", "GET", f"{UPDATE}?{A};id=123;dtype=phone%27--", None, None,
     200, JSON_TYPE,
     bad("dtype", "must be empty or one of: forward, peer, phone, queue, sipuri")),
    ("SQL in a POST body", "POST", UPDATE,
     b"auth_username=user&auth_password=password&id=123%20OR%201%3D1&name=x",
     "application/x-www-form-urlencoded", 200, JSON_TYPE, bad("id", "must be an integer")),
    # numbers: huge, negative, not integers
    ("a negative id", "GET", f"{UPDATE}?{A};id=-123", None, None,
     200, JSON_TYPE, envelope(("404", "", NOT_FOUND))),
    ("an id past 64 bits", "GET", f"{UPDATE}?{A};id=99999999999999999999999", None, None,
     200, JSON_TYPE, bad("id", "is out of range")),
    ("an id of 5000 digits", "GET", f"{UPDATE}?{A};id={'9' * 5000}", None, None,
     200, JSON_TYPE, bad("id", "is out of range")),
    ("an id with 5000 leading zeros", "GET", f"{UPDATE}?{A};id={'0' * 5000}1", None, None,
     200, JSON_TYPE, envelope(("404", "", NOT_FOUND))),
    ("2**63", "GET", f"{UPDATE}?{A};id=123;maximum=9223372036854775808", None, None,
     200, JSON_TYPE, bad("maximum", "is out of range")),
    ("an exponent", "GET", f"{UPDATE}?{A};id=1e999", None, None,
     200, JSON_TYPE, bad("id", "must be an integer")),
    ("a negative retry", "GET", f"{UPDATE}?{A};id=123;retry=-1", None, None,
     200, JSON_TYPE, bad("retry", "must not be negative")),
    ("a negative page", "GET", f"/api/json/bulk/destinations/list/?{A};campaign=123;offset=-1",
     None, None, 200, JSON_TYPE, bad("offset", "must not be negative")),
    # overlong values and NUL
    ("a 256-character name", "GET", f"{UPDATE}?{A};id=123;name={'x' * 256}", None, None,
     200, JSON_TYPE, bad("name", "must be at most 255 characters")),
    ("a 100000-character description", "GET", f"{UPDATE}?{A};id=123;description={'x' * 100000}",
     None, None, 200, JSON_TYPE, bad("description", "must be at most 255 characters")),
    ("NUL in an id", "GET", f"{UPDATE}?{A};id=12%003", None, None,
     200, JSON_TYPE, bad("id", "must not contain a NUL character")),
    ("NUL in the password", "GET", f"{UPDATE}?{A}%00;id=123", None, None,
     200, JSON_TYPE, bad("auth_password", "must not contain a NUL character")),
    ("NUL in a parameter's name", "GET", f"{UPDATE}?{A};id=123;na%00me=x", None, None,
     200, JSON_TYPE, bad("na%00me", "must not contain a NUL character")),
    ("a lone %", "GET", f"{UPDATE}?{A};id=%", None, None,
     200, JSON_TYPE, bad("id", "has malformed percent-encoding")),
    ("a cut UTF-8 sequence", "GET", f"{UPDATE}?{A};id=123;name=%E2%82", None, None,
     200, JSON_TYPE, bad("name", "is not valid UTF-8")),
    ("an encoded surrogate", "GET", f"{UPDATE}?{A};id=123;name=%ED%A0%80", None, None,
     200, JSON_TYPE, bad("name", "is not valid UTF-8")),
    # separators and repeated keys
    ("mixed and empty separators", "GET", f"{UPDATE}?{A}&id=123;&;;&&maximum=0", None, None,
     200, JSON_TYPE, bad("maximum", "must be at least 1")),
    ("a key twice across separators", "GET", f"{UPDATE}?{A};id=123&name=x;name=y", None, None,
     200, JSON_TYPE, bad("name", "was given more than once")),
    ("the id twice, same value", "GET", f"{UPDATE}?{A};id=123;id=123", None, None,
     200, JSON_TYPE, bad("id", "was given more than once")),
    ("the username twice", "GET", f"{UPDATE}?{A};auth_username=admin;id=123", None, None,
     200, JSON_TYPE, bad("auth_username", "was given more than once")),
    # odd methods: not Enswitch calls at all, so HTTP answers them (and nothing is journaled)
    *[
        (f"{method} on a function", method, f"{UPDATE}?{A};id=123", None, None,
         405, TEXT_TYPE, b"405: Method Not Allowed")
        for method in ("PUT", "DELETE", "PATCH", "TRACE")
    ],
]  # fmt: skip

CONTROL: list[Case] = [
    # SQL in the journal's filters: a filter that matches nothing, or a 400 naming it
    ("quote-OR in a parameter filter", "GET", "/_mock/calls?param.id=1%27%20OR%20%271%27=%271",
     None, None, 200, JSON_TYPE,
     {"calls": [], "total": 0, "evicted": 0, "limit": 100, "offset": 0}),
    ("quote-OR as the function", "GET", "/_mock/calls/count?function=%27%20OR%201=1%20--",
     None, None, 200, JSON_TYPE, {"count": 0, "evicted": 0}),
    ("SQL in a parameter filter's name", "GET",
     "/_mock/calls/count?param.x%27)%3B%20DROP%20TABLE%20calls%3B%20--=1",
     None, None, 200, JSON_TYPE, {"count": 0, "evicted": 0}),
    ("OR in a code", "GET", "/_mock/calls/count?code=200%20OR%201=1", None, None,
     200, JSON_TYPE, {"count": 0, "evicted": 0}),
    ("OR in since", "GET", "/_mock/calls?since=1%20OR%201=1", None, None, 400, JSON_TYPE,
     control_error(
         400, "must be a call id or an ISO 8601 time such as 2026-01-31T12:00:00.000Z", "since"
     )),
    ("SQL in a limit", "GET", "/_mock/calls?limit=1%3B%20DROP%20TABLE%20calls", None, None,
     400, JSON_TYPE, control_error(400, "must be an integer", "limit")),
    ("SQL in an order", "GET", "/_mock/calls?order=asc%3B%20DROP%20TABLE%20calls", None, None,
     400, JSON_TYPE, control_error(400, "must be asc or desc", "order")),
    ("SQL as a filter's name", "GET", "/_mock/calls?1%3DDROP=1", None, None,
     400, JSON_TYPE, control_error(400, "unknown filter '1=DROP'", "1=DROP")),
    ("a negative limit", "GET", "/_mock/calls?limit=-1", None, None,
     400, JSON_TYPE, control_error(400, "must be at least 0", "limit")),
    ("a huge limit", "GET", "/_mock/calls?limit=99999999999999999999999", None, None,
     400, JSON_TYPE, control_error(400, "must be at most 9223372036854775807", "limit")),
    ("an until of 5000 zeros", "GET", f"/_mock/calls/count?until={'0' * 5000}",
     None, None, 200, JSON_TYPE, {"count": 0, "evicted": 0}),
    ("a negative call id", "GET", "/_mock/calls/-1", None, None,
     400, JSON_TYPE, control_error(400, "a call id is an integer", "id")),
    ("SQL in a call id", "GET", "/_mock/calls/1%20OR%201=1", None, None,
     400, JSON_TYPE, control_error(400, "a call id is an integer", "id")),
    ("a call id of 5000 digits", "GET", f"/_mock/calls/{'9' * 5000}", None, None,
     404, JSON_TYPE, control_error(404, f"no call {'9' * 5000} in this tenant's journal", "id")),
    ("SQL in a rule id", "DELETE", "/_mock/faults/1%20OR%201=1", None, None,
     400, JSON_TYPE, control_error(400, "a rule id is an integer", "id")),
    ("a rule id of 5000 digits", "DELETE", f"/_mock/faults/{'0' * 5000}9", None, None,
     404, JSON_TYPE, control_error(404, "no fault rule 9", "id")),
    # SQL as a tenant's name, for a change, a read, a drop and an Enswitch call
    ("SQL as a tenant to reset", "POST", "/t/x%27%3BDROP%20TABLE%20tenants%3B--/_mock/reset",
     None, None, 400, JSON_TYPE, not_a_tenant("x';DROP TABLE tenants;--")),
    ("quote-OR as a tenant to read", "GET", "/t/x%27%20OR%201=1/_mock/calls", None, None,
     400, JSON_TYPE, not_a_tenant("x' OR 1=1")),
    ("quote-OR as a tenant to drop", "DELETE", "/t/%27%20OR%201=1%20--/_mock", None, None,
     400, JSON_TYPE, not_a_tenant("' OR 1=1 --")),
    ("quote-OR as a tenant to call", "GET",
     f"/t/%27%20OR%201=1%20--/api/json/bulk/campaigns/get/?{A};id=123", None, None,
     400, JSON_TYPE, not_a_tenant("' OR 1=1 --")),
    ("a control character in a tenant's redirect", "GET", "/t/a%0D%0ASet-Cookie:x/_mock/ui/",
     None, None, 400, JSON_TYPE, not_a_tenant("a\r\nSet-Cookie:x")),
    ("a 65-character tenant", "POST", f"/t/{'a' * 65}/_mock/reset", None, None,
     400, JSON_TYPE, not_a_tenant("a" * 65)),
    # invalid JSON and wrong JSON types for the fault rules and the default latency
    ("a cut JSON document", "POST", "/_mock/faults", b"{", "application/json",
     400, JSON_TYPE, control_error(400, "the body is not valid JSON: Expecting property name "
                                   "enclosed in double quotes: line 1 column 2 (char 1)", "body")),
    ("no body", "POST", "/_mock/faults", b"", None,
     400, JSON_TYPE, control_error(400, "the body must be a JSON document", "body")),
    ("bytes that are not UTF-8", "POST", "/_mock/faults", b"\xff\xfe{}", "application/json",
     400, JSON_TYPE, control_error(400, "the body is not UTF-8 text", "body")),
    ("null", "POST", "/_mock/faults", b"null", None,
     400, JSON_TYPE, control_error(400, "must be an object", "rule")),
    ("a number", "POST", "/_mock/faults", b"42", None,
     400, JSON_TYPE, control_error(400, "must be an object", "rule")),
    ("a list with a number", "POST", "/_mock/faults", b"[1]", None,
     400, JSON_TYPE, control_error(400, "must be an object", "[0].rule")),
    ("a list with one bad rule of two", "POST", "/_mock/faults",
     b'[{"action": {"type": "reset"}}, {"action": {"type": "reset"}, "times": 0}]', None,
     400, JSON_TYPE, control_error(400, "must be at least 1", "[1].times")),
    ("an action that is a string", "POST", "/_mock/faults", b'{"action": "reset"}', None,
     400, JSON_TYPE, control_error(400, "must be an object with a type", "action")),
    ("an action type that is a list", "POST", "/_mock/faults",
     b'{"action": {"type": ["reset"]}}', None, 400, JSON_TYPE,
     control_error(400, "must be one of: envelope, http, reset, hang, empty, malformed, "
                   "slow_body", "action.type")),
    ("times as a string", "POST", "/_mock/faults",
     b'{"action": {"type": "reset"}, "times": "2"}', None,
     400, JSON_TYPE, control_error(400, "must be an integer", "times")),
    ("times as true", "POST", "/_mock/faults", b'{"action": {"type": "reset"}, "times": true}',
     None, 400, JSON_TYPE, control_error(400, "must be an integer", "times")),
    ("probability NaN", "POST", "/_mock/faults",
     b'{"action": {"type": "reset"}, "probability": NaN}', None,
     400, JSON_TYPE, control_error(400, "must be a finite number", "probability")),
    ("a number of 5000 digits", "POST", "/_mock/faults",
     b'{"action": {"type": "reset"}, "times": 1' + b"0" * 5000 + b"}", None,
     400, JSON_TYPE, control_error(
         400, "the body is not valid JSON: Exceeds the limit (4300 digits) for integer string "
         "conversion: value has 5001 digits; use sys.set_int_max_str_digits() to increase the "
         "limit", "body")),
    ("JSON nested 100000 deep", "POST", "/_mock/faults", b"[" * 100000, None,
     400, JSON_TYPE, control_error(400, "the body is not valid JSON: maximum recursion depth "
                                   "exceeded while decoding a JSON array from a unicode string",
                                   "body")),
    ("a lone surrogate in a message", "POST", "/_mock/faults",
     b'{"action": {"type": "envelope", "message": "\\ud800"}}', None, 400, JSON_TYPE,
     control_error(400, "must be valid Unicode text (a lone surrogate is not)", "action.message")),
    ("a header smuggled in a content type", "POST", "/_mock/faults",
     b'{"action": {"type": "http", "content_type": "text/plain\\r\\nSet-Cookie: x=1"}}', None,
     400, JSON_TYPE, control_error(400, "must be a media type in printable ASCII, one line",
                                   "action.content_type")),
    ("SQL in a rule's match, as JSON of the wrong type", "POST", "/_mock/faults",
     b'{"match": {"function": ["\' OR 1=1 --"]}, "action": {"type": "reset"}}', None,
     400, JSON_TYPE, control_error(400, "must be a string", "match.function")),
    ("a latency that is a string", "PUT", "/_mock/faults/default-latency", b'"fast"', None,
     400, JSON_TYPE, control_error(400, "must be an object", "latency")),
    ("a latency that is a list", "PUT", "/_mock/faults/default-latency", b"[]", None,
     400, JSON_TYPE, control_error(400, "must be an object", "latency")),
    ("a latency of the wrong type", "PUT", "/_mock/faults/default-latency",
     b'{"fixed_ms": "5"}', None,
     400, JSON_TYPE, control_error(400, "must be a number", "latency.fixed_ms")),
    ("a negative latency", "PUT", "/_mock/faults/default-latency", b'{"fixed_ms": -1}', None,
     400, JSON_TYPE, control_error(400, "must be at least 0", "latency.fixed_ms")),
    ("two latencies", "PUT", "/_mock/faults/default-latency",
     b'{"fixed_ms": 5, "uniform_ms": [1, 2]}', None, 400, JSON_TYPE,
     control_error(400, "needs exactly one of: fixed_ms, uniform_ms, normal_ms, lognormal_ms",
                   "latency")),
    ("a latency backwards", "PUT", "/_mock/faults/default-latency", b'{"uniform_ms": [2, 1]}',
     None, 400, JSON_TYPE,
     control_error(400, "high must not be below low", "latency.uniform_ms")),
    ("a cut latency", "PUT", "/_mock/faults/default-latency", b"{", None, 400, JSON_TYPE,
     control_error(400, "the body is not valid JSON: Expecting property name enclosed in "
                   "double quotes: line 1 column 2 (char 1)", "body")),
    # odd methods on the control API: a JSON 405
    *[
        (f"{method} {path}", method, path, None, None, 405, JSON_TYPE,
         control_error(405, "Method Not Allowed"))
        for method, path in (("GET", "/_mock/reset"), ("PATCH", "/_mock/reset"),
                             ("PUT", "/_mock/faults"), ("POST", "/_mock/calls"),
                             ("DELETE", "/_mock/calls/1"), ("DELETE", "/_mock/tenants"))
    ],
]  # fmt: skip

CASES = API + CONTROL


def dump(path: Path) -> list[str]:
    """The database file as SQL, without the journal (which records the calls, as it must)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return [
            line
            for line in connection.iterdump()
            if not line.startswith(('INSERT INTO "calls"', 'INSERT INTO "sqlite_sequence"'))
        ]


async def send(client: TestClient, case: Case) -> tuple[int, str, Any, str | None]:
    """Send a case as written; the status, Content-Type, answer and journal id."""
    _, method, target, body, content_type, *_ = case
    options: dict[str, Any] = {}
    if body is not None:
        options["data"] = io.BytesIO(body)  # sent as it is
        if content_type is None:
            options["skip_auto_headers"] = ["Content-Type"]
        else:
            options["headers"] = {"Content-Type": content_type}
    response = await client.request(method, URL(target, encoded=True), **options)
    raw = await response.read()
    answer: Any = raw
    if response.content_type == "application/json":
        answer = json.loads(raw)
    return (
        response.status,
        response.headers["Content-Type"],
        answer,
        response.headers.get("X-Mockswitch-Call"),
    )


async def state(client: TestClient, db: Path) -> tuple[list[str], Any, Any]:
    """All that bad input must not change: the data, the fault rules, the tenants."""
    rules = await (await client.get("/_mock/faults")).json()
    tenants = await (await client.get("/_mock/tenants")).json()
    names = sorted(tenants["tenants"])
    return dump(db), rules, names


Serve = Callable[..., Awaitable[TestClient]]


async def start(serve: Serve, tmp_path: Path) -> tuple[TestClient, Path]:
    db = tmp_path / "corpus.sqlite3"
    client = await serve(db=str(db))
    # One rule and one latency to keep: bad input must not remove or change them either.
    rule = {
        "match": {"function": "nothing/at/all"},
        "action": {"type": "reset"},
        "name": "keep",
        "allow_unknown": True,  # never fires: no function of that name is served or stubbed
    }
    assert (await client.post("/_mock/faults", json=rule)).status == 201
    return client, db


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
async def test_bad_input_gets_its_documented_error_and_changes_nothing(serve, tmp_path, case):
    client, db = await start(serve, tmp_path)
    before = await state(client, db)
    assert before[0], "the dump holds the data set"
    status, content_type, answer, call_id = await send(client, case)
    assert (status, content_type, answer) == tuple(case[5:]), case[0]
    if "/api/json/" in case[2] and status == 200:
        # Recorded, with what was answered.
        call = await (await client.get(f"/_mock/calls/{call_id}")).json()
        assert (call["code"], json.loads(call["body"])) == (answer["responses"][0]["code"], answer)
    assert await state(client, db) == before, case[0]


async def test_the_whole_corpus_in_a_burst_changes_nothing(serve, tmp_path):
    client, db = await start(serve, tmp_path)
    before = await state(client, db)
    calls_before = (await (await client.get("/_mock/calls/count")).json())["count"]
    for case in CASES:
        status, content_type, answer, _ = await send(client, case)
        assert (status, content_type, answer) == tuple(case[5:]), case[0]
    assert await state(client, db) == before
    # Every Enswitch call that HTTP let through is in the journal, and nothing else is.
    journaled = sum(1 for case in API if case[5] == 200) + sum(
        1 for case in CONTROL if "/api/json/" in case[2] and case[5] == 200
    )
    count = (await (await client.get("/_mock/calls/count")).json())["count"]
    assert count - calls_before == journaled


async def test_sql_in_a_text_field_is_stored_as_text(serve, tmp_path):
    """What is valid text is kept as sent, quotes and all, and touches nothing else."""
    client, db = await start(serve, tmp_path)
    before = dump(db)
    name = "x'); DROP TABLE campaigns; --"
    description = "' OR '1'='1"
    response = await client.post(
        UPDATE,
        data={
            "auth_username": "user",
            "auth_password": PASSWORD,
            "id": "123",
            "name": name,
            "description": description,
        },
    )
    assert await response.json() == OK_204
    get = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    data = (await get.json())["data"]
    assert (data["name"], data["description"]) == (name, description)
    after = dump(db)
    changed = [line for line in after if line not in before]
    assert len(changed) == 1
    assert changed[0].startswith('INSERT INTO "campaigns" VALUES(1,123,')
    assert len(after) == len(before)


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """The text of every SQL statement given to SQLite from now on, by any connection."""
    seen: list[str] = []

    class Cursor(sqlite3.Cursor):
        def execute(self, sql, *args):
            seen.append(sql)
            return super().execute(sql, *args)

        def executemany(self, sql, *args):
            seen.append(sql)
            return super().executemany(sql, *args)

    class Connection(sqlite3.Connection):
        def cursor(self, factory=Cursor):
            return super().cursor(factory)

        def execute(self, sql, *args):
            seen.append(sql)
            return super().execute(sql, *args)

        def executemany(self, sql, *args):
            seen.append(sql)
            return super().executemany(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *args, **kwargs: connect(*args, factory=Connection, **kwargs)
    )
    return seen


async def test_no_request_data_ever_reaches_sql_text(serve, tmp_path, statements):
    client, _ = await start(serve, tmp_path)
    # Valid input that reaches the store, SQL in each value: kept as text, bound as values.
    payload = "zq' OR 1=1; DROP TABLE campaigns; --"
    for params in (
        {"id": "123", "name": payload, "description": payload},
        {"id": "124", "callerid": "", "dtype": "peer", "dnumber": payload},
    ):
        response = await client.get(
            UPDATE, params={"auth_username": "user", "auth_password": PASSWORD, **params}
        )
        assert await response.json() == OK_204
    for query in ({"param.name": payload}, {"function": payload}, {"username": payload}):
        assert (await client.get("/_mock/calls", params=query)).status == 200
    for case in CASES:
        await send(client, case)
    assert len(statements) > 50, "the recording works"
    leaked = [
        sql
        for sql in statements
        if any(marker in sql.lower() for marker in ("drop table", "1=1", "zq'"))
    ]
    assert leaked == []
