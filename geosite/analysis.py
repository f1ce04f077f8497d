"""The pipeline: ``evaluate(scenario) -> Result``, and nothing else.

Layers are loaded once, checked (CRS, geometries, ids) and projected to the metric analysis
CRS; each criterion's measure gives raw values, its value function turns them into scores in
[0, 1]; constraints exclude candidates (who stay in the table with the reason); the weights
and the aggregation give the total score and the rank.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosite.data import io
from geosite.data.crs import DEFAULT_CRS, CRSLike, analysis_crs, to_crs
from geosite.data.grid import grid_candidates
from geosite.data.source import LayerUse, check_file, is_graph, open_layer, open_raster
from geosite.data.where import filter_where
from geosite.decision.aggregate import aggregate, contributions
from geosite.decision.constraints import ForceInclude
from geosite.decision.weights import WeightResult, resolve_weights
from geosite.errors import DataNotFoundError, GeositeError, LayerError, ParameterError
from geosite.i18n import LocalizedText, join_phrases, localized, phrase, unit_label
from geosite.measures.base import MeasureContext, MeasureResult, describe_measured_to
from geosite.progress import track
from geosite.scenario import Criterion, Scenario, load_scenario

if TYPE_CHECKING:
    import os

    import folium
    import numpy.typing as npt
    import pyproj

    from geosite.types import Where

__all__ = [
    "CriterionSummary",
    "LayerUse",
    "Preflight",
    "Result",
    "check_data",
    "evaluate",
    "load_layer",
    "preflight",
]

logger = logging.getLogger(__name__)


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
    in_memory
        The layers given to :func:`evaluate` as ``layers=``, by name (maps draw from them).

    In a notebook a result shows its ranking; :meth:`explore` draws the interactive map,
    :meth:`to_file` writes the table, and :meth:`score_cards` gives the margins to the next
    rank (computed once, then kept).
    """

    scenario: Scenario
    table: gpd.GeoDataFrame
    crs: pyproj.CRS
    criteria: tuple[CriterionSummary, ...]
    weights: WeightResult
    layers: tuple[LayerUse, ...]
    id_column: str
    name_column: str | None = None
    in_memory: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ranked(self) -> gpd.GeoDataFrame:
        """Return the candidates that were not excluded, best first."""
        return self.table.loc[~self.table["excluded"]]

    def score_cards(self, *, limit: int | None = 1000) -> pd.DataFrame:
        """Return the score cards: per candidate and criterion, the margin to the next rank.

        Computed on first use and kept on the result, so maps, reports and outputs share
        one computation (see :func:`geosite.result.scorecard.score_cards`).

        Parameters
        ----------
        limit
            Compute margins for the candidates ranked ``limit`` or better; ``None`` for all.
        """
        key = ("score_cards", limit)
        if key not in self._memo:
            from geosite.result.scorecard import compute_score_cards  # noqa: PLC0415

            self._memo[key] = compute_score_cards(self, limit=limit)
        cards: pd.DataFrame = self._memo[key]
        return cards.copy()

    def explore(self, **kwargs: Any) -> folium.Map:
        """Return the interactive map of the result (a folium.Map; shown inline in Jupyter).

        Keyword arguments go to :func:`geosite.render.map.result_to_map` (``basemap``,
        ``scheme``, ``lang``...). folium loads only now.
        """
        from geosite.render.map import result_to_map  # noqa: PLC0415 - rendering on demand

        kwargs.setdefault("lang", self.scenario.language)
        return result_to_map(self, **kwargs)

    def to_file(self, path: str | os.PathLike[str], *, driver: str | None = None) -> Path:
        """Write the score table to one file, atomically; return its path.

        The format follows the extension (``.gpkg``, ``.geojson`` in WGS 84, ``.csv``
        without geometry, as geosite's own outputs) or ``driver``. For the whole set of
        outputs use :func:`geosite.write_outputs`.

        Raises
        ------
        ParameterError
            If the extension names no format geosite writes.
        OutputError
            If the file cannot be written; a previous file is left unchanged.
        """
        from geosite.result.outputs import write_table  # noqa: PLC0415

        return write_table(self, path, driver=driver)

    def _repr_html_(self) -> str:
        """Return the ranking as an HTML table, for notebooks."""
        import html  # noqa: PLC0415

        columns = ["rank", self.id_column]
        if self.name_column:
            columns.append(self.name_column)
        columns += ["total_score", *(c.raw_column for c in self.criteria), "exclusion_reason"]
        shown = pd.DataFrame(self.table[columns])
        for column in ("rank", "exclusion_reason"):  # blank, not <NA> or None
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "")
        ranked = int((~self.table["excluded"]).sum())
        head = (
            f"<p><b>{html.escape(self.scenario.name)}</b>: {len(self.table)} candidates, "
            f"{ranked} ranked</p>"
        )
        limit = 50
        more = (
            f"<p>... and {len(shown) - limit} more rows (result.table holds them all)</p>"
            if len(shown) > limit
            else ""
        )
        body = shown.head(limit).to_html(
            index=False, escape=True, na_rep="", float_format="{:.4g}".format
        )
        return head + body + more


