"""The map's what-if panel: move the weights in the browser and watch the ranking change.

A planner's question in a meeting is "and if the port mattered more?". The panel answers it
in the map file itself, without a server: one slider per criterion weight (and per group for
hierarchical weights), and on every move the browser re-scores every candidate from the
criterion scores carried in the page, recolours and relabels them and re-sorts a ranking
table with the rank moves. "Copy as YAML" gives the weights as a scenario that ``extends:``
the one mapped, so ``geosite run`` reproduces the ranking shown.

The browser only recomputes what it can recompute exactly. :data:`BROWSER_METHODS` lists the
aggregation methods ``geosite/render/js/whatif.js`` implements and the parameters it reads;
any other method, or a known method with a parameter the list does not name, switches the
sliders off and the panel says why, rather than showing a number Python would not give.
Constraints and exclusions do not depend on the weights and stay as computed.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from pydantic import BaseModel

from geosite.decision.weights import GroupedWeights, WeightingSpec
from geosite.i18n import check_language, localized
from geosite.render.text import format_number, tr

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import folium

    from geosite.analysis import Result

__all__ = ["BROWSER_METHODS", "browser_aggregation", "what_if_payload"]

#: Aggregation methods the browser recomputes, each with the parameters it reads. ``None``
#: accepts any value of a parameter; a tuple accepts only the values listed (a parameter
#: added to a method later must be named here, with the values the browser handles, before
#: the panel trusts its numbers). Keep in step with ``KERNELS`` in ``js/whatif.js``.
BROWSER_METHODS: Mapping[str, Mapping[str, tuple[object, ...] | None]] = {
    "wlc": {},
    "weighted_product": {},
    "owa": {"alpha": None, "order_weights": None},
    "fuzzy_and": {},
    "fuzzy_or": {},
    "fuzzy_gamma": {"gamma": None},
    # The browser's TOPSIS is the vector-normalised, all-benefit one (the default).
    "topsis": {"normalization": ("vector",), "cost": ([],)},
}

#: Rows of the panel's ranking table.
TABLE_ROWS = 15

#: Decimal places of the label points written for relabelling (about 1 m).
_COORD_DIGITS = 5

_TEXT_KEYS = (
    "title",
    "open",
    "close",
    "method",
    "note",
    "scenario_mark",
    "reset",
    "copy",
    "copied",
    "copy_failed",
    "unsupported",
    "no_file",
    "modified",
    "beyond",
    "rank",
    "move",
    "name",
    "score",
    "new",
    "group",
    "yaml_head",
    "yaml_save",
    "yaml_save_anywhere",
    "yaml_name",
)


def browser_aggregation(spec: object) -> dict[str, Any] | None:
    """Return the aggregation spec as the browser reads it, or ``None`` if it cannot.

    Parameters
    ----------
    spec
        The scenario's aggregation spec.

    Returns
    -------
    dict or None
        ``{"method": ..., **parameters}`` when the method and every parameter it has are in
        :data:`BROWSER_METHODS`; ``None`` otherwise.

    Examples
    --------
    >>> from geosite.decision.aggregate import OWA, WLC
    >>> browser_aggregation(WLC())
    {'method': 'wlc'}
    >>> browser_aggregation(OWA(alpha=2.0))
    {'method': 'owa', 'alpha': 2.0, 'order_weights': None}
    >>> browser_aggregation(object()) is None
    True
    """
    method = getattr(spec, "method", None)
    accepted = BROWSER_METHODS.get(method) if isinstance(method, str) else None
    if accepted is None or not isinstance(spec, BaseModel):
        return None
    params = spec.model_dump(exclude={"method"})
    for key, value in params.items():
        if key not in accepted:
            return None
        allowed = accepted[key]
        if allowed is not None and value not in allowed:
            return None
    return {"method": method, **params}


# --------------------------------------------------------------------------- weights


def _tree(
    spec: WeightingSpec,
    *,
    weights: Mapping[str, float],
    details: Mapping[str, Any],
    names: Sequence[str],
    index: Mapping[str, int],
    titles: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Return the sliders of one level: criteria, or groups holding their own level."""
    if isinstance(spec, GroupedWeights):
        items = []
        for group in spec.groups:
            within = details["within"][group.name]
            items.append(
                {
                    "name": group.name,
                    "title": group.name,
                    "weight": float(details["group_weights"][group.name]),
                    "items": _tree(
                        group.weighting,
                        weights=within["weights"],
                        details=within["details"],
                        names=group.criteria,
                        index=index,
                        titles=titles,
                    ),
                }
            )
        return items
    return [
        {"name": c, "title": titles[c], "weight": float(weights[c]), "criterion": index[c]}
        for c in names
    ]


def _extends(result: Result) -> tuple[str | None, str | None, str]:
    """Return what the fragment extends, the file to save it next to, and its file name."""
    from geosite.scenario import bundled_scenarios_dir  # noqa: PLC0415

    source = result.scenario.source
    if source is None or not source.is_file():
        return None, None, "what-if.yaml"
    name = f"{source.stem}-what-if.yaml"
    if source.resolve().parent == bundled_scenarios_dir().resolve():
        # A bundled scenario is found by name from any folder.
        return source.stem, None, name
    # Relative to the fragment's folder: saved next to the scenario, it finds it there
    # (and stays inside the folders a scenario may read).
    return source.name, source.name, name


# --------------------------------------------------------------------------- payload


