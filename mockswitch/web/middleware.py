"""Render control-API errors as JSON, and never let a traceback reach a client."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockswitch.enswitch.envelope import error_body
from mockswitch.errors import ControlError, internal_error
from mockswitch.switch.calllog import loggable

from .keys import SETTINGS

log = logging.getLogger("mockswitch.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def control_error(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    """The control API's one error answer: `{"error": {"status", "message", "field"}}`."""
    return web.json_response(
        ControlError(status, message, field).as_json(), status=status, headers=headers
    )


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as error:
        return control_error(error.status, error.message, error.field)
    except web.HTTPRequestEntityTooLarge as error:
        if "/_mock/" not in request.path:
            raise
        limit = request.app[SETTINGS].max_request_bytes  # the app's client_max_size
        return control_error(
            error.status,
            f"the body is larger than the limit of {limit} bytes (max_request_bytes)",
            "body",
        )
    except web.HTTPException as error:
        if error.empty_body or "/_mock/" not in request.path:
            raise
        return control_error(error.status, error.reason)
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
        return control_error(500, "internal error")
