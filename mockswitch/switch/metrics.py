"""Counts for Prometheus: calls by function, code and fault, their handling time, and sizes.

No aiohttp here: the switch reports each call as it ends (`observe`), and the web layer
serves `exposition`. Each server has its own registry, not prometheus_client's global one,
so that several servers in one process (tests) keep their counts apart.

Every label has a small, fixed set of values, whatever clients send: a function mockswitch
does not serve is counted as `unknown` (a scanner trying ten thousand names must not make ten
thousand series), one a stub answered as `stubbed`, one forwarded to `--proxy-to` as
`proxied` (their names are the users' or the switch's, so they too share one value), and
tenants are counted, not labelled (the pytest plugin makes one per test).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from mockswitch.errors import ENSWITCH_CODES
from mockswitch.store import CallRecord

UNKNOWN_FUNCTION = "unknown"
STUBBED_FUNCTION = "stubbed"
PROXIED_FUNCTION = "proxied"
OTHER_CODE = "other"
NO_FAULT = "none"
# Handling time spans a millisecond (a read) to seconds (injected latency, slow faults).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One server's counters, histogram and gauges, in a registry of its own."""

    def __init__(self, functions: Collection[str]) -> None:
        self._functions = frozenset(functions)
        # Each label set's counter and histogram, looked up once: prometheus_client's
        # `labels()` costs more than the count itself. The label values are few (see above).
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self.registry = CollectorRegistry()
        self.calls = Counter(
            "mockswitch_calls",
            "Enswitch API calls answered, by function (unknown: a name mockswitch does not "
            "serve), envelope code (http_<status> for a non-envelope answer, dropped for "
            "none) and fault action (none; latency for a rule with a delay only)",
            ("function", "code", "fault"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "mockswitch_call_duration_seconds",
            "Time from a call's arrival to its answer being ready, injected latency included",
            ("function",),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.journal_calls = Gauge(
            "mockswitch_journal_calls",
            "Calls held in the journal, every tenant together",
            registry=self.registry,
        )
        self.tenants = Gauge(
            "mockswitch_tenants",
            "Tenants the server holds, the default one included",
            registry=self.registry,
        )

    def observe(self, record: CallRecord) -> None:
        """Count one call that has just been answered."""
        labels = (_function_label(record, self._functions), code_label(record), fault_label(record))
        series = self._series.get(labels)
        if series is None:
            series = self._series[labels] = (
                self.calls.labels(*labels),
                self.duration.labels(labels[0]),
            )
        series[0].inc()
        series[1].observe(record.duration_ms / 1000)

    def exposition(self, accept: str, journal_calls: int, tenants: int) -> tuple[bytes, str]:
        """The text a scrape gets, in the format its Accept header asks for, and its type."""
        self.journal_calls.set(journal_calls)
        self.tenants.set(tenants)
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


def _function_label(record: CallRecord, simulated: Collection[str]) -> str:
    if record.function in simulated:
        return record.function
    if record.stub is not None:
        return STUBBED_FUNCTION
    return PROXIED_FUNCTION if record.proxied else UNKNOWN_FUNCTION


def code_label(record: CallRecord) -> str:
    """The envelope code; `http_503` for an answer without an envelope; `dropped` for none;
    `other` for a code of the switch behind --proxy-to that Enswitch does not document (its
    codes are the switch's to choose: one label for all keeps the series few)."""
    if record.code:
        if record.proxied and record.code not in ENSWITCH_CODES:
            return OTHER_CODE
        return record.code
    return f"http_{record.http_status}" if record.http_status else "dropped"


def fault_label(record: CallRecord) -> str:
    """The fault action that struck the call, `latency` for a delay alone, or `none`."""
    if record.fault is None:
        return NO_FAULT
    return record.fault.get("action") or "latency"
