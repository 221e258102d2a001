"""The path of one API call (`switch`) and what the switch reports of it (`metrics`, `calllog`)."""

from .request import ApiRequest
from .switch import ApiReply, Switch

__all__ = ["ApiReply", "ApiRequest", "Switch"]
