"""Score cards: each candidate's working per criterion, and what it would take to move up.

For every candidate and criterion a score card gives the raw value with its unit, the score,
the weight, the contribution to the total and the **margin to the next rank**: how much the
raw value alone would have to change, all else equal, for the candidate's total to reach the
total of the candidate ranked directly above it (ties share the better rank, so reaching it
is moving up one place).

The margin is found numerically for any aggregation whose total for one candidate depends on
that candidate's scores alone (all but TOPSIS, VIKOR, PROMETHEE and ELECTRE): the score
the criterion would need is bracketed on a grid and refined, then the value function is
inverted by a dense search and bisection for the raw value closest to the current one that
gives that score without crossing a cutoff. When no raw value can do it (the criterion's
score is already at its maximum, or the others hold the candidate back, as under fuzzy AND),
the margin is missing and the note says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geosite.decision.aggregate import aggregate
from geosite.measures.base import describe_measured_to

if TYPE_CHECKING:
    import numpy.typing as npt

    from geosite.analysis import Result

__all__ = ["compute_score_cards", "measured_to", "score_cards", "value_bounds"]

_RAW_GRID = 4001
_BISECT = 48


def _needed_scores(
    scores: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    spec: Any,
    rows: npt.NDArray[np.intp],
    *,
    j: int,
    targets: npt.NDArray[np.float64],
    criteria: list[str],
) -> npt.NDArray[np.float64]:
    """Return, for each row, the least score on criterion ``j`` whose total reaches target.

    A candidate's total never falls when one of its scores rises, so the least score is found
    by bisection between the current score and 1, for all rows at once.
    """
    base = scores[rows]

    def reaches(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        trial = base.copy()
        trial[:, j] = values
        return np.asarray(
            aggregate(trial, weights, spec, criteria=criteria) >= targets - 1e-12, dtype=bool
        )

    lo = base[:, j].copy()
    hi = np.ones(len(rows))
    possible = reaches(hi)
    for _ in range(_BISECT):
        mid = (lo + hi) / 2
        ok = reaches(mid)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return np.where(possible, hi, np.nan)


def _invert(
    value: Any,
    raw: npt.NDArray[np.float64],
    needed: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Return, for each row, the raw value closest to ``raw`` that scores at least ``needed``."""
    lo, hi = value.plot_range()
    finite = raw[np.isfinite(raw)]
    lo = min(lo, float(finite.min()) if finite.size else lo)
    hi = max(hi, float(finite.max()) if finite.size else hi)
    xs = np.linspace(lo, hi, _RAW_GRID)
    fx = np.asarray(value(xs), dtype=float)
    cutoff = getattr(value, "cutoff_mask", None)
    allowed = ~np.asarray(cutoff(xs), dtype=bool) if cutoff is not None else np.ones_like(fx, bool)
    target = np.full(len(raw), np.nan)
    for i in np.flatnonzero(np.isfinite(needed)):
        ok = (fx >= needed[i] - 1e-12) & allowed
        if ok.any():
            target[i] = xs[int(np.argmin(np.where(ok, np.abs(xs - raw[i]), np.inf)))]
    # Refine by bisection between each target and its neighbour towards the raw value.
    rows = np.flatnonzero(np.isfinite(target))
    if rows.size:
        spacing = (hi - lo) / (_RAW_GRID - 1)
        good = target[rows]
        direction = np.sign(raw[rows] - good)
        bad = np.where(direction == 0, good, good + direction * spacing)
        for _ in range(_BISECT):
            mid = (good + bad) / 2
            fm = np.asarray(value(mid), dtype=float)
            meets = fm >= needed[rows] - 1e-12
            if cutoff is not None:
                meets &= ~np.asarray(cutoff(mid), dtype=bool)
            good = np.where(meets, mid, good)
            bad = np.where(meets, bad, mid)
        target[rows] = good
    return target


def measured_to(result: Result, criterion: str, *, language: str = "en") -> list[str | None] | None:
    """Return, per candidate (in table order), what a criterion's value was measured to.

    Parameters
    ----------
    result
        An evaluated scenario.
    criterion
        Name of a criterion.
    language
        ``"en"`` or ``"vi"``: maps and reports may be written in another language than the
        scenario's, whose language the table's ``<criterion>_measured_to`` column uses.

    Returns
    -------
    list of str or None, or None
        E.g. ``"Cảng hàng không quốc tế Long Thành (outline)"`` per candidate; ``None`` for a
        criterion that is not measured to a feature (a count, a raster, an attribute).

    Examples
    --------
    >>> from geosite import evaluate
    >>> result = evaluate("dong-nam-bo")
    >>> measured_to(result, "long_thanh_airport_time", language="vi")[0]
    'Cảng hàng không quốc tế Long Thành (ranh giới)'
    >>> measured_to(result, "industrial_parks_within_15km") is None
    True
    """
    table = result.table
    kinds = f"{criterion}_measured_to_kind"
    if kinds not in table:
        return None
    names = next(
        table[f"{criterion}_{suffix}"]
        for suffix in ("nearest", "facility")
        if f"{criterion}_{suffix}" in table
    )
    return describe_measured_to(list(names), list(table[kinds]), language)


