"""Fuzzing: schemathesis generates requests from `GET /_mock/openapi.json` and checks answers.

For every operation of the document (each Enswitch function, GET and POST, plain and per
tenant, and the control API), schemathesis generates requests that fit the document
(positive) and requests that break it (negative), sends them to a real server, and checks:

- no 5xx, and no Enswitch envelope with code 500 either (the switch's own internal error
  travels in an HTTP 200), and nothing logged at ERROR level by the server or by aiohttp;
- the status is documented for the operation, the Content-Type is one the document lists for
  that status, the body fits the status's schema, and documented headers fit theirs.

Most generated credentials are wrong, so some cases are sent as a real user (owner, user,
globex) on a real campaign (123, 124, 200), to reach the checks and handlers behind the 401;
the last test checks that 200, 201, 204, 400, 401 and 404 envelopes were all reached. So that
this never hangs on luck, every Enswitch operation is first sent one explicit, valid call
(`EXPLICIT`: the owner on campaign 124, with `validation=1` where the function takes it), which
a read answers 200 and a change 201 without changing anything: bulk/campaigns/create and
bulk/campaigns/list need no campaign, so 201 and 200 are reached whatever else happened. The
Enswitch functions are fuzzed again on a server with `http_status = mirror` and a `prefix`,
which change their statuses and paths.

Bounded: `FUZZ_EXAMPLES` examples per operation and mode (default 12; a third of that for
the mirror server), derandomized so that CI runs the same cases every time (`FUZZ_RANDOM=1`
explores new ones; a failure prints the curl command that reproduces it). About 30 s.

What is kept from turning a case into a long wait, and why:

- `/_mock/events` is not fuzzed: it is an endless event stream by design (a response never
  ends, so there is no body to validate); tests/test_ui_events.py covers it.
- `/_mock/calls/wait` runs on a server with `wait_timeout_max = 0.3`, so every long poll
  the document allows ends within 0.3 s (the default timeout is bounded by it too; a larger
  one is a documented 400).
- Fault rules and default latencies that a case adds are removed right after it: a `hang`,
  `reset`, `empty`, `malformed` or `http` rule, or seconds of latency, would make the next
  cases fail or wait, which is what they are for, not a bug. Their parsing (any JSON in,
  201 or 400 out) is what the fuzzing checks.
- Every request has a 10 s client timeout, so a regression shows as a failure, not a hang.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockswitch.config import Settings
from mockswitch.endpoints import FUNCTIONS
from mockswitch.testing import ServerThread
from mockswitch.web.openapi import build_document
from mockswitch.web.tenants import VALID_NAME
from tests.cast import PASSWORD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") not in ("", "0")
# A small max_tenants, so that the 429 of a tenant too many is reached (and documented).
SERVER = {"wait_timeout_max": 0.3, "max_tenants": 25}
# The settings that change the Enswitch operations (statuses, paths): their functions again,
# with fewer examples (the control API does not change with them).
MIRROR = {**SERVER, "http_status": "mirror", "prefix": "/local"}
CONFIGS = {"defaults": SERVER, "mirror": MIRROR}
SKIPPED = {"/_mock/events", "/t/{tenant}/_mock/events"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
METHODS = ("get", "post", "put", "delete")


def _labels(document: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item and path not in SKIPPED
    ]


# The operations are known without a server: the document is generated from the code.
LABELS = _labels(build_document(Settings(**SERVER)))
MIRROR_LABELS = [
    label for label in _labels(build_document(Settings(**MIRROR))) if "/api/json/" in label
]
REACHED: Counter[str] = Counter()  # the envelope codes the fuzzed calls were answered with
EXPLICIT_ANSWERS: dict[str, str | None] = {}  # each explicit call's envelope code, by case
CASES = [("defaults", label) for label in LABELS] + [("mirror", label) for label in MIRROR_LABELS]


class _Errors(logging.Handler):
    """Collects what the server logs at ERROR or above (an unexpected exception, say)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# mockswitch's own loggers, and aiohttp's: an exception in a handler, or in sending an answer
# (a header it refuses, say), is logged there and must not happen.
LOGGERS = ("mockswitch", "aiohttp.server", "aiohttp.web")


