"""What every command of the command line shares: exit codes and the argument parser."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from geosite.errors import GeositeError, OutputError, ScenarioError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EXIT_DATA",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "Parser",
    "Subparsers",
    "Terminated",
    "add_map_delivery",
    "exit_code",
    "refuse_contradictions",
    "report_problems",
]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that every cleanup runs as for Ctrl-C."""


if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]  # noqa: SLF001
else:
    Subparsers = argparse._SubParsersAction  # noqa: SLF001 - argparse exposes no public name


class Parser(argparse.ArgumentParser):
    """An argument parser that exits with :data:`EXIT_USAGE` on bad arguments.

    Options that ask for opposite things are refused while parsing, before any work: pairs
    that can never go together in an argparse mutually exclusive group, pairs where one
    option only contradicts some values of the other with :meth:`refuse_together`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._contradictions: list[tuple[str, str, tuple[str, ...], str, tuple[str, ...]]] = []

    def refuse_together(
        self,
        first: str,
        second: str,
        *,
        unless: tuple[str, ...] = (),
        why: str = "",
        unless_given: tuple[str, ...] = (),
    ) -> None:
        """Refuse ``first`` given with ``second`` (an option's name, e.g. ``"--basemap"``).

        Parameters
        ----------
        first, second
            Option strings already added to this parser; an option counts as given when
            its value differs from its default.
        unless
            Values of ``second`` that agree with ``first``.
        why
            What ``first`` means, said in the message.
        unless_given
            Options that, when given too, make the pair agree (``--no-score`` writes no
            map unless ``--surface-map`` asks for one).
        """
        self._contradictions.append((first, second, unless, why, unless_given))

    def _given(self, args: argparse.Namespace, option: str) -> Any:
        action = self._option_string_actions[option]
        value = getattr(args, action.dest, action.default)
        return None if value == action.default else value

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, then refuse options that contradict each other."""
        parsed, rest = super().parse_known_args(args, namespace)
        for first, second, unless, why, unless_given in self._contradictions:
            value = self._given(parsed, second)
            if self._given(parsed, first) is None or value is None or value in unless:
                continue
            if any(self._given(parsed, option) is not None for option in unless_given):
                continue
            shown = second if isinstance(value, bool) else f"{second} {value}"
            because = f" ({first} {why})" if why else ""
            self.error(f"{first} contradicts {shown}{because}; give one of them")
        return parsed, rest

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and the problem, then exit with code 2."""
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def exit_code(err: GeositeError) -> int:
    """Return the exit code of an error: 2 invalid scenario, 3 outputs, 1 unusable data."""
    if isinstance(err, ScenarioError):
        return EXIT_USAGE
    if isinstance(err, OutputError):
        return EXIT_OUTPUT
    return EXIT_DATA


def report_problems(source: str, problems: Sequence[GeositeError]) -> int:
    """Print what a preflight found wrong with a scenario; return the exit code.

    ``validate`` and ``run`` both print through here, so a planner sees the same lines
    (and gets the same exit code) from either.
    """
    count = len(problems)
    print(f"geosite: {source}: {count} data problem{'s' if count != 1 else ''}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return max(exit_code(problem) for problem in problems)


def add_map_delivery(parser: argparse.ArgumentParser, *, file: str = "map.html") -> None:
    """Add ``--offline`` and ``--cdn``: how the map reaches its reader (one or the other)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--offline",
        action="store_true",
        help=(
            f"also leave the background tiles out of {file}: it then makes no network "
            "request (the map's libraries are embedded by default)"
        ),
    )
    group.add_argument(
        "--cdn",
        action="store_true",
        help=(
            "link the map's libraries (Leaflet) from their CDNs instead of embedding them: "
            "a file about 300 kB smaller that needs internet to show anything"
        ),
    )


def refuse_contradictions(parser: argparse.ArgumentParser) -> None:
    """Refuse, on a command's parser, the options that ask for opposite things.

    Options that shape a map, with ``--no-map``; background tiles (``--basemap``), with
    ``--offline``; weight draws (``--draws``, ``--seed``), with ``--no-sensitivity``. Call it
    after the command's options are added: it looks for the ones the command has.
    """
    if not isinstance(parser, Parser):  # pragma: no cover - every command parser is one
        return
    options = parser._option_string_actions  # noqa: SLF001 - argparse has no public name
    if "--no-map" in options:
        for option in ("--offline", "--cdn", "--basemap", "--no-what-if", "--layout"):
            if option in options:
                parser.refuse_together("--no-map", option, why="writes no map")
    if "--offline" in options and "--basemap" in options:
        parser.refuse_together(
            "--offline", "--basemap", unless=("none",), why="leaves the background tiles out"
        )
    if "--no-sensitivity" in options:
        for option in ("--draws", "--seed"):
            if option in options:
                parser.refuse_together("--no-sensitivity", option, why="draws no weights")
