"""Typed keys for what the application keeps."""

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.switch import Switch
from mockswitch.tenancy import Tenants

SETTINGS = web.AppKey("settings", Settings)
SWITCH = web.AppKey("switch", Switch)
TENANTS = web.AppKey("tenants", Tenants)
