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
from geosite.render.map import Basemap, Scheme, result_to_map
from geosite.render.static import (
    contributions_figure,
    sensitivity_figure,
    static_map,
    value_function_figure,
)
from geosite.render.text import format_number, format_value, tr
from geosite.result.outputs import result_to_frame
from geosite.result.scorecard import score_cards

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
    cards = []
    for _, row in rows.iterrows():
        rank = _plain(row["rank"])
        cards.append(
            {
                "name": str(row[label]),
                "id": str(row[result.id_column]),
                "rank": None if rank is None else int(rank),
                "total": format_number(float(row["total_score"]), 3, lang),
                "reason": _plain(row["exclusion_reason"]),
                "rows": [
                    {
                        "title": s.title,
                        "raw": format_value(_plain(row[s.raw_column]), s.unit, lang),
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
    head = [tr("report.col.rank", lang), tr("report.col.name", lang), "id"]
    head += [s.title for s in result.criteria]
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
                    _plain(row["exclusion_reason"]) or "",
                ],
            }
        )
    return {"head": head, "body": body}


def _measure_text(summary: Any) -> list[tuple[str, str]]:
    dumped = summary.criterion.measure.model_dump(exclude_none=True, mode="json")
    return [(str(k), _short(v)) for k, v in dumped.items()]


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value)
    return str(value)


