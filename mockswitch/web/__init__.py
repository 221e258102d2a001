"""The only aiohttp code: the app factory, the Enswitch handler, the control API."""

from .app import create_app

__all__ = ["create_app"]
