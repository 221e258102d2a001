"""Which tenant a request is for: named in the path (`/t/<name>/...`), else the default one.

A tenant is an isolated copy of the seeded data set with its own journal view and fault
rules. The first API call or change under a new name creates it; reads about a tenant that
was never used are 404s, so a typo in a verification does not pass silently.
"""

from __future__ import annotations

import re

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.store import Tenant
from mockswitch.switch import Switch

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
from .keys import SIMULATOR, SWITCH

DEFAULT = "default"
VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", re.ASCII)
NAME_RULE = "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"

routes = ControlRoutes("server")
TENANTS = routes.schema(
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
    tenant = request.app[SWITCH].store.find(name)
    if tenant is None:
        raise ControlError(404, f"no tenant called {name!r}", field="tenant")
    return tenant


async def tenant_for_change(request: web.Request) -> Tenant:
    """The request's tenant, created from the seed if this is its first use."""
    return await tenant_named(request.app[SWITCH], tenant_name(request))


async def tenant_named(switch: Switch, name: str) -> Tenant:
    """The tenant called `name` (a valid name), created from the seed on its first use."""
    # Counted with those being made, and store.tenant() lists this one before it awaits
    # anything: two first calls racing cannot make one tenant too many.
    if switch.store.find(name) is None and switch.store.count() >= switch.settings.max_tenants:
        raise ControlError(
            429,
            f"there are already {switch.settings.max_tenants} tenants (max_tenants): drop some "
            "with DELETE /t/<name>/_mock",
            field="tenant",
        )
    return await switch.store.tenant(name)


@routes.get(
    "/_mock/tenants",
    "Every tenant with its size",
    ok("The tenants.", TENANTS),
    scope="plain",
    head=True,
)
async def list_tenants(request: web.Request) -> web.Response:
    return web.json_response({"tenants": await request.app[SWITCH].store.sizes()})


@routes.delete(
    "/_mock",
    "Drop a tenant: its data, journal and fault rules",
    ok("Dropped.", STATUS),
    Answer(400, "A bad name, or the default tenant (reset it instead)."),
    NO_TENANT,
    scope="tenant",
)
async def drop_tenant(request: web.Request) -> web.Response:
    """`DELETE /t/<name>/_mock`: the tenant, its data, journal and fault rules are gone."""
    tenant = existing_tenant(request)
    if tenant.name == DEFAULT:
        raise ControlError(
            400, "the default tenant cannot be dropped; reset it instead", field="tenant"
        )
    if not await request.app[SWITCH].store.drop(tenant):  # another drop got there first
        raise ControlError(404, f"no tenant called {tenant.name!r}", field="tenant")
    back_to_start(request.app, tenant)
    return web.json_response({"status": "dropped", "tenant": tenant.name})


def back_to_start(app: web.Application, tenant: Tenant) -> None:
    """What a tenant keeps outside the store, back to what it had at start (after a reset)
    or gone (after a drop): its fault rules, its stubs, its clock and dialler."""
    switch = app[SWITCH]
    switch.reset_faults(tenant)
    switch.beyond.reset(tenant.name)
    app[SIMULATOR].reset(tenant.name)
