"""Run a scenario partitioned on Dask: candidates split in space, measured in parallel, ranked once.

Every measure gives each candidate a value that depends on that candidate alone, so the
candidates can be split into partitions, measured independently (on the threads or processes
of one machine, or the workers of any Dask cluster), put back in order, and scored, weighted,
aggregated and ranked once, exactly as :func:`geosite.evaluate` does. The result is the same
:class:`~geosite.analysis.Result`, value for value.

How the work is split:

- **Spatial partitions.** Candidates are sorted along a Hilbert curve of their envelope
  centres and cut into partitions of ``partition_size``, so each partition covers a compact
  area (see :func:`partition_candidates`; the partitions are a ``dask_geopandas`` frame).
- **Only the features a partition needs.** A straight-line distance criterion sends each
  partition only the features that can be nearest to one of its candidates: those within
  ``r`` of the partition's bounding box, where ``r`` bounds the distance from any point of
  the box to its nearest feature (the largest such distance over a 16 x 16 sample of the box,
  plus half a sample cell's diagonal). A count criterion sends the features within its radius
  of the box. Other measures receive their whole (filtered) layers; rasters are read window
  by window by each partition.
- **Road graphs once.** Each network is built once on the client and shipped to the workers
  (scattered once with a distributed client); each partition then snaps its own candidates and
  repeats the facility search (a fraction of a second per million edges).
- **Ranking once.** Raw values, reasons and extra columns come back to the client, in the
  candidates' original order: the partitioned measuring is handed to :func:`geosite.evaluate`
  as its ``measure_all``, so loading, scoring and ranking are the single-machine code itself.

Install the optional dependencies with ``pip install geosite[dask]``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.analysis import Result, evaluate
from geosite.data.source import is_raster
from geosite.errors import GeositeError, ParameterError
from geosite.measures.base import MeasureContext, MeasureResult
from geosite.measures.distance import DEFAULT_THREADS, CountWithinMeasure, DistanceMeasure
from geosite.measures.network import MAX_PATHS, NetworkMeasure, graph_for
from geosite.scenario import Criterion, Scenario, load_scenario

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    import numpy.typing as npt
    import pyproj

    from geosite.types import Where

__all__ = ["evaluate_partitioned", "partition_candidates"]

logger = logging.getLogger(__name__)

#: Position of each candidate in the single-machine order, carried through the partitions.
_POS = "_geosite_position"
_Key = tuple[str, str]


def _require_dask() -> Any:
    try:
        import dask  # noqa: PLC0415
        import dask_geopandas  # noqa: PLC0415
    except ImportError as err:  # pragma: no cover - depends on the environment
        msg = (
            "partitioned runs need dask and dask-geopandas; install them with "
            "`pip install geosite[dask]`"
        )
        raise ImportError(msg) from err
    return dask, dask_geopandas


def _where_key(where: Where | None) -> str:
    return json.dumps(where or {}, sort_keys=True, default=str)


def partition_candidates(candidates: gpd.GeoDataFrame, *, partition_size: int = 200_000) -> Any:
    """Split candidates into spatially compact partitions along a Hilbert curve.

    Parameters
    ----------
    candidates
        The candidates, in a projected CRS.
    partition_size
        Candidates per partition (>= 1); the last partition may be smaller.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        The candidates sorted by the Hilbert distance of their envelope centres, in
        ``ceil(N / partition_size)`` partitions, with a ``_geosite_position`` column holding
        each candidate's row position in ``candidates``.

    Examples
    --------
    >>> from shapely import box
    >>> cells = gpd.GeoDataFrame(geometry=[box(x, 0, x + 1, 1) for x in range(10)],
    ...                          crs="EPSG:32648")
    >>> partition_candidates(cells, partition_size=4).npartitions
    3
    """
    _, dask_geopandas = _require_dask()
    _check_size(partition_size)
    frame = _sorted(candidates)
    return dask_geopandas.from_geopandas(frame, chunksize=partition_size, sort=False)


def _check_size(partition_size: int) -> None:
    if isinstance(partition_size, bool) or partition_size < 1:
        msg = f"partition_size must be a positive number of candidates, got {partition_size!r}"
        raise ParameterError(msg)


def _sorted(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the candidates in Hilbert order, with their original positions in ``_POS``."""
    frame = candidates.reset_index(drop=True)
    frame[_POS] = np.arange(len(frame), dtype=np.int64)
    return frame.iloc[_hilbert_order(frame)].reset_index(drop=True)