def value_bounds(result: Result, criterion: str) -> list[str | None]:
    """Return, per candidate (in table order), whether a criterion's value is only a bound.

    A layer that covers only part of the region (see
    :func:`geosite.data.bundled.layer_coverage`) cannot show a feature beyond its edge: a
    distance from a candidate nearer that edge than the nearest feature is an upper bound, and a
    count whose radius crosses it a lower bound.

    Parameters
    ----------
    result
        An evaluated scenario.
    criterion
        Name of a criterion.

    Returns
    -------
    list of str or None
        ``"upper"``, ``"lower"`` or ``None`` (the value is as measured) per candidate.

    Examples
    --------
    >>> from geosite import evaluate
    >>> result = evaluate("data-centre")
    >>> dict(zip(result.table["site_id"], value_bounds(result, "hv_supply_distance")))[
    ...     "long-thanh-digital-119ha"]
    'upper'
    >>> set(value_bounds(result, "port_truck_time"))
    {None}
    """
    table = result.table
    out: list[str | None] = [None] * len(table)
    for bound in ("upper", "lower"):
        column = f"{criterion}_{bound}_bound"
        if column in table:
            for i, flagged in enumerate(table[column].to_numpy()):
                if bool(flagged):
                    out[i] = bound
    return out


def score_cards(result: Result, *, limit: int | None = 1000) -> pd.DataFrame:
    """Return the score card of every candidate: one row per candidate and criterion.

    Computed once per result and limit, and kept on it (:meth:`geosite.Result.score_cards`).

    Parameters
    ----------
    result
        An evaluated scenario.
    limit
        Compute margins for the candidates ranked ``limit`` or better only (the search costs
        about a millisecond per candidate and criterion); ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        Columns: the candidate id, ``rank``, ``total_score``, ``criterion``, ``label``,
        ``unit``, ``raw``, ``measured_to`` (for a distance or travel time: the facility and
        whether to its outline, a point or a line), ``bound`` (``"upper"`` or ``"lower"`` where
        the raw value is only a bound, see :func:`value_bounds`), ``score``, ``weight``,
        ``contribution``,
        ``next_total`` (the total of the candidate one place up), ``needed_score``,
        ``target_raw`` and
        ``margin_to_next_rank`` (``target_raw - raw``, in the criterion's unit), and
        ``margin_note`` when the margin is missing.

    Examples
    --------
    >>> from geosite import evaluate
    >>> cards = score_cards(evaluate("dong-nam-bo"))
    >>> sorted(cards.columns)[:3]
    ['bound', 'contribution', 'criterion']
    """
    return result.score_cards(limit=limit)


def compute_score_cards(result: Result, *, limit: int | None = 1000) -> pd.DataFrame:
    """Compute what :func:`score_cards` returns (without keeping it on the result)."""
    table = result.table
    scenario = result.scenario
    n = len(table)
    scores = table[[f"{s.name}_score" for s in result.criteria]].to_numpy(dtype=float)
    weights = np.array([s.weight for s in result.criteria])
    totals = table["total_score"].to_numpy(dtype=float)
    ranked = ~table["excluded"].to_numpy(dtype=bool)
    ranks = table["rank"].to_numpy(dtype=float, na_value=np.nan)

    next_total = np.full(n, np.nan)
    distinct = np.unique(totals[ranked])
    for i in np.flatnonzero(ranked):
        above = distinct[distinct > totals[i]]
        if above.size:
            next_total[i] = above.min()
    eligible = ranked & np.isfinite(next_total)
    if limit is not None:
        eligible &= ranks <= limit
    rows = np.flatnonzero(eligible)
    separable = scenario.aggregation.separable
    names = [s.name for s in result.criteria]

    frames = []
    for j, summary in enumerate(result.criteria):
        raw = table[summary.raw_column].to_numpy(dtype=float)
        needed = np.full(n, np.nan)
        target = np.full(n, np.nan)
        if rows.size and separable:
            needed[rows] = _needed_scores(
                scores,
                weights,
                scenario.aggregation,
                rows,
                j=j,
                targets=next_total[rows],
                criteria=names,
            )
            target[rows] = _invert(summary.criterion.value, raw[rows], needed[rows])
        notes = np.full(n, None, dtype=object)
        notes[~ranked] = "excluded"
        notes[ranked & ~np.isfinite(next_total)] = "ranked first"
        if limit is not None:
            notes[ranked & np.isfinite(next_total) & (ranks > limit)] = "beyond the limit"
        if not separable:
            notes[eligible] = (
                f"not computed under {scenario.aggregation.method} (a total depends on every "
                "candidate)"
            )
        else:
            lost = eligible & ~np.isfinite(target)
            notes[lost] = "cannot reach the next rank on this criterion alone"
        frames.append(
            pd.DataFrame(
                {
                    result.id_column: table[result.id_column].to_numpy(),
                    "rank": table["rank"].to_numpy(),
                    "total_score": totals,
                    "criterion": summary.name,
                    "label": summary.title,
                    "unit": summary.unit,
                    "raw": raw,
                    "measured_to": table[f"{summary.name}_measured_to"].to_numpy(dtype=object)
                    if f"{summary.name}_measured_to" in table
                    else None,
                    "bound": value_bounds(result, summary.name),
                    "score": scores[:, j],
                    "weight": weights[j],
                    "contribution": table[f"{summary.name}_contribution"].to_numpy(dtype=float),
                    "next_total": next_total,
                    "needed_score": needed,
                    "target_raw": target,
                    "margin_to_next_rank": target - raw,
                    "margin_note": notes,
                }
            )
        )
    cards = pd.concat(frames, ignore_index=True)
    order = {name: k for k, name in enumerate(table[result.id_column])}
    cards["_order"] = cards[result.id_column].map(order)
    cards["_crit"] = cards["criterion"].map({s.name: k for k, s in enumerate(result.criteria)})
    cards = cards.sort_values(["_order", "_crit"], kind="stable")
    return cards.drop(columns=["_order", "_crit"]).reset_index(drop=True)
