"""From a grid scenario to located, scored regions: :func:`locate_regions` and :func:`locate`."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from geosite.data.io import write_csv
from geosite.errors import GeositeError, OutputError, ScenarioError
from geosite.i18n import LANGUAGES, LocalizedText, check_language, localized, translate
from geosite.locate.regions import find_regions, regions_to_frame
from geosite.locate.spec import LocateSpec, cell_counts
from geosite.locate.surface import Surface, surface_from_grid
from geosite.tolerance import widen

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geosite.analysis import Result
    from geosite.result.outputs import TableFormat
    from geosite.scenario import Scenario

__all__ = ["LocateOutcome", "locate", "locate_regions", "owned_names", "regions_scenario"]

logger = logging.getLogger(__name__)

REGIONS_FILE = "regions.gpkg"
REGIONS_SCENARIO = "regions.yaml"
ZONES_FILES = ("zones.csv", "zones.gpkg")
_CANDIDATES_LAYER = "candidates"


def _spec(scenario: Scenario, spec: LocateSpec | None, overrides: dict[str, Any]) -> LocateSpec:
    base = spec if spec is not None else getattr(scenario, "locate", None)
    given = {k: v for k, v in overrides.items() if v is not None}
    if base is None:
        if "area_ha" not in given:
            msg = (
                "nothing says what to locate: add a `locate:` section to the scenario "
                "(e.g. `locate: {area_ha: 650, count: 3}`) or pass --area-ha"
            )
            raise ScenarioError(msg)
        return LocateSpec.model_validate(given)
    try:
        return LocateSpec.model_validate({**base.model_dump(exclude_unset=True), **given})
    except ValueError as err:
        raise ScenarioError(f"locate: {err}") from None


def _grid(result: Result) -> tuple[Any, float]:
    grid = result.scenario.candidates.grid
    if grid is None:
        msg = (
            f"scenario {result.scenario.name!r} scores a layer of parcels; regions are located "
            "on a grid scenario (`candidates: {grid: {cell_ha: ..., area: ...}}`)"
        )
        raise ScenarioError(msg)
    return grid, grid.cell_size()


def _search_mask(result: Result, spec: LocateSpec, surface: Surface) -> np.ndarray | None:
    if spec.search_area is None:
        return None
    from geosite.analysis import load_layer  # noqa: PLC0415 - analysis imports scenario

    area = spec.search_area
    layer = load_layer(result.scenario, area.layer, area.where, crs=result.crs)
    geoms = np.asarray(layer.geometry.to_numpy(), dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        msg = f"locate.search_area: layer {area.layer!r} has no features; check its `where`"
        raise ScenarioError(msg)
    whole = shapely.union_all(geoms)
    shapely.prepare(whole)
    flat = np.flatnonzero(surface.usable.ravel())
    x, y = surface.centres(flat)
    # A distance, not a buffered polygon (whose arcs are chords); a centre exactly buffer_m
    # away is in (geosite.tolerance).
    inside = (
        shapely.dwithin(whole, shapely.points(x, y), widen(area.buffer_m))
        if area.buffer_m > 0
        else shapely.intersects_xy(whole, x, y)
    )
    mask = np.zeros(surface.scores.size, dtype=bool)
    mask[flat[np.asarray(inside, dtype=bool)]] = True
    return mask.reshape(surface.scores.shape)


def _units(table: gpd.GeoDataFrame, level: str) -> tuple[np.ndarray, tuple[str, ...]]:
    from geosite.data.admin import add_admin_columns  # noqa: PLC0415 - reads unit tables

    names = (
        table[level]
        if level in table.columns
        else add_admin_columns(table[[table.geometry.name]])[level]
    )
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def locate_regions(
    result: Result,
    spec: LocateSpec | None = None,
    *,
    lang: str | None = None,
    **overrides: Any,
) -> gpd.GeoDataFrame:
    """Find the best regions on the surface of an evaluated grid scenario.

    Parameters
    ----------
    result
        An evaluated grid scenario (:func:`geosite.evaluate`): its cells' ``total_score``
        is the surface; excluded cells are never used.
    spec
        What to locate; the scenario's ``locate:`` section if omitted.
    **overrides
        Keys of :class:`~geosite.locate.spec.LocateSpec` replacing the spec's
        (``area_ha=650, count=3``).
    lang
        Language of the regions' names (default: the scenario's).

    Returns
    -------
    geopandas.GeoDataFrame
        One polygon per region, best first (see
        :func:`~geosite.locate.regions.regions_to_frame`), in the analysis CRS.

    Raises
    ------
    ScenarioError
        If the scenario is not a grid scenario or nothing says what to locate.
    """
    spec = _spec(result.scenario, spec, overrides)
    grid, size = _grid(result)
    table = result.table
    surface = surface_from_grid(
        table,
        shape=grid.shape,
        cell_size_m=size,
        id_column=result.id_column,
        id_prefix=grid.id_prefix,
        usable=~table["excluded"].to_numpy(dtype=bool),
    )
    if spec.within is not None:
        codes, names = _units(table, spec.within)
        dense = np.full(surface.scores.shape, -1, dtype=np.int64)
        dense.ravel()[surface.index.ravel() >= 0] = codes[
            surface.index.ravel()[surface.index.ravel() >= 0]
        ]
        surface = surface.with_units(dense, names)
    counts = cell_counts(spec.area_ha, surface.cell_ha)
    regions = find_regions(
        surface,
        counts,
        count=spec.count,
        objective=spec.objective,
        compactness=spec.compactness,
        min_distance_m=spec.min_distance_m,
        search=_search_mask(result, spec, surface),
        within_units=spec.within is not None,
        method=spec.method,
        exact_max_cells=spec.exact_max_cells,
        time_limit_s=spec.time_limit_s,
    )
    return regions_to_frame(
        surface,
        regions,
        crs=result.crs,
        cell_area_ha=np.asarray(table.geometry.area.to_numpy() / 1e4, dtype=np.float64),
        unit_level=spec.within,
        language=check_language(lang or result.scenario.language),
    )


def _with_beside(
    regions: gpd.GeoDataFrame, scenario: Scenario, spec: LocateSpec
) -> gpd.GeoDataFrame | None:
    """Return the regions and the given parcels as one candidate layer (None without beside)."""
    if spec.beside is None:
        return None
    from geosite.analysis import load_layer  # noqa: PLC0415

    beside = spec.beside
    given = load_layer(scenario, beside.layer, beside.where, crs=regions.crs)
    missing = [c for c in (beside.id, beside.name) if c is not None and c not in given.columns]
    if missing:
        msg = f"locate.beside: layer {beside.layer!r} has no column(s) {missing}"
        raise ScenarioError(msg)
    name = given[beside.name] if beside.name is not None else given[beside.id]
    parcels = gpd.GeoDataFrame(
        {
            "site_id": given[beside.id].astype(str).to_numpy(),
            "name": name.astype(str).to_numpy(),
            "kind": "given",
            "area_ha": given.geometry.area.to_numpy() / 1e4,
        },
        geometry=given.geometry.to_numpy(),
        crs=regions.crs,
    )
    located = gpd.GeoDataFrame(
        {
            "site_id": regions["region_id"].to_numpy(),
            "name": regions["name"].to_numpy(),
            "kind": "located",
            "area_ha": regions["area_ha"].to_numpy(),
        },
        geometry=regions.geometry.to_numpy(),
        crs=regions.crs,
    )
    clash = sorted(set(parcels["site_id"]) & set(located["site_id"]))
    if clash:
        msg = f"locate.beside: ids {clash} are also region ids; rename them in {beside.layer!r}"
        raise ScenarioError(msg)
    return gpd.GeoDataFrame(pd.concat([located, parcels], ignore_index=True), crs=regions.crs)


def regions_scenario(scenario: Scenario, regions_path: str | Path, *, beside: bool) -> Scenario:
    """Return ``scenario`` scoring the located regions (and given parcels) as candidates.

    Every criterion, weight, constraint and output of the scenario stays; only the
    candidates change, to layer ``regions`` (or ``candidates`` with ``beside``) of
    ``regions_path``. The result scores, cards, maps, compares and stress-tests them like
    any parcels.
    """
    from geosite.scenario import CandidatesSpec, LayerSource  # noqa: PLC0415

    path = str(Path(regions_path).resolve())
    layer = _CANDIDATES_LAYER if beside else "regions"
    ident = "site_id" if beside else "region_id"
    layers = {
        **scenario.layers,
        "located_regions": LayerSource(path=path, layer=layer, id=ident),
    }
    candidates = CandidatesSpec(layer="located_regions", id=ident, name="name")
    return scenario.model_copy(
        update={
            "candidates": candidates,
            "layers": layers,
            "name": _located_title(scenario),
        }
    )


def _located_title(scenario: Scenario) -> LocalizedText:
    """Return the title of the scenario that scores the located regions, in every language."""
    return LocalizedText.from_mapping(
        {
            language: translate("locate.title", language, name=localized(scenario.name, language))
            for language in LANGUAGES
        }
    )


def _regions_yaml(scenario: Scenario, out: Path, *, beside: bool) -> str:
    from geosite.scenario import bundled_scenarios_dir  # noqa: PLC0415

    source = scenario.source
    if source is None:
        msg = "the scenario was not read from a file; regions.yaml cannot extend it"
        raise ScenarioError(msg)
    bundled = bundled_scenarios_dir().resolve()
    resolved = source.resolve()
    base = resolved.stem if resolved.parent == bundled else os.path.relpath(resolved, out.resolve())
    doc = {
        "version": 1,
        "extends": base,
        "name": dict(_located_title(scenario).translations),
        "layers": {
            "located_regions": {
                "path": REGIONS_FILE,
                "layer": _CANDIDATES_LAYER if beside else "regions",
                "id": "site_id" if beside else "region_id",
            }
        },
        "candidates": {
            "layer": "located_regions",
            "id": "site_id" if beside else "region_id",
            "name": "name",
        },
        "locate": None,
    }
    head = (
        "# The located regions as candidates: score, map, compare and stress-test them like\n"
        "# any parcels, e.g. `geosite report regions.yaml --out report/` (from the folder of\n"
        "# the scenario it extends, or with --allow-path naming that folder).\n"
    )
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return head + text.replace("locate: null\n", "")


@dataclass
class LocateOutcome:
    """What :func:`locate` computed and wrote."""

    surface: Result
    regions: gpd.GeoDataFrame
    scored: Result | None = None
    zones: gpd.GeoDataFrame | None = None
    written: list[Path] = field(default_factory=list)


def _write_layers(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, frame in layers.items():
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == bool:
                out[column] = out[column].astype(np.int8)
        out.to_file(path, driver="GPKG", layer=name, engine="pyogrio", mode="a")


def locate(
    scenario: Scenario | str | Path,
    out_dir: str | Path | None = None,
    *,
    spec: LocateSpec | None = None,
    score: bool = True,
    surface_map: bool = False,
    formats: Sequence[TableFormat] | None = None,
    lang: str | None = None,
    allowed_roots: Sequence[str | Path] | None = None,
    **overrides: Any,
) -> LocateOutcome:
    """Evaluate a grid scenario, locate regions on it, score them, and write it all.

    Parameters
    ----------
    scenario
        A grid scenario (object, file, or bundled name) with a ``locate:`` section, or
        with ``area_ha`` among ``overrides``.
    out_dir
        Where to write (nothing is written if None): ``regions.gpkg`` (layer ``regions``,
        best first; layer ``candidates`` with ``beside``), ``regions.yaml`` (a scenario
        scoring them), the surface's ``scores.csv``/``scores.gpkg`` (and ``map.html`` with
        ``surface_map``), with ``score`` the regions' ``regions/scores.csv``,
        ``regions/score_cards.csv``, ``regions/scores.gpkg`` and ``regions/map.html``, and
        with ``zones`` ``zones.csv`` and ``zones.gpkg`` (and on every map, one layer of the
        suitable land per unit and level: :func:`geosite.render.context.zone_layers`).
    spec
        What to locate, replacing the scenario's section.
    score
        Score the regions (and the ``beside`` parcels) with the scenario's criteria.
    surface_map
        Also write the map of every scored cell.
    formats
        Table formats of the score tables (default: the scenario's ``outputs: {formats}``).
    lang
        Language of the maps (default: the scenario's).
    allowed_roots
        Folders the scenario may read (see :func:`geosite.load_scenario`).
    **overrides
        Keys of :class:`~geosite.locate.spec.LocateSpec` replacing the section's.

    Returns
    -------
    LocateOutcome

    Examples
    --------
    >>> out = locate("dong-nai-grid", area_ha=650, count=2, min_distance_m=10000, score=False)
    >>> out.regions[["region_id", "cells"]].values.tolist()
    [['region-1', 7], ['region-2', 7]]
    """
    from geosite.analysis import evaluate  # noqa: PLC0415 - analysis imports scenario
    from geosite.scenario import Scenario as ScenarioType  # noqa: PLC0415
    from geosite.scenario import load_scenario  # noqa: PLC0415

    if not isinstance(scenario, ScenarioType):
        scenario = load_scenario(scenario, allowed_roots=allowed_roots)
    spec = _spec(scenario, spec, overrides)
    if scenario.candidates.grid is None:
        _grid_error(scenario)
    surface = evaluate(scenario)
    regions = locate_regions(surface, spec, lang=lang)
    outcome = LocateOutcome(surface, regions)
    if len(regions) == 0:
        msg = (
            f"no region of {spec.area_ha} ha fits the rules (usable cells, search area, "
            "compactness, unit); relax them or use smaller cells"
        )
        raise GeositeError(msg)
    candidates = _with_beside(regions, scenario, spec)
    if spec.zones is not None:
        from geosite.locate.zones import summarise_zones  # noqa: PLC0415

        outcome.zones = summarise_zones(
            surface.table,
            threshold=spec.zones.threshold,
            top_share=spec.zones.top_share,
            levels=spec.zones.levels,
        )
    with tempfile.TemporaryDirectory(prefix="geosite-locate-") as tmp:
        staged = Path(tmp) / REGIONS_FILE
        layers = {"regions": regions}
        if candidates is not None:
            layers[_CANDIDATES_LAYER] = candidates
        _write_layers(staged, layers)
        if score:
            outcome.scored = evaluate(
                regions_scenario(scenario, staged, beside=candidates is not None)
            )
        if out_dir is not None:
            outcome.written = _write_all(
                outcome,
                scenario,
                Path(out_dir),
                staged,
                spec=spec,
                beside=candidates is not None,
                surface_map=surface_map,
                formats=list(scenario.outputs.formats) if formats is None else formats,
                lang=lang,
            )
    return outcome


def _grid_error(scenario: Scenario) -> None:
    msg = (
        f"scenario {scenario.name!r} scores a layer of parcels; regions are located on a grid "
        "scenario (`candidates: {grid: {cell_ha: ..., area: ...}}`)"
    )
    raise ScenarioError(msg)


def owned_names() -> set[str]:
    """Return every top-level name :func:`locate` may write into its output folder.

    An entry of these names left by an earlier ``locate`` that this run does not write (the
    ``regions/`` folder after ``score=False``, ``zones.csv`` without ``zones``) is removed, so
    the folder never mixes two runs' outputs.
    """
    from geosite.result.outputs import owned_names as table_names  # noqa: PLC0415

    return table_names() | {REGIONS_FILE, REGIONS_SCENARIO, "regions", *ZONES_FILES}


def _write_all(
    outcome: LocateOutcome,
    scenario: Scenario,
    out: Path,
    staged: Path,
    *,
    spec: LocateSpec,
    beside: bool,
    surface_map: bool,
    formats: Sequence[TableFormat],
    lang: str | None,
) -> list[Path]:
    """Write every output into one staging folder, then publish them as one set."""
    from geosite.data.publish import output_set  # noqa: PLC0415
    from geosite.render.context import zone_layers  # noqa: PLC0415
    from geosite.render.map import result_to_map  # noqa: PLC0415
    from geosite.result.outputs import stage_outputs  # noqa: PLC0415

    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    language = lang or scenario.language
    # The suitable land per unit, on every map written: one layer per level.
    overlays = (
        zone_layers(
            outcome.zones,
            language,
            top_share=spec.zones.top_share,
            threshold=spec.zones.threshold,
        )
        if outcome.zones is not None and spec.zones is not None
        else []
    )
    fmap = result_to_map(outcome.surface, lang=language, overlays=overlays) if surface_map else None
    scored_map = (
        result_to_map(outcome.scored, lang=language, overlays=overlays)
        if outcome.scored is not None and scenario.outputs.map
        else None
    )
    names: list[str] = []
    with output_set(out, owns=owned_names()) as stage:
        names += stage_outputs(outcome.surface, stage, formats=formats, fmap=fmap)
        if outcome.scored is not None:
            (stage / "regions").mkdir()
            scored = stage_outputs(
                outcome.scored, stage / "regions", formats=formats, fmap=scored_map
            )
            names += [f"regions/{name}" for name in scored]
        shutil.copyfile(staged, stage / REGIONS_FILE)
        names.append(REGIONS_FILE)
        if scenario.source is not None:
            text = _regions_yaml(scenario, out, beside=beside)
            (stage / REGIONS_SCENARIO).write_text(text, encoding="utf-8")
            names.append(REGIONS_SCENARIO)
        if outcome.zones is not None:
            write_csv(pd.DataFrame(outcome.zones.drop(columns="geometry")), stage / "zones.csv")
            outcome.zones.to_file(
                stage / "zones.gpkg", driver="GPKG", layer="zones", engine="pyogrio"
            )
            names += list(ZONES_FILES)
    return [out / name for name in names]