@pytest.fixture(scope="module")
def errors() -> Iterator[_Errors]:
    handler = _Errors()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(handler)


@pytest.fixture(scope="module")
def servers(errors) -> Iterator[dict[str, tuple[ServerThread, Any]]]:
    """One server per configuration, started when first needed, with its loaded document."""

    class Servers(dict):
        def __missing__(self, config: str) -> tuple[ServerThread, Any]:
            running = ServerThread(**CONFIGS[config]).start()
            schema = schemathesis.openapi.from_url(f"{running.url}/_mock/openapi.json")
            self[config] = (running, schema)
            return self[config]

    started = Servers()
    try:
        yield started
    finally:
        for running, _ in started.values():
            running.stop()


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def test_every_operation_the_server_documents_is_fuzzed(servers):
    _, schema = servers["defaults"]
    served = {result.ok().label for result in schema.get_all_operations()}
    assert {label for label in served if label.split(" ", 1)[1] not in SKIPPED} <= set(LABELS)
    # Schemathesis leaves out the operation that serves the document itself; not so here.
    assert all(schema.find_operation_by_label(label) for label in LABELS)
    assert "GET /_mock/openapi.json" in LABELS


def _as_someone(case: Any, user: str | None, campaign: int | None) -> None:
    """Most generated credentials are wrong (401): log some cases in as a real user, on a
    real campaign, so that the checks and handlers behind authentication are fuzzed too."""
    if "/api/json/" not in case.path:
        return
    function = FUNCTIONS[case.path.split("/api/json/", 1)[1].strip("/")]
    names = {param.name for param in function.parameters}
    given: dict[str, Any] = {}
    if user is not None:
        given |= {"auth_username": user, "auth_password": PASSWORD}
    for name in ("id", "campaign"):
        if campaign is not None and name in names:
            given[name] = campaign
    if case.method == "GET" and isinstance(case.query, dict):
        case.query.update(given)
    elif case.method == "POST" and isinstance(case.body, dict):
        case.body.update(given)


# A valid value for each parameter a function needs (its required ones, the flag that stands
# instead of a list, `validation`), as the default cast accepts them; `id` and `campaign` are
# the campaign `_as_someone` is given.
EXPLICIT = {
    "name": "example",
    "dtype": "forward",
    "dnumber": "2125550111",
    "dnumbers": "2125550111",
    "status": "pending",
    "all": "1",
    "validation": "1",
}


def _explicit_case(operation: Any) -> Any:
    """One valid call of the operation's function, sent before any generated case."""
    function = FUNCTIONS[operation.path.split("/api/json/", 1)[1].strip("/")]
    values = {
        param.name: EXPLICIT[param.name]
        for param in function.parameters
        if param.name in EXPLICIT
        and (param.required or param.name == "validation" or param.instead_of)
    }
    tenant = {"tenant": "fuzz"} if "{tenant}" in operation.path else {}
    if operation.method.upper() == "GET":
        return operation.Case(path_parameters=tenant, query=values)
    return operation.Case(
        path_parameters=tenant, body=values, media_type="application/x-www-form-urlencoded"
    )


def _no_internal_error_envelope(case: Any, response: schemathesis.Response) -> str | None:
    """The envelope's code, if the answer is one; never 500."""
    content_type = response.headers.get("content-type", [""])[0]  # lower case, lists
    if "/api/json/" in case.path and content_type.startswith("application/json"):
        entries = response.json().get("responses") or [{}]
        code = entries[0].get("code")
        assert code != "500", f"an internal error envelope: {response.text}"
        REACHED[code] += 1
        return code
    return None


