"""The HTML report a planner hands in: ranking, maps, score cards, sensitivity, methodology.

Everything in the report, the methodology appendix included, is generated from the result
and its scenario (criteria, value functions, weights, constraints, the layers read and their
catalogue entries), so it cannot disagree with what was computed. Text from data is escaped
by the template engine (``autoescape``): a park named ``<script>`` shows as text. All files
are staged and published together, in one atomic step (:mod:`geosite.data.publish`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from geosite._version import __version__
from geosite.data.io import generation_time, write_csv
from geosite.data.publish import output_set
from geosite.errors import OutputError, ParameterError
from geosite.i18n import check_language, format_date, localized
from geosite.progress import track
from geosite.render.context import layer_title
from geosite.render.map import Basemap, Scheme, result_to_map
from geosite.render.measure_text import measure_sentence, measure_spec, spec_text
from geosite.render.pdf import write_pdf
from geosite.render.static import (
    contributions_figure,
    sensitivity_figure,
    static_map,
    value_function_figure,
)
from geosite.render.text import (
    CATALOGUES,
    bounded,
    format_alike,
    format_number,
    format_value,
    formula_text,
    tr,
)
from geosite.result.outputs import result_to_frame
from geosite.result.scorecard import measured_to, score_cards, value_bounds

if TYPE_CHECKING:
    from collections.abc import Callable

    from geosite.analysis import CriterionSummary, Result

__all__ = ["write_report"]

logger = logging.getLogger(__name__)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class _Figure:
    file: str
    caption: str


def _t(text: str, lang: str) -> str:
    """Return user-written scenario text in the report's language."""
    return localized(text, check_language(lang))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _sha256(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value


def _margins(result: Result, lang: str, limit: int) -> dict[tuple[Any, str], str]:
    """Return the signed margin to the next rank, formatted, by (candidate id, criterion)."""
    units = {s.name: s.unit for s in result.criteria}
    cards = score_cards(result, limit=limit)
    out: dict[tuple[Any, str], str] = {}
    for cid, criterion, value in zip(
        cards[result.id_column], cards["criterion"], cards["margin_to_next_rank"], strict=True
    ):
        if math.isfinite(value):
            sign = "+" if value > 0 else "\u2212" if value < 0 else ""
            out[(cid, criterion)] = sign + format_value(abs(value), units[criterion], lang)
    return out


def _cards(result: Result, rows: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    label = result.name_column or result.id_column
    limit = int(rows["rank"].max()) if len(rows) and rows["rank"].notna().any() else 0
    margins = _margins(result, lang, limit) if limit else {}
    position = {cid: i for i, cid in enumerate(result.table[result.id_column])}
    bounds = {s.name: value_bounds(result, s.name) for s in result.criteria}
    measured: dict[str, list[str | None]] = {}
    for s in result.criteria:
        texts = measured_to(result, s.name, language=lang)
        measured[s.name] = [None] * len(result.table) if texts is None else texts
    cards = []
    for _, row in rows.iterrows():
        i = position[row[result.id_column]]
        rank = _plain(row["rank"])
        cards.append(
            {
                "name": str(row[label]),
                "id": str(row[result.id_column]),
                "rank": None if rank is None else int(rank),
                "total": format_number(float(row["total_score"]), 3, lang),
                "reason": _reason(row["exclusion_reason"], lang),
                "note": tr("card.bound.note", lang) if any(b[i] for b in bounds.values()) else None,
                "rows": [
                    {
                        "title": _t(s.title, lang),
                        "raw": bounded(
                            format_value(_plain(row[s.raw_column]), s.unit, lang),
                            bounds[s.name][i],
                            lang,
                        ),
                        "to": None
                        if measured[s.name][i] is None
                        else tr("card.to", lang, target=measured[s.name][i]),
                        "score": _plain(row[f"{s.name}_score"]),
                        "score_text": _num(row[f"{s.name}_score"], 2, lang),
                        "weight": format_number(s.weight, 2, lang),
                        "contribution": _num(row[f"{s.name}_contribution"], 3, lang),
                        "margin": margins.get((row[result.id_column], s.name)),
                    }
                    for s in result.criteria
                ],
            }
        )
    return cards


def _reason(value: Any, lang: str) -> str | None:
    """Return why a candidate is excluded, in the report's language."""
    value = _plain(value)
    return None if value is None else _t(value, lang)


def _raw_weight(value: Any, lang: str) -> str:
    """Return a weight as written in the scenario, as a number of the report's language."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(float(value), 3 if value % 1 else 0, lang)
    return spec_text(value if value is not None else "")


def _num(value: Any, digits: int, lang: str) -> str:
    value = _plain(value)
    return format_number(None if value is None else float(value), digits, lang)


def _ranking(result: Result, lang: str, rows: int) -> dict[str, Any]:
    label = result.name_column or result.id_column
    table = result.table
    if len(table) > rows:
        # The best ranked, then every excluded candidate up to the limit: the full table is
        # in scores.csv.
        table = table.iloc[:rows]
    head = [tr("report.col.rank", lang), tr("report.col.name", lang), tr("card.id", lang)]
    head += [_t(s.title, lang) for s in result.criteria]
    head += [tr("report.col.total", lang), tr("report.col.reason", lang)]
    body = []
    for _, row in table.iterrows():
        rank = _plain(row["rank"])
        body.append(
            {
                "excluded": bool(row["excluded"]),
                "cells": [
                    "–" if rank is None else str(int(rank)),  # noqa: RUF001
                    str(row[label]),
                    str(row[result.id_column]),
                    *[_num(row[f"{s.name}_score"], 2, lang) for s in result.criteria],
                    _num(row["total_score"], 3, lang),
                    _reason(row["exclusion_reason"], lang) or "",
                ],
            }
        )
    return {"head": head, "body": body}


def _weights(result: Result, lang: str) -> dict[str, Any]:
    weights = result.weights
    details = dict(weights.details)
    table = [
        (
            _t(s.title, lang),
            format_number(s.weight, 3, lang),
            _raw_weight(details.get("raw", {}).get(s.name), lang),
        )
        for s in result.criteria
    ]
    ahp = None
    if weights.method == "ahp" and "matrix" in details:
        names = list(details.get("criteria", []))
        titles = {s.name: _t(s.title, lang) for s in result.criteria}
        ahp = {
            "names": [titles.get(n, n) for n in names],
            "matrix": [
                # A judgment left blank (None) is shown as a dash; its estimate is noted.
                [format_number(float(v), 3, lang) if v is not None else "-" for v in row]
                for row in details["matrix"]
            ],
            "priorities": [format_number(float(v), 3, lang) for v in details.get("priorities", [])],
            "text": tr(
                "report.weights.cr",
                lang,
                lambda_max=_num(details.get("lambda_max"), 3, lang),
                ci=_num(details.get("CI"), 3, lang),
                ri=_num(details.get("RI"), 2, lang),
                cr=_num(details.get("CR"), 3, lang),
                limit=_num(details.get("cr_limit"), 2, lang),
            ),
        }
    extra = {
        k: spec_text(v)
        for k, v in details.items()
        if k not in {"raw", "matrix", "criteria", "priorities"}
    }
    key = f"report.weights.method.{weights.method}"
    method = tr(key, lang) if key in CATALOGUES["en"] else weights.method
    return {
        "method": method,
        "table": table,
        "ahp": ahp,
        "details": extra,
        "notes": _ahp_notes(details, lang) if weights.method == "ahp" else [],
    }


# --- methodology text of the decision methods (kept apart from the layout above) ----------


def _ahp_notes(details: dict[str, Any], lang: str) -> list[str]:
    """Say, in the report's language, how blanks, groups and the random index were handled."""
    from geosite.i18n import translate  # noqa: PLC0415

    language: Any = lang
    notes = []
    if details.get("blank"):
        notes.append(translate("method.weighting.ahp_blank", language, count=len(details["blank"])))
    if details.get("experts"):
        what = "priorities" if details.get("group") == "priorities" else "judgments"
        notes.append(translate("method.weighting.ahp_group", language, what=what))
    if details.get("random_index"):
        notes.append(
            translate("method.weighting.random_index", language, table=details["random_index"])
        )
    return notes


def _aggregation_text(result: Result, lang: str) -> str:
    """Describe the scenario's aggregation method in one sentence."""
    from geosite.i18n import translate  # noqa: PLC0415

    spec = result.scenario.aggregation
    language: Any = lang
    return translate(
        f"method.aggregation.{spec.method}",
        language,
        normalization=getattr(spec, "normalization", ""),
        v=getattr(spec, "v", ""),
    )


def _weight_flip_text(sensitivity: Any, names: dict[Any, str], lang: str) -> str:
    """Describe the smallest whole-vector weight change that changes the winner, if known."""
    from geosite.i18n import translate  # noqa: PLC0415

    winner: Any = getattr(sensitivity, "winner", None)
    flip = winner.flip("winner", "l1") if winner is not None and hasattr(winner, "flip") else None
    if flip is None or not math.isfinite(flip.distance):
        return ""
    language: Any = lang
    how = tr("report.flip.exact" if flip.exact else "report.flip.bound", lang)
    return translate(
        "report.weight_flip",
        language,
        distance=_percent(float(flip.weight_moved), lang),
        how=how,
        rival=names.get(flip.rival, str(flip.rival)),
        incumbent=names.get(flip.incumbent, str(flip.incumbent)),
    )


def _sources(result: Result, lang: str) -> list[dict[str, Any]]:
    from geosite.data import bundled as layers  # noqa: PLC0415

    out = []
    for use in result.layers:
        entry: dict[str, Any] = {
            "name": use.name,
            "file": use.path.name if use.path is not None else "(given in memory)",
            "sha256": _sha256(use.path) if use.path is not None else None,
            "title": None,
            "source": None,
        }
        if use.bundled is not None:
            info = layers.layer_info(use.bundled)
            accuracy = info.positional_accuracy
            if info.accuracy_m is not None:
                accuracy += f" (~{format_number(info.accuracy_m, 0, lang)} m)"
            entry |= {
                "title": info.title,
                "source": info.source,
                "url": info.source_url,
                "licence": info.licence,
                "vintage": info.vintage,
                "accuracy": accuracy,
                "approximate": info.approximate,
                "defects": list(info.known_defects),
            }
        out.append(entry)
    return out


DASH = "\u2013"
MINUS = "\u2212"


def _percent(value: float, lang: str, digits: int | None = None) -> str:
    """Format a share as a percentage; a table column passes ``digits`` so its rows agree."""
    if digits is None:
        digits = 0 if value in (0, 1) else 1
    return format_number(100 * value, digits, lang) + " %"


def _names(result: Result) -> dict[Any, str]:
    label = result.name_column or result.id_column
    return {
        k: str(v) for k, v in zip(result.table[result.id_column], result.table[label], strict=True)
    }


def _how(row: Any, titles: dict[str, str], lang: str) -> str:
    """Say in words which weights a row of the winner's changes moves."""
    target = titles.get(row["criterion"], str(row["criterion"]))
    source = row.get("from_criterion")
    if isinstance(source, str):
        return tr("report.how.pair", lang, source=titles.get(source, source), target=target)
    key = "report.how.up" if row.get("direction") == "up" else "report.how.down"
    return tr(key, lang, target=target)


def _robustness(sensitivity: Any, result: Result, lang: str) -> list[str]:
    """Return the sentences that say how robust the winner is, for the first page."""
    if sensitivity is None or not hasattr(sensitivity, "winner"):
        return [tr("report.robust.none", lang)]
    names = _names(result)
    titles = {s.name: _t(s.title, lang) for s in result.criteria}
    winner = sensitivity.winner
    name = names.get(winner.winner, str(winner.winner))
    table = sensitivity.candidates
    p_first = table.loc[table[result.id_column] == winner.winner, "p_first"]
    out = [
        tr(
            "report.robust.draws",
            lang,
            draws=format_number(sensitivity.draws, 0, lang),
            seed=sensitivity.seed,
            winner=name,
            p=_percent(float(p_first.iloc[0]) if len(p_first) else 0.0, lang),
        )
    ]
    changes = winner.changes.loc[winner.changes["weight_moved"].notna()]
    if math.isfinite(winner.smallest) and len(changes):
        first = changes.iloc[0]
        out.append(
            tr(
                "report.robust.change",
                lang,
                moved=_percent(float(winner.smallest), lang),
                how=_how(first, titles, lang),
                rival=names.get(first["new_winner"], str(first["new_winner"])),
            )
        )
    else:
        out.append(tr("report.robust.never", lang))
    key = "report.robust.verdict.fragile" if winner.fragile else "report.robust.verdict.stable"
    out.append(tr(key, lang, step="±" + _percent(float(winner.step), lang)))
    return out


def _data_limits(result: Result, lang: str) -> list[str]:
    """Say what the layers used can and cannot support, from their catalogue entries."""
    from geosite.data import bundled  # noqa: PLC0415

    infos = [bundled.layer_info(u.bundled) for u in result.layers if u.bundled is not None]
    accuracies = [i.accuracy_m for i in infos if i.accuracy_m is not None]
    m = len(result.layers)
    if not accuracies:
        return [tr("report.data.exact", lang, m=m)]
    accuracy = format_value(float(max(accuracies)), "m", lang)
    approximate = [layer_title(i.name, lang) for i in infos if i.approximate]
    out = [tr("report.data.can", lang, accuracy=accuracy)]
    if approximate:
        out.append(
            tr(
                "report.data.cannot",
                lang,
                accuracy=accuracy,
                n=len(approximate),
                m=m,
                names=", ".join(approximate),
            )
        )
    return out


def _summary(result: Result, sensitivity: Any, lang: str) -> dict[str, Any]:
    """Return the first page: the question, the ranking, the margin, robustness, data limits."""
    scenario = result.scenario
    ranked = result.ranked
    label = result.name_column or result.id_column
    question = _t(scenario.description, lang) or tr(
        "report.question.default", lang, n=len(result.table), name=_t(scenario.name, lang)
    )
    if len(ranked) >= 2:
        first, second = ranked.iloc[0], ranked.iloc[1]
        margin = tr(
            "report.summary.margin",
            lang,
            winner=str(first[label]),
            score=format_number(float(first["total_score"]), 3, lang),
            margin=format_number(float(first["total_score"] - second["total_score"]), 3, lang),
            second=str(second[label]),
        )
    elif len(ranked) == 1:
        first = ranked.iloc[0]
        margin = tr(
            "report.summary.alone",
            lang,
            winner=str(first[label]),
            score=format_number(float(first["total_score"]), 3, lang),
        )
    else:
        margin = tr("report.summary.none", lang)
    top = [
        (int(r), str(n), format_number(float(t), 3, lang))
        for r, n, t in zip(
            ranked["rank"].head(5),
            ranked[label].head(5),
            ranked["total_score"].head(5),
            strict=True,
        )
    ]
    return {
        "question": question,
        "top": top,
        "margin": margin,
        "robust": _robustness(sensitivity, result, lang),
        "data": _data_limits(result, lang),
    }


def _sensitivity(
    sensitivity: Any,
    result: Result,
    figures: list[tuple[str, Callable[[Path], Any]]],
    lang: str = "en",
) -> dict[str, Any] | None:
    """Return the sensitivity section: translated, rounded tables, each with a reading."""
    if sensitivity is None:
        return None
    if isinstance(sensitivity, pd.DataFrame):
        frame = sensitivity
        tables: list[dict[str, Any]] = []
        settings = ""
    elif isinstance(getattr(sensitivity, "candidates", None), pd.DataFrame):
        frame = sensitivity.candidates
        tables = _sensitivity_tables(sensitivity, result, lang)
        settings = tr(
            "report.sens.settings",
            lang,
            draws=format_number(sensitivity.draws, 0, lang),
            spread=format_number(float(sensitivity.spread), 2, lang),
            seed=sensitivity.seed,
        )
    else:
        msg = (
            "sensitivity must be a pandas DataFrame or a geosite.decision.sensitivity result with "
            f"`candidates`; got {type(sensitivity).__name__}"
        )
        raise ParameterError(msg)
    label = result.name_column or result.id_column
    if label not in frame.columns and result.id_column in frame.columns:
        frame = frame.assign(**{label: frame[result.id_column].map(_names(result))})
    if "rank_min" in frame.columns:
        figures.append(
            (
                "sensitivity_ranks.png",
                functools.partial(_ranks_figure, frame, label=label, lang=lang),
            )
        )
    candidates = _candidate_table(frame, label, lang, sensitivity)
    return {
        "settings": settings,
        "tables": [candidates, *tables],
        "flip": _weight_flip_text(sensitivity, _names(result), lang),
    }


def _candidate_table(
    frame: pd.DataFrame, label: str, lang: str, sensitivity: Any
) -> dict[str, Any]:
    k = getattr(sensitivity, "top_k", None)
    top = f"p_top_{k}" if k is not None and f"p_top_{k}" in frame.columns else None
    head = [tr("report.col.rank", lang), tr("report.col.name", lang)]
    has_range = {"rank_p05", "rank_p95"} <= set(frame.columns)
    if has_range:
        head.append(tr("report.sens.col.range", lang))
    head.append(tr("report.sens.col.minmax", lang))
    if "p_first" in frame.columns:
        head.append(tr("report.sens.col.p_first", lang))
    if top:
        head.append(tr("report.sens.col.p_top", lang, k=k))
    body = []
    rows = frame.loc[frame["rank_min"].notna()] if "rank_min" in frame.columns else frame
    if "rank" in rows.columns:
        rows = rows.sort_values("rank", kind="stable")
    for _, row in rows.head(50).iterrows():
        cells = [_int(row.get("rank")), str(row.get(label, ""))]
        if has_range:
            cells.append(f"{_int(row['rank_p05'])}{DASH}{_int(row['rank_p95'])}")
        cells.append(f"{_int(row.get('rank_min'))}{DASH}{_int(row.get('rank_max'))}")
        if "p_first" in frame.columns:
            cells.append(_percent(float(row["p_first"]), lang, digits=1))
        if top:
            cells.append(_percent(float(row[top]), lang, digits=1))
        body.append(cells)
    reading = ""
    if "p_first" in frame.columns and len(rows):
        best = rows.sort_values("p_first", ascending=False, kind="stable").iloc[0]
        reading = tr(
            "report.sens.candidates.reading",
            lang,
            winner=str(best.get(label, "")),
            p=_percent(float(best["p_first"]), lang),
        )
    return {
        "title": tr("report.sens.candidates", lang),
        "head": head,
        "body": body,
        "reading": reading,
        "numeric_from": 2,
    }


def _int(value: Any) -> str:
    value = _plain(value)
    return DASH if value is None else str(round(float(value)))


def _sensitivity_tables(sensitivity: Any, result: Result, lang: str) -> list[dict[str, Any]]:
    names = _names(result)
    titles = {s.name: _t(s.title, lang) for s in result.criteria}
    winner = sensitivity.winner
    tables = []
    changes = winner.changes.loc[winner.changes["weight_moved"].notna()].head(8)
    if len(changes):
        tables.append(
            {
                "title": tr("report.sens.changes", lang),
                "head": [
                    tr("report.sens.col.how", lang),
                    tr("report.sens.col.moved", lang),
                    tr("report.sens.col.new", lang),
                ],
                "body": [
                    [
                        _how(row, titles, lang),
                        _percent(float(row["weight_moved"]), lang, digits=1),
                        names.get(row["new_winner"], str(row["new_winner"])),
                    ]
                    for _, row in changes.iterrows()
                ],
                "reading": tr(
                    "report.sens.changes.reading",
                    lang,
                    moved=_percent(float(changes["weight_moved"].iloc[0]), lang),
                    winner=names.get(winner.winner, str(winner.winner)),
                ),
                "numeric_from": 1,
            }
        )
    weights = sensitivity.weights
    if len(weights):
        yes, no = tr("value.yes", lang), tr("value.no", lang)
        tables.append(
            {
                "title": tr("report.sens.oat", lang, step="±" + _percent(sensitivity.step, lang)),
                "head": [
                    tr("report.sens.col.criterion", lang),
                    tr("report.sens.col.change", lang),
                    tr("report.sens.col.winner_changed", lang),
                    tr("report.sens.col.tau", lang),
                    tr("report.sens.col.shift", lang),
                ],
                "body": [
                    [
                        titles.get(row["criterion"], str(row["criterion"])),
                        ("+" if row["change"] > 0 else MINUS)
                        + _percent(abs(row["change"]), lang, digits=1),
                        yes if bool(row["winner_changed"]) else no,
                        _num(row["kendall_tau"], 2, lang),
                        _int(row["max_rank_shift"]),
                    ]
                    for _, row in weights.iterrows()
                ],
                "reading": tr(
                    "report.sens.oat.reading",
                    lang,
                    changed=int(weights["winner_changed"].sum()),
                    n=len(weights),
                    shift=_int(weights["max_rank_shift"].max()),
                ),
                "numeric_from": 1,
            }
        )
    thresholds = sensitivity.thresholds
    if len(thresholds):
        done = thresholds.loc[thresholds["winner_changed"].notna()]
        yes, no = tr("value.yes", lang), tr("value.no", lang)
        tables.append(
            {
                "title": tr(
                    "report.sens.thresholds", lang, step="±" + _percent(sensitivity.step, lang)
                ),
                "head": [
                    tr("report.sens.col.criterion", lang),
                    tr("report.sens.col.parameter", lang),
                    tr("report.sens.col.values", lang),
                    tr("report.sens.col.winner_changed", lang),
                    tr("report.sens.col.shift", lang),
                ],
                "body": [
                    [
                        titles.get(row["criterion"], str(row["criterion"])),
                        _parameter(str(row["parameter"]), lang),
                        " → ".join(
                            format_alike(
                                [_float(row["value_before"]), _float(row["value_after"])], lang
                            )
                        ),
                        yes if row["winner_changed"] is True else no,
                        _int(row["max_rank_shift"]),
                    ]
                    for _, row in done.iterrows()
                ],
                "reading": tr(
                    "report.sens.thresholds.reading",
                    lang,
                    changed=int(done["winner_changed"].eq(other=True).sum()),
                    n=len(done),
                ),
                "numeric_from": 2,
                "worded_column": 1,
            }
        )
    return tables


def _parameter(label: str, lang: str) -> tuple[str, str]:
    """Name a value function's parameter in words, beside its path in the scenario.

    The path (``best``, ``curve.points[2].x``) stays, in code type, for whoever checks the
    scenario file; the words are those of the parameter's kind.

    Examples
    --------
    >>> _parameter("curve.points[2].x", "vi")
    ('điểm gãy', 'curve.points[2].x')
    >>> _parameter("unknown_thing", "en")
    ('', 'unknown_thing')
    """
    base = re.sub(r"\[\d+\](\.x)?$", "", label).rsplit(".", 1)[-1]
    key = f"param.{base}"
    return (tr(key, lang) if key in CATALOGUES["en"] else "", label)


def _float(value: Any) -> float | None:
    value = _plain(value)
    return None if value is None else float(value)


def _ranks_figure(frame: pd.DataFrame, path: Path, *, label: str, lang: str) -> Path:
    drawn = sensitivity_figure(frame, path, label=label, xlabel=tr("report.sens.axis", lang))
    if drawn is None:  # pragma: no cover - the caller checked the columns
        msg = "sensitivity table has no rank intervals to draw"
        raise ParameterError(msg)
    return drawn


def _curve(summary: CriterionSummary, values: Any, path: Path, *, lang: str) -> Path:
    return value_function_figure(summary, values, path, lang=lang)


#: What :func:`write_report` writes into its folder; these names are replaced as one set.
REPORT_FILES = frozenset({"report.html", "report.pdf", "map.html", "scores.csv", "figures"})


def write_report(
    result: Result,
    out_dir: str | Path,
    *,
    sensitivity: Any = None,
    offline: bool = False,
    cdn: bool = False,
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    cards: int = 20,
    rows: int = 500,
    lang: str = "en",
    what_if: bool = True,
    pdf: bool = True,
) -> list[Path]:
    """Write an HTML report of a result, its map and PNG figures to ``out_dir``, as one set.

    Parameters
    ----------
    result
        The evaluated scenario.
    out_dir
        Output directory, created if missing. Writes ``report.html``, ``map.html`` (linked
        and shown in the report), ``scores.csv`` (every candidate) and ``figures/*.png``.
    sensitivity
        Optional sensitivity analysis to include: the result of
        :func:`geosite.decision.sensitivity.sensitivity` (its candidate, weight, threshold and
        winner tables), or a DataFrame with one row per candidate (``rank_min`` and
        ``rank_max`` columns give a rank-interval figure).
    offline
        Leave the background tiles out of ``map.html`` too: the report then makes no
        network request (the map's libraries are embedded unless ``cdn`` is set).
    cdn
        Link the map's libraries from their CDNs instead of embedding them (see
        :func:`geosite.render.result_to_map`).
    basemap, scheme, classes
        As for :func:`geosite.render.result_to_map`.
    cards
        Number of best candidates with a score card.
    rows
        Rows of the ranking table in the report (the best first); every candidate is in
        ``scores.csv`` next to it.
    lang
        Language of the report.
    what_if
        Give the report's map the what-if panel (see :func:`geosite.render.result_to_map`).
    pdf
        Also write ``report.pdf``: the same report on A4 pages, made without a browser
        (:mod:`geosite.render.pdf`).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OutputError
        If the directory cannot be written; nothing in it is changed then.
    ParameterError
        For an unknown option or an unusable ``sensitivity`` object.

    Examples
    --------
    >>> import tempfile
    >>> from geosite import evaluate
    >>> paths = write_report(evaluate("dong-nam-bo"), tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)[:3]
    ['contributions.png', 'map.html', 'map.png']
    """
    tr("report.title", lang)  # checks the language early
    if cards < 0 or rows < 1:
        msg = f"cards must be >= 0 and rows >= 1, got cards={cards!r}, rows={rows!r}"
        raise ParameterError(msg)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    fmap = result_to_map(
        result,
        basemap=basemap,
        scheme=scheme,
        classes=classes,
        offline=offline,
        cdn=cdn,
        lang=lang,
        what_if=what_if,
    )
    figures: list[tuple[str, Callable[[Path], Any]]] = [
        ("map.png", lambda p: static_map(result, p, scheme=scheme, classes=classes, lang=lang)),
        (
            "contributions.png",
            lambda p: contributions_figure(result, p, top=cards or 20, lang=lang),
        ),
    ]
    criteria = []
    for summary in result.criteria:
        file = f"value-{_slug(summary.name)}.png"
        values = result.table[summary.raw_column].to_numpy()
        figures.append((file, functools.partial(_curve, summary, values, lang=lang)))
        criteria.append(
            {
                "name": summary.name,
                "title": _t(summary.title, lang),
                "description": _t(summary.criterion.description or "", lang),
                "unit": summary.unit,
                "measure": measure_spec(summary),
                "measured": measure_sentence(summary, result, lang),
                "formula": formula_text(summary.criterion.value.formula(), lang),
                "weight": format_number(summary.weight, 3, lang),
                "figure": _Figure(
                    f"figures/{file}",
                    tr("report.criteria.curve", lang, title=_t(summary.title, lang)),
                ),
            }
        )
    sens = _sensitivity(sensitivity, result, figures, lang)
    created = generation_time().replace(second=0, microsecond=0)
    scenario = result.scenario
    n_excluded = int(result.table["excluded"].sum())
    context = {
        "t": lambda key, **values: tr(key, lang, **values),
        "lang": lang,
        "title": tr("report.title", lang, name=_t(scenario.name, lang)),
        "generated": tr(
            "report.generated",
            lang,
            version=__version__,
            # ISO dates read in English; Vietnamese writes day/month/year.
            date=created.strftime("%Y-%m-%d %H:%M UTC")
            if lang == "en"
            else format_date(created.date(), check_language(lang)) + created.strftime(" %H:%M UTC"),
        ),
        "created": created,
        "scenario": {
            "name": _t(scenario.name, lang),
            "description": _t(scenario.description, lang),
            "file": str(scenario.source) if scenario.source else "",
            "extends": [str(p) for p in scenario.lineage],
            "aggregation": spec_text(scenario.aggregation.model_dump(mode="json")),
            "aggregation_text": _aggregation_text(result, lang),
            "crs": result.crs.name,
        },
        "intro": tr(
            "report.ranking.intro",
            lang,
            n=len(result.table),
            ranked=len(result.table) - n_excluded,
            excluded=n_excluded,
        ),
        "ranking": _ranking(result, lang, rows),
        "ranking_note": tr("report.ranking.more", lang, shown=format_number(rows, 0, lang))
        if len(result.table) > rows
        else "",
        "cards": _cards(result, result.ranked.head(cards), lang),
        "cards_note": tr(
            "report.cards.more", lang, shown=min(cards, len(result.ranked)), n=len(result.ranked)
        ),
        "static": _Figure(
            "figures/map.png",
            tr("report.static.caption", lang, scheme=tr(f"scheme.{scheme}", lang)),
        ),
        "contributions": _Figure("figures/contributions.png", tr("report.contributions", lang)),
        "sensitivity": sens,
        "summary": _summary(result, sensitivity, lang),
        "sensitivity_figure": "figures/sensitivity_ranks.png"
        if any(name == "sensitivity_ranks.png" for name, _ in figures)
        else None,
        "criteria": criteria,
        "weights": _weights(result, lang),
        "constraints": [
            {
                "label": _t(c.label(), lang),
                "rule": _t(c.describe(), lang),
                "type": getattr(c, "type", ""),
            }
            for c in scenario.constraints
        ],
        "sources": _sources(result, lang),
        "attributions": sorted({u.attribution for u in result.layers if u.attribution}),
        "attribution_label": tr("report.sources.attribution", lang)
        + (f" ({tr('report.sources.attribution.quoted', lang)})" if lang != "en" else ""),
        "offline": offline,
    }
    html_text = _TEMPLATES.get_template("report.html.j2").render(**context)
    names: list[str] = []
    with output_set(out, owns=REPORT_FILES) as stage:
        (stage / "figures").mkdir()
        for name, draw in track(figures, total=len(figures), desc="report figures"):
            draw(stage / "figures" / name)
            names.append(f"figures/{name}")
        fmap.save(str(stage / "map.html"))
        write_csv(result_to_frame(result), stage / "scores.csv")
        (stage / "report.html").write_text(html_text, encoding="utf-8")
        names += ["map.html", "scores.csv", "report.html"]
        if pdf:
            drawn = {f"figures/{name}": stage / "figures" / name for name, _ in figures}
            write_pdf(context, drawn, stage / "report.pdf")
            names.append("report.pdf")
    written = [out / name for name in names]
    for path in written:
        logger.info("wrote %s", path)
    return written
