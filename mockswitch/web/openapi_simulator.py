"""The simulator's control routes as data, for the OpenAPI document (`openapi_control.py`
includes them): the clock, the outcome rules and the dials. Declared like the others, with
`openapi_control`'s classes, so that one generator can take over both."""

from __future__ import annotations

from typing import Any

from mockswitch.config import Settings
from mockswitch.simulator import MAX_ADVANCE_SECONDS, MAX_SPEED, OUTCOMES
from mockswitch.simulator.outcomes import DEFAULT_WEIGHTS

# openapi_control imports this module inside its functions, so this import is not a cycle.
from .openapi_control import BAD, NO_TENANT, TOO_MANY, Answer, Operation, Query, json_answer, ref

Schema = dict[str, Any]

_TIME = {"type": "string", "description": "UTC, ISO 8601, e.g. 2026-12-07T10:00:00Z."}
_NULLABLE_TIME = {"type": ["string", "null"], "description": "UTC, ISO 8601; null if not yet."}
_OUTCOME = {"type": "string", "enum": list(OUTCOMES)}
_DEFAULT_MIX = ", ".join(f"{name} {weight:g}" for name, weight in DEFAULT_WEIGHTS.items())


def operations(settings: Settings) -> list[Operation]:
    """The simulator's operations, as `openapi_control.operations` lists them."""
    conflict = Answer("The clock cannot move so: backwards, or advancing a real clock.")
    clock = json_answer("The clock.", ref("Clock"))
    return [
        Operation(
            "GET",
            "/_mock/clock",
            "The tenant's clock: its time, mode and speed",
            "simulator",
            {"200": clock, "404": NO_TENANT},
        ),
        Operation(
            "PUT",
            "/_mock/clock",
            "Set the clock's mode, time (forward only, running what falls due) and speed",
            "simulator",
            {"200": clock, "400": BAD, "409": conflict, "429": TOO_MANY},
            body=ref("ClockInput"),
            example={"mode": "virtual", "now": "2026-12-07T10:00:00Z"},
        ),
        Operation(
            "POST",
            "/_mock/clock/advance",
            "Move a virtual clock forward; answers once every attempt due on the way has run",
            "simulator",
            {"200": clock, "400": BAD, "409": conflict, "429": TOO_MANY},
            body=ref("Advance"),
            example={"seconds": 30},
        ),
        Operation(
            "GET",
            "/_mock/outcomes",
            "The dialler's outcome rules and seed",
            "simulator",
            {"200": json_answer("The rules.", ref("Outcomes")), "404": NO_TENANT},
        ),
        Operation(
            "PUT",
            "/_mock/outcomes",
            "Replace the outcome rules and seed",
            "simulator",
            {
                "200": json_answer("The rules.", ref("Outcomes")),
                "400": BAD,
                "429": TOO_MANY,
            },
            description="The first rule whose `dnumber` matches (exactly, or a prefix ending "
            f"in `*`) gives the outcome; a number no rule matches gets {_DEFAULT_MIX}.",
            body=ref("Outcomes"),
            example={
                "rules": [
                    {"dnumber": "44200*", "outcome": "busy"},
                    {"dnumber": "*", "weights": {"answer": 0.6, "noanswer": 0.4}},
                ],
                "seed": 7,
            },
        ),
        Operation(
            "GET",
            "/_mock/dials",
            "The dialler's attempts, oldest first",
            "simulator",
            {
                "200": json_answer("One page of dials.", ref("DialPage")),
                "400": BAD,
                "404": NO_TENANT,
            },
            query=(
                Query("campaign", {"type": "integer", "minimum": 0}, "Only this campaign's."),
                Query("dnumber", {"type": "string"}, "Only attempts to this number."),
                Query(
                    "limit",
                    {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": settings.calls_page_max,
                        "default": settings.calls_page_max,
                    },
                    "At most this many (`calls_page_max` is the largest).",
                ),
                Query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip this many."),
            ),
        ),
    ]


def schemas() -> dict[str, Schema]:
    rule = {
        "type": "object",
        "properties": {
            "dnumber": {
                "type": "string",
                "pattern": r"^\+?[0-9]*\*?$",
                "minLength": 1,
                "description": "A number, or a prefix ending in *; * alone matches all.",
            },
            "outcome": _OUTCOME,
            "weights": {
                "type": "object",
                "properties": {name: {"type": "number", "minimum": 0} for name in OUTCOMES},
                "additionalProperties": False,
                "minProperties": 1,
            },
        },
        "required": ["dnumber"],
        "oneOf": [{"required": ["outcome"]}, {"required": ["weights"]}],
        "additionalProperties": False,
    }
    return {
        "Clock": {
            "type": "object",
            "properties": {
                "now": _TIME,
                "mode": {"type": "string", "enum": ["virtual", "real"]},
                "speed": {"type": "number"},
            },
            "required": ["now", "mode", "speed"],
        },
        "ClockInput": {
            "type": "object",
            "properties": {
                "mode": {"type": "string", "enum": ["virtual", "real"]},
                "now": {"type": "string", "format": "date-time"},
                "speed": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SPEED},
            },
            "additionalProperties": False,
        },
        "Advance": {
            "type": "object",
            "properties": {
                "seconds": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS}
            },
            "required": ["seconds"],
            "additionalProperties": False,
        },
        "OutcomeRule": rule,
        "Outcomes": {
            "type": "object",
            "properties": {
                "rules": {"type": "array", "items": {"$ref": "#/components/schemas/OutcomeRule"}},
                "seed": {"type": "integer", "minimum": 0, "default": 0},
            },
            "required": ["rules"],
            "additionalProperties": False,
        },
        "Dial": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "campaign": {"type": "integer"},
                "dnumber": {"type": "string"},
                "attempt": {"type": "integer", "description": "1 for the first attempt."},
                "started": _TIME,
                "answered": _NULLABLE_TIME,
                "ended": _NULLABLE_TIME,
                "outcome": {"type": ["string", "null"], "enum": [*OUTCOMES, None]},
                "result": {
                    "type": ["string", "null"],
                    "enum": ["retry", "success", "failed", None],
                },
            },
            "required": [
                "id",
                "campaign",
                "dnumber",
                "attempt",
                "started",
                "answered",
                "ended",
                "outcome",
                "result",
            ],
        },
        "DialPage": {
            "type": "object",
            "properties": {
                "dials": {"type": "array", "items": {"$ref": "#/components/schemas/Dial"}},
                "total": {"type": "integer"},
                "evicted": {"type": "integer"},
            },
            "required": ["dials", "total", "evicted"],
        },
    }
