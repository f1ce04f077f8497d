"""geosite: site-suitability analysis for regional planning.

Load a scenario, evaluate it, look at the table, write it and map it::

    import geosite

    scenario = geosite.load_scenario("scenarios/dong-nam-bo.yaml")
    result = geosite.evaluate(scenario)
    result.table.head()                       # a GeoDataFrame, best candidate first
    fmap = geosite.result_to_map(result)      # a folium.Map to customise
    geosite.write_outputs(result, "out/", fmap=fmap)
"""

from __future__ import annotations

import logging

from geosite import _compat
from geosite._version import __version__
from geosite.analysis import Result, evaluate
from geosite.data.bundled import catalog, layer_info, read_layer
from geosite.data.grid import GridSpec, grid_from_area

# Shortcuts are named apart from their modules, so `geosite.compare` stays the module.
from geosite.decision.compare import compare as compare_scenarios
from geosite.decision.compare import diff as diff_scenarios
from geosite.decision.sensitivity import sensitivity as analyse_sensitivity
from geosite.errors import (
    CRSError,
    DataNotFoundError,
    GeositeError,
    LayerError,
    NetworkError,
    OutputError,
    ParameterError,
    ScenarioError,
    WeightsError,
)
from geosite.render.map import result_to_map, results_to_map
from geosite.render.report import write_report
from geosite.result.outputs import write_outputs
from geosite.result.scorecard import score_cards
from geosite.scenario import Scenario, load_scenario, scenario_from_dict, scenario_from_yaml

_compat.install()
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CRSError",
    "DataNotFoundError",
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
    "grid_from_area",
    "layer_info",
    "load_scenario",
    "read_layer",
    "result_to_map",
    "results_to_map",
    "scenario_from_dict",
    "scenario_from_yaml",
    "score_cards",
    "write_outputs",
    "write_report",
]
