"""Argument checks shared by the network modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geosite.errors import ParameterError

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from pathlib import Path


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        msg = f"{name} {value!r} is not known; use one of {list(choices)}"
        raise ParameterError(msg)


def _check_file(path: str | os.PathLike[str], what: str) -> Path:
    # The layers' door: missing, folders, named pipes, devices and empty files refused
    # before anything opens the file.
    from geosite.data.source import check_file  # noqa: PLC0415

    return check_file(path, what=f"{what} file")
