"""Argument checks shared by the network modules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from geosite.errors import DataNotFoundError, ParameterError

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        msg = f"{name} {value!r} is not known; use one of {list(choices)}"
        raise ParameterError(msg)


def _check_file(path: str | os.PathLike[str], what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        msg = f"{what} file {str(p)!r} does not exist; check the path (relative to the scenario)"
        raise DataNotFoundError(msg)
    return p
