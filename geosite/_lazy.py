"""A module that is imported the first time one of its attributes is used.

Lets a module name a heavy dependency at the top (``net.graph_from_gdf(...)``) without paying
its import when the dependency is never used, as ``import geosite`` must stay light.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["lazy_module"]


class _LazyModule(ModuleType):
    def __getattr__(self, attribute: str) -> Any:
        # Always ask the real module, so monkeypatching it is seen through the stand-in.
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> ModuleType:
    """Return a stand-in for module ``name`` that imports it on first attribute access.

    Examples
    --------
    >>> json = lazy_module("json")
    >>> json.dumps([1])
    '[1]'
    """
    return _LazyModule(name)