def _hilbert_order(frame: gpd.GeoDataFrame) -> npt.NDArray[np.int64]:
    if len(frame) < 2:
        return np.arange(len(frame), dtype=np.int64)
    present = ~(frame.geometry.isna() | frame.geometry.is_empty)
    codes = np.full(len(frame), np.iinfo(np.int64).max, dtype=np.int64)
    if present.any():
        geoms = frame.geometry[present]
        codes[present.to_numpy()] = geoms.hilbert_distance(total_bounds=geoms.total_bounds)
    return np.argsort(codes, kind="stable").astype(np.int64)


@dataclass(frozen=True, slots=True)
class _Partition:
    """What one partition's task receives besides its candidates."""

    criteria: tuple[Criterion, ...]
    crs: pyproj.CRS
    base_dir: Path
    networks: Mapping[str, Any]
    paths: Mapping[str, Path]
    subsets: Mapping[str, Mapping[_Key, gpd.GeoDataFrame]] = field(default_factory=dict)
    box: shapely.Geometry | None = None


def _measure_partition(
    part: gpd.GeoDataFrame,
    job: _Partition,
    layers: Mapping[_Key, gpd.GeoDataFrame],
    shared: Mapping[str, Any],
) -> dict[str, Any]:
    """Compute every criterion's measure for one partition's candidates."""
    candidates = part.reset_index(drop=True)
    cache = dict(shared)
    out: dict[str, Any] = {"position": candidates[_POS].to_numpy(dtype=np.int64)}
    candidates = candidates.drop(columns=_POS)
    if job.box is not None and len(candidates):
        inside = shapely.covers(job.box, shapely.box(*candidates.total_bounds))
        if not inside:  # pragma: no cover - the features sent were chosen for this box
            msg = "partition candidates lie outside the box their features were chosen for"
            raise RuntimeError(msg)

    # Partitions already run in parallel: one thread each for the distance kernels.
    token = DEFAULT_THREADS.set(1)
    try:
        for criterion in job.criteria:
            _measure_one(criterion, candidates, job=job, layers=layers, cache=cache, out=out)
    finally:
        DEFAULT_THREADS.reset(token)
    return out


def _measure_one(
    criterion: Criterion,
    candidates: gpd.GeoDataFrame,
    *,
    job: _Partition,
    layers: Mapping[_Key, gpd.GeoDataFrame],
    cache: dict[str, Any],
    out: dict[str, Any],
) -> None:
    """Compute one criterion's measure for a partition's candidates into ``out``."""
    own = job.subsets.get(criterion.name, {})

    def load_layer(name: str, where: Where | None) -> gpd.GeoDataFrame:
        key = (name, _where_key(where))
        if key in own:
            return own[key]
        if key in layers:
            return layers[key]
        msg = f"layer {name!r} with where {where!r} was not sent to the partition"
        raise GeositeError(msg)

    def resolve_path(name: str) -> Path:
        return job.paths.get(name, job.base_dir / name)

    ctx = MeasureContext(
        candidates=candidates,
        crs=job.crs,
        load_layer=load_layer,
        resolve_path=resolve_path,
        base_dir=job.base_dir,
        networks=job.networks,
        cache=cache,
    )
    out[criterion.name] = criterion.measure.compute(ctx)


def _layer_requests(criterion: Criterion, scenario: Scenario) -> list[tuple[str, Where | None]]:
    """Return the vector layers a criterion's measure will ask for."""
    measure = criterion.measure
    where = getattr(measure, "where", None)
    names = measure.layers_used()
    requests: list[tuple[str, Where | None]] = [(n, where) for n in names]
    if isinstance(measure, NetworkMeasure):
        spec = scenario.networks.get(measure.network)
        gates = getattr(getattr(spec, "access", None), "gates", None)
        if gates:
            requests.append((gates, None))
    return requests


def _bounds_boxes(parts: Sequence[gpd.GeoDataFrame]) -> npt.NDArray[np.object_]:
    boxes = []
    for part in parts:
        b = part.total_bounds
        boxes.append(shapely.box(*b) if np.all(np.isfinite(b)) else shapely.Polygon())
    return np.asarray(boxes, dtype=object)


def _nearest_subsets(
    features: gpd.GeoDataFrame, boxes: npt.NDArray[np.object_], radius: float | None
) -> list[gpd.GeoDataFrame]:
    """Return, per box, the features that can be nearest to (or within radius of) its contents.

    The subsets keep the layer's order, so ties still go to the lowest original position.
    """
    geoms = np.asarray(features.geometry.array, dtype=object)
    tree = shapely.STRtree(geoms)
    out = []
    for box in boxes:
        if shapely.is_empty(box):
            out.append(features.iloc[:1])
            continue
        reach = _covering_radius(tree, box) if radius is None else radius
        idx = np.sort(tree.query(box, predicate="dwithin", distance=reach))
        if len(idx) == 0:
            # Beyond the radius of every candidate: counts are 0 either way.
            idx = tree.query_nearest(box)[:1]
        out.append(features.iloc[idx])
    return out


