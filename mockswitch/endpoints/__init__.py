"""The Enswitch functions mockswitch serves: one module each, mapped here by name."""

from __future__ import annotations

from . import (
    bulk_campaigns_create,
    bulk_campaigns_delete,
    bulk_campaigns_get,
    bulk_campaigns_list,
    bulk_campaigns_update,
    bulk_destinations_create,
    bulk_destinations_delete,
    bulk_destinations_list,
    bulk_destinations_update,
)
from .function import Call, Executed, Function, authenticate, execute, refused

FUNCTIONS: dict[str, Function] = {
    module.FUNCTION.name: module.FUNCTION
    for module in (
        bulk_campaigns_create,
        bulk_campaigns_delete,
        bulk_campaigns_get,
        bulk_campaigns_list,
        bulk_campaigns_update,
        bulk_destinations_create,
        bulk_destinations_delete,
        bulk_destinations_list,
        bulk_destinations_update,
    )
}

__all__ = ["FUNCTIONS", "Call", "Executed", "Function", "authenticate", "execute", "refused"]
