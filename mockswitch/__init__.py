"""mockswitch: an offline simulator of an Enswitch telephone switch's JSON API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mockswitch")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
