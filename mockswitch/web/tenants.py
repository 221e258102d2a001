"""Which tenant a request is for: the default one on the plain paths."""

from __future__ import annotations

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.store import Tenant

from .keys import SWITCH

DEFAULT = "default"


def tenant_name(request: web.Request) -> str:
    return request.match_info.get("tenant", DEFAULT)


def existing_tenant(request: web.Request) -> Tenant:
    """The request's tenant; a read about a tenant that was never used is a 404."""
    name = tenant_name(request)
    tenant = request.app[SWITCH].store.find(name)
    if tenant is None:
        raise ControlError(404, f"no tenant called {name!r}", field="tenant")
    return tenant


async def tenant_for_change(request: web.Request) -> Tenant:
    """The request's tenant, created from the seed if this is its first use."""
    return await request.app[SWITCH].store.tenant(tenant_name(request))
