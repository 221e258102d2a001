"""What a failed expectation about the journal says: the near misses, and where the calls
went instead (pytest-httpserver's `assert_request_made`, with the differences spelled out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NEAR_MISSES_SHOWN = 10


class CallAssertionError(AssertionError):
    """A verification of the journal failed; the message shows what was recorded instead."""


def as_sent(value: Any) -> str:
    """A value as the journal keeps it: parameters are the strings that were sent."""
    return str(value)


def describe_expectation(function: str, times: int | None, params: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{k}={as_sent(v)!r}" for k, v in params.items())
    call = f"{function}({shown})"
    if times is None:
        return f"expected {call} to be called at least once"
    return f"expected {call} to be called {times} time{'s' if times != 1 else ''}"


def elsewhere_report(
    tenant: str, api_url: str, total: int, shown: list[dict], function: str | None
) -> str:
    """Lines saying that this test's tenant got no call but the default tenant did."""
    what = f"{total} call{'s' if total != 1 else ''}" + (f" of {function}" if function else "")
    lines = [
        f"No call reached this test's tenant {tenant!r}, but the server's default tenant got "
        f"{what}; the latest:"
    ]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {params_text(c)}" for c in shown]
    lines.append(
        "The code under test was probably given the server's root URL (mockswitch_url). Give "
        f"it this test's API URL instead: mockswitch_api_url (mockswitch.api_url), {api_url}"
    )
    return "\n".join(lines)


def near_miss_report(
    function: str,
    params: Mapping[str, Any],
    same_function: list[dict],
    latest: list[dict],
    elsewhere: str = "",
) -> str:
    """Lines listing the calls closest to what was expected, and how each differs; for an
    empty journal, `elsewhere` says where the calls went instead, if known."""
    wanted = {k: as_sent(v) for k, v in params.items()}
    if same_function:
        lines = [f"Near misses ({function} with other parameters):"]
        for call in same_function[:NEAR_MISSES_SHOWN]:
            differences = [
                f"{name}: {call['params'].get(name, '<missing>')!r} != {value!r}"
                for name, value in wanted.items()
                if call["params"].get(name) != value
            ]
            lines.append(f"  #{call['id']} {call['code']} {params_text(call)}")
            if differences:
                lines.append(f"      differs: {'; '.join(differences)}")
            if call["unknown"]:
                lines.append(f"      unknown parameters: {', '.join(call['unknown'])}")
        return "\n".join(lines)
    if not latest:
        return elsewhere or "The journal is empty: no call reached mockswitch."
    lines = [f"No call of {function} at all. The latest calls were:"]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {params_text(c)}" for c in latest]
    return "\n".join(lines)


def waited(
    found: dict[str, Any], matching: Mapping[str, str], timeout: float, elsewhere: str = ""
) -> list[dict]:
    """The calls a long poll found; raises, listing what did arrive, if it timed out.

    `matching` holds only the filters: `count` and `timeout` are said in words.
    """
    if not found["timed_out"]:
        return found["calls"]
    wanted, arrived = found["wanted"], found["count"]
    shown = ", ".join(f"{name}={value!r}" for name, value in matching.items()) or "any call"
    lines = [
        f"waited {timeout:g}s for {wanted} call{'s' if wanted != 1 else ''} matching {shown}, "
        f"but {arrived or 'none'} arrived{':' if found['calls'] else '.'}"
    ]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {params_text(c)}" for c in found["calls"]]
    if elsewhere:
        lines.append(elsewhere)
    raise CallAssertionError("\n".join(lines))


def called_as_expected(matching: list[dict], times: int | None) -> bool:
    return len(matching) >= 1 if times is None else len(matching) == times


def not_called_as_expected(
    function: str,
    times: int | None,
    params: Mapping[str, Any],
    matching: list[dict],
    same_function: list[dict],
    latest: list[dict],
    elsewhere: str = "",
) -> CallAssertionError:
    plural = "s" if len(matching) != 1 else ""
    misses = [c for c in same_function if c not in matching]
    lines = [
        f"{describe_expectation(function, times, params)}, but it was called "
        f"{len(matching)} time{plural}."
    ]
    if matching:  # called, but not the expected number of times: show those calls
        lines.append("Matching calls:")
        lines += [f"  #{c['id']} {c['code']} {params_text(c)}" for c in matching]
    if misses or not matching:
        lines.append(near_miss_report(function, params, misses, latest, elsewhere))
    return CallAssertionError("\n".join(lines))


def params_text(call: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in call["params"].items() if not k.startswith("auth_"))
