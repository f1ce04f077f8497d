"""Say in words what a criterion measured, for the report's appendix.

A criterion's ``measure:`` is a small YAML mapping (``{type: network, layer: ports, network:
trunk_truck, ...}``) that an auditor checks and a planner cannot read. :func:`measure_sentence`
turns it into one sentence in the report's language, from the measure, the scenario's road
networks and what the evaluation actually measured to: the features of the layer (named when
they are few) and whether values ran to outlines, points or lines. The exact specification
stays beside it (:func:`measure_spec`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from geosite.i18n import Language, check_language, column_name, localized, value_name
from geosite.render.context import layer_title
from geosite.render.text import format_number, format_value, tr

if TYPE_CHECKING:
    from collections.abc import Callable

    from geosite.analysis import CriterionSummary, Result
    from geosite.types import Where

__all__ = ["measure_sentence", "measure_spec", "spec_text", "where_text"]

#: A layer with at most this many features measured to names them in the sentence.
NAMED_UP_TO = 3


def measure_spec(summary: CriterionSummary) -> list[tuple[str, str]]:
    """Return a criterion's measure as written in the scenario, as (key, value) pairs.

    Examples
    --------
    >>> from geosite import evaluate
    >>> summary = evaluate("dong-nam-bo").criteria[0]
    >>> measure_spec(summary)[:3]
    [('type', 'network'), ('layer', 'ports'), ('where', 'port_id: cai-mep-thi-vai')]
    """
    dumped = summary.criterion.measure.model_dump(exclude_none=True, mode="json")
    return [(str(k), spec_text(v)) for k, v in dumped.items()]


def spec_text(value: Any) -> str:
    """Write a specification value (mapping, list, scalar) on one line, as the YAML reads.

    Examples
    --------
    >>> spec_text({"where": {"class": ["motorway", "trunk"]}, "radius_m": 15000.0})
    'where: class: motorway, trunk, radius_m: 15000.0'
    """
    if isinstance(value, dict):
        return ", ".join(f"{k}: {spec_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(spec_text(v) for v in value)
    return str(value)


def measure_sentence(summary: CriterionSummary, result: Result, lang: str = "en") -> str:
    """Say what a criterion measured, in one sentence in ``lang``.

    Parameters
    ----------
    summary
        The criterion, as evaluated.
    result
        The evaluation it belongs to: its networks, and what each candidate was measured to.
    lang
        ``"en"`` or ``"vi"``.

    Returns
    -------
    str
        E.g. "Travel time by truck on the road network to the nearest of Ports (Cảng Cái
        Mép – Thị Vải), measured to its point". A measure type this module does not know
        is given as its specification.

    Examples
    --------
    >>> from geosite import evaluate
    >>> result = evaluate("dong-nam-bo")
    >>> measure_sentence(result.criteria[1], result)
    'Travel time by car on the road network to the nearest of Airports (Cảng hàng không quốc tế Long Thành), measured to its outline (0 inside it)'
    >>> measure_sentence(result.criteria[5], result, "vi")
    'Số đối tượng trong Khu công nghiệp (96 đối tượng) cách ranh thửa đất không quá 15,0 km'
    """  # noqa: E501, RUF002 - doctest output is one line; the en dash is in a name
    measure = summary.criterion.measure
    say = _SAY.get(str(getattr(measure, "type", "")))
    if say is None:
        return "; ".join(f"{k}: {v}" for k, v in measure_spec(summary))
    target = _target(summary, result, lang)
    to = _measured_to(result, summary.name, lang)
    return say(_Words(measure=measure, result=result, target=target, to=to, lang=lang))


@dataclass(frozen=True)
class _Words:
    """What a sentence is made from: the measure, its evaluation, and words said already."""

    measure: Any
    result: Result
    target: str
    to: str
    lang: str


def _distance(w: _Words) -> str:
    return tr("measure.distance", w.lang, target=w.target, to=w.to)


def _count_within(w: _Words) -> str:
    radius = format_value(float(w.measure.radius_m), "m", w.lang)
    return tr("measure.count_within", w.lang, target=w.target, radius=radius)


def _overlay(w: _Words) -> str:
    buffer = grown = ""
    if w.measure.buffer_m:
        distance = format_value(w.measure.buffer_m, "m", w.lang)
        buffer = tr("measure.overlay.buffer", w.lang, distance=distance)
    if w.measure.layer_buffer_m:
        distance = format_value(w.measure.layer_buffer_m, "m", w.lang)
        grown = tr("measure.overlay.grown", w.lang, distance=distance)
    key = f"measure.overlay.{w.measure.statistic}"
    return tr(key, w.lang, target=w.target, buffer=buffer, grown=grown)


def _raster(w: _Words) -> str:
    classes = ", ".join(format_number(c, _decimals(c), w.lang) for c in w.measure.classes or [])
    threshold = "" if w.measure.threshold is None else format_number(w.measure.threshold, 2, w.lang)
    statistic = tr(
        f"measure.raster.{w.measure.statistic}", w.lang, classes=classes, threshold=threshold
    )
    return tr(
        "measure.raster",
        w.lang,
        statistic=statistic,
        raster=layer_title(w.measure.raster, w.lang),
    )


def _attribute(w: _Words) -> str:
    column = w.measure.column.replace("_", " ")
    if w.measure.layer is None:
        return tr("measure.attribute.own", w.lang, column=column)
    return tr("measure.attribute.zone", w.lang, column=column, target=w.target)


def _decimals(value: float) -> int:
    return 0 if float(value).is_integer() else 2


def _network(w: _Words) -> str:
    spec: Any = w.result.scenario.networks.get(w.measure.network)
    profile = getattr(spec, "profile", None) or (spec.get("profile") if spec else None) or "car"
    statistic = str(w.measure.statistic)
    metric = str(w.measure.metric or ("distance" if statistic == "detour_ratio" else "time"))
    name = tr(f"measure.metric.{metric}", w.lang)
    values: dict[str, Any] = {
        "metric": name,
        "mode": tr(f"measure.mode.{profile}", w.lang),
        "target": w.target,
        "to": w.to,
        "k": w.measure.k,
    }
    if statistic == "count_within":
        values["within"] = (
            format_value(w.measure.within_min, "min", w.lang)
            if w.measure.within_min is not None
            else format_value(w.measure.within_m, "m", w.lang)
        )
    text = tr(f"measure.network.{statistic}", w.lang, **values)
    if w.measure.direction == "from":
        text += tr("measure.network.from", w.lang)
    return text


def _target(summary: CriterionSummary, result: Result, lang: str) -> str:
    """Name the features measured to: the layer, its filters, and the features when few."""
    measure = summary.criterion.measure
    layer = getattr(measure, "layer", None)
    if not isinstance(layer, str):
        return ""
    declared = result.scenario.layers.get(layer)
    bundled_name = _bundled_name(layer, declared)
    wheres = [w for w in (getattr(declared, "where", None), getattr(measure, "where", None)) if w]
    features = summary.features
    if features is not None and "candidate" in features.columns:
        features = features.loc[features["candidate"].isna()]  # routes are not targets
    names: list[str] = []
    if features is not None and 0 < len(features) <= NAMED_UP_TO:
        column = next((c for c in ("name", "name_en", "ref") if c in features.columns), None)
        names = sorted({str(v) for v in features[column] if not pd.isna(v)}) if column else []
    named = bool(names) and features is not None and len(names) == len(features)
    # A filter that picks features by id or name is said by naming the features it kept.
    picks = _identifying(bundled_name, declared) if named else set()
    conditions = [
        _condition(bundled_name, str(column), wanted, lang)
        for where in wheres
        for column, wanted in where.items()
        if column not in picks
    ]
    subject = layer_title(bundled_name or layer, lang)
    if conditions:
        joined = f" {tr('measure.where.and', lang)} ".join(conditions)
        subject = tr("measure.target.where", lang, layer=subject, conditions=joined)
    if features is None or len(features) == 0:
        return subject
    if named:
        return tr("measure.target.named", lang, layer=subject, names=", ".join(names))
    return tr("measure.target.count", lang, layer=subject, n=format_number(len(features), 0, lang))


def _bundled_name(layer: str, declared: Any) -> str | None:
    """Return the bundled layer ``layer`` is, directly or under another name, else ``None``."""
    from geosite.data import bundled  # noqa: PLC0415 - the catalogue loads when needed

    name = getattr(declared, "bundled", None) if declared is not None else layer
    return name if isinstance(name, str) and name in bundled.layer_names() else None


def _identifying(bundled_name: str | None, declared: Any) -> set[str]:
    """Return the columns that name or identify a layer's features."""
    from geosite.data import bundled  # noqa: PLC0415 - the catalogue loads when needed

    columns = {"id", "name", "name_en", getattr(declared, "id", None)}
    if bundled_name is not None:
        info = bundled.layer_info(bundled_name)
        columns |= {info.id_column, info.name_column}
    return {c for c in columns if c}


