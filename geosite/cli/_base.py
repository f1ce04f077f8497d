"""What every command of the command line shares: exit codes and the argument parser."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

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
    "exit_code",
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
    """An argument parser that exits with :data:`EXIT_USAGE` on bad arguments."""

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
