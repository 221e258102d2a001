"""argparse, with usage errors that help: an unknown flag, command or choice gets "did you
mean ...?", under the usage of the command it was given to (`mockswitch serve`), not the top
level's. As for every usage error: the usage, one line of error, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from mockswitch.nearest import nearest


class Parser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors suggest the nearest flag, command or choice; its
    subcommands' parsers are made of the same class."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        argv = list(sys.argv[1:] if args is None else args)
        self._refuse_unknown_flags(argv)
        parsed, extras = self.parse_known_args(argv, namespace)
        if extras:
            # argparse hands a command's unknown flags up to the top level, which would print
            # its own usage: the command's parser refuses them instead.
            command = self._command(parsed) or self
            command.error(command.unrecognized(extras))
        return parsed

    def unrecognized(self, extras: Sequence[str]) -> str:
        """The error for arguments no flag of this parser takes, with the nearest flag."""
        message = f"unrecognized argument{'s' if len(extras) > 1 else ''}: {' '.join(extras)}"
        flag = next((word.partition("=")[0] for word in extras if word.startswith("-")), None)
        near = nearest(flag, self._option_string_actions) if flag else None
        return f"{message} (did you mean {near}?)" if near else message

    def _refuse_unknown_flags(self, argv: list[str]) -> None:
        """An unknown `--flag` after a command is refused first: argparse would complain of
        a missing required flag before it (verify's `--swich` for `--switch`)."""
        commands = self._commands()
        at = next((n for n, word in enumerate(argv) if word in commands), None)
        if at is None:
            return
        command = commands[argv[at]]
        for word in argv[at + 1 :]:
            if word == "--":
                return
            flag = word.partition("=")[0]
            if flag.startswith("--") and not any(
                known.startswith(flag) for known in command._option_string_actions
            ):
                command.error(command.unrecognized([word]))

    def _commands(self) -> dict[str, Parser]:
        """The commands' parsers by name; none for a parser without commands."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return {name: p for name, p in action.choices.items() if isinstance(p, Parser)}
        return {}

    def _command(self, parsed: argparse.Namespace) -> Parser | None:
        """The parser of the command given, if any."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                name = getattr(parsed, action.dest, None)
                return self._commands().get(name) if isinstance(name, str) else None
        return None

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is not None and isinstance(value, str) and value not in choices:
            near = nearest(value, [str(choice) for choice in choices])
            if near is not None:
                listed = ", ".join(map(repr, choices))
                raise argparse.ArgumentError(
                    action,
                    f"invalid choice: {value!r} (did you mean {near!r}? choose from {listed})",
                )
        super()._check_value(action, value)