def _covering_radius(tree: shapely.STRtree, box: shapely.Geometry, steps: int = 16) -> float:
    """Return a distance no point of ``box`` is farther than from its nearest feature.

    Every point of the box lies within half a sample cell's diagonal ``h`` of one of
    ``steps x steps`` sample points, so it is within ``max(d(sample)) + h`` of a feature;
    so is every candidate inside the box, and its nearest feature lies within that distance
    of the box.
    """
    minx, miny, maxx, maxy = shapely.bounds(box)
    dx, dy = (maxx - minx) / steps, (maxy - miny) / steps
    gx, gy = np.meshgrid(minx + dx * (np.arange(steps) + 0.5), miny + dy * (np.arange(steps) + 0.5))
    _, dist = tree.query_nearest(shapely.points(gx.ravel(), gy.ravel()), return_distance=True)
    return float(dist.max()) + math.hypot(dx, dy) / 2


def _merge_results(
    criterion: Criterion,
    pieces: list[tuple[npt.NDArray[np.int64], MeasureResult]],
    n: int,
    full: gpd.GeoDataFrame | None,
) -> MeasureResult:
    """Put the partitions' results of one criterion back in the candidates' order."""
    first = pieces[0][1]
    values = np.full(n, np.nan)
    reasons: list[str | None] | None = None
    if any(r.reasons is not None for _, r in pieces):
        reasons = [None] * n
    extra: dict[str, npt.NDArray[Any]] = {}
    for pos, result in pieces:
        values[pos] = np.asarray(result.values, dtype=np.float64)
        if reasons is not None and result.reasons is not None:
            for i, why in zip(pos.tolist(), result.reasons, strict=True):
                reasons[i] = why
        for key, raw in result.extra.items():
            column = np.asarray(raw)
            if key not in extra:
                extra[key] = np.empty(n, dtype=column.dtype if column.dtype != object else object)
                if extra[key].dtype.kind == "f":
                    extra[key][:] = np.nan
            extra[key][pos] = column
    # Partitions measured to a subset of the layer; the map shows all of it, as a single run.
    features = full if full is not None else _merge_features(criterion, pieces, n)
    return MeasureResult(
        values=values, unit=first.unit, reasons=reasons, extra=extra, features=features
    )


def _merge_features(
    criterion: Criterion, pieces: list[tuple[npt.NDArray[np.int64], MeasureResult]], n: int
) -> gpd.GeoDataFrame | None:
    """Return the map features a single run would give.

    Rows tied to a candidate (network routes, column ``candidate``) are drawn only when a
    single run would draw them (at most :data:`~geosite.measures.network.MAX_PATHS`
    candidates); their positions are mapped back to the original order.
    """
    frames = [(pos, r.features) for pos, r in pieces if r.features is not None]
    if not frames:
        return None
    shared = frames[0][1]
    if "candidate" not in shared.columns:
        return shared
    marks = shared.loc[shared["candidate"].isna()]
    if n > MAX_PATHS or not isinstance(criterion.measure, NetworkMeasure):
        return gpd.GeoDataFrame(marks.reset_index(drop=True), crs=shared.crs)
    routes = []
    for pos, frame in frames:
        rows = frame.loc[frame["candidate"].notna()].copy()
        rows["candidate"] = pos[rows["candidate"].to_numpy(dtype=np.int64)]
        routes.append(rows)
    merged = pd.concat(routes, ignore_index=True).sort_values("candidate", kind="stable")
    return gpd.GeoDataFrame(
        pd.concat([merged, marks], ignore_index=True), geometry=shared.geometry.name, crs=shared.crs
    )


@dataclass
class _Plan:
    """The layers each partition receives, and the whole layers to draw on the map."""

    layers: dict[_Key, gpd.GeoDataFrame] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    subsets: list[dict[str, dict[_Key, gpd.GeoDataFrame]]] = field(default_factory=list)
    whole: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


def _plan(
    scenario: Scenario,
    ctx: MeasureContext,
    boxes: npt.NDArray[np.object_],
) -> _Plan:
    """Load every layer once, build road graphs once, and choose each partition's features."""
    plan = _Plan(subsets=[{} for _ in boxes])
    for criterion in scenario.criteria:
        measure = criterion.measure
        if isinstance(measure, NetworkMeasure):
            graph_for(ctx, measure.network)  # built once, shipped in the cache
        for name, where in _layer_requests(criterion, scenario):
            with contextlib.suppress(GeositeError):  # a layer given in memory has no file
                plan.paths[name] = ctx.resolve_path(name)
            try:
                features = ctx.load_layer(name, where)
            except GeositeError:
                continue  # a raster, or a layer the measure will report on itself
            key = (name, _where_key(where))
            if isinstance(measure, DistanceMeasure | CountWithinMeasure) and len(features):
                radius = measure.radius_m if isinstance(measure, CountWithinMeasure) else None
                plan.whole[criterion.name] = features
                for k, subset in enumerate(_nearest_subsets(features, boxes, radius)):
                    plan.subsets[k].setdefault(criterion.name, {})[key] = subset
            else:
                plan.layers[key] = features
    return plan


