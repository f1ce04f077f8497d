"""The package is arranged by data flow; the module paths of 0.1 keep importing."""

import importlib

import pytest

from geosite._compat import MOVED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_module_path_is_the_new_module(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)


def test_names_resolve_through_old_path():
    from geosite.weights import resolve_weights  # type: ignore[import-not-found]

    from geosite.decision.weights import resolve_weights as new

    assert resolve_weights is new


def test_unknown_module_still_fails():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("geosite.no_such_module")
