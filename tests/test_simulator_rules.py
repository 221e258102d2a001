"""The simulator's pure rules: clock, opening times, outcome rules, what an outcome means."""

from __future__ import annotations

import pytest

from mockswitch.simulator import (
    Clock,
    ClockError,
    ClockSpec,
    OpeningError,
    OpeningHours,
    OutcomeError,
    OutcomeRules,
    format_ms,
    parse_time,
)
from mockswitch.simulator.rules import FAILED, RETRY, SUCCESS, free_slots, result_of

MONDAY_9 = parse_time("2026-12-07T09:00:00Z")  # 7 December 2026 is a Monday


def test_times_read_and_written_as_iso_8601_utc():
    assert format_ms(MONDAY_9) == "2026-12-07T09:00:00Z"
    assert format_ms(MONDAY_9 + 1500) == "2026-12-07T09:00:01.500Z"
    assert parse_time("2026-12-07T10:00:00+01:00") == MONDAY_9
    assert parse_time("2026-12-07T09:00:00") == MONDAY_9  # no offset: UTC
    for bad in ("yesterday", "", "2026-13-01T00:00:00Z", 5, None):
        with pytest.raises(ClockError) as raised:
            parse_time(bad)
        assert raised.value.field == "now"


def test_a_virtual_clock_stands_still_and_a_real_one_runs_at_its_speed():
    wall = [100.0]
    virtual = Clock(ClockSpec("virtual", 1.0, MONDAY_9), monotonic=lambda: wall[0])
    real = Clock(ClockSpec("real", 60.0, MONDAY_9), monotonic=lambda: wall[0])
    wall[0] += 2.5
    assert virtual.now() == MONDAY_9
    assert real.now() == MONDAY_9 + 150_000  # 2.5 s of wall time at 60x
    real.set(mode="virtual")
    wall[0] += 10
    assert real.now() == MONDAY_9 + 150_000
    assert real.as_json() == {"now": "2026-12-07T09:02:30Z", "mode": "virtual", "speed": 60.0}


BUSINESS = OpeningHours.parse(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00", "UTC")


def test_opening_hours_open_on_their_days_between_start_and_end():
    assert BUSINESS.is_open(MONDAY_9)
    assert not BUSINESS.is_open(MONDAY_9 - 1)
    assert not BUSINESS.is_open(parse_time("2026-12-07T17:00:00Z"))
    saturday = parse_time("2026-12-12T10:00:00Z")
    assert not BUSINESS.is_open(saturday)
    assert BUSINESS.next_opening(saturday) == parse_time("2026-12-14T09:00:00Z")
    assert BUSINESS.next_opening(MONDAY_9 + 5) == MONDAY_9 + 5  # open: now
    friday_evening = parse_time("2026-12-11T17:00:00Z")
    assert BUSINESS.next_opening(friday_evening) == parse_time("2026-12-14T09:00:00Z")


def test_opening_hours_follow_their_time_zone():
    london = OpeningHours.parse(["mon"], "09:00", "17:00", "Europe/London")
    new_york = OpeningHours.parse(["mon"], "09:00", "17:00", "America/New_York")
    assert london.is_open(MONDAY_9)  # December: London is on UTC
    assert not new_york.is_open(MONDAY_9)
    assert new_york.next_opening(MONDAY_9) == parse_time("2026-12-07T14:00:00Z")
    summer = parse_time("2026-07-06T08:30:00Z")  # a Monday, 09:30 in London (BST)
    assert london.is_open(summer)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ((["monday"], "09:00", "17:00", "UTC"), "days"),
        (("mon", "09:00", "17:00", "UTC"), "days"),
        ((["mon", "mon"], "09:00", "17:00", "UTC"), "days"),
        ((["mon"], "9:00", "17:00", "UTC"), "start"),
        ((["mon"], "09:00", "24:01", "UTC"), "end"),
        ((["mon"], "17:00", "09:00", "UTC"), "end"),
        ((["mon"], "09:00", "17:00", "Mars/Olympus"), "timezone"),
    ],
)
def test_bad_opening_hours_name_the_field(fields, field):
    with pytest.raises(OpeningError) as raised:
        OpeningHours.parse(*fields)
    assert raised.value.field == field


def test_the_first_matching_rule_gives_the_outcome():
    rules = OutcomeRules.from_json(
        {
            "rules": [
                {"dnumber": "44200*", "outcome": "busy"},
                {"dnumber": "2125550111", "outcome": "key"},
                {"dnumber": "*", "weights": {"noanswer": 1}},
            ],
            "seed": 7,
        }
    )
    assert rules.draw(1, "442001234", 1).outcome == "busy"
    assert rules.draw(1, "2125550111", 1).outcome == "key"
    assert rules.draw(1, "21255501110", 1).outcome == "noanswer"  # exact means exact
    assert rules.as_json()["seed"] == 7


