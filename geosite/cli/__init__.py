"""The ``geosite`` command line: a thin layer over the public API.

Each command lives in its own module of this package with a ``register(subparsers)`` function
that adds its parser and sets ``handler``; :data:`COMMANDS` lists them in the order ``--help``
shows them.

Exit codes: 0 success; 1 unusable data (a layer, a file, a road graph); 2 an invalid scenario
or command line; 3 outputs could not be written; 70 an internal error (a bug: please report
it with the output of ``--debug``); 130 interrupted (SIGINT); 143 terminated (SIGTERM).

A command that writes an output folder locks it for its whole duration, so a second command
into the same folder stops at once (exit 3) instead of after its computation.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from geosite._version import __version__
from geosite.cli._base import (
    EXIT_DATA,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Parser,
    Terminated,
    exit_code,
)
from geosite.errors import GeositeError
from geosite.progress import show_progress

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "EXIT_DATA",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "main",
]

#: Command modules of this package, in the order ``geosite --help`` lists them.
COMMANDS = (
    "run",
    "locate",
    "validate",
    "schema",
    "layers",
    "report",
    "compare",
    "diff",
    "sensitivity",
    "fetch_osm",
)


def _parser() -> Parser:
    parser = Parser(
        prog="geosite",
        description="Score candidate sites against a scenario and map the result.",
    )
    parser.add_argument("--version", action="version", version=f"geosite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"geosite.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    previous = _on_sigterm()
    try:
        with contextlib.ExitStack() as stack:
            if getattr(args, "writes_folder", False):
                from geosite.data.publish import output_lock  # noqa: PLC0415

                stack.enter_context(output_lock(args.out))
            # Progress bars only where someone watches, never with --quiet.
            stack.enter_context(show_progress(False if getattr(args, "quiet", False) else None))
            code: int = args.handler(args)
    except BrokenPipeError:
        # The reader of our output went away (`geosite run ... | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (Exception, KeyboardInterrupt, Terminated) as err:  # noqa: BLE001 - every failure gets a message and a code
        return _failure(err, debug=args.debug)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return code


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


def _failure(err: BaseException, *, debug: bool) -> int:
    """Say why the command stopped; return its exit code (re-raise bugs with ``debug``)."""
    # A signal can arrive inside code that wraps whatever it raises (class creation turns it
    # into "RuntimeError: Error calling __set_name__", a library into its own error): it is
    # still an interruption, never a bug nor a data error.
    interruption = _interruption(err)
    if isinstance(interruption, Terminated):
        print("geosite: terminated; previous outputs are unchanged", file=sys.stderr)
        return EXIT_TERMINATED
    if interruption is not None:
        print("geosite: interrupted; previous outputs are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(err, GeositeError):
        print(f"geosite: {err}", file=sys.stderr)
        for other in getattr(err, "__notes__", ()):  # further problems the preflight found
            print(f"geosite: {other}", file=sys.stderr)
        return exit_code(err)
    if debug:
        raise err
    print(
        f"geosite: internal error: {type(err).__name__}: {err}\n"
        "This is a bug in geosite; please report it with the output of `geosite --debug ...`.",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _interruption(err: BaseException) -> KeyboardInterrupt | Terminated | None:
    """Find the Ctrl-C or SIGTERM that ``err`` was raised from or while handling, if any."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _on_sigterm() -> signal.Handlers | Callable[..., object] | int | None:
    """Turn SIGTERM into :class:`Terminated`; return the handler it replaces (None if not)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminate)
