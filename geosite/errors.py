"""Errors raised by geosite.

Every error geosite raises on purpose derives from :class:`GeositeError` and from the
builtin exception it resembles, so callers can catch either::

    try:
        result = geosite.evaluate(scenario)
    except geosite.GeositeError as err:  # or ValueError, FileNotFoundError, ...
        print(err)

Messages name the file, key or layer at fault, show the bad value and say how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CRSError",
    "DataNotFoundError",
    "DataWarning",
    "GeositeError",
    "LayerError",
    "NetworkError",
    "OutputError",
    "ParameterError",
    "Problem",
    "ScenarioError",
    "WeightsError",
]


class GeositeError(Exception):
    """Base class of every error geosite raises on purpose."""


class ParameterError(GeositeError, ValueError):
    """An argument of a public function is out of range or of the wrong kind."""


class CRSError(GeositeError, ValueError):
    """A layer has no CRS, an unusable CRS, or CRSs that do not match."""


class LayerError(GeositeError, ValueError):
    """A layer is empty, has invalid geometries, a missing column or bad values."""


class DataNotFoundError(GeositeError, FileNotFoundError):
    """A file, bundled layer or named feature does not exist."""


class WeightsError(GeositeError, ValueError):
    """Weights or pairwise judgments are unusable (negative, all zero, inconsistent)."""


class NetworkError(GeositeError, RuntimeError):
    """A road graph cannot be built or used (no edges, unreachable facilities)."""


class OutputError(GeositeError, OSError):
    """An output file could not be written; previous outputs are left intact."""


class DataWarning(UserWarning):
    """Data was read but changed on the way in (legacy text converted, geometries repaired).

    The message says what was done and what to declare to make it explicit.
    """


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a scenario file.

    Parameters
    ----------
    message
        What is wrong and how to fix it.
    path
        The key path inside the document, e.g. ``("criteria", 2, "weight")``.
    file
        The file the problem was found in, if any.
    line, column
        1-based position of the offending key or value, if known.
    """

    message: str
    path: tuple[str | int, ...] = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def key(self) -> str:
        """Return the key path in dotted form, e.g. ``criteria[2].weight``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "<document>"

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.key}: {self.message}"


class ScenarioError(GeositeError, ValueError):
    """A scenario document is malformed or invalid.

    All problems found are reported at once in :attr:`problems`.
    """

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.file = file
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in scenario"
        if file:
            head += f" {file}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
