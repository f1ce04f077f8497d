"""geosite: site-suitability analysis for regional planning.

Load a scenario, evaluate it, look at the table, write it and map it::

    import geosite

    scenario = geosite.load_scenario("scenarios/dong-nam-bo.yaml")
    result = geosite.evaluate(scenario)
    result.table.head()                       # a GeoDataFrame, best candidate first
    fmap = geosite.result_to_map(result)      # a folium.Map to customise
    geosite.write_outputs(result, "out/", fmap=fmap)

``import geosite`` loads only the version and the errors; each shortcut below imports its
module the first time it is used, so the command line starts fast and maps, plots and road
graphs (folium, matplotlib, jinja2, osmnx) load only when asked for.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from geosite import _compat
from geosite._version import __version__
from geosite.errors import (
    CRSError,
    DataNotFoundError,
    DataWarning,
    GeositeError,
    LayerError,
    NetworkError,
    OutputError,
    ParameterError,
    ScenarioError,
    WeightsError,
)

if TYPE_CHECKING:
    from geosite.analysis import Result, evaluate, preflight
    from geosite.data.bundled import catalog, layer_info, read_layer
    from geosite.data.grid import GridSpec, grid_from_area
    from geosite.data.osm import fetch_osm
    from geosite.decision.compare import compare as compare_scenarios
    from geosite.decision.compare import diff as diff_scenarios
    from geosite.decision.sensitivity import sensitivity as analyse_sensitivity
    from geosite.locate.pipeline import locate as locate_sites
    from geosite.locate.pipeline import locate_regions
    from geosite.render.map import result_to_map, results_to_map
    from geosite.render.report import write_report
    from geosite.result.outputs import write_outputs
    from geosite.result.scorecard import score_cards
    from geosite.scenario import Scenario, load_scenario, scenario_from_dict, scenario_from_yaml

#: Shortcut -> (module, attribute). Shortcuts are named apart from their modules, so
#: ``geosite.compare`` stays the module.
_SHORTCUTS = {
    "GridSpec": ("geosite.data.grid", "GridSpec"),
    "Result": ("geosite.analysis", "Result"),
    "Scenario": ("geosite.scenario", "Scenario"),
    "analyse_sensitivity": ("geosite.decision.sensitivity", "sensitivity"),
    "catalog": ("geosite.data.bundled", "catalog"),
    "compare_scenarios": ("geosite.decision.compare", "compare"),
    "diff_scenarios": ("geosite.decision.compare", "diff"),
    "evaluate": ("geosite.analysis", "evaluate"),
    "fetch_osm": ("geosite.data.osm", "fetch_osm"),
    "grid_from_area": ("geosite.data.grid", "grid_from_area"),
    "layer_info": ("geosite.data.bundled", "layer_info"),
    "load_scenario": ("geosite.scenario", "load_scenario"),
    "locate_regions": ("geosite.locate.pipeline", "locate_regions"),
    "locate_sites": ("geosite.locate.pipeline", "locate"),
    "preflight": ("geosite.analysis", "preflight"),
    "read_layer": ("geosite.data.bundled", "read_layer"),
    "result_to_map": ("geosite.render.map", "result_to_map"),
    "results_to_map": ("geosite.render.map", "results_to_map"),
    "scenario_from_dict": ("geosite.scenario", "scenario_from_dict"),
    "scenario_from_yaml": ("geosite.scenario", "scenario_from_yaml"),
    "score_cards": ("geosite.result.scorecard", "score_cards"),
    "write_outputs": ("geosite.result.outputs", "write_outputs"),
    "write_report": ("geosite.render.report", "write_report"),
}

#: Subpackages and modules reachable as attributes (``geosite.analysis``) before an import.
_SUBMODULES = frozenset(
    {
        "analysis",
        "cli",
        "data",
        "decision",
        "distributed",
        "errors",
        "i18n",
        "locate",
        "measures",
        "network",
        "render",
        "result",
        "scenario",
        "types",
    }
)


def __getattr__(name: str) -> Any:
    """Import a shortcut's module, or a submodule, the first time it is used."""
    if name in _SHORTCUTS:
        module, attribute = _SHORTCUTS[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        msg = f"module 'geosite' has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SHORTCUTS) | _SUBMODULES)


_compat.install()
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CRSError",
    "DataNotFoundError",
    "DataWarning",
    "GeositeError",
    "GridSpec",
    "LayerError",
    "NetworkError",
    "OutputError",
    "ParameterError",
    "Result",
    "Scenario",
    "ScenarioError",
    "WeightsError",
    "__version__",
    "analyse_sensitivity",
    "catalog",
    "compare_scenarios",
    "diff_scenarios",
    "evaluate",
    "fetch_osm",
    "grid_from_area",
    "layer_info",
    "load_scenario",
    "locate_regions",
    "locate_sites",
    "preflight",
    "read_layer",
    "result_to_map",
    "results_to_map",
    "scenario_from_dict",
    "scenario_from_yaml",
    "score_cards",
    "write_outputs",
    "write_report",
]
