"""A new fault action kind is one module plus one registry line: nothing else to touch.

The kind below is written to its own file (as a contributor would write
`faults/actions/teapot.py`) and registered with one line in `KINDS`; the control API then
accepts it, the switch acts on it, and the OpenAPI document describes it, fields and all.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from mockswitch.faults.actions import KINDS

TEAPOT = '''
"""`teapot`: answer HTTP 418 with a short body."""

from dataclasses import dataclass
from typing import ClassVar

from mockswitch.enswitch.envelope import Reply
from mockswitch.faults.actions.base import Action
from mockswitch.faults.spec import Field, Integer, Text


@dataclass(frozen=True, slots=True)
class TeapotFault(Action, type="teapot"):
    """Answer HTTP 418 instead of handling the call."""

    fields: ClassVar[dict[str, Field]] = {
        "spout": Text(description="What the pot says."),
        "cups": Integer(1, 12),
    }
    required: ClassVar[tuple[str, ...]] = ("spout",)
    spout: str = ""
    cups: int = 2

    def answer(self, handled, http_mode):
        body = f"{self.spout} x{self.cups}".encode()
        return Reply(418, body, "", "", "text/plain; charset=utf-8")
'''


@pytest.fixture
def teapot(tmp_path, monkeypatch):
    """The kind's module, imported from its own file, and its one registry line."""
    path = tmp_path / "teapot.py"
    path.write_text(textwrap.dedent(TEAPOT))
    spec = importlib.util.spec_from_file_location("teapot_fault", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "teapot_fault", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    monkeypatch.setitem(KINDS, "teapot", module.TeapotFault)  # the registry line
    return module.TeapotFault


async def test_a_new_kind_is_accepted_used_and_described(serve, teapot):
    client = await serve()
    rule = {
        "match": {"function": "bulk/campaigns/get"},
        "action": {"type": "teapot", "spout": "hi"},
    }
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201
    added = await response.json()
    assert added["action"] == {"type": "teapot", "processed": False, "spout": "hi", "cups": 2}

    # Its own fields are checked, with the path of the culprit.
    bad = await client.post(
        "/_mock/faults", json={"action": {"type": "teapot", "spout": "hi", "cups": 13}}
    )
    assert bad.status == 400
    assert await bad.json() == {
        "error": {"status": 400, "message": "must be at most 12", "field": "action.cups"}
    }
    missing = await client.post("/_mock/faults", json={"action": {"type": "teapot"}})
    assert await missing.json() == {
        "error": {"status": 400, "message": "is required", "field": "action.spout"}
    }

    # The switch acts on it.
    answer = await client.get("/api/json/bulk/campaigns/get/", params={"id": "123"})
    assert (answer.status, await answer.text()) == (418, "hi x2")

    document = await (await client.get("/_mock/openapi.json")).json()
    kinds = {kind["title"]: kind for kind in document["components"]["schemas"]["Action"]["oneOf"]}
    assert kinds["teapot"] == {
        "title": "teapot",
        "description": "Answer HTTP 418 instead of handling the call.",
        "type": "object",
        "properties": {
            "type": {"const": "teapot"},
            "spout": {"type": "string", "description": "What the pot says."},
            "cups": {"type": "integer", "minimum": 1, "maximum": 12, "default": 2},
        },
        "required": ["type", "spout"],
        "additionalProperties": False,
    }
    shown = document["components"]["schemas"]["FaultRule"]["properties"]["action"]
    assert "teapot" in shown["properties"]["type"]["enum"]

    # The dashboard labels it by its type, as the kind names no label of its own.
    listed = await (await client.get("/_mock/data/functions")).json()
    assert listed["fault_kinds"]["teapot"] == "teapot"


async def test_without_its_registry_line_the_kind_is_refused(serve):
    client = await serve()
    response = await client.post("/_mock/faults", json={"action": {"type": "teapot"}})
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "action.type"
