"""Progress bars for long work: measures, Monte Carlo draws, grid runs, report figures.

Bars are drawn by ``tqdm.auto`` (a text bar on a terminal, a widget in Jupyter) on standard
error, and only where someone is watching: by default when standard error is a terminal or
the code runs in a notebook, never in a log file, a pipe or a test run. Library code stays
silent on request:

>>> import geosite.progress
>>> with geosite.progress.show_progress(False):
...     pass  # nothing here draws a bar

The command line turns bars off with ``--quiet``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["ProgressBar", "progress_enabled", "show_progress", "track"]

T = TypeVar("T")

#: ``True``: always draw; ``False``: never; ``None``: when someone is watching.
_SHOW: ContextVar[bool | None] = ContextVar("geosite_progress", default=None)


@contextlib.contextmanager
def show_progress(enabled: bool | None = True) -> Iterator[None]:
    """Draw progress bars (``True``), never (``False``), or when watched (``None``) inside.

    Parameters
    ----------
    enabled
        ``None`` draws them when standard error is a terminal or in a notebook.
    """
    token = _SHOW.set(enabled)
    try:
        yield
    finally:
        _SHOW.reset(token)


def progress_enabled() -> bool:
    """Return whether a bar would be drawn here and now."""
    chosen = _SHOW.get()
    if chosen is not None:
        return chosen
    if "ipykernel" in sys.modules:
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


#: The terminal size assumed where the terminal does not say (columns, lines).
FALLBACK_SIZE = (80, 24)


def _bar_options() -> dict[str, Any]:
    """Return tqdm's options: standard error, removed when done, and a screen size.

    tqdm sizes bars to the terminal and hides every bar below its last line, so in a
    terminal that reports a size of zero, as pseudo-terminals opened without one do
    (``script`` run from a program, ``docker exec -t``, some editors' shells), it draws
    nothing at all. Such a terminal is taken to be :data:`FALLBACK_SIZE`.
    """
    options: dict[str, Any] = {"file": sys.stderr, "leave": False}
    if "ipykernel" in sys.modules:
        return options
    try:
        columns, lines = os.get_terminal_size(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        columns, lines = 0, 0
    if columns <= 0:
        options["ncols"] = FALLBACK_SIZE[0]
    if lines <= 0:
        options["nrows"] = FALLBACK_SIZE[1]
    return options


def track(iterable: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterable[T]:
    """Return ``iterable``, counted by a progress bar when bars are shown.

    Examples
    --------
    >>> with show_progress(False):
    ...     list(track(range(3), desc="criteria"))
    [0, 1, 2]
    """
    if not progress_enabled():
        return iterable
    from tqdm.auto import tqdm  # noqa: PLC0415 - only drawn bars need it

    bar: Iterable[T] = tqdm(iterable, total=total, desc=desc, **_bar_options())
    return bar


class ProgressBar:
    """A bar fed as ``bar(done, total)``: the form of ``sensitivity(progress=...)``.

    Examples
    --------
    >>> with show_progress(False):
    ...     bar = ProgressBar("draws")
    ...     bar(10, 100)
    ...     bar.close()
    """

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self._bar: Any = None
        self._enabled = progress_enabled()

    def __call__(self, done: int, total: int) -> None:
        """Move the bar to ``done`` of ``total``."""
        if not self._enabled:
            return
        if self._bar is None:
            from tqdm.auto import tqdm  # noqa: PLC0415

            self._bar = tqdm(total=total, desc=self.desc, **_bar_options())
        self._bar.total = total
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
