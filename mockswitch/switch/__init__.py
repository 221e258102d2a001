"""The path of one API call (`switch`) and what the switch reports of it (`metrics`, `calllog`)."""

from .switch import ApiRequest, Switch

__all__ = ["ApiRequest", "Switch"]
