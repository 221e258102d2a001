"""The dialler's cost: a tenant with 100,000 pending destinations in 10 enabled campaigns.

`python bench/dialler.py FOLDER` writes such a fixtures folder (the default data set, every
campaign disabled, plus 10 enabled campaigns of 10,000 pending destinations each); the
benchmark (`python -m bench --scenarios g`) seeds a server from it and times
`POST /_mock/clock/advance {"seconds": 3600}`, and the update load with those campaigns
running on a real clock.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

CAMPAIGNS = 10
PER_CAMPAIGN = 10_000
FIRST_ID = 9001


def write_fixtures(
    folder: Path, campaigns: int = CAMPAIGNS, per_campaign: int = PER_CAMPAIGN
) -> Path:
    """The default fixtures, all their campaigns disabled, plus the dialler's campaigns."""
    from mockswitch.config import Settings

    source = Settings().fixtures_path()
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.json"):
        shutil.copy(path, folder / path.name)
    rows = json.loads((folder / "campaigns.json").read_text())
    for row in rows:
        row["enabled"] = 0
    for n in range(campaigns):
        rows.append(
            {
                "id": FIRST_ID + n,
                "customer": 10,
                "name": f"Dialler bench {n + 1}",
                "dtype": "",
                "dnumber": "2125550100",
                "enabled": 1,
                "attempts": 3,
                "maximum": 10,
                "retry": 300,
                "machine": "failed",
                "success": "answer",
                "timegroup": 0,
                "destinations": [
                    {"dnumber": f"1{n:02d}{d:07d}", "status": "pending"}
                    for d in range(per_campaign)
                ],
            }
        )
    (folder / "campaigns.json").write_text(json.dumps(rows))
    return folder


if __name__ == "__main__":
    print(write_fixtures(Path(sys.argv[1])))
