"""The pipeline: ``evaluate(scenario) -> Result``, and nothing else.

Layers are loaded once, checked (CRS, geometries, ids) and projected to the metric analysis
CRS; each criterion's measure gives raw values, its value function turns them into scores in
[0, 1]; constraints exclude candidates (who stay in the table with the reason); the weights
and the aggregation give the total score and the rank.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geosite.data import io, vn2000
from geosite.data.crs import DEFAULT_CRS, CRSLike, analysis_crs, require_crs, to_crs
from geosite.data.grid import grid_candidates
from geosite.decision.aggregate import aggregate, contributions
from geosite.decision.constraints import ForceInclude
from geosite.decision.weights import WeightResult, resolve_weights
from geosite.errors import DataNotFoundError, LayerError
from geosite.measures.base import MeasureContext, MeasureResult, Where
from geosite.scenario import Criterion, Scenario, load_scenario

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt
    import pyproj

__all__ = ["CriterionSummary", "LayerUse", "Result", "evaluate", "load_layer"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LayerUse:
    """A layer an evaluation read, with what is known of its provenance.

    Parameters
    ----------
    name
        The name the scenario uses.
    path
        The file read.
    bundled
        Name of the bundled layer behind it, if any (its catalogue entry has the source,
        licence and accuracy).
    attribution
        Short attribution text for maps, if known.
    text_conversions
        What was converted to Unicode from a legacy Vietnamese encoding when the layer was
        read (see :func:`geosite.data.text.convert_columns`), if anything.
    """

    name: str
    path: Path
    bundled: str | None = None
    attribution: str | None = None
    text_conversions: object | None = None


@dataclass(frozen=True, slots=True)
class CriterionSummary:
    """What one criterion measured and how it was scored and weighted."""

    criterion: Criterion
    unit: str
    raw_column: str
    weight: float
    extra_columns: tuple[str, ...] = ()
    features: gpd.GeoDataFrame | None = None

    @property
    def name(self) -> str:
        """Return the criterion's name."""
        return self.criterion.name

    @property
    def title(self) -> str:
        """Return the criterion's display title."""
        return self.criterion.title


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of :func:`evaluate`.

    Parameters
    ----------
    scenario
        The scenario evaluated.
    table
        One row per candidate, sorted by rank (excluded candidates last), in :attr:`crs`:
        for each criterion the raw value (unit in the column name), score, weight and
        contribution; then ``total_score``, ``rank``, ``excluded`` and ``exclusion_reason``.
    crs
        The metric analysis CRS.
    criteria
        Per-criterion summaries, in scenario order.
    weights
        The resolved weights and the working behind them.
    layers
        Every layer read, for provenance and map attribution.
    id_column, name_column
        Columns of :attr:`table` that identify and name candidates.
    """

    scenario: Scenario
    table: gpd.GeoDataFrame
    crs: pyproj.CRS
    criteria: tuple[CriterionSummary, ...]
    weights: WeightResult
    layers: tuple[LayerUse, ...]
    id_column: str
    name_column: str | None = None

    @property
    def ranked(self) -> gpd.GeoDataFrame:
        """Return the candidates that were not excluded, best first."""
        return self.table.loc[~self.table["excluded"]]


def raw_column(name: str, unit: str) -> str:
    """Return the column name of a criterion's raw value: ``port_distance`` + ``m``."""
    return f"{name}_{unit}" if unit else f"{name}_value"


