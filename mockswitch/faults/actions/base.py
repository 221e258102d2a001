"""What every fault action is: a tiny class that may replace the answer and may deliver it
in its own broken way. The web layer supplies the `Exchange` it acts on.

A kind names itself in its class line, `class HangFault(DropAction, type="hang",
label="Hung up")`, says what it does in its docstring (the OpenAPI summary) and declares
its document: `fields` (each parses and describes itself) and `required`. Parsing and the
OpenAPI schema are both read from them, so a new kind is its own module plus one line in
`actions/__init__.py`'s registry.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, ClassVar, Protocol

from mockswitch.enswitch.envelope import NO_REPLY, Reply

from ..spec import Field, RuleError, Schema, fields_of, text


class Exchange(Protocol):
    """The connection a faulted call is answered on (implemented by the web layer)."""

    async def respond(self, reply: Reply) -> None: ...

    async def respond_slowly(self, reply: Reply, seconds: float, chunks: int) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...

    async def hang(self, seconds: float) -> None:
        """Return when the client has gone, or after `seconds`."""
        ...


@dataclass(frozen=True, slots=True)
class Action:
    """The default behaviour: keep the switch's own answer and send it normally."""

    type: ClassVar[str]
    label: ClassVar[str] = ""  # a few words for people (the dashboard); else the type
    # The document's fields besides `type`; a field's default is the dataclass field's.
    fields: ClassVar[dict[str, Field]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    # Whether the call is handled (and may change data) before the fault strikes.
    processed: bool = False

    def __init_subclass__(cls, type: str | None = None, label: str = "") -> None:
        # No super(): a slots dataclass is made again as a new class, and calls this again
        # without the class line's words, which must then keep what the first call set.
        if type is not None:
            cls.type, cls.label = type, label or type

    @classmethod
    def summary(cls) -> str:
        """The kind's docstring, in one line: what it does."""
        return " ".join((cls.__doc__ or cls.type).split())

    @classmethod
    def parse(cls, document: Any, where: str) -> Action:
        """The action from its JSON form; a RuleError names the culprit field."""
        found = fields_of(document, where, {"type": text, **cls.fields})
        found.pop("type", None)
        for name in cls.required:
            if name not in found:
                raise RuleError(f"{where}.{name}", "is required")
        return cls(**found).completed(found, where)

    def completed(self, given: dict[str, Any], where: str) -> Action:
        """The action once `given` (the parsed fields) is seen whole: a hook to refuse
        combinations of fields that are each good alone, or to fill in derived defaults."""
        return self

    @classmethod
    def schema(cls) -> Schema:
        """The JSON schema of the action's document, read from its `fields`."""
        defaults = {f.name: f.default for f in dataclass_fields(cls) if f.default is not MISSING}
        properties: Schema = {"type": {"const": cls.type}}
        for name, field in cls.fields.items():
            properties[name] = field.schema()
            if name in defaults and name not in cls.required:
                properties[name].setdefault("default", defaults[name])
        return {
            "title": cls.type,
            "description": cls.summary(),
            "type": "object",
            "properties": properties,
            "required": ["type", *cls.required],
            "additionalProperties": False,
        }

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        """What the client is meant to receive (and the journal records)."""
        return handled if handled is not None else NO_REPLY

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.respond(reply)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}