def where_text(where: Where, lang: str = "en", *, layer: str | None = None) -> str:
    """Say which features a ``where`` filter keeps, in words of ``lang``.

    Parameters
    ----------
    where
        ``{column: value or [values]}``; a feature is kept when every column matches.
    lang
        ``"en"`` or ``"vi"``.
    layer
        The bundled layer filtered, whose columns and values the catalogue names in words
        (:func:`geosite.i18n.column_name`); ``None`` for any other layer.

    Examples
    --------
    >>> where_text({"class": ["motorway", "trunk"]}, layer="roads")
    'class is expressway or national highway'
    >>> where_text({"status": "partly_open", "lanes": [4, 6]}, "vi", layer="roads")
    'tình trạng là khai thác một phần và số làn xe là 4 hoặc 6'
    """
    return f" {tr('measure.where.and', lang)} ".join(
        _condition(layer, str(column), wanted, lang) for column, wanted in where.items()
    )


def _condition(layer: str | None, column: str, wanted: Any, lang: str) -> str:
    """Say one ``column: value or [values]`` of a filter: "class is expressway or trunk"."""
    from geosite.data import bundled  # noqa: PLC0415 - the catalogue loads when needed

    values = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
    info = bundled.layer_info(layer) if layer is not None else None
    if info is not None and column == info.id_column:
        name, words = tr("measure.where.id", lang), [str(v) for v in values]
    elif info is not None and column == info.name_column:
        name, words = tr("measure.where.name", lang), [str(v) for v in values]
    else:
        name = localized(column_name(layer, column), _lang(lang))
        words = [_value(layer, column, v, lang) for v in values]
    return tr("measure.where.is", lang, column=name, values=_alternatives(words, lang))