def raw_column(name: str, unit: str) -> str:
    """Return the column name of a criterion's raw value: ``port_distance`` + ``m``."""
    return f"{name}_{unit}" if unit else f"{name}_value"


@dataclass
class _LayerStore:
    """Opens each layer once, through the one door; hands out projected, filtered copies.

    Layers go through :func:`geosite.data.source.open_layer`. ``memory`` holds the objects
    given to :func:`evaluate` as ``layers=``, by name: they take
    the place of the file or bundled layer of that name, with the scenario's declared
    ``crs``, ``where``, ``id``, ``encoding`` and ``repair`` applied as to a file.
    """

    scenario: Scenario
    memory: Mapping[str, Any] = field(default_factory=dict)
    crs: pyproj.CRS | None = None
    _raw: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    _projected: dict[tuple[str, str], gpd.GeoDataFrame] = field(default_factory=dict)
    uses: dict[str, LayerUse] = field(default_factory=dict)

    def source(self, name: str) -> Any:
        """Return what layer ``name`` is read from: an object, a bundled name or a path."""
        from geosite.data import bundled  # noqa: PLC0415

        if name in self.memory:
            return self.memory[name]
        declared = self.scenario.layers.get(name)
        if declared is not None and declared.memory:
            msg = (
                f"layer {name!r} is declared `memory: true` but was not given; pass it to "
                f"evaluate(scenario, layers={{{name!r}: ...}})"
            )
            raise DataNotFoundError(msg)
        if declared is not None and declared.path is not None:
            return (self.scenario.base_dir / declared.path).resolve()
        bundled_name = declared.bundled if declared is not None else name
        if bundled_name in bundled.layer_names():
            return bundled_name
        path = (self.scenario.base_dir / name).resolve()
        if path.exists():
            return path
        msg = (
            f"unknown layer {name!r}: not declared under `layers:`, not a bundled layer "
            f"({', '.join(bundled.layer_names())}) and not a file next to the scenario"
        )
        raise DataNotFoundError(msg)

    def resolve_path(self, name: str) -> Path:
        from geosite.data import bundled  # noqa: PLC0415

        found = self.source(name)
        if isinstance(found, str):
            return bundled.layer_path(found)
        if not isinstance(found, Path):
            msg = f"layer {name!r} was given in memory; it has no file"
            raise DataNotFoundError(msg)
        return found

    def raster(self, name: str) -> Any:
        """Return a raster file's path, or the in-memory raster given for ``name``."""
        if name in self.memory:
            return self.memory[name]
        return self.resolve_path(name)

    def raw(self, name: str, *, candidates: bool = False) -> gpd.GeoDataFrame:
        if name in self._raw:
            return self._raw[name]
        from geosite.data import bundled  # noqa: PLC0415

        declared = self.scenario.layers.get(name)
        found = self.source(name)
        id_column = declared.id if declared is not None else None
        if id_column is None and isinstance(found, str):
            id_column = bundled.layer_info(found).id_column
        opened = open_layer(
            found,
            name=name,
            crs=declared.crs if declared is not None else None,
            where=declared.where if declared is not None else None,
            id_column=id_column,
            encoding=declared.encoding if declared is not None else None,
            layer=declared.layer if declared is not None else None,
            repair=bool(declared and declared.repair),
            # Reference layers keep features of unknown location without geometry.
            allow_missing=isinstance(found, str) and not candidates,
        )
        self.uses[name] = opened.use
        self._raw[name] = opened.gdf
        return opened.gdf

    def load(self, name: str, where: Where | None = None) -> gpd.GeoDataFrame:
        if self.crs is None:  # pragma: no cover - set before measures run
            msg = "analysis CRS not chosen yet"
            raise RuntimeError(msg)
        key = (name, repr(sorted((where or {}).items())))
        if key not in self._projected:
            gdf = filter_where(self.raw(name), where, layer=name).to_crs(self.crs)
            coverage = self.coverage(name)
            if coverage is not None:
                gdf.attrs["coverage"] = coverage
            self._projected[key] = gdf
        return self._projected[key]

    def coverage(self, name: str) -> Any:
        """Return the area a bundled layer covers (analysis CRS), if only part of the region."""
        from geosite.data import bundled  # noqa: PLC0415

        if name in self.memory:
            return None
        found = self.source(name)
        if not isinstance(found, str):
            return None
        area = bundled.layer_coverage(found)
        if area is None:
            return None
        return gpd.GeoSeries([area], crs="EPSG:4326").to_crs(self.crs).iloc[0]