def _scores(result: Result) -> tuple[str, str]:
    """Return the score matrix as base64 little-endian float64 and the eligibility flags."""
    table = result.table
    scores = np.column_stack(
        [table[f"{s.name}_score"].to_numpy(dtype=np.float64) for s in result.criteria]
    )
    complete = np.isfinite(scores).all(axis=1)
    eligible = ~table["excluded"].to_numpy(dtype=bool) & complete
    packed = base64.b64encode(np.ascontiguousarray(scores, dtype="<f8").tobytes()).decode("ascii")
    return packed, "".join("1" if e else "0" for e in eligible)


def _label_points(table: gpd.GeoDataFrame) -> list[float]:
    points = shapely.point_on_surface(np.asarray(table.geometry.array))
    wgs = gpd.GeoSeries(points, crs=table.crs).to_crs(4326)
    xy = np.round(shapely.get_coordinates(np.asarray(wgs.array)), _COORD_DIGITS)
    return [float(v) for v in xy[:, ::-1].ravel()]  # lat, lon pairs


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value if isinstance(value, str | int | bool) else str(value)


def what_if_payload(
    result: Result,
    *,
    bins: Sequence[float],
    drawn: int,
    max_labels: int,
    lang: str,
) -> dict[str, Any]:
    """Return everything the what-if panel needs, as plain JSON data.

    Parameters
    ----------
    result
        The evaluated scenario (its table sorted by rank, as :func:`geosite.evaluate` gives).
    bins
        Upper bounds of the colour classes, shared with the legend.
    drawn
        How many candidates the map draws (the best first); the rest are re-scored and
        ranked too, but not drawn.
    max_labels
        Rank labels shown for at most this many best candidates.
    lang
        Language of the panel's text.

    Examples
    --------
    >>> from geosite import evaluate
    >>> p = what_if_payload(evaluate("dong-nam-bo"), bins=[0.5, 1.0], drawn=6, max_labels=5,
    ...                     lang="en")
    >>> p["aggregation"], p["extends"], len(p["tree"])
    ({'method': 'wlc'}, 'dong-nam-bo', 7)
    """
    table = result.table
    scenario = result.scenario
    names = [s.name for s in result.criteria]
    language = check_language(lang)
    titles = {s.name: localized(s.title, language) for s in result.criteria}
    index = {name: j for j, name in enumerate(names)}
    packed, eligible = _scores(result)
    extends, next_to, file_name = _extends(result)
    method = getattr(scenario.aggregation, "method", type(scenario.aggregation).__name__)
    aggregation = browser_aggregation(scenario.aggregation)
    name_col = result.name_column or result.id_column
    method_key = f"aggregation.{method}"
    try:
        method_label = tr(method_key, lang)
    except KeyError:
        method_label = str(method)
    ranks = table["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    text = {k: tr(f"whatif.{k}", lang) for k in _TEXT_KEYS}
    return {
        "scenario": scenario.name,
        "aggregation": aggregation,
        "methodLabel": method_label,
        "criteria": names,
        "tree": _tree(
            scenario.weighting,
            weights=result.weights.weights,
            details=result.weights.details,
            names=names,
            index=index,
            titles=titles,
        ),
        "grouped": isinstance(scenario.weighting, GroupedWeights),
        "n": len(table),
        "scores": packed,
        "eligible": eligible,
        "rank0": [int(r) if math.isfinite(r) else None for r in ranks],
        "ids": [str(_plain(v)) for v in table[result.id_column]],
        "extraNames": [_plain(v) for v in table[name_col].iloc[drawn:]],
        "drawn": min(drawn, len(table)),
        "labels": _label_points(table.iloc[:drawn]),
        "maxLabels": max_labels,
        "bins": [float(b) for b in bins],
        "rows": TABLE_ROWS,
        "extends": extends,
        "nextTo": next_to,
        "fileName": file_name,
        "yamlName": tr("whatif.yaml_name", lang, name=scenario.name),
        "group": format_number(1000, 0, lang)[1],
        "text": text,
    }


# --------------------------------------------------------------------------- map element


def _js_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _WhatIf(MacroElement):
    """The panel, built by ``geosite.whatIf`` once the candidate layers exist."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "geosite.whatIf({{ this._parent.get_name() }}, {{ this.data }}, {{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(self, data: str, payload: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_what_if"
        self.data = data
        self.payload = payload


def _asset(name: str) -> str:
    return (Path(__file__).with_name("js") / name).read_text(encoding="utf-8")


def add_what_if(
    fmap: folium.Map,
    result: Result,
    *,
    data: str,
    bins: Sequence[float],
    drawn: int,
    max_labels: int,
    lang: str,
) -> None:
    """Add the what-if panel to a map whose candidates are drawn from the variable ``data``.

    Parameters
    ----------
    fmap
        The map, with the candidate layers of ``result`` already added.
    result
        The evaluated scenario drawn.
    data
        Name of the JavaScript variable holding the candidates' card data.
    bins, drawn, max_labels, lang
        As for :func:`what_if_payload`.
    """
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium maps live in a figure
        msg = "the map is not inside a figure"
        raise TypeError(msg)
    css = _asset("whatif.css")
    root.header.add_child(Element(f"<style>{css}</style>"), name="geosite_what_if_css")
    root.header.add_child(
        Element(f"<script>{_asset('whatif.js')}</script>"), name="geosite_what_if_js"
    )
    payload = what_if_payload(result, bins=bins, drawn=drawn, max_labels=max_labels, lang=lang)
    _WhatIf(data, _js_json(payload)).add_to(fmap)