def _weights(result: Result, lang: str) -> dict[str, Any]:
    weights = result.weights
    details = dict(weights.details)
    table = [
        (s.title, format_number(s.weight, 3, lang), _short(details.get("raw", {}).get(s.name, "")))
        for s in result.criteria
    ]
    ahp = None
    if weights.method == "ahp" and "matrix" in details:
        names = list(details.get("criteria", []))
        titles = {s.name: s.title for s in result.criteria}
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
        k: _short(v)
        for k, v in details.items()
        if k not in {"raw", "matrix", "criteria", "priorities"}
    }
    return {
        "method": weights.method,
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


def _weight_flip_text(sensitivity: Any, lang: str) -> str:
    """Describe the smallest whole-vector weight change that changes the winner, if known."""
    from geosite.i18n import translate  # noqa: PLC0415

    winner: Any = getattr(sensitivity, "winner", None)
    flip = winner.flip("winner", "l1") if winner is not None and hasattr(winner, "flip") else None
    if flip is None or not math.isfinite(flip.distance):
        return ""
    language: Any = lang
    how = "exact" if flip.exact else "upper bound"
    return translate(
        "report.weight_flip",
        language,
        distance=format_number(flip.weight_moved, 3, lang),
        how=how,
        rival=flip.rival,
        incumbent=flip.incumbent,
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


def _sensitivity(
    sensitivity: Any,
    result: Result,
    figures: list[tuple[str, Callable[[Path], Any]]],
    lang: str = "en",
) -> dict[str, Any] | None:
    """Return the tables of a sensitivity result (from ``geosite.decision.sensitivity``)."""
    if sensitivity is None:
        return None
    if isinstance(sensitivity, pd.DataFrame):
        frames = {"candidates": sensitivity}
        summary: dict[str, Any] = {}
    else:
        frames = {
            name: getattr(sensitivity, name)
            for name in ("candidates", "weights", "thresholds")
            if isinstance(getattr(sensitivity, name, None), pd.DataFrame)
        }
        summary_fn = getattr(sensitivity, "summary", None)
        summary = summary_fn() if callable(summary_fn) else {}
        # Shown as the weight_flips table and a sentence instead of one long cell.
        summary.pop("smallest_weight_changes", None)
        winner = getattr(sensitivity, "winner", None)
        if winner is not None and isinstance(getattr(winner, "changes", None), pd.DataFrame):
            frames["winner"] = winner.changes
        flips = getattr(sensitivity, "flips_table", None)
        if callable(flips):
            # The smallest whole-vector weight changes and the weights that achieve them.
            frames["weight_flips"] = flips()
    if not frames:
        msg = (
            "sensitivity must be a pandas DataFrame or a geosite.decision.sensitivity result with "
            f"`candidates`; got {type(sensitivity).__name__}"
        )
        raise ParameterError(msg)
    label = result.name_column or result.id_column
    candidates = frames.get("candidates")
    if candidates is not None and "rank_min" in candidates.columns:
        frame = candidates
        if label not in frame.columns and result.id_column in frame.columns:
            names = dict(zip(result.table[result.id_column], result.table[label], strict=True))
            frame = frame.assign(**{label: frame[result.id_column].map(names)})
        figures.append(
            ("sensitivity_ranks.png", functools.partial(_ranks_figure, frame, label=label))
        )
    tables = {}
    for name, frame in frames.items():
        shown = frame.head(200)
        tables[name] = {
            "head": [str(c) for c in shown.columns],
            "body": [[_cell(v) for v in row] for row in shown.itertuples(index=False)],
            "more": max(len(frame) - len(shown), 0),
        }
    return {
        "summary": {k: _short(v) for k, v in summary.items()},
        "tables": tables,
        "flip": _weight_flip_text(sensitivity, lang),
    }


def _ranks_figure(frame: pd.DataFrame, path: Path, *, label: str) -> Path:
    drawn = sensitivity_figure(frame, path, label=label)
    if drawn is None:  # pragma: no cover - the caller checked the columns
        msg = "sensitivity table has no rank intervals to draw"
        raise ParameterError(msg)
    return drawn


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


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
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    cards: int = 20,
    rows: int = 500,
    lang: str = "en",
    what_if: bool = True,
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
        Embed the map's JavaScript in ``map.html`` so the report opens without internet
        (no background tiles then).
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
                "title": summary.title,
                "description": summary.criterion.description or "",
                "unit": summary.unit,
                "measure": _measure_text(summary),
                "formula": summary.criterion.value.formula(),
                "weight": format_number(summary.weight, 3, lang),
                "figure": _Figure(
                    f"figures/{file}", tr("report.criteria.curve", lang, title=summary.title)
                ),
            }
        )
    sens = _sensitivity(sensitivity, result, figures, lang)
    scenario = result.scenario
    n_excluded = int(result.table["excluded"].sum())
    context = {
        "t": lambda key, **values: tr(key, lang, **values),
        "lang": lang,
        "title": tr("report.title", lang, name=scenario.name),
        "generated": tr(
            "report.generated",
            lang,
            version=__version__,
            date=generation_time().strftime("%Y-%m-%d %H:%M UTC"),
        ),
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": str(scenario.source) if scenario.source else "",
            "extends": [str(p) for p in scenario.lineage],
            "aggregation": _short(scenario.aggregation.model_dump(mode="json")),
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
        "sensitivity_figure": "figures/sensitivity_ranks.png"
        if any(name == "sensitivity_ranks.png" for name, _ in figures)
        else None,
        "criteria": criteria,
        "weights": _weights(result, lang),
        "constraints": [
            {"label": c.label(), "rule": c.describe(), "type": getattr(c, "type", "")}
            for c in scenario.constraints
        ],
        "sources": _sources(result, lang),
        "offline": offline,
    }
    html_text = _TEMPLATES.get_template("report.html.j2").render(**context)
    names: list[str] = []
    with output_set(out, owns=REPORT_FILES) as stage:
        (stage / "figures").mkdir()
        for name, draw in figures:
            draw(stage / "figures" / name)
            names.append(f"figures/{name}")
        fmap.save(str(stage / "map.html"))
        write_csv(result_to_frame(result), stage / "scores.csv")
        (stage / "report.html").write_text(html_text, encoding="utf-8")
        names += ["map.html", "scores.csv", "report.html"]
    written = [out / name for name in names]
    for path in written:
        logger.info("wrote %s", path)
    return written
