"""Render control-API errors as JSON, and never let a traceback reach a client."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockswitch.calllog import loggable
from mockswitch.enswitch.envelope import error_body
from mockswitch.errors import ControlError, internal_error

from .keys import SETTINGS

log = logging.getLogger("mockswitch.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as error:
        return web.json_response(error.as_json(), status=error.status)
    except web.HTTPRequestEntityTooLarge as error:
        if "/_mock/" not in request.path:
            raise
        limit = request.app[SETTINGS].max_request_bytes  # the app's client_max_size
        return web.json_response(
            {
                "error": {
                    "status": error.status,
                    "message": f"the body is larger than the limit of {limit} bytes "
                    "(max_request_bytes)",
                    "field": "body",
                }
            },
            status=error.status,
        )
    except web.HTTPException as error:
        if error.empty_body or "/_mock/" not in request.path:
            raise
        return web.json_response(
            {"error": {"status": error.status, "message": error.reason}}, status=error.status
        )
    except ConnectionError:
        # The client reset the connection while its request was read: there is no one to
        # answer and nothing went wrong here, so no traceback either.
        log.debug("the client left during %s %s", request.method, loggable(request.path))
        return web.Response(status=400)
    except Exception:
        log.exception("unexpected error answering %s %s", request.method, loggable(request.path))
        if "/api/json/" in request.path:
            return web.Response(
                body=error_body(internal_error()), content_type="application/json", charset="utf-8"
            )
        return web.json_response(
            {"error": {"status": 500, "message": "internal error"}}, status=500
        )
