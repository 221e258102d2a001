"""The Enswitch versions mockswitch imitates, oldest first (the `api_version` setting).

A parameter added in a later version (`Param.since`) is unknown to a server imitating an
older one, as the real switch of that version would not know it.
"""

from __future__ import annotations

API_VERSIONS = ("3.13", "4.2", "4.4")
Version = tuple[int, int]


def parse_version(text: str) -> Version:
    """The version written "4.2" as (4, 2)."""
    major, minor = text.split(".")
    return int(major), int(minor)


def version_text(version: Version) -> str:
    """The version (4, 2) written as "4.2"."""
    return ".".join(str(part) for part in version)


OLDEST: Version = parse_version(API_VERSIONS[0])