def evaluate_partitioned(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    layers: Mapping[str, Any] | None = None,
    partition_size: int = 200_000,
    client: Any | None = None,
    scheduler: str | None = None,
) -> Result:
    """Score and rank a scenario's candidates partition by partition on Dask.

    Gives the same :class:`~geosite.analysis.Result` as :func:`geosite.evaluate`, value for
    value; see the module docstring for how the work is split.

    Parameters
    ----------
    scenario
        A :class:`~geosite.scenario.Scenario`, a scenario file, a bundled scenario name, or
        the scenario as a mapping.
    layers
        Layers held in memory, as for :func:`geosite.evaluate`: GeoDataFrames and road
        graphs (rasters must be files here, as workers read them).
    partition_size
        Candidates per partition (>= 1). Memory per task grows with it; 1e5-1e6 suits most
        machines.
    client
        A ``distributed.Client`` to run on (a ``LocalCluster`` or any Dask cluster). Layers and
        road graphs are scattered to its workers once. Workers must be able to read the
        raster files the scenario uses.
    scheduler
        Without a client: a Dask scheduler name (``"threads"``, ``"processes"``,
        ``"synchronous"``); Dask's default otherwise.

    Returns
    -------
    Result
        The scored table and what was used to compute it, as :func:`geosite.evaluate` gives.

    Raises
    ------
    GeositeError
        As :func:`geosite.evaluate`, naming the layer, file or key at fault.
    ParameterError
        A non-positive ``partition_size``.

    Examples
    --------
    >>> result = evaluate_partitioned("dong-nam-bo", partition_size=3, scheduler="synchronous")
    >>> int(result.table["rank"].iloc[0])
    1
    """
    dask, dask_geopandas = _require_dask()
    _check_size(partition_size)
    rasters = sorted(name for name, obj in (layers or {}).items() if is_raster(obj))
    if rasters:
        msg = (
            f"evaluate_partitioned reads rasters from files, as its workers do; {rasters} "
            "were given in memory: write them to GeoTIFF files, or use geosite.evaluate"
        )
        raise ParameterError(msg)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    plain = scenario

    def measure_all(criteria: Sequence[Criterion], ctx: MeasureContext) -> list[MeasureResult]:
        # The evaluation has loaded (or generated) the candidates and chosen the CRS.
        candidates = ctx.candidates
        n = len(candidates)
        ordered = _sorted(candidates)
        frame = dask_geopandas.from_geopandas(ordered, chunksize=partition_size, sort=False)
        parts = frame.to_delayed()
        # The same cut made locally gives each partition's bounding box without a compute.
        local_parts = [ordered.iloc[lo : lo + partition_size] for lo in range(0, n, partition_size)]
        if len(local_parts) != len(parts):  # pragma: no cover - guards a change in dask
            msg = f"dask cut {len(parts)} partitions where {len(local_parts)} were expected"
            raise RuntimeError(msg)
        boxes = _bounds_boxes(local_parts)
        plan = _plan(plain, ctx, boxes)
        shared = dict(ctx.cache)
        if client is not None:
            # One future each: a scattered dict would become one future per entry.
            layers_ref, shared_ref = client.scatter([plan.layers, shared], broadcast=True)
        else:
            layers_ref, shared_ref = plan.layers, shared
        tasks = []
        for k, part in enumerate(parts):
            job = _Partition(
                criteria=tuple(criteria),
                crs=ctx.crs,
                base_dir=ctx.base_dir,
                networks=ctx.networks,
                paths=plan.paths,
                subsets=plan.subsets[k],
                box=boxes[k],
            )
            tasks.append(dask.delayed(_measure_partition)(part, job, layers_ref, shared_ref))
        logger.info("measuring %d candidates in %d partitions", n, len(tasks))
        if client is not None:
            outputs = client.gather(client.compute(tasks))
        else:
            outputs = dask.compute(*tasks, scheduler=scheduler)
        return [
            _merge_results(
                criterion,
                [(out["position"], out[criterion.name]) for out in outputs],
                n,
                plan.whole.get(criterion.name),
            )
            for criterion in criteria
        ]

    return evaluate(scenario, layers=layers, measure_all=measure_all)