@dataclass
class _LayerStore:
    """Loads each layer once; hands out filtered copies projected to the analysis CRS."""

    scenario: Scenario
    crs: pyproj.CRS | None = None
    _raw: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    _projected: dict[tuple[str, str], gpd.GeoDataFrame] = field(default_factory=dict)
    uses: dict[str, LayerUse] = field(default_factory=dict)

    def resolve_path(self, name: str) -> Path:
        from geosite.data import bundled  # noqa: PLC0415

        source = self.scenario.layers.get(name)
        if source is not None and source.path is not None:
            return (self.scenario.base_dir / source.path).resolve()
        bundled_name = source.bundled if source is not None else name
        if bundled_name in bundled.layer_names():
            return bundled.layer_path(bundled_name)
        path = (self.scenario.base_dir / name).resolve()
        if path.exists():
            return path
        msg = (
            f"unknown layer {name!r}: not declared under `layers:`, not a bundled layer "
            f"({', '.join(bundled.layer_names())}) and not a file next to the scenario"
        )
        raise DataNotFoundError(msg)

    def raw(self, name: str, *, candidates: bool = False) -> gpd.GeoDataFrame:
        if name in self._raw:
            return self._raw[name]
        from geosite.data import bundled  # noqa: PLC0415

        source = self.scenario.layers.get(name)
        bundled_name = (
            source.bundled
            if source is not None
            else (name if name in bundled.layer_names() else None)
        )
        path = self.resolve_path(name)
        if bundled_name is not None:
            gdf = bundled.read_layer(bundled_name)
            info = bundled.layer_info(bundled_name)
            self.uses[name] = LayerUse(name, path, bundled_name, info.attribution)
        else:
            gdf = io.read_vector(
                path,
                layer=source.layer if source is not None else None,
                encoding=source.encoding if source is not None else None,
            )
            conversions = gdf.attrs.get("text_conversions")
            self.uses[name] = LayerUse(name, path, text_conversions=conversions or None)
        declared = (
            to_crs(source.crs, what=f"layers.{name}.crs")
            if source is not None and source.crs is not None
            else None
        )
        # Sets a declared CRS on a file without one, restores a VN-2000 datum shift a .prj
        # dropped, refuses other disagreements, and checks the shift is there.
        gdf = vn2000.apply_declared_crs(gdf, declared, layer=name)
        require_crs(gdf, layer=name)
        if source is not None and source.where:
            gdf = io.filter_where(gdf, source.where, layer=name)
        id_column = source.id if source is not None else None
        if id_column is None and bundled_name is not None:
            id_column = bundled.layer_info(bundled_name).id_column
        gdf = io.check_geometries(
            gdf,
            layer=name,
            id_column=id_column,
            repair=bool(source and source.repair),
            # Reference layers keep features of unknown location without geometry.
            allow_missing=bundled_name is not None and not candidates,
        )
        self._raw[name] = gdf
        return gdf

    def load(self, name: str, where: Where | None = None) -> gpd.GeoDataFrame:
        if self.crs is None:  # pragma: no cover - set before measures run
            msg = "analysis CRS not chosen yet"
            raise RuntimeError(msg)
        key = (name, repr(sorted((where or {}).items())))
        if key not in self._projected:
            gdf = io.filter_where(self.raw(name), where, layer=name)
            self._projected[key] = gdf.to_crs(self.crs)
        return self._projected[key]


def load_layer(
    scenario: Scenario, name: str, where: Where | None = None, *, crs: CRSLike | None = None
) -> gpd.GeoDataFrame:
    """Read a layer the way an evaluation of ``scenario`` reads it.

    The layer (bundled, or declared under the scenario's ``layers:``) is checked (CRS,
    geometries), filtered by its declared ``where`` and by ``where``, and projected to ``crs``.

    Parameters
    ----------
    scenario
        The scenario that names the layer.
    name
        A layer name the scenario may use.
    where
        A further attribute filter, ``{column: value or [values]}``.
    crs
        The CRS to project to; the scenario's analysis CRS (or EPSG:32648) if omitted.

    Examples
    --------
    >>> from geosite import load_scenario
    >>> ports = load_layer(load_scenario("dong-nam-bo"), "ports", {"port_id": "cai-mep-thi-vai"})
    >>> len(ports), ports.crs.to_epsg()
    (1, 32648)
    """
    store = _LayerStore(scenario)
    store.crs = to_crs(crs) if crs is not None else to_crs(scenario.crs or DEFAULT_CRS)
    return store.load(name, where)


def _load_candidates(scenario: Scenario, store: _LayerStore) -> gpd.GeoDataFrame:
    """Return the candidates projected to the analysis CRS (chosen here, into ``store``)."""
    spec = scenario.candidates
    if spec.grid is not None:
        area = store.raw(spec.grid.area.layer)
        store.crs = analysis_crs(scenario.crs, area)
        cells = grid_candidates(spec.grid, store.load, store.crs)
        if len(cells) == 0:
            msg = (
                f"the grid over {spec.grid.area.layer!r} has no cells; use a smaller cell, "
                "cells: clip, or check the area's `where` and the excluded layers"
            )
            raise LayerError(msg)
        return cells.reset_index(drop=True)
    layer = spec.source
    gdf = store.raw(layer, candidates=True)
    gdf = io.filter_where(gdf, spec.where, layer=layer)
    io.check_ids(gdf, layer=layer, id_column=spec.id_column)
    io.check_candidate_geometry_types(gdf, layer=layer)
    if spec.name is not None and spec.name not in gdf.columns:
        columns = [c for c in gdf.columns if c != gdf.geometry.name]
        msg = (
            f"candidates layer {layer!r} has no name column {spec.name!r}; "
            f"its columns are {columns}"
        )
        raise LayerError(msg)
    store.crs = analysis_crs(scenario.crs, gdf)
    return gdf.reset_index(drop=True).to_crs(store.crs)


