"""The dialler beside concurrent API changes: many rounds of advances racing with updates,
creates and deletes of the destinations and campaign it is dialling."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import defaultdict

from tests.helpers import call
from tests.simulation import MONDAY_9, at, control, dials, peak_in_progress

NUMBERS = [f"21255540{n:02d}" for n in range(40)]


async def _changes(client, rng: random.Random) -> None:
    """One random API change to campaign 123 or its destinations; never an internal error."""
    choice = rng.randrange(6)
    some = ",".join(rng.sample(NUMBERS, 5))
    if choice == 0:
        answer = await call(client, "bulk/destinations/create", campaign=123, dnumbers=some)
    elif choice == 1:
        status = rng.choice(["pending", "success", "cancelled"])
        answer = await call(
            client, "bulk/destinations/update", campaign=123, dnumbers=some, status=status
        )
    elif choice == 2:
        answer = await call(
            client, "bulk/destinations/delete", campaign=123, dnumber=rng.choice(NUMBERS)
        )
    elif choice == 3:
        answer = await call(client, "bulk/campaigns/update", id=123, enabled=rng.choice([0, 1]))
    elif choice == 4:
        answer = await call(client, "bulk/campaigns/update", id=123, maximum=rng.choice([1, 3, 6]))
    else:
        answer = await call(
            client, "bulk/destinations/update", campaign=123, all=1, status="pending"
        )
    assert answer[1]["responses"][0]["code"] in ("200", "204", "404"), answer


async def test_advances_racing_with_changes_keep_every_invariant(serve):
    client = await serve(clock_start=MONDAY_9)
    await control(
        client,
        "PUT",
        "/_mock/outcomes",
        {"rules": [{"dnumber": "*", "weights": {"answer": 1, "busy": 2, "noanswer": 1}}]},
    )
    await call(client, "bulk/destinations/create", campaign=123, dnumbers=",".join(NUMBERS))
    await call(client, "bulk/campaigns/update", id=123, enabled=1, timegroup=0, maximum=6, retry=5)
    rng = random.Random(5)
    for _ in range(40):
        moves = [
            control(client, "POST", "/_mock/clock/advance", {"seconds": rng.choice([1, 7, 30])})
        ]
        await asyncio.gather(*moves, *(_changes(client, rng) for _ in range(4)))
    await call(client, "bulk/campaigns/update", id=123, enabled=0)
    await control(client, "POST", "/_mock/clock/advance", {"seconds": 3600})

    found = await dials(client, campaign=123)
    assert len(found) > 100
    assert all(d["ended"] is not None for d in found)  # nothing left hanging
    assert peak_in_progress(found) <= 6
    by_number = defaultdict(list)
    for dial in found:
        by_number[dial["dnumber"]].append(dial)
    for dnumber, attempts in by_number.items():
        # One destination is never dialled twice at once, and an attempt ends after it starts.
        spans = sorted((at(d["started"]), at(d["ended"])) for d in attempts)
        for (start, end), (next_start, _) in itertools.pairwise(spans):
            assert start <= end <= next_start, (dnumber, attempts)
    # And the server still answers.
    assert (await control(client, "GET", "/_mock/health"))["status"] == "ok"
