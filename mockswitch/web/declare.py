"""Control routes declared once: each handler with what the OpenAPI document says about it.

    routes = ControlRoutes("faults")

    @routes.post("/_mock/faults", "Add a fault rule", ok("The rule.", RULE, status=201), BAD,
                 body=ref("FaultRuleInput"))
    async def add_rules(request): ...

The application mounts every declared route (`app.py`: on the plain path and, by `scope`,
under `/t/{tenant}`), and the OpenAPI document is generated from the same declarations
(`openapi_control.py`), so a route cannot be served without being described, or described
without being served. A table also declares the schemas its answers name (`schema`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partialmethod
from typing import Any, Literal

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.faults.spec import Schema, ref

JSON = "application/json"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# both: the plain path (the default tenant) and /t/{tenant}/...; plain: server-wide;
# tenant: only /t/{tenant}/...
Scope = Literal["both", "plain", "tenant"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP status of an operation: what it means and what its body is."""

    status: int
    description: str
    content: dict[str, Schema] = field(default_factory=lambda: {JSON: ref("Error")})


def ok(description: str, schema: Schema, status: int = 200) -> Answer:
    """A JSON answer (a success, unless `status` says otherwise)."""
    return Answer(status, description, {JSON: schema})


@dataclass(frozen=True, slots=True)
class Query:
    """One query parameter."""

    name: str
    schema: Schema
    description: str


@dataclass(frozen=True, slots=True)
class PathParameter:
    schema: Schema
    example: str


def _always(settings: Settings) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class ControlRoute:
    method: str
    path: str  # as the default tenant's path; the tenant copy is /t/{tenant} + path
    handler: Handler
    summary: str
    tag: str
    answers: tuple[Answer, ...]
    description: str = ""
    # The query parameters; a function of the settings where limits show in them.
    query: tuple[Query, ...] | Callable[[Settings], tuple[Query, ...]] = ()
    path_parameters: Mapping[str, PathParameter] = field(default_factory=dict)
    body: Schema | None = None  # a JSON request body
    example: Any = None  # of the body
    scope: Scope = "both"
    enabled: Callable[[Settings], bool] = _always  # whether a server with these settings has it
    # A GET that answers HEAD too (not listed: HTTP implies it). The server-wide reads do, as
    # they always have; the others answer HEAD with a 405, as they always have.
    head: bool = False

    def queries(self, settings: Settings) -> tuple[Query, ...]:
        return self.query(settings) if callable(self.query) else self.query


class ControlRoutes:
    """One module's control routes, in order (aiohttp matches in the order routes are added),
    and the schemas their answers name."""

    def __init__(self, tag: str) -> None:
        self.tag = tag  # the OpenAPI tag of the routes, unless one says otherwise
        self._schemas: dict[str, Schema] = {}
        self._sources: list[Callable[[], dict[str, Schema]]] = []
        self._routes: list[ControlRoute] = []

    def route(
        self, method: str, path: str, summary: str, *answers: Answer, **facts: Any
    ) -> Callable[[Handler], Handler]:
        """Register the decorated handler for `method path`, with its OpenAPI facts."""

        def register(handler: Handler) -> Handler:
            facts.setdefault("tag", self.tag)
            self._routes.append(
                ControlRoute(method, path, handler, summary, answers=answers, **facts)
            )
            return handler

        return register

    # routes.get(path, summary, *answers, **facts), and so on.
    get = partialmethod(route, "GET")
    post = partialmethod(route, "POST")
    put = partialmethod(route, "PUT")
    delete = partialmethod(route, "DELETE")

    def schema(self, name: str, schema: Schema) -> Schema:
        """Declare a component schema that this table's answers refer to by `ref(name)`."""
        self._schemas[name] = schema
        return ref(name)

    def schemas_from(self, source: Callable[[], dict[str, Schema]]) -> None:
        """Schemas read from elsewhere (the fault rule parsers) each time a document is made,
        so that a kind registered later is described too."""
        self._sources.append(source)

    def schemas(self) -> dict[str, Schema]:
        found = dict(self._schemas)
        for source in self._sources:
            found.update(source())
        return found

    def __iter__(self) -> Iterator[ControlRoute]:
        return iter(self._routes)


def object_of(properties: Mapping[str, Schema], *required: str) -> Schema:
    """An open JSON object (answers may grow fields) with these properties."""
    schema: Schema = {"type": "object", "properties": dict(properties)}
    if required:
        schema["required"] = list(required)
    return schema


INTEGER: Schema = {"type": "integer"}
STRING: Schema = {"type": "string"}
NUMBER: Schema = {"type": "number"}
# Answers that several routes share.
BAD = Answer(400, "A bad parameter or body; `error.field` names it.")
NO_TENANT = Answer(404, "No tenant by that name (reads never create one).")
TOO_MANY = Answer(429, "A new tenant would pass the `max_tenants` setting.")
# Component schemas that several tables' answers name.
SHARED_SCHEMAS: dict[str, Schema] = {
    "Error": object_of(
        {
            "error": object_of(
                {
                    "status": INTEGER,
                    "message": STRING,
                    "field": {"type": "string", "description": "The culprit parameter."},
                },
                "status",
                "message",
            )
        },
        "error",
    ),
    "Status": object_of({"status": STRING, "tenant": STRING}, "status"),
}
STATUS = ref("Status")
