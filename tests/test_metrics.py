"""`GET /_mock/metrics`: Prometheus counts of calls, their handling time, and sizes."""

from __future__ import annotations

import contextlib

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.cast import PASSWORD
from tests.helpers import call

UPDATE = "bulk/campaigns/update"
GET = "bulk/campaigns/get"


async def scrape(client) -> dict[str, dict[tuple, float]]:
    """Each sample's value by metric name and labels (as sorted (name, value) pairs)."""
    response = await client.get("/_mock/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def calls(samples, function: str, code: str, fault: str = "none") -> float:
    key = (("code", code), ("fault", fault), ("function", function))
    return samples["mockswitch_calls_total"].get(key, 0)


async def test_calls_are_counted_by_function_code_and_fault(client):
    await call(client, UPDATE, id=123, name="a")  # 204
    await call(client, UPDATE, method="POST", id=123, maximum=2)  # 204
    await call(client, UPDATE, id=123, maximum=0)  # 400
    await call(client, UPDATE, user="nobody", id=123)  # 401
    await call(client, GET, id=123)  # 200
    await call(client, "no/such/function")  # 404
    await client.post(
        "/_mock/faults",
        json=[
            {"match": {"function": GET}, "action": {"type": "envelope", "code": "500"}, "times": 1},
            {"match": {"function": GET}, "latency": {"fixed_ms": 1}, "times": 1},
            {"match": {"function": GET}, "action": {"type": "http", "status": 502}, "times": 1},
        ],
    )
    await call(client, GET, id=123)  # the envelope fault
    await call(client, GET, id=123)  # latency only, then handled: 200
    response = await client.get(f"/api/json/{GET}/")  # the http fault: no envelope
    assert (response.status, await response.read()) == (502, b"")

    samples = await scrape(client)
    assert calls(samples, UPDATE, "204") == 2
    assert calls(samples, UPDATE, "400") == 1
    assert calls(samples, UPDATE, "401") == 1
    assert calls(samples, GET, "200") == 1
    assert calls(samples, "unknown", "404") == 1
    assert calls(samples, GET, "500", "envelope") == 1
    assert calls(samples, GET, "200", "latency") == 1
    assert calls(samples, GET, "http_502", "http") == 1
    assert sum(samples["mockswitch_calls_total"].values()) == 9

    # The handling-time histogram: every call, by function; the latency one took >= 1 ms.
    counts = samples["mockswitch_call_duration_seconds_count"]
    assert counts[(("function", UPDATE),)] == 4
    assert counts[(("function", GET),)] == 4
    assert counts[(("function", "unknown"),)] == 1
    buckets = samples["mockswitch_call_duration_seconds_bucket"]
    assert buckets[(("function", GET), ("le", "+Inf"))] == 4
    assert buckets[(("function", GET), ("le", "0.001"))] <= 3

    # Sizes: the journal holds the nine calls; one tenant so far.
    assert samples["mockswitch_journal_calls"] == {(): 9}
    assert samples["mockswitch_tenants"] == {(): 1}


async def test_dropped_connections_are_counted(client):
    await client.post("/_mock/faults", json={"action": {"type": "reset"}, "times": 1})
    await client.post("/_mock/faults", json={"action": {"type": "empty"}, "times": 1})
    for _ in range(2):
        with contextlib.suppress(aiohttp.ClientError):  # dropped on purpose
            await client.get(f"/api/json/{GET}/")
    samples = await scrape(client)
    assert calls(samples, GET, "dropped", "reset") == 1
    assert calls(samples, GET, "dropped", "empty") == 1


async def test_unknown_functions_share_one_label_value(client):
    for number in range(30):
        await call(client, f"scan/{number}")
    samples = await scrape(client)
    functions = {dict(labels)["function"] for labels in samples["mockswitch_calls_total"]}
    assert functions == {"unknown"}
    assert calls(samples, "unknown", "404") == 30


async def test_stubbed_calls_share_one_label_value(client):
    for number in range(3):
        stub = {"function": f"people/list{number}", "data": [{"id": number}]}
        response = await client.post("/_mock/stubs", json=stub)
        assert response.status == 201, await response.text()
        assert await call(client, f"people/list{number}") == (
            200,
            {"responses": [{"code": "200", "key": "", "message": "OK"}], "data": [{"id": number}]},
        )
    samples = await scrape(client)
    functions = {dict(labels)["function"] for labels in samples["mockswitch_calls_total"]}
    assert functions == {"stubbed"}
    assert calls(samples, "stubbed", "200") == 3


async def test_tenants_and_the_journal_are_counted_across_tenants(client):
    await call(client, GET, id=123)
    await client.get(
        f"/t/acme/api/json/{GET}/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    await client.post("/t/beta/_mock/reset")
    samples = await scrape(client)
    assert samples["mockswitch_tenants"] == {(): 3}
    assert samples["mockswitch_journal_calls"] == {(): 2}
    assert calls(samples, GET, "200") == 2  # the default tenant's and acme's
    await client.delete("/_mock/calls")  # the default tenant's journal
    samples = await scrape(client)
    assert samples["mockswitch_journal_calls"] == {(): 1}
    assert calls(samples, GET, "200") == 2  # counters count what happened, whatever is kept


async def test_each_server_counts_its_own_calls(serve):
    first, second = await serve(), await serve()
    await call(first, GET, id=123)
    await call(first, GET, id=123)
    await call(second, GET, id=123)
    assert calls(await scrape(first), GET, "200") == 2
    assert calls(await scrape(second), GET, "200") == 1


async def test_openmetrics_when_the_scraper_asks(client):
    await call(client, GET, id=123)
    response = await client.get(
        "/_mock/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    text = await response.text()
    assert text.endswith("# EOF\n")
    assert 'mockswitch_calls_total{code="200",fault="none",function="bulk/campaigns/get"} 1' in (
        text
    )


async def test_metrics_can_be_turned_off(serve):
    client = await serve(metrics=False)
    await call(client, GET, id=123)
    assert (await client.get("/_mock/metrics")).status == 404
