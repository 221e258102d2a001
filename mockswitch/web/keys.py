"""Typed keys for what the application keeps."""

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.simulator import Simulator
from mockswitch.switch import Switch

SETTINGS = web.AppKey("settings", Settings)
SWITCH = web.AppKey("switch", Switch)
SIMULATOR = web.AppKey("simulator", Simulator)
