"""Keep the module paths of geosite 0.1 importable after the package was arranged by data flow.

``import geosite.weights`` returns the very module object ``geosite.decision.weights``, so
attributes, monkeypatching and ``isinstance`` checks behave exactly as through the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

#: Module paths of geosite 0.1 and where they live now.
MOVED: dict[str, str] = {
    "geosite.admin": "geosite.data.admin",
    "geosite.crs": "geosite.data.crs",
    "geosite.grid": "geosite.data.grid",
    "geosite.io": "geosite.data.io",
    "geosite.layers": "geosite.data.bundled",
    "geosite.text": "geosite.data.text",
    "geosite.vn2000": "geosite.data.vn2000",
    "geosite.aggregate": "geosite.decision.aggregate",
    "geosite.compare": "geosite.decision.compare",
    "geosite.constraints": "geosite.decision.constraints",
    "geosite.sensitivity": "geosite.decision.sensitivity",
    "geosite.transforms": "geosite.decision.transforms",
    "geosite.weights": "geosite.decision.weights",
    "geosite.outputs": "geosite.result.outputs",
    "geosite.scorecard": "geosite.result.scorecard",
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self._target = target

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self._target)
        sys.modules[spec.name] = module
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Do nothing: the target module is already executed."""


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,  # noqa: ARG002 - part of the finder protocol
        target: ModuleType | None = None,  # noqa: ARG002
    ) -> ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(new))


def install() -> None:
    """Make the old module paths importable (idempotent)."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(_AliasFinder())
