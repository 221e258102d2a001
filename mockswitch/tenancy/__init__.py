"""Tenants: each one isolated space of the mock, held as one object, and the one registry
that makes, counts, resets and drops them (docs/architecture.md, "Tenants")."""

from .registry import Start, Tenants, TooManyTenants
from .tenant import Generation, GenerationEnded, Tenant

__all__ = ["Generation", "GenerationEnded", "Start", "Tenant", "Tenants", "TooManyTenants"]
