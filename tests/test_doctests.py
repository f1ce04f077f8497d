"""The Examples sections of the docstrings run, against the installed package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import geosite

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(geosite.__path__, prefix="geosite.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