def _measure(
    criterion: Criterion,
    ctx: MeasureContext,
    reasons: list[list[str]],
    given: MeasureResult | None = None,
) -> tuple[MeasureResult, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return a criterion's measure result, raw values and scores; note unmeasurable rows."""
    if given is None:
        logger.info("measuring %s", criterion.name)
    result = given if given is not None else criterion.measure.compute(ctx)
    values = np.asarray(result.values, dtype=np.float64)
    if values.shape != (len(ctx.candidates),):  # pragma: no cover - guards measure code
        msg = f"measure of {criterion.name!r} returned {values.shape} values"
        raise RuntimeError(msg)
    bad = ~np.isfinite(values)
    for i in np.flatnonzero(bad):
        why = (result.reasons[i] if result.reasons else None) or "no value"
        reasons[i].append(f"{criterion.name} not measurable ({why})")
    cutoff = getattr(criterion.value, "cutoff_mask", None)
    if cutoff is not None:
        for i in np.flatnonzero(np.asarray(cutoff(values), dtype=bool) & ~bad):
            reasons[i].append(
                f"{criterion.name} = {values[i]:.4g} {result.unit} beyond the cutoff".rstrip()
            )
    return result, values, np.asarray(criterion.value(values), dtype=np.float64)


def _with_admin_units(table: pd.DataFrame, candidates: gpd.GeoDataFrame) -> pd.DataFrame:
    """Add the old and new administrative units of each candidate, after its score columns."""
    from geosite.data.admin import add_admin_columns  # noqa: PLC0415 - reads the unit tables

    units = add_admin_columns(candidates[[candidates.geometry.name]])
    columns = [c for c in units.columns if c != units.geometry.name]
    return pd.concat([table, pd.DataFrame(units[columns])], axis=1)


def _force_include(
    scenario: Scenario,
    table: pd.DataFrame,
    excluded: npt.NDArray[np.bool_],
    complete: npt.NDArray[np.bool_],
    notes: list[str | None],
) -> None:
    """Apply ``force_include``: keep named candidates that can be scored, and say so."""
    forced = next((c for c in scenario.constraints if isinstance(c, ForceInclude)), None)
    if forced is None:
        return
    spec = scenario.candidates
    ids = table[spec.id_column].tolist()
    for wanted in forced.ids:
        if wanted not in ids:
            msg = (
                f"force_include names {wanted!r}, which is not a candidate id of layer "
                f"{spec.source!r}"
            )
            raise DataNotFoundError(msg)
        i = ids.index(wanted)
        if excluded[i] and complete[i]:
            excluded[i] = False
            notes[i] = f"force-included (would be excluded: {notes[i]})"


def _measure_criteria(
    scenario: Scenario,
    ctx: MeasureContext,
    reasons: list[list[str]],
    measure_all: MeasureAll | None,
) -> tuple[dict[str, npt.NDArray[np.float64]], npt.NDArray[np.float64], list[MeasureResult]]:
    """Return every criterion's raw values, the score matrix and the measure results."""
    given: Sequence[MeasureResult | None] = [None] * len(scenario.criteria)
    if measure_all is not None:
        given = list(measure_all(scenario.criteria, ctx))
        if len(given) != len(scenario.criteria):  # pragma: no cover - guards measure_all
            msg = f"measure_all gave {len(given)} results for {len(scenario.criteria)} criteria"
            raise RuntimeError(msg)
    raw: dict[str, npt.NDArray[np.float64]] = {}
    scores = np.empty((len(ctx.candidates), len(scenario.criteria)))
    measured: list[MeasureResult] = []
    for j, criterion in enumerate(scenario.criteria):
        result, raw[criterion.name], scores[:, j] = _measure(criterion, ctx, reasons, given[j])
        measured.append(result)
    return raw, scores, measured


#: Computes every criterion's measure at once, another way (see :func:`evaluate`).
MeasureAll = Callable[[Sequence[Criterion], MeasureContext], Sequence[MeasureResult]]


def evaluate(scenario: Scenario | str | Path, *, measure_all: MeasureAll | None = None) -> Result:
    """Score and rank the candidates of a scenario.

    Parameters
    ----------
    scenario
        A :class:`~geosite.scenario.Scenario`, or the path of a scenario file (or the name of
        a bundled scenario such as ``"dong-nam-bo"``).
    measure_all
        Compute the raw values of every criterion another way, given the criteria and the
        measure context (candidates loaded and projected, layers, networks); it returns one
        :class:`~geosite.measures.base.MeasureResult` per criterion, in order.
        :func:`geosite.distributed.evaluate_partitioned` passes one that measures partition
        by partition on Dask. By default each criterion's measure runs here.

    Returns
    -------
    Result
        The scored table (a GeoDataFrame sorted by rank) and what was used to compute it.

    Raises
    ------
    GeositeError
        Naming the layer, file or key at fault when an input is unusable.

    Examples
    --------
    >>> result = evaluate("dong-nam-bo")
    >>> int(result.table["rank"].iloc[0])
    1
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    store = _LayerStore(scenario)
    candidates = _load_candidates(scenario, store)
    crs = store.crs
    assert crs is not None
    ctx = MeasureContext(
        candidates=candidates,
        crs=crs,
        load_layer=store.load,
        resolve_path=store.resolve_path,
        base_dir=scenario.base_dir,
        networks=scenario.networks,
    )
    n, spec = len(candidates), scenario.candidates
    id_column = spec.id_column
    table = pd.DataFrame(candidates[[id_column] + ([spec.name] if spec.name else [])])
    reasons: list[list[str]] = [[] for _ in range(n)]

    raw, scores, measured = _measure_criteria(scenario, ctx, reasons, measure_all)
    for constraint in scenario.constraints:
        outcome = constraint.evaluate(ctx, raw)
        for i in np.flatnonzero(outcome.excluded):
            reasons[i].append(outcome.reasons[i] or constraint.label())

    weights = resolve_weights(
        scenario.weighting,
        scenario.criterion_names,
        {c.name: c.weight for c in scenario.criteria},
    )
    w = np.array([weights.weights[c] for c in scenario.criterion_names])
    complete = np.asarray(np.isfinite(scores).all(axis=1), dtype=bool)
    totals = np.full(n, np.nan)
    parts = np.full(scores.shape, np.nan)
    if complete.any():
        totals[complete] = aggregate(scores[complete], w, scenario.aggregation)
        parts[complete] = contributions(scores[complete], w, scenario.aggregation)

    excluded = np.array([bool(r) for r in reasons], dtype=bool)
    notes: list[str | None] = ["; ".join(r) if r else None for r in reasons]
    _force_include(scenario, table, excluded, complete, notes)

    summaries = []
    for j, (criterion, result) in enumerate(zip(scenario.criteria, measured, strict=True)):
        name, column = criterion.name, raw_column(criterion.name, result.unit)
        table[column] = raw[name]
        for suffix, extra in result.extra.items():
            table[f"{name}_{suffix}"] = extra
        table[f"{name}_score"] = scores[:, j]
        table[f"{name}_weight"] = w[j]
        table[f"{name}_contribution"] = parts[:, j]
        summaries.append(
            CriterionSummary(
                criterion=criterion,
                unit=result.unit,
                raw_column=column,
                weight=float(w[j]),
                extra_columns=tuple(f"{name}_{suffix}" for suffix in result.extra),
                features=result.features,
            )
        )
    eligible = ~excluded & complete
    table["total_score"] = totals
    table["rank"] = pd.Series(totals).where(eligible).rank(method="min", ascending=False)
    table["rank"] = table["rank"].astype("Int64")
    table["excluded"] = ~eligible
    table["exclusion_reason"] = pd.Series(notes, dtype=object)
    if scenario.outputs.admin_units:
        table = _with_admin_units(table, candidates)
    # Best first; excluded candidates last by score; ties broken by id for determinism.
    order = np.lexsort(
        (table[id_column].astype(str).to_numpy(), -np.nan_to_num(totals, nan=-np.inf), ~eligible)
    )
    scored = gpd.GeoDataFrame(table, geometry=candidates.geometry, crs=crs)
    return Result(
        scenario=scenario,
        table=scored.iloc[order].reset_index(drop=True),
        crs=crs,
        criteria=tuple(summaries),
        weights=weights,
        layers=tuple(store.uses.values()),
        id_column=id_column,
        name_column=spec.name,
    )
