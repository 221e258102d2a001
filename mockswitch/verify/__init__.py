"""`mockswitch verify`: check mockswitch against a real switch, with calls that change nothing.

No aiohttp here: the calls go through http.client (`client.py`), and the mock side is a
mockswitch in a thread of this process (`mockswitch.testing.ServerThread`).
"""

from .run import Options, verify

__all__ = ["Options", "verify"]