def _remove_added_faults(base: str, case: Any, session: requests.Session) -> None:
    """Take away the rules and default latency a case added to its tenant."""
    if case.method == "GET" or "/_mock/faults" not in case.path:
        return
    tenant = (case.path_parameters or {}).get("tenant")
    if tenant is None:
        scope = base
    elif isinstance(tenant, str) and VALID_NAME.fullmatch(tenant):
        scope = f"{base}/t/{tenant}"
    else:
        return  # a bad tenant name: nothing was added
    for method, path, body in (
        ("DELETE", "/_mock/faults", None),
        ("PUT", "/_mock/faults/default-latency", b"null"),
    ):
        # 429 (too many tenants) or 404: the case made no tenant, so it added no rule.
        answer = session.request(method, scope + path, data=body, timeout=10)
        assert answer.status_code in (200, 404, 429), answer.text


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("config", "label"), CASES, ids=[f"{c}:{lab}" for c, lab in CASES])
def test_fuzz(servers, errors, session, config, label, mode):
    running, schema = servers[config]
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the server's document"
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=EXAMPLES if config == "defaults" else max(1, EXAMPLES // 3),
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=strategy,
        user=st.sampled_from([None, None, "owner", "user", "globex"]),
        campaign=st.sampled_from([None, 123, 124, 200]),
    )
    def fuzz(case: Any, user: str | None, campaign: int | None) -> None:
        _as_someone(case, user, campaign)
        try:
            response = case.call(base_url=running.url, session=session, timeout=10)
            case.validate_response(response, checks=CHECKS)
            code = _no_internal_error_envelope(case, response)
            if case is explicit:
                EXPLICIT_ANSWERS[f"{config}:{label}:{mode.value}"] = code
        finally:
            _remove_added_faults(running.url, case, session)

    explicit = _explicit_case(operation) if "/api/json/" in operation.path else None
    if explicit is not None:  # reach the checks and handlers at least once
        fuzz = example(case=explicit, user="owner", campaign=124)(fuzz)
    before = len(errors.records)
    try:
        fuzz()
    except Unsatisfiable:
        # Nothing to break: an operation without parameters or body has no negative case.
        assert mode == GenerationMode.NEGATIVE, label
    logged = [errors.format(record) for record in errors.records[before:]]
    assert not logged, "\n".join(logged)


def test_the_fuzzing_went_past_authentication_and_validation(servers, errors, session):
    """The fuzzed calls reached every stage of the switch. After the cases above (as the
    suite runs), their answers are checked; run alone, it fuzzes the Enswitch operations
    first, so that it can fail alone too."""
    if not EXPLICIT_ANSWERS:
        for config, label in CASES:
            if "/api/json/" in label:
                test_fuzz(servers, errors, session, config, label, GenerationMode.POSITIVE)
    # Each explicit call is valid: a read answers 200, a validated change 201; or 404 once a
    # generated case has deleted campaign 124 (campaigns/create and list need no campaign).
    valid = ("200", "201", "404")
    wrong = {case: code for case, code in EXPLICIT_ANSWERS.items() if code not in valid}
    assert EXPLICIT_ANSWERS
    assert not wrong, wrong
    creates = {case: code for case, code in EXPLICIT_ANSWERS.items() if "campaigns/create" in case}
    if not creates and os.environ.get("PYTEST_XDIST_WORKER"):
        # Under xdist the cases are shared out among workers, and create's ran on another:
        # the suite as the README and CI run it (one process) checks this.
        pytest.skip("bulk/campaigns/create's fuzz cases ran on another xdist worker")
    assert creates, "bulk/campaigns/create was not fuzzed"
    assert set(creates.values()) == {"201"}, creates
    assert set(REACHED) >= {"200", "201", "204", "400", "401", "404"}, REACHED


async def test_a_long_poll_without_a_timeout_is_bounded_by_wait_timeout_max(serve):
    """Found by the fuzzing: the default of 10 s ignored a smaller `wait_timeout_max`."""
    client = await serve(wait_timeout_max=0.2)
    started = asyncio.get_running_loop().time()
    response = await client.get("/_mock/calls/wait")
    assert (response.status, await response.json()) == (
        408,
        {"timed_out": True, "wanted": 1, "count": 0, "calls": []},
    )
    assert asyncio.get_running_loop().time() - started < 2
    document = await (await client.get("/_mock/openapi.json")).json()
    [timeout] = [
        p
        for p in document["paths"]["/_mock/calls/wait"]["get"]["parameters"]
        if p["name"] == "timeout"
    ]
    assert timeout["schema"]["default"] == timeout["schema"]["maximum"] == 0.2