def _value(layer: str | None, column: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return tr(f"measure.where.{str(value).lower()}", lang)
    if isinstance(value, int | float):
        return format_number(float(value), _places(float(value)), lang)
    return localized(value_name(layer, column, str(value)), _lang(lang))


def _alternatives(words: list[str], lang: str) -> str:
    """Join ``words`` as alternatives: "a", "a or b", "a, b or c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {tr('measure.or', lang)} {words[-1]}"


def _places(value: float) -> int:
    """Return the decimals that write ``value`` as exactly as a planner typed it (up to 6)."""
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _lang(lang: str) -> Language:
    return check_language(lang, what="lang")


def _measured_to(result: Result, criterion: str, lang: str) -> str:
    """Say whether values ran to outlines, points or lines, as the evaluation measured them."""
    column = f"{criterion}_measured_to_kind"
    if column not in result.table.columns:
        return ""
    kinds = [k for k in _KINDS if k in set(result.table[column].dropna().astype(str))]
    if len(kinds) == 1:
        return tr(f"measure.to.{kinds[0]}", lang)
    if not kinds:
        return ""
    joined = f" {tr('measure.or', lang)} ".join(tr(f"measure.kind.{k}", lang) for k in kinds)
    return tr("measure.to.mixed", lang, kinds=joined)


_SAY: dict[str, Callable[[_Words], str]] = {
    "distance": _distance,
    "count_within": _count_within,
    "network": _network,
    "overlay": _overlay,
    "raster": _raster,
    "attribute": _attribute,
}

#: What a distance can be measured to (``<criterion>_measured_to_kind``), in sentence order.
_KINDS = ("outline", "point", "line")
