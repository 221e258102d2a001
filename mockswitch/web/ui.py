"""The dashboard: `GET /_mock/ui`, its files, and the read-only data it shows.

    GET /_mock/ui                  the page (opening it for a tenant starts that tenant)
    GET /_mock/ui/<file>           its script, style and icon, shipped in web/static/
    GET /_mock/data/campaigns      every customer with its campaigns, as the API shows them
    GET /_mock/data/functions      the Enswitch functions this server answers, and the
                                   fault action kinds' labels
    GET /_mock/data/dialler        the clock, and each campaign's progress

The page reads everything else through the control API (`calls`, `events`, `faults`,
`reset`) with URLs relative to its own, so `/t/<tenant>/_mock/ui` shows that tenant. It
needs no network beyond this server: no CDN, no web fonts, and a Content-Security-Policy
that lets the browser fetch from this origin only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from aiohttp import web

from mockswitch.domain.records import DESTINATION_STATUSES
from mockswitch.endpoints import FUNCTIONS
from mockswitch.endpoints.campaign_access import campaign_data
from mockswitch.errors import ControlError
from mockswitch.faults.actions import KINDS as ACTION_KINDS

from .clock import CLOCK
from .declare import (
    BAD,
    NO_TENANT,
    TOO_MANY,
    Answer,
    ControlRoutes,
    PathParameter,
    object_of,
    ok,
)
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change, tenant_name

routes = ControlRoutes("dashboard")
# A campaign's progress on the dashboard: its destinations by status, its attempts running.
PROGRESS = (*DESTINATION_STATUSES, "in_progress")

ASSETS = {
    "ui.js": "text/javascript",
    "ui.css": "text/css",
    "icon.svg": "image/svg+xml",
}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _static(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


@routes.get(
    "/_mock/ui",
    "The dashboard: calls live, campaigns, fault rules",
    Answer(200, "The page.", {"text/html": {"type": "string"}}),
    BAD,
    TOO_MANY,
)
async def page(request: web.Request) -> web.Response:
    """The dashboard page."""
    await tenant_for_change(request)  # a dashboard for a new tenant shows its seed data
    return web.Response(
        body=_static("ui.html"), content_type="text/html", charset="utf-8", headers=HEADERS
    )


@routes.get(
    "/_mock/ui/",
    "Redirects to the dashboard",
    Answer(308, "To the same path without the slash (the Location header).", {}),
)
async def page_with_slash(request: web.Request) -> web.Response:
    # The page's links are relative to `.../_mock/ui`, so it is served at that one path.
    # Returned, not raised: the control API's middleware turns raised errors into JSON.
    # The tenant's name is checked first: a name with a control character would otherwise
    # reach the Location header, which aiohttp refuses by dropping the connection.
    tenant_name(request)
    return web.Response(status=308, headers={"Location": request.path.rstrip("/")})


@routes.get(
    "/_mock/ui/{name}",
    "A file of the dashboard: its script, style or icon",
    Answer(
        200, "The file.", {media: {"type": "string"} for media in dict.fromkeys(ASSETS.values())}
    ),
    Answer(404, "No such file."),
    path_parameters={"name": PathParameter({"type": "string", "enum": list(ASSETS)}, "ui.js")},
)
async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise ControlError(404, f"no file {name!r} in the dashboard", field="name")
    content_type = ASSETS[name]
    charset = "utf-8" if content_type.startswith("text/") else None
    return web.Response(
        body=_static(name), content_type=content_type, charset=charset, headers=HEADERS
    )


@routes.get(
    "/_mock/data/campaigns",
    "Every customer of the tenant with its campaigns, as bulk/campaigns/get shows them",
    ok(
        "The customers.",
        object_of(
            {
                "tenant": {"type": "string"},
                "customers": {
                    "type": "array",
                    "items": object_of(
                        {
                            "id": {"type": "integer"},
                            "name": {"type": "string"},
                            "parent": {"type": ["integer", "null"]},
                            "campaigns": {"type": "array", "items": {"type": "object"}},
                        }
                    ),
                },
            }
        ),
    ),
    NO_TENANT,
)
async def campaigns(request: web.Request) -> web.Response:
    """Each customer (by id) with its campaigns, as bulk/campaigns/get shows them."""
    tenant = existing_tenant(request)
    store = request.app[SWITCH].store
    # Under the write lock: a change in progress is seen whole or not at all.
    async with store.lock:
        data = tenant.data
        directory = await data.directory()
        found = await data.campaigns.of_customers(list(directory.customers))
    by_customer: dict[int, list] = {}
    for campaign in found:
        by_customer.setdefault(campaign.customer, []).append(campaign_data(campaign))
    customers = [
        {
            "id": customer.id,
            "name": customer.name,
            "parent": customer.parent,
            "campaigns": by_customer.get(customer.id, []),
        }
        for customer in sorted(directory.customers.values(), key=lambda c: c.id)
    ]
    return web.json_response({"tenant": tenant.name, "customers": customers})


@routes.get(
    "/_mock/data/functions",
    "The Enswitch functions this server answers",
    ok(
        "The functions.",
        object_of(
            {
                "functions": {
                    "type": "array",
                    "items": object_of(
                        {
                            "name": {"type": "string"},
                            "summary": {"type": "string"},
                            "changes_data": {"type": "boolean"},
                        }
                    ),
                },
                "fault_kinds": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Each fault action kind's label, by its type.",
                },
            }
        ),
    ),
    NO_TENANT,
)
async def functions(request: web.Request) -> web.Response:
    """The functions served, for the page's fault form."""
    existing_tenant(request)
    return web.json_response(
        {
            "functions": [
                {"name": f.name, "summary": f.summary, "changes_data": f.changes_data}
                for f in sorted(FUNCTIONS.values(), key=lambda f: f.name)
            ],
            # The labels the page shows for fault actions: each kind declares its own.
            "fault_kinds": {kind.type: kind.label for kind in ACTION_KINDS.values()},
        }
    )


@routes.get(
    "/_mock/data/dialler",
    "The tenant's clock, and each campaign's destinations by status and attempts in progress",
    ok(
        "The clock and the campaigns' progress, by campaign id.",
        object_of(
            {
                "clock": CLOCK,
                "campaigns": {
                    "type": "object",
                    "additionalProperties": object_of(
                        {name: {"type": "integer"} for name in PROGRESS}
                    ),
                },
            }
        ),
    ),
    NO_TENANT,
)
async def dialler(request: web.Request) -> web.Response:
    """The tenant's clock, and per campaign its destinations by status and its attempts in
    progress (campaigns without destinations are left out)."""
    tenant = existing_tenant(request)
    simulation = tenant.simulation
    counts = await tenant.data.dials.progress()
    running = simulation.in_progress()
    campaigns = {
        str(campaign): {
            **{status: by_status.get(status, 0) for status in DESTINATION_STATUSES},
            "in_progress": running.get(campaign, 0),
        }
        for campaign, by_status in sorted(counts.items())
    }
    return web.json_response({"clock": simulation.clock.as_json(), "campaigns": campaigns})
