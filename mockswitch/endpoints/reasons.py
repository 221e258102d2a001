"""Why a call was refused, in words for the journal's `warnings` and the log line.

The client still gets the switch's own answer, byte for byte (a bare 401, "No such
function."); these sentences are for the developer reading the journal, who would otherwise
have to guess which of several mistakes it was. They are made only for a refused call, so
the calls that succeed pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mockswitch.domain.directory import Directory
from mockswitch.enswitch.params import AUTH_PASSWORD, AUTH_USERNAME
from mockswitch.nearest import did_you_mean


def login_failure(directory: Directory, given: Mapping[str, str]) -> str:
    """Why `given`'s credentials authenticate no one: none sent, no such user (or one whose
    name differs only in case), or the wrong password."""
    username, password = given.get(AUTH_USERNAME), given.get(AUTH_PASSWORD)
    if username is None or password is None:
        absent = [name for name in (AUTH_USERNAME, AUTH_PASSWORD) if name not in given]
        return f"login failed: the call sent no {' and no '.join(absent)}"
    if not directory.has_username(username):
        other = directory.same_but_case(username)
        if other is not None:
            return (
                f"login failed: no user {username!r}; usernames are case-sensitive "
                f"(did you mean {other!r}?)"
            )
        return f"login failed: no user {username!r} in this tenant's data set"
    return f"login failed: wrong password for {username!r}"


def unknown_function(function: str, known: Iterable[str]) -> str:
    """Why `function` got "No such function.", with the nearest of the `known` functions
    (those served and those this tenant stubs)."""
    return f"no function `{function}` is served or stubbed here{did_you_mean(function, known)}"
