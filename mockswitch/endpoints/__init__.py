"""The Enswitch functions mockswitch serves: one module each, mapped here by name."""

from __future__ import annotations

from importlib import import_module

from .function import Call, Function, Handled, authenticate, execute, refused

# The functions served, one module each, named once: each module ends with its FUNCTION.
MODULES = (
    "bulk_campaigns_create",
    "bulk_campaigns_delete",
    "bulk_campaigns_get",
    "bulk_campaigns_list",
    "bulk_campaigns_update",
    "bulk_destinations_create",
    "bulk_destinations_delete",
    "bulk_destinations_list",
    "bulk_destinations_update",
)
FUNCTIONS: dict[str, Function] = {
    function.name: function
    for function in (import_module(f"{__name__}.{name}").FUNCTION for name in MODULES)
}

__all__ = ["FUNCTIONS", "Call", "Function", "Handled", "authenticate", "execute", "refused"]
