"""Refuse work that cannot fit in memory before allocating it, saying how much it would take.

A count a user writes (Monte Carlo draws, grid cells) becomes an array; ``--draws 1e12``
would ask numpy for tens of terabytes and die with a ``MemoryError`` deep in the code. Every
such count is checked here first, against the memory the system reports as available.
"""

from __future__ import annotations

import os
from pathlib import Path

from geosite.errors import ParameterError

__all__ = ["available_bytes", "format_bytes", "require_memory"]

_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def format_bytes(size: float) -> str:
    """Return ``size`` in bytes as a short text with a binary unit.

    Examples
    --------
    >>> format_bytes(5.6e13), format_bytes(512), format_bytes(1e30)
    ('50.9 TiB', '512 bytes', '8.7e+11 EiB')
    """
    value = float(size)
    for unit in _UNITS[:-1]:
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} {_UNITS[-1]}" if value < 1e6 else f"{value:.1e} {_UNITS[-1]}"


def available_bytes() -> int:
    """Return the memory available to a new allocation, as the system reports it.

    Linux's ``MemAvailable`` (free memory plus what the page cache can give back); elsewhere
    the physical memory.
    """
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 2**62


def require_memory(size: float, *, what: str, fix: str) -> None:
    """Raise :class:`ParameterError` if ``size`` bytes would not fit in memory now.

    Parameters
    ----------
    size
        Bytes the work would allocate (a float: a count of 1e30 must not overflow).
    what
        What would take them, e.g. ``"10 draws of 7 weights"``.
    fix
        How to ask for less, e.g. ``"use fewer --draws"``.

    Examples
    --------
    >>> require_memory(1e30, what="1e29 draws", fix="use fewer draws")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geosite.errors.ParameterError: 1e29 draws would need 8.7e+11 EiB of memory, more than ...
    """
    available = available_bytes()
    if size > available:
        msg = (
            f"{what} would need {format_bytes(size)} of memory, more than the "
            f"{format_bytes(available)} available; {fix}"
        )
        raise ParameterError(msg)
