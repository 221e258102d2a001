"""Properties of the wire protocol's pure functions, over inputs Hypothesis makes up.

- The request parser: any bytes in (query, body, any Content-Type) give the parameters, or
  an EnswitchError whose every problem is a 400; never any other exception. What it returns
  is text a client could have sent: no NUL, each name once, and a query built from pairs
  reads back as those pairs, whatever mix of `;` and `&` separates them.
- The validator: for every function's table, any pairs in give Arguments or an EnswitchError
  of 400s about the table's parameters (or about none), in the table's order.
- The envelope: always valid UTF-8 JSON, with the keys in the exact order the switch sends
  them (`responses` then `data`; `code`, `key`, `message`), and `data` only for a 200.

Bounded and derandomized (the same examples on every run): about 10 s.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mockswitch.endpoints import FUNCTIONS
from mockswitch.enswitch.envelope import (
    Success,
    error_body,
    error_reply,
    success_body,
    success_reply,
)
from mockswitch.enswitch.params import AUTH_PARAMETERS, Arguments, unknown_parameters, validate
from mockswitch.enswitch.request import (
    FORM,
    MULTIPART,
    _decode_pieces,
    _masked_escaped,
    _plain_pairs,
    masked_query,
    read_parameters,
)
from mockswitch.errors import EnswitchError, Problem
from mockswitch.store import journal
from mockswitch.store.journal import format_time, params_json

PROPERTIES = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
API_VERSIONS = [(3, 13), (4, 2), (4, 4), (99, 0)]

# Bytes a client gets wrong: escapes, broken escapes, separators, NUL, non-UTF-8, multipart.
PIECES = st.sampled_from(
    [
        b"%",
        b"%2",
        b"%zz",
        b"%00",
        b"%ff",
        b"%C3",
        b"%C3%A9",
        b"\xff",
        b"\x00",
        b";",
        b"&",
        b"=",
        b"+",
        b"id",
        b"name",
        b"auth_username",
        b"123",
        b"--b",
        b"\r\n",
        b'Content-Disposition: form-data; name="x"',
        b"\xed\xa0\x80",
        b"%ED%A0%80",
    ]
)
RAW = st.lists(st.one_of(PIECES, st.binary(max_size=12)), max_size=12).map(b"".join)
CONTENT_TYPES = st.sampled_from(
    [
        "",
        FORM,
        f"{FORM}; charset=utf-8",
        MULTIPART,
        f"{MULTIPART}; boundary=b",
        f"{MULTIPART}; boundary=",
        "application/json",
        "text/plain",
        "multipart/mixed; boundary=b",
        "\x00/\xff",
    ]
)


def assert_only_400s(error: EnswitchError) -> None:
    assert error.problems
    assert all(p.code == "400" for p in error.problems), error.problems
    assert all(isinstance(p.key, str) and isinstance(p.message, str) for p in error.problems)


# -- the request parser ----------------------------------------------------------------------


@PROPERTIES
@given(query=RAW, body=RAW, content_type=CONTENT_TYPES)
@example(query=b"name=%zz;name=%ff", body=b"", content_type="")
@example(
    query=b"",
    body=b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
    content_type=f"{MULTIPART}; boundary=b",
)
def test_any_bytes_give_parameters_or_400s(query, body, content_type):
    pairs, problems = read_parameters(query, body, content_type)
    if problems:  # the call is refused with them, as the switch does
        assert_only_400s(EnswitchError(*problems))
        return
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), "a name given twice is a 400"
    for name, value in pairs:
        assert isinstance(name, str)
        assert isinstance(value, str)
        assert name, "a piece without a name is skipped"
        assert "\x00" not in name + value
        name.encode("utf-8")  # no lone surrogate: valid text
        value.encode("utf-8")


TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)


@PROPERTIES
@given(
    pairs=st.dictionaries(TEXT.filter(bool), TEXT, max_size=8),
    separators=st.lists(st.sampled_from([";", "&"]), min_size=8, max_size=8),
    plus_for_space=st.booleans(),
)
def test_a_query_built_from_pairs_reads_back_as_those_pairs(pairs, separators, plus_for_space):
    quote = urllib.parse.quote_plus if plus_for_space else urllib.parse.quote
    pieces = [f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs.items()]
    query = "".join(p + s for p, s in zip(pieces, separators, strict=False)).encode()
    assert read_parameters(query) == (tuple(pairs.items()), [])
    # The same, as a form body of a POST, after a query string of its own.
    assert read_parameters(b"q=1", query, FORM) == ((("q", "1"), *pairs.items()), [])


# -- the parameter validator -----------------------------------------------------------------

# Values that fit some kind and break others: integers at and past every bound, flags,
# choices, empty, long, lists, text with SQL in it.
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "-1",
            "2",
            "123",
            "+5",
            "1.5",
            "12abc",
            " 1",
            "007",
            "-0",
            str(2**63 - 1),
            str(2**63),
            str(-(2**63)),
            str(-(2**63) - 1),
            "9" * 5000,
            "0" * 5000 + "1",
            "-" + "0" * 5000,
            "answer",
            "key",
            "failed",
            "retry",
            "success",
            "pending",
            "cancelled",
            "dnumber",
            "status",
            "phone",
            "queue",
            "forward",
            "peer",
            "sipuri",
            "sip:a@b",
            "+442071230000",
            "1001,1002",
            "1001,,x",
            ",",
            "x" * 256,
            "' OR 1=1 --",
            "1; DROP TABLE campaigns",
        ]
    ),
    TEXT,
    st.integers().map(str),
)
DTYPES = {"dtypes": ["", "forward", "peer", "phone", "queue", "sipuri"]}


def pairs_for(function_name: str) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    names = [p.name for p in FUNCTIONS[function_name].parameters]
    name = st.one_of(st.sampled_from([*names, *AUTH_PARAMETERS]), TEXT.filter(bool))
    return st.dictionaries(name, VALUES, max_size=10).map(lambda d: tuple(d.items()))


@pytest.mark.parametrize("function_name", sorted(FUNCTIONS))
def test_any_pairs_give_arguments_or_400s_for_every_function(function_name):
    table = FUNCTIONS[function_name].parameters
    order = [p.name for p in table]

    @PROPERTIES
    @given(pairs=pairs_for(function_name), version=st.sampled_from(API_VERSIONS))
    def check(pairs, version):
        try:
            arguments = validate(table, dict(pairs), version, DTYPES)
        except EnswitchError as error:
            assert_only_400s(error)
            keys = [p.key for p in error.problems]
            assert set(keys) <= set(order), keys  # about the table's parameters only
            assert keys == sorted(keys, key=order.index), "in the table's order"
            assert len(keys) == len(set(keys)), "one entry per parameter"
            return
        assert isinstance(arguments, Arguments)
        known = {p.name for p in table if p.since <= version}
        assert set(arguments.values) <= known
        given_names = [n for n, _ in pairs]
        assert unknown_parameters(table, pairs, version) == tuple(
            n for n in given_names if n not in known and n not in AUTH_PARAMETERS
        )

    check()


# -- the envelope ----------------------------------------------------------------------------

CODES = st.sampled_from(["200", "201", "204", "400", "401", "402", "403", "404", "413", "500"])
JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)


def keys_in_order(body: bytes) -> Any:
    """The document with every object as a list of (key, value), in the order sent."""
    return json.loads(body.decode("utf-8"), object_pairs_hook=list)


@PROPERTIES
@given(problems=st.lists(st.tuples(CODES, TEXT, TEXT), min_size=1, max_size=5))
def test_an_error_envelope_is_json_with_the_exact_key_order(problems):
    error = EnswitchError(*(Problem(*p) for p in problems))
    body = error_body(error)
    document = keys_in_order(body)
    assert [key for key, _ in document] == ["responses"]
    entries = document[0][1]
    assert [[key for key, _ in entry] for entry in entries] == [["code", "key", "message"]] * len(
        problems
    )
    assert [tuple(value for _, value in entry) for entry in entries] == problems
    for mode in ("enswitch", "mirror"):
        reply = error_reply(error, mode)
        assert (reply.body, reply.code, reply.key) == (body, problems[0][0], problems[0][1])


@PROPERTIES
@given(code=st.sampled_from(["200", "201", "204"]), data=JSON_DATA)
def test_a_success_envelope_has_data_after_responses_only_with_data(code, data):
    body = success_body(Success(code, data))
    document = keys_in_order(body)
    expected_keys = ["responses"] if data is None else ["responses", "data"]
    assert [key for key, _ in document] == expected_keys
    assert document[0][1] == [[("code", code), ("key", ""), ("message", "OK")]]
    if data is not None:
        assert json.loads(body)["data"] == data
    # Compact, as the switch sends it: no spaces after separators.
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    assert success_reply(Success(code, data), "enswitch").status == 200


# -- the quick paths read exactly what the careful ones do ---------------------------------------

# Bytes built from the pieces that matter to reading and masking: separators, `=`, `+`, `%`
# escapes good and bad, the secret's name and near misses, UTF-8 and not, NUL.
PIECES = st.lists(
    st.sampled_from(
        [
            b"&",
            b";",
            b"=",
            b"+",
            b"%41",
            b"%4",
            b"%",
            b"%00",
            b"a",
            b"id",
            b"\xc3\xa9",
            b"\xff",
            b"\x00",
            b"auth_password",
            b"auth_password=",
            b"xauth_password",
            b"auth%5Fpassword",
        ]
    ),
    max_size=14,
).map(b"".join)


@given(raw=PIECES)
@example(raw=b"auth_password=x&auth_password=y;b=auth_password=z")
def test_the_quick_reading_of_a_query_is_the_careful_one(raw):
    problems: list[Problem] = []
    careful = list(_decode_pieces(raw, problems))
    quick = _plain_pairs(raw)
    # The quick reading declines what it cannot read alike (escapes, text that is not UTF-8,
    # a NUL): then the careful one runs. Every other query it reads, as the careful one does.
    try:
        raw.decode("utf-8")
        plain = b"%" not in raw and b"\x00" not in raw
    except UnicodeDecodeError:
        plain = False
    assert (quick is not None) == plain, (raw, quick)
    assert quick is None or (quick, problems) == (careful, [])


@given(raw=PIECES)
@example(raw=b"auth_password=x&auth_password=y;b=auth_password=z")
def test_the_quick_masking_of_a_query_is_the_careful_one(raw):
    assert masked_query(raw) == _masked_escaped(raw)


@PROPERTIES
@given(params=st.dictionaries(st.text(), st.text(), max_size=8))
@example(params={})
@example(params={'a"\\/': "\x00\n\t\x1f\x7f\u2028é€😀", "": ""})
def test_the_journal_writes_parameters_as_json_dumps_does(params):
    assert params_json(params) == json.dumps(params, ensure_ascii=False)


@PROPERTIES
@given(now=st.floats(min_value=2**20, max_value=2**34))  # time.time() from 1970 to 2514
@example(now=1_700_000_000.0)
@example(now=1_700_000_000.9999998)  # the last step of time.time() before a second
def test_the_time_of_a_call_is_its_second_then_its_milliseconds(now):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal.time, "time", lambda: now)
        written = format_time()
    second = int(now)
    expected = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
    assert written == f"{expected}{int((now - second) * 1000):03d}Z"
