"""The command line: `mockswitch serve | seed | calls | verify`, and the container's healthcheck."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