def load_layer(
    scenario: Scenario,
    name: str,
    where: Where | None = None,
    *,
    crs: CRSLike | None = None,
    layers: Mapping[str, Any] | None = None,
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
    layers
        Layers held in memory, as for :func:`evaluate`.

    Examples
    --------
    >>> from geosite import load_scenario
    >>> ports = load_layer(load_scenario("dong-nam-bo"), "ports", {"port_id": "cai-mep-thi-vai"})
    >>> len(ports), ports.crs.to_epsg()
    (1, 32648)
    """
    store = _LayerStore(scenario, memory=dict(layers or {}))
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
    gdf = filter_where(gdf, spec.where, layer=layer)
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
    # English reasons name the criterion by its key, as in the table's columns; Vietnamese
    # ones by its label, as the report and map show it.
    named = LocalizedText(criterion.name, {"vi": localized(criterion.title, "vi")})
    unit = LocalizedText(
        f" {result.unit}" if result.unit else "",
        {"vi": f" {unit_label(result.unit, 'vi')}" if result.unit else ""},
    )
    for i in np.flatnonzero(bad):
        why = (result.reasons[i] if result.reasons else None) or phrase("reason.no_value")
        reasons[i].append(phrase("reason.not_measurable", criterion=named, why=why))
    cutoff = getattr(criterion.value, "cutoff_mask", None)
    if cutoff is not None:
        for i in np.flatnonzero(np.asarray(cutoff(values), dtype=bool) & ~bad):
            reasons[i].append(
                phrase("reason.cutoff", criterion=named, value=float(values[i]), unit=unit)
            )
    return result, values, np.asarray(criterion.value(values), dtype=np.float64)


def _renumber_routes(summary: CriterionSummary, order: npt.NDArray[np.int64]) -> CriterionSummary:
    """Point the routes of a criterion at the rows of the sorted table, as it is published.

    Measures number the routes they draw by the candidate's position in the input; the
    result's table is sorted best first.
    """
    features = summary.features
    if features is None or "candidate" not in features.columns:
        return summary
    row = np.empty(len(order), dtype=np.float64)
    row[order] = np.arange(len(order))
    drawn = features["candidate"].notna().to_numpy(bool)
    renumbered = features["candidate"].to_numpy(dtype=np.float64, copy=True)
    renumbered[drawn] = row[renumbered[drawn].astype(np.int64)]
    return dataclasses.replace(summary, features=features.assign(candidate=renumbered))


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
    ids = table[scenario.candidates.id_column].tolist()
    for wanted in forced.ids:
        i = ids.index(wanted)
        if excluded[i] and complete[i]:
            excluded[i] = False
            notes[i] = phrase("reason.force_included", why=notes[i])


def _check_force_include(scenario: Scenario, candidates: gpd.GeoDataFrame) -> None:
    """Refuse a ``force_include`` that names an id no candidate has."""
    forced = next((c for c in scenario.constraints if isinstance(c, ForceInclude)), None)
    if forced is None:
        return
    spec = scenario.candidates
    ids = set(candidates[spec.id_column].tolist())
    for wanted in forced.ids:
        if wanted not in ids:
            msg = (
                f"force_include names {wanted!r}, which is not a candidate id of layer "
                f"{spec.source!r}"
            )
            raise DataNotFoundError(msg)


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
    for j, criterion in track(
        enumerate(scenario.criteria), total=len(scenario.criteria), desc="measures"
    ):
        result, raw[criterion.name], scores[:, j] = _measure(criterion, ctx, reasons, given[j])
        measured.append(result)
    return raw, scores, measured


def _check_memory(scenario: Scenario, layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the in-memory layers, refusing names the scenario never uses."""
    given = dict(layers or {})
    used = set(scenario.layer_names_used()) | set(scenario.layers)
    for spec in scenario.networks.values():
        used |= set(spec.layers_used())
    unknown = sorted(set(given) - used)
    if unknown:
        hint = difflib.get_close_matches(unknown[0], sorted(used), n=1)
        msg = f"layers= names {unknown!r}, which the scenario does not use"
        msg += f"; did you mean {hint[0]!r}?" if hint else ""
        msg += f" (the scenario's layers: {sorted(used)})"
        raise ParameterError(msg)
    return given


@dataclass(frozen=True, slots=True)
class Preflight:
    """What :func:`preflight` found: the checked inputs ready to compute, or every problem.

    Parameters
    ----------
    scenario
        The scenario checked.
    problems
        Every problem :func:`evaluate` would refuse the scenario for, in the order it would
        meet them; empty if none.
    context
        The measure context (candidates loaded and projected, layers read, road graphs
        built), or ``None`` where the candidates could not be loaded.
    """

    scenario: Scenario
    problems: tuple[GeositeError, ...]
    context: MeasureContext | None = field(default=None, repr=False)
    _store: _LayerStore | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Return whether the scenario and its data passed every check."""
        return not self.problems

    @property
    def messages(self) -> list[str]:
        """Return one message per problem (file, key or layer, and how to fix it)."""
        return [str(problem) for problem in self.problems]

    def raise_problems(self) -> None:
        """Raise the first problem, the others added to it as notes; nothing if none."""
        if not self.problems:
            return
        first = self.problems[0]
        noted = getattr(first, "__notes__", [])
        for other in self.problems[1:]:
            if str(other) not in noted:
                first.add_note(str(other))
        raise first

    def evaluate(self, *, measure_all: MeasureAll | None = None) -> Result:
        """Score and rank the checked candidates (see :func:`evaluate`).

        Raises
        ------
        GeositeError
            The first of :attr:`problems`, if any.
        """
        self.raise_problems()
        assert self.context is not None
        assert self._store is not None
        return _compute(self.scenario, self.context, self._store, measure_all)


def preflight(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    layers: Mapping[str, Any] | None = None,
) -> Preflight:
    """Check everything :func:`evaluate` would refuse, before any heavy computation.

    This is the one place a scenario's data are checked: ``geosite validate`` runs it
    alone, :func:`evaluate` (and ``geosite run``) runs it and then computes from what it
    built, so a scenario ``validate`` accepts is one ``run`` accepts, with the same
    messages. It loads the candidates (a grid is generated, after its size was checked
    against the memory available), opens every layer, raster and road file the scenario
    reads (file type, encoding, CRS and coordinates, ``where``, geometries, ids), runs
    each measure's and constraint's ``prepare`` (filters that keep no feature, missing or
    non-numeric columns, rasters that do not overlap the candidates, road graphs built and
    facilities farther than ``access.max_snap_m`` from any road) and checks the
    ``force_include`` ids. It measures nothing and searches no route.

    Parameters
    ----------
    scenario
        A scenario, its file, or its mapping.
    layers
        Layers held in memory, as for :func:`evaluate`.

    Returns
    -------
    Preflight
        Every problem found (not only the first), and what was built for the computation.

    Raises
    ------
    ScenarioError
        The scenario file itself is invalid (when given as a file or mapping).
    ParameterError
        ``layers=`` names a layer the scenario does not use.

    Examples
    --------
    >>> checked = preflight("dong-nam-bo")
    >>> checked.ok, len(checked.context.candidates)
    (True, 6)
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    store = _LayerStore(scenario, memory=_check_memory(scenario, layers))
    problems: list[GeositeError] = []

    def attempt(check: Callable[..., object], *args: Any) -> Any:
        try:
            return check(*args)
        except GeositeError as err:
            problems.append(err)
            return None

    candidates = attempt(_load_candidates, scenario, store)
    ctx = None
    if candidates is not None:
        ctx = _context(scenario, store, candidates)
        for criterion in scenario.criteria:
            attempt(criterion.measure.prepare, ctx)
        for constraint in scenario.constraints:
            attempt(constraint.prepare, ctx)
        attempt(_check_force_include, scenario, candidates)
    # every layer, raster and road file, also those the steps above could not reach
    _check_layers(scenario, store, attempt)
    _check_network_files(scenario, attempt)
    unique: dict[str, GeositeError] = {}
    for problem in problems:
        unique.setdefault(str(problem), problem)
    return Preflight(
        scenario=scenario,
        problems=tuple(unique.values()),
        context=ctx,
        _store=store,
    )


def check_data(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    layers: Mapping[str, Any] | None = None,
) -> list[str]:
    """Return every problem :func:`evaluate` would refuse a scenario's data for.

    The messages of :func:`preflight`: every layer, raster and road file is opened as
    :func:`evaluate` opens it, and every check it makes before computing is made; nothing
    is measured.

    Parameters
    ----------
    scenario
        A scenario, its file, or its mapping.
    layers
        Layers held in memory, as for :func:`evaluate`.

    Returns
    -------
    list of str
        One message per problem; empty if :func:`evaluate` would accept the data.

    Examples
    --------
    >>> check_data("dong-nam-bo")
    []
    """
    return preflight(scenario, layers=layers).messages


def _context(
    scenario: Scenario, store: _LayerStore, candidates: gpd.GeoDataFrame
) -> MeasureContext:
    assert store.crs is not None
    return MeasureContext(
        candidates=candidates,
        crs=store.crs,
        load_layer=store.load,
        resolve_path=store.resolve_path,
        base_dir=scenario.base_dir,
        networks=scenario.networks,
        load_raster=store.raster,
        in_memory=store.memory,
    )


def _check_layers(scenario: Scenario, store: _LayerStore, attempt: Callable[..., None]) -> None:
    from geosite.measures.raster import RasterMeasure, check_raster  # noqa: PLC0415

    rasters = {c.measure.raster for c in scenario.criteria if isinstance(c.measure, RasterMeasure)}
    names = list(scenario.layer_names_used())
    for spec in scenario.networks.values():
        names += spec.layers_used()
    for name in dict.fromkeys(names):
        if name in rasters:
            attempt(_check_raster, store, name, check_raster)
        elif not is_graph(store.memory.get(name)):
            attempt(store.raw, name)


def _check_network_files(scenario: Scenario, attempt: Callable[..., None]) -> None:
    from geosite.measures.network import FileSource, LayerSource  # noqa: PLC0415

    for net_name, spec in scenario.networks.items():
        src = spec.source
        if isinstance(src, LayerSource):
            continue
        if isinstance(src, FileSource):
            path = scenario.base_dir / src.file
            attempt(_read_roads, path, src, net_name)
            continue
        what = f"road file of network {net_name!r}"
        for value in _network_files(src):
            attempt(functools.partial(check_file, what=what), scenario.base_dir / value)


def _check_raster(store: _LayerStore, name: str, check: Callable[..., None]) -> None:
    with open_raster(store.raster(name), name=name) as raster:
        check(raster, name=name if not isinstance(raster, str | Path) else None)


def _read_roads(path: Path, src: Any, name: str) -> None:
    from geosite.measures.network import _read_roads as read  # noqa: PLC0415

    read(path, src, name)


def _network_files(src: Any) -> list[str]:
    keys = ("osm_xml", "pbf", "graphml")
    return [getattr(src, key) for key in keys if isinstance(getattr(src, key, None), str)]


#: Computes every criterion's measure at once, another way (see :func:`evaluate`).
MeasureAll = Callable[[Sequence[Criterion], MeasureContext], Sequence[MeasureResult]]


def evaluate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    layers: Mapping[str, Any] | None = None,
    measure_all: MeasureAll | None = None,
) -> Result:
    """Score and rank the candidates of a scenario.

    Parameters
    ----------
    scenario
        A :class:`~geosite.scenario.Scenario`, the path of a scenario file (or the name of
        a bundled scenario such as ``"dong-nam-bo"``), or the scenario as a mapping.
    layers
        Layers held in memory, by the name the scenario uses: a GeoDataFrame for any vector
        layer (candidates included), a networkx/osmnx graph for a network whose source is
        ``{layer: <name>}``, and an open rasterio dataset or an ``(array, transform, crs)``
        triple for a raster. Each takes the place of the file or bundled layer of that name
        (or fills a layer declared ``memory: true``) and is checked as a file is: the
        layer's declared ``crs``, ``where``, ``encoding`` and ``repair`` apply, and a missing
        CRS or an invalid geometry is refused with the same message. Nothing is written.
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
    return preflight(scenario, layers=layers).evaluate(measure_all=measure_all)


def _compute(
    scenario: Scenario,
    ctx: MeasureContext,
    store: _LayerStore,
    measure_all: MeasureAll | None,
) -> Result:
    """Measure, score, constrain, weight and rank what :func:`preflight` checked."""
    candidates, crs = ctx.candidates, ctx.crs
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
        names = scenario.criterion_names
        totals[complete] = aggregate(scores[complete], w, scenario.aggregation, criteria=names)
        parts[complete] = contributions(scores[complete], w, scenario.aggregation, criteria=names)

    excluded = np.array([bool(r) for r in reasons], dtype=bool)
    notes: list[str | None] = [join_phrases(r) if r else None for r in reasons]
    _force_include(scenario, table, excluded, complete, notes)

    summaries = []
    for j, (criterion, result) in enumerate(zip(scenario.criteria, measured, strict=True)):
        name, column = criterion.name, raw_column(criterion.name, result.unit)
        table[column] = raw[name]
        for suffix, extra in result.extra.items():
            table[f"{name}_{suffix}"] = extra
        extra_columns = [f"{name}_{suffix}" for suffix in result.extra]
        if "measured_to_kind" in result.extra:
            table[f"{name}_measured_to"] = describe_measured_to(
                result.extra["nearest" if "nearest" in result.extra else "facility"],
                result.extra["measured_to_kind"],
                scenario.language,
            )
            extra_columns.append(f"{name}_measured_to")
        table[f"{name}_score"] = scores[:, j]
        table[f"{name}_weight"] = w[j]
        table[f"{name}_contribution"] = parts[:, j]
        summaries.append(
            CriterionSummary(
                criterion=criterion,
                unit=result.unit,
                raw_column=column,
                weight=float(w[j]),
                extra_columns=tuple(extra_columns),
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
        criteria=tuple(_renumber_routes(s, order) for s in summaries),
        weights=weights,
        layers=tuple(store.uses.values()),
        id_column=id_column,
        name_column=spec.name,
        in_memory=store.memory,
    )
