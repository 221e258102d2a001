"""`GET /_mock/openapi.json`: an OpenAPI 3.1 document of every route this server answers.

Generated, never written by hand: each Enswitch function's operations come from its
parameter table (`mockswitch.endpoints.FUNCTIONS`: names, kinds, required, defaults,
descriptions, the version that added each), the control API from each control route's
declaration (`declare.py`, turned into operations by `openapi_control.py`). Both follow
the settings: the Enswitch version imitated, the HTTP status mode, the `prefix` mount, page
and wait limits, whether metrics are on.

Tenants are spelled out: every route a tenant has appears twice, as the plain path (the
default tenant) and as `/t/{tenant}/...`. HEAD is answered wherever GET is, as HTTP says,
and not listed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from aiohttp import web

from mockswitch import __version__
from mockswitch.config import Settings
from mockswitch.endpoints import FUNCTIONS, Function
from mockswitch.enswitch.codes import CODES
from mockswitch.enswitch.params import (
    AUTH_PASSWORD,
    AUTH_USERNAME,
    CURRENT,
    INT64_MAX,
    INT64_MIN,
    Choice,
    CommaList,
    Flag,
    Integer,
    Kind,
    Param,
    Text,
)
from mockswitch.enswitch.versions import OLDEST, version_text

from . import calls, clock, control, dials, events, faults, metrics, stubs, tenants, ui
from .declare import JSON, TOO_MANY, ControlRoutes, Schema, ok, ref
from .exchange import CALL_ID_HEADER
from .keys import SWITCH, TENANTS
from .openapi_control import (
    BAD_TENANT,
    CROSS_SITE_CREATION,
    TENANT_PREFIX,
    control_paths,
    control_schemas,
    security_schemes,
)
from .tenants import DEFAULT, VALID_NAME

routes = ControlRoutes("server")
# Every control route table, in the order the application adds them (aiohttp matches in
# that order): the app mounts them and the document describes them, from the same list.
CONTROL: tuple[ControlRoutes, ...] = (
    control.routes,
    calls.routes,
    faults.routes,
    stubs.routes,
    clock.routes,
    dials.routes,
    events.routes,
    ui.routes,
    tenants.routes,
    metrics.routes,
    routes,
)

FORM = "application/x-www-form-urlencoded"

OK = ("200", "204")  # the envelope codes that are HTTP 200 even when mirrored


def build_document(
    settings: Settings,
    choices: Mapping[str, Collection[str]] | None = None,
    functions: Mapping[str, Function] = FUNCTIONS,
    stubbed: Collection[str] = (),
) -> dict[str, Any]:
    """The OpenAPI document for a server run with `settings`.

    `choices` gives the values of each `one_of` set (the data set's destination types);
    without them such a parameter is a plain string. `stubbed` names the functions that
    stubs answer (the default tenant's): each is listed with the stubs' generic shape.
    """
    components: dict[str, Any] = {
        "schemas": {**_envelope_schemas(), **control_schemas(CONTROL)},
        "parameters": {"tenant": _TENANT_PARAMETER, **_AUTH_PARAMETERS},
        "responses": _envelope_responses(settings),
        "headers": {
            "CallId": {
                "description": "The call's id in the journal (`GET /_mock/calls/{id}`).",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        },
    }
    if settings.admin_token:
        components["securitySchemes"] = security_schemes()
    paths: dict[str, dict[str, Any]] = {}
    mounts = ("", settings.prefix) if settings.prefix else ("",)
    for function in functions.values():
        # The parameters and the form body once, in components; each path refers to them.
        shared = _function_components(function, settings, choices or {}, components)
        for mount in mounts:
            for scope in ("", TENANT_PREFIX):
                path = f"{mount}{scope}/api/json/{function.name}/"
                paths[path] = _function_item(function, shared, settings, mount, scope)
    for name in stubbed:
        for mount in mounts:
            for scope in ("", TENANT_PREFIX):
                paths[f"{mount}{scope}/api/json/{name}/"] = _stub_item(name, mount, scope)
    for path, item in control_paths(settings, CONTROL).items():
        paths.setdefault(path, {}).update(item)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockswitch",
            "version": __version__,
            "summary": "An offline simulator of an Enswitch telephone switch's JSON API",
            "description": _INFO.format(api_version=settings.api_version),
        },
        "tags": [
            {"name": "enswitch", "description": "The Enswitch JSON API, as the switch answers it."},
            {"name": "journal", "description": "Every call mockswitch answered, to verify."},
            {"name": "faults", "description": "Rules that make calls fail or slow down."},
            {"name": "stubs", "description": "Canned answers for functions not simulated."},
            {"name": "server", "description": "Health, reset, tenants, metrics, this document."},
            {
                "name": "simulator",
                "description": "The bulk dialler's clock, outcome rules and attempts "
                "(docs/simulator.md).",
            },
            {"name": "dashboard", "description": "The page at /_mock/ui and what it reads."},
        ],
        "paths": paths,
        "components": components,
    }


_INFO = """\
mockswitch answers the Enswitch JSON API (imitating Enswitch {api_version}) and a control
API under `/_mock/` for tests: the call journal, fault rules, reset and tenants.

**Envelopes.** Every Enswitch answer is `{{"responses": [{{"code", "key", "message"}}]}}`,
with `data` after it for code 200. Codes: 200 data, 201 validated, 204 done, 400 bad
parameters (one entry each), 401 authentication, 402 role, 403 rate plan, 404 no such object
or function, 413 too large, 500 internal error. As the real switch, the HTTP status is 200
for all of them unless the server runs with `http_status = mirror`. Fault rules can make any
call answer otherwise (another envelope, another HTTP status, a reset connection).

**Tenants.** The plain paths are the default tenant; `/t/{{tenant}}/...` is a tenant of that
name, an isolated copy of the data set with its own journal and fault rules, created by its
first call or change.
"""

_TENANT_PARAMETER = {
    "name": "tenant",
    "in": "path",
    "required": True,
    "description": "A tenant's name; its first call or change creates it.",
    "schema": {"type": "string", "pattern": f"^{VALID_NAME.pattern}$"},
    "example": "acme",
}


# -- the Enswitch functions ------------------------------------------------------------------


def _component(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


_AUTH_PARAMETERS = {
    name: {
        "name": name,
        "in": "query",
        "description": description,
        "required": True,
        "schema": {"type": "string"},
    }
    for name, description in ((AUTH_USERNAME, "Your username."), (AUTH_PASSWORD, "Your password."))
}


def _function_components(
    function: Function,
    settings: Settings,
    choices: Mapping[str, Collection[str]],
    components: dict[str, Any],
) -> dict[str, Any]:
    """Put the function's query parameters and form body in `components`; refer to them."""
    prefix = re.sub(r"\W+", "_", function.name)
    parameters = [_component("parameters", name) for name in _AUTH_PARAMETERS]
    properties = {name: p["schema"] for name, p in _AUTH_PARAMETERS.items()}
    required = list(_AUTH_PARAMETERS)
    encoding = {}
    for param in function.parameters:
        parameter = _parameter(param, settings, choices)
        components["parameters"][f"{prefix}.{param.name}"] = parameter
        parameters.append(_component("parameters", f"{prefix}.{param.name}"))
        properties[param.name] = parameter["schema"]
        if param.required:
            required.append(param.name)
        if parameter["schema"].get("type") == "array":
            encoding[param.name] = {"style": "form", "explode": False}
    components["schemas"][f"{prefix}.form"] = {
        "type": "object",
        "properties": properties,
        "required": required,
    }
    form: dict[str, Any] = {"schema": ref(f"{prefix}.form")}
    if encoding:
        form["encoding"] = encoding
    return {"parameters": parameters, "form": form}


def _function_item(
    function: Function,
    shared: dict[str, Any],
    settings: Settings,
    mount: str,
    scope: str,
) -> dict[str, Any]:
    codes = function.answers
    feature = f" and the rate-plan feature `{function.feature}`" if function.feature else ""
    description = "\n\n".join(
        (
            function.summary,
            f"**Data** (code 200): {function.data_description}",
            "**Codes**:\n" + "\n".join(f"- {code}: {CODES[code].meaning}" for code in codes),
            f"Needs the role privilege `{function.privilege}`{feature}. Parameters the "
            "function does not know are ignored, as the real switch ignores them, and listed "
            "in the journal's `unknown`.",
        )
    )
    if settings.http_status == "mirror":
        responses = {"200": _component("responses", "EnvelopeSuccess")}
        # Mirrored, a 201 (validated) is an HTTP 201; 200 and 204 are both HTTP 200.
        responses |= {c: _component("responses", f"Envelope{c}") for c in codes if c not in OK}
    else:
        responses = {"200": _component("responses", "Envelope")}
    if scope:  # the tenant's name is checked, and a new tenant counted, before the switch
        responses["400"] = _component(
            "responses", "Envelope400OrBadTenant" if "400" in responses else "BadTenant"
        )
        responses["429"] = _component("responses", "TooManyTenants")
        cross_site = "Envelope403OrCrossSiteTenant" if "403" in responses else "CrossSiteTenant"
        responses["403"] = _component("responses", cross_site)
    where = re.sub(r"\W+", "_", f"{mount}{scope}".replace("{tenant}", "")).strip("_")
    slug = re.sub(r"\W+", "_", f"{where}_{function.name}" if where else function.name)
    common = {
        "tags": ["enswitch"],
        "summary": function.summary,
        "description": description,
        "responses": responses,
    }
    item: dict[str, Any] = {
        "get": {**common, "operationId": f"get_{slug}", "parameters": shared["parameters"]},
        "post": {
            **common,
            "operationId": f"post_{slug}",
            "requestBody": {
                "required": True,
                "description": "The same parameters as a form body (`&` or `;` between them).",
                "content": {FORM: shared["form"]},
            },
        },
    }
    if scope:
        item["parameters"] = [_component("parameters", "tenant")]
    return item


def _stub_item(name: str, mount: str, scope: str) -> dict[str, Any]:
    """A stubbed function: its parameters are whatever the caller sends."""
    where = re.sub(r"\W+", "_", f"{mount}{scope}".replace("{tenant}", "")).strip("_")
    slug = re.sub(r"\W+", "_", f"{where}_{name}" if where else name)
    common = {
        "tags": ["enswitch", "stubs"],
        "summary": f"{name} (stubbed)",
        "description": "Answered by a stub (`GET /_mock/stubs`): authentication as for any "
        "function (401), then the first stub whose match selects the call, else the stub "
        "without match, else 404 (or the real switch, with `proxy_to`).",
        "responses": {"200": _component("responses", "Envelope")},
    }
    auth = [_component("parameters", n) for n in _AUTH_PARAMETERS]
    item: dict[str, Any] = {
        "get": {**common, "operationId": f"get_{slug}", "parameters": auth},
        "post": {
            **common,
            "operationId": f"post_{slug}",
            "requestBody": {
                "required": True,
                "description": "The parameters as a form body (`&` or `;` between them).",
                "content": {FORM: {"schema": {"type": "object"}}},
            },
        },
    }
    if scope:
        item["parameters"] = [_component("parameters", "tenant")]
    return item


def _parameter(
    param: Param,
    settings: Settings,
    choices: Mapping[str, Collection[str]],
) -> dict[str, Any]:
    schema = kind_schema(param.kind)
    notes = [param.description]
    if param.one_of is not None:
        values = sorted(choices.get(param.one_of, ()))
        if values:
            schema = {"type": "string", "enum": values}
        notes.append(f"One of the data set's {param.one_of}.")
    if param.default is not CURRENT:
        schema["default"] = param.default
    if param.since > OLDEST:
        notes.append(f"Added in Enswitch {version_text(param.since)}.")
        if param.since > settings.api_version_tuple:
            notes.append(f"This server imitates Enswitch {settings.api_version} and ignores it.")
    parameter = {
        "name": param.name,
        "in": "query",
        "description": " ".join(notes),
        "required": param.required,
        "schema": schema,
        "x-enswitch-since": version_text(param.since),
    }
    if schema.get("type") == "array":
        parameter |= {"style": "form", "explode": False}
    return parameter


def kind_schema(kind: Kind) -> Schema:
    """The JSON schema of a parameter kind; unknown kinds are strings described in words."""
    if isinstance(kind, Flag):
        return {"type": "integer", "enum": [0, 1]}
    if isinstance(kind, Integer):
        schema: Schema = {"type": "integer", "format": "int64"}
        if kind.minimum != INT64_MIN:
            schema["minimum"] = kind.minimum
        if kind.maximum != INT64_MAX:
            schema["maximum"] = kind.maximum
        return schema
    if isinstance(kind, Choice):
        return {"type": "string", "enum": list(kind.choices)}
    if isinstance(kind, Text):
        schema = {"type": "string", "maxLength": kind.max_length}
        if kind.non_empty:
            schema["minLength"] = 1
        if kind.pattern is not None:
            schema["pattern"] = f"^(?:{kind.pattern.pattern})$"
        return schema
    if isinstance(kind, CommaList):
        return {
            "type": "array",
            "minItems": 1,
            "items": kind_schema(kind.item),
            "description": f"Comma-separated, each {kind.item.describe()}.",
        }
    return {"type": "string", "description": kind.describe()}


def _envelope_responses(settings: Settings) -> dict[str, Any]:
    """The Enswitch answers, as `components.responses`, for the HTTP status mode."""

    def answer(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": {CALL_ID_HEADER: _component("headers", "CallId")},
            "content": {JSON: {"schema": ref("Envelope")}},
        }

    tenants = {
        "BadTenant": {"description": BAD_TENANT, "content": {JSON: {"schema": ref("Error")}}},
        "TooManyTenants": {
            "description": TOO_MANY.description,
            "content": {JSON: {"schema": ref("Error")}},
        },
        "CrossSiteTenant": {
            "description": CROSS_SITE_CREATION.description,
            "content": {JSON: {"schema": ref("Error")}},
        },
    }
    if settings.http_status != "mirror":
        return {
            "Envelope": answer("Every outcome, as the real switch: the envelope's code says."),
            **tenants,
        }
    mirrored = {"EnvelopeSuccess": answer("Success: envelope code 200 or 204.")}
    for code, known in CODES.items():
        if code not in OK:
            mirrored[f"Envelope{code}"] = answer(known.meaning)
    either = {"oneOf": [ref("Envelope"), ref("Error")]}
    mirrored["Envelope400OrBadTenant"] = {
        "description": f"{CODES['400'].meaning} Or, as JSON `Error`: {BAD_TENANT}",
        "content": {JSON: {"schema": either}},
    }
    mirrored["Envelope403OrCrossSiteTenant"] = {
        "description": f"{CODES['403'].meaning} Or, as JSON `Error`: "
        f"{CROSS_SITE_CREATION.description}",
        "content": {JSON: {"schema": either}},
    }
    return mirrored | tenants


def _envelope_schemas() -> dict[str, Schema]:
    meanings = "\n".join(f"- {code}: {known.meaning}" for code, known in CODES.items())
    return {
        "Envelope": {
            "type": "object",
            "description": "Every Enswitch answer. `data` is there only with code 200.",
            "properties": {
                "responses": {"type": "array", "minItems": 1, "items": ref("EnvelopeEntry")},
                "data": {"description": "The function's result (see the function)."},
            },
            "required": ["responses"],
            "additionalProperties": False,
        },
        "EnvelopeEntry": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "pattern": "^[0-9]{3}$",
                    "description": "Three digits:\n" + meanings,
                    "examples": list(CODES),
                },
                "key": {"type": "string", "description": "The parameter a 400 is about."},
                "message": {"type": "string"},
            },
            "required": ["code", "key", "message"],
            "additionalProperties": False,
        },
    }


@routes.get(
    "/_mock/openapi.json",
    "This document",
    ok("An OpenAPI 3.1 document.", {"type": "object"}),
    scope="plain",
    head=True,
)
async def openapi_document(request: web.Request) -> web.Response:
    switch = request.app[SWITCH]
    tenant = request.app[TENANTS].find(DEFAULT)
    choices = {}
    stubbed: list[str] = []
    if tenant is not None:
        choices["dtypes"] = list((await tenant.data.directory()).dtypes)
        stubbed = tenant.stubs.functions()
    return web.json_response(build_document(switch.settings, choices, stubbed=stubbed))