def test_draws_repeat_for_the_same_seed_and_differ_between_seeds():
    weights = {"rules": [{"dnumber": "*", "weights": {"answer": 1, "busy": 1, "machine": 1}}]}
    first = OutcomeRules.from_json({**weights, "seed": 1})
    again = OutcomeRules.from_json({**weights, "seed": 1})
    other = OutcomeRules.from_json({**weights, "seed": 2})
    numbers = [f"21255501{n:02d}" for n in range(40)]
    draws = [first.draw(5, n, 1) for n in numbers]
    assert draws == [again.draw(5, n, 1) for n in numbers]
    assert draws != [other.draw(5, n, 1) for n in numbers]
    assert {d.outcome for d in draws} == {"answer", "busy", "machine"}
    for draw in draws:
        assert 1 <= draw.ring + draw.talk <= 60


def test_the_default_mix_gives_every_outcome_and_keeps_attempts_within_a_minute():
    rules = OutcomeRules()
    draws = [rules.draw(1, str(n), 1) for n in range(2000)]
    counts = {o: sum(d.outcome == o for d in draws) for o in {d.outcome for d in draws}}
    assert set(counts) == {"answer", "key", "machine", "busy", "noanswer", "failed"}
    assert 800 <= counts["answer"] <= 1000  # 45%
    assert all(1 <= d.ring + d.talk <= 60 for d in draws)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": [{"dnumber": "1*", "outcome": "hangup"}]}, "rules[0].outcome"),
        ({"rules": [{"dnumber": "1*", "weights": {"answer": 0}}]}, "rules[0].weights"),
        (
            {"rules": [{"dnumber": "1*", "weights": {"answer": -1, "busy": 1}}]},
            "rules[0].weights.answer",
        ),
        ({"rules": [{"dnumber": "1*", "weights": {"ring": 1}}]}, "rules[0].weights.ring"),
        ({"rules": [{"dnumber": "1*", "weights": {}}]}, "rules[0].weights"),
        ({"rules": [{"dnumber": "1*2", "outcome": "busy"}]}, "rules[0].dnumber"),
        ({"rules": [{"dnumber": "**", "outcome": "busy"}]}, "rules[0].dnumber"),
        ({"rules": [{"dnumber": "", "outcome": "busy"}]}, "rules[0].dnumber"),
        ({"rules": [{"dnumber": 44, "outcome": "busy"}]}, "rules[0].dnumber"),
        ({"rules": [{"dnumber": "1", "outcome": "busy", "weights": {"busy": 1}}]}, "rules[0]"),
        ({"rules": [{"dnumber": "1"}]}, "rules[0]"),
        ({"rules": [{"dnumber": "1", "outcome": "busy", "odds": 1}]}, "rules[0].odds"),
        ({"rules": ["busy"]}, "rules[0]"),
        ({"rules": {}}, "rules"),
        ({}, "rules"),
        ({"rules": [], "seed": -1}, "seed"),
        ({"rules": [], "seed": "7"}, "seed"),
        ({"rules": [], "extra": 1}, "extra"),
        ([], "body"),
    ],
)
def test_bad_outcome_rules_name_the_field(document, field):
    with pytest.raises(OutcomeError) as raised:
        OutcomeRules.from_json(document)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("outcome", "machine", "success", "attempt", "attempts", "result"),
    [
        ("answer", "failed", "answer", 1, 3, SUCCESS),
        ("key", "failed", "answer", 1, 3, SUCCESS),
        ("answer", "failed", "key", 1, 3, RETRY),  # success=key: an answer is not enough
        ("answer", "failed", "key", 3, 3, FAILED),
        ("key", "failed", "key", 1, 3, SUCCESS),
        ("machine", "failed", "answer", 1, 3, FAILED),  # at once, attempts left or not
        ("machine", "success", "answer", 1, 3, SUCCESS),
        ("machine", "retry", "answer", 1, 3, RETRY),
        ("machine", "retry", "answer", 3, 3, FAILED),
        ("machine", "", "answer", 1, 3, SUCCESS),  # detection off: an answer
        ("machine", "", "key", 1, 1, FAILED),
        ("busy", "failed", "answer", 1, 2, RETRY),
        ("busy", "failed", "answer", 2, 2, FAILED),
        ("noanswer", "failed", "answer", 1, 1, FAILED),
        ("failed", "failed", "answer", 1, 2, RETRY),
    ],
)
def test_what_an_outcome_does_to_its_destination(
    outcome, machine, success, attempt, attempts, result
):
    assert result_of(outcome, machine, success, attempt, attempts) == result


def test_how_many_attempts_may_start():
    assert free_slots(maximum=2, in_progress=0, agent_rule=False) == 2
    assert free_slots(maximum=2, in_progress=2, agent_rule=False) == 0
    # 4 agents, keep 2 available: fewer than 2 in progress while nobody talks.
    assert free_slots(10, 0, True, agents=4, busy_agents=0, keep_available=2) == 2
    assert free_slots(10, 1, True, agents=4, busy_agents=1, keep_available=2) == 0
    # keep -2: another starts while fewer than 4 + 2 are in progress: 6 calls for 4 agents.
    assert free_slots(10, 0, True, agents=4, busy_agents=0, keep_available=-2) == 6
    assert free_slots(3, 0, True, agents=4, busy_agents=0, keep_available=-2) == 3
