"""Which tenant a request is for: named in the path (`/t/<name>/...`), else the default one.

A tenant is an isolated space: its own copy of the seeded data set, journal, dials, fault
rules, stubs and clock (mockswitch/tenancy). The first API call or change under a new name
creates it, unless a browser page of another site sent it (a 403: no page may fill the
tenants up); reads about a tenant that was never used are 404s, so a typo in a verification
does not pass silently.
"""

from __future__ import annotations

import re

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.tenancy import Tenant, TooManyTenants

from .crosssite import cross_site_creation
from .declare import (
    INTEGER,
    NO_TENANT,
    STATUS,
    STRING,
    Answer,
    ControlRoutes,
    object_of,
    ok,
)
from .keys import SETTINGS, TENANTS

DEFAULT = "default"
VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", re.ASCII)
NAME_RULE = "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"

routes = ControlRoutes("server")
TENANT_SIZES = routes.schema(
    "Tenants",
    object_of(
        {
            "tenants": {
                "type": "object",
                "additionalProperties": object_of(
                    {
                        "campaigns": INTEGER,
                        "destinations": INTEGER,
                        "calls": INTEGER,
                        "created_at": STRING,
                    }
                ),
            }
        },
        "tenants",
    ),
)


def tenant_name(request: web.Request) -> str:
    name = request.match_info.get("tenant", DEFAULT)
    if not VALID_NAME.fullmatch(name):
        raise ControlError(400, f"{name!r} is not a tenant name: {NAME_RULE}", field="tenant")
    return name


def existing_tenant(request: web.Request) -> Tenant:
    """The request's tenant; a read about a tenant that was never used is a 404."""
    name = tenant_name(request)
    tenant = request.app[TENANTS].find(name)
    if tenant is None:
        raise ControlError(404, f"no tenant called {name!r}", field="tenant")
    return tenant


async def tenant_for_change(request: web.Request) -> Tenant:
    """The request's tenant, created from the seed if this is its first use."""
    return await tenant_named(request.app, request, tenant_name(request))


async def tenant_named(app: web.Application, request: web.BaseRequest, name: str) -> Tenant:
    """The tenant called `name` (a valid name), created from the seed on its first use,
    unless a browser page of another site asks (403) or it would be one too many (429).
    (`app` is given: a request of the direct lane was never routed, so has none.)"""
    tenants = app[TENANTS]
    tenant = tenants.find(name)
    if tenant is not None:
        return tenant
    refused = cross_site_creation(request, app[SETTINGS].cors_origins)
    if refused is not None:
        raise refused
    try:
        return await tenants.get(name)
    except TooManyTenants as error:
        raise ControlError(429, str(error), field="tenant") from None


@routes.get(
    "/_mock/tenants",
    "Every tenant with its size",
    ok("The tenants.", TENANT_SIZES),
    scope="plain",
    head=True,
)
async def list_tenants(request: web.Request) -> web.Response:
    return web.json_response({"tenants": await request.app[TENANTS].sizes()})


@routes.delete(
    "/_mock",
    "Drop a tenant: its data, journal, dials, fault rules, stubs and clock",
    ok("Dropped.", STATUS),
    Answer(400, "A bad name, or the default tenant (reset it instead)."),
    NO_TENANT,
    scope="tenant",
)
async def drop_tenant(request: web.Request) -> web.Response:
    """`DELETE /t/<name>/_mock`: the tenant and all it holds are gone, at one instant."""
    tenant = existing_tenant(request)
    if tenant.name == DEFAULT:
        raise ControlError(
            400, "the default tenant cannot be dropped; reset it instead", field="tenant"
        )
    if not await request.app[TENANTS].drop(tenant):  # another drop got there first
        raise ControlError(404, f"no tenant called {tenant.name!r}", field="tenant")
    return web.json_response({"status": "dropped", "tenant": tenant.name})
