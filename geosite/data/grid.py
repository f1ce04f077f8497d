"""Candidate cells: a regular square or hexagonal grid over a study area, minus constraints.

"Where else?" is answered by scoring every cell of a grid instead of a handful of proposed
sites: every 10 ha square of Đồng Nai, every 1 ha hexagon of the four provinces outside the
protected areas. A scenario asks for one with :class:`GridSpec`::

    candidates:
      grid:
        cell_ha: 10                      # or cell_size_m: 316.2
        shape: square                    # or hex
        area: {layer: provinces_pre2025, where: {province_id: dong-nai}}
        exclude: [{layer: protected_areas}, {layer: rivers, buffer_m: 50}]
        cells: centre                    # or within, clip

The lattice is anchored at the origin of the (metric) CRS, so the same cell has the same
position and id in every run and every study area: a square cell covers
``[col * w, (col + 1) * w] x [row * w, (row + 1) * w]``; hexagons are pointy-topped, their rows
``1.5 * side`` apart and every odd row shifted by half a cell. ``w``, the cell size, is the
distance between the centres of neighbouring cells: the side of a square, the width across
flats of a hexagon (``side = w / sqrt(3)``, ``area = sqrt(3) / 2 * w**2``).

Which cells are kept (``cells``):

``centre`` (default)
    Whole cells whose centre lies in the study area and outside every excluded feature. Every
    cell has the nominal area and each point of the area belongs to about one cell: the grid
    a raster would give.
``within``
    Whole cells that lie entirely inside the study area and overlap no excluded feature
    (touching is allowed): the conservative choice, leaving a margin along every border.
``clip``
    Every cell that meets the study area, cut to the area minus the excluded features; cells
    along borders are smaller (``min_share`` drops slivers). ``cell_share`` is the share of the
    nominal cell that remains.

Generation is vectorised: the lattice is built in blocks of rows with numpy, points are tested
against the prepared study area with :func:`shapely.intersects_xy`, and only the cells within
one cell of the area's border or of an excluded feature get exact polygon tests. ``area_ha``
is the exact area of each (clipped) cell in the metric CRS.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pydantic import BaseModel, ConfigDict, Field, model_validator

from geosite._memory import require_memory
from geosite.data.crs import CRSLike, ensure_metric, to_crs
from geosite.errors import LayerError, ParameterError
from geosite.tolerance import at_least
from geosite.types import Where

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import numpy.typing as npt

__all__ = [
    "GridArea",
    "GridExclude",
    "GridSpec",
    "cell_area_m2",
    "grid_candidates",
    "grid_from_area",
]

logger = logging.getLogger(__name__)

Shape = Literal["square", "hex"]
Cells = Literal["centre", "within", "clip"]

#: Lattice points generated per block of rows: bounds the memory of generation.
_BLOCK_POINTS = 1 << 20
_SQRT3 = math.sqrt(3.0)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GridArea(_Model):
    """The study area: the union of a layer's (filtered) polygons, optionally widened."""

    layer: str = Field(description="Polygon layer: a bundled layer or one declared in layers:.")
    where: Where | None = Field(
        None, description="Keep only features whose attributes match, e.g. {province_id: dong-nai}."
    )
    buffer_m: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Widen the features by this many metres: the cells within 15 km of an "
        "airport's outline take the airport and buffer_m: 15000 (points and lines need one).",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"layer": value} if isinstance(value, str) else value


class GridExclude(_Model):
    """A constraint layer whose features are taken out of the study area."""

    layer: str = Field(description="Layer to take out: a bundled layer or one declared in layers:.")
    where: Where | None = Field(None, description="Keep only features whose attributes match.")
    buffer_m: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Also take out this many metres around each feature (needed for lines "
        "and points).",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"layer": value} if isinstance(value, str) else value


class GridSpec(_Model):
    """Candidates generated as a regular grid over a study area, minus excluded layers.

    YAML::

        candidates:
          grid: {cell_ha: 10, shape: square, area: {layer: provinces_pre2025,
                 where: {province_id: dong-nai}}, exclude: [protected_areas]}

    Examples
    --------
    >>> spec = GridSpec(cell_ha=10, area="provinces_pre2025")
    >>> round(spec.cell_size(), 2), spec.cells
    (316.23, 'centre')
    """

    cell_ha: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Area of one cell in hectares (> 0)."
    )
    cell_size_m: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Distance between the centres of neighbouring cells in metres: the side "
        "of a square, the width across flats of a hexagon.",
    )
    shape: Shape = Field("square", description="square or hex (pointy-topped hexagons).")
    area: GridArea = Field(description="The study area: a layer name or {layer, where}.")
    exclude: tuple[GridExclude, ...] = Field(
        (), description="Layers taken out of the study area: names or {layer, where, buffer_m}."
    )
    cells: Cells = Field(
        "centre",
        description="centre: whole cells whose centre is in the area; within: whole cells "
        "entirely inside; clip: cells cut to the area.",
    )
    min_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="With cells: clip, drop cells keeping less than this share of a full cell.",
    )
    id_prefix: str = Field("cell-", description="Prefix of the cell ids (`cell-<row>_<col>`).")

    @model_validator(mode="after")
    def _one_size(self) -> GridSpec:
        if (self.cell_ha is None) == (self.cell_size_m is None):
            msg = "give exactly one of cell_ha (hectares) or cell_size_m (metres)"
            raise ValueError(msg)
        if self.min_share > 0 and self.cells != "clip":
            msg = f"min_share only applies to cells: clip, not cells: {self.cells!r}"
            raise ValueError(msg)
        return self

    def cell_size(self) -> float:
        """Return the distance between neighbouring cell centres, in metres."""
        return _cell_size(self.shape, self.cell_size_m, self.cell_ha)

    def layers_used(self) -> list[str]:
        """Return the layers the grid reads: the study area, then the exclusions."""
        return [self.area.layer, *(e.layer for e in self.exclude)]


def _cell_size(shape: Shape, cell_size_m: float | None, cell_ha: float | None) -> float:
    if (cell_size_m is None) == (cell_ha is None):
        msg = "give exactly one of cell_size_m (metres) or cell_ha (hectares)"
        raise ParameterError(msg)
    if cell_size_m is not None:
        size = float(cell_size_m)
    else:
        area = float(cell_ha) * 1e4  # type: ignore[arg-type]
        size = math.sqrt(area) if shape == "square" else math.sqrt(2.0 * area / _SQRT3)
    if not math.isfinite(size) or size <= 0:
        msg = f"cell size must be a finite positive distance, got {size!r} m"
        raise ParameterError(msg)
    return size


def cell_area_m2(shape: Shape, cell_size_m: float) -> float:
    """Return the area of one whole cell in square metres.

    Parameters
    ----------
    shape
        ``"square"`` or ``"hex"``.
    cell_size_m
        Distance between the centres of neighbouring cells, in metres.

    Examples
    --------
    >>> cell_area_m2("square", 100.0)
    10000.0
    >>> round(cell_area_m2("hex", 100.0), 1)  # sqrt(3) / 2 * 100 ** 2
    8660.3
    """
    if shape == "square":
        return cell_size_m * cell_size_m
    return _SQRT3 / 2.0 * cell_size_m * cell_size_m


class _Lattice:
    """Cell centres and polygons of a square or pointy-topped hexagonal lattice."""

    def __init__(self, shape: Shape, size: float) -> None:
        self.shape = shape
        self.size = size
        if shape == "square":
            self.dy = size
            self.radius = size * math.sqrt(0.5)
        else:
            self.side = size / _SQRT3
            self.dy = 1.5 * self.side
            self.radius = self.side

    def rows_cols(self, bounds: npt.NDArray[np.float64]) -> tuple[range, int, int]:
        """Return the rows and the column range whose cells may meet ``bounds``."""
        xmin, ymin, xmax, ymax = bounds
        r0 = math.floor(ymin / self.dy) - 1
        r1 = math.ceil(ymax / self.dy) + 1
        c0 = math.floor(xmin / self.size) - 1
        c1 = math.ceil(xmax / self.size) + 1
        return range(r0, r1 + 1), c0, c1

    def centres(
        self, rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        if self.shape == "square":
            x = (cols + 0.5) * self.size
            y = (rows + 0.5) * self.size
        else:
            x = (cols + 0.5 * (rows & 1)) * self.size
            y = rows * self.dy
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def polygons(
        self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.object_]:
        if self.shape == "square":
            h = self.size / 2.0
            return np.asarray(shapely.box(x - h, y - h, x + h, y + h), dtype=object)
        w, s = self.size / 2.0, self.side
        # Counter-clockwise from the top vertex, closed.
        dx = np.array([0.0, -w, -w, 0.0, w, w, 0.0])
        dy = np.array([s, s / 2, -s / 2, -s, -s / 2, s / 2, s])
        coords = np.stack([x[:, None] + dx, y[:, None] + dy], axis=-1)
        return np.asarray(shapely.polygons(coords), dtype=object)


@dataclass(frozen=True, slots=True)
class _Holes:
    """Excluded polygons and their tree, and the tree of the study area's border segments."""

    geoms: npt.NDArray[np.object_]
    tree: shapely.STRtree
    edges: shapely.STRtree | None


def _polygonal(geoms: npt.NDArray[np.object_], *, what: str) -> npt.NDArray[np.object_]:
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = shapely.get_type_id(geoms)
    bad = ~np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    if bad.any():
        names = sorted({shapely.get_type_id(g) and g.geom_type for g in geoms[bad]})
        msg = (
            f"{what} must be polygons, found {', '.join(names)}; give `buffer_m` to take out "
            "a corridor around lines or points"
        )
        raise LayerError(msg)
    return geoms


def _segments(geom: shapely.Geometry) -> npt.NDArray[np.object_]:
    """Return the boundary of ``geom`` as an array of two-point line segments."""
    # Split a multi-part boundary so that segments never join two rings.
    parts = shapely.get_parts(shapely.boundary(geom))
    coords, index = shapely.get_coordinates(parts, return_index=True)
    same = index[1:] == index[:-1]
    starts = coords[:-1][same]
    ends = coords[1:][same]
    pairs = np.stack([starts, ends], axis=1).reshape(-1, 2)
    return np.asarray(
        shapely.linestrings(pairs, indices=np.repeat(np.arange(len(starts)), 2)), dtype=object
    )


def _blocks(
    lattice: _Lattice, bounds: npt.NDArray[np.float64]
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    rows, c0, c1 = lattice.rows_cols(bounds)
    ncols = c1 - c0 + 1
    per_block = max(1, _BLOCK_POINTS // ncols)
    cols = np.arange(c0, c1 + 1, dtype=np.int64)
    for start in range(rows.start, rows.stop, per_block):
        block = np.arange(start, min(start + per_block, rows.stop), dtype=np.int64)
        yield np.repeat(block, ncols), np.tile(cols, len(block))


def grid_from_area(
    area: gpd.GeoSeries | gpd.GeoDataFrame | shapely.Geometry | Sequence[shapely.Geometry],
    *,
    cell_size_m: float | None = None,
    cell_ha: float | None = None,
    shape: Shape = "square",
    exclude: gpd.GeoSeries | gpd.GeoDataFrame | Sequence[shapely.Geometry] | None = None,
    cells: Cells = "centre",
    min_share: float = 0.0,
    id_prefix: str = "cell-",
    crs: CRSLike | None = None,
) -> gpd.GeoDataFrame:
    """Cover a study area with a regular grid of candidate cells.

    Parameters
    ----------
    area
        The study area: polygons in a projected CRS in metres (their union is used).
    cell_size_m
        Distance between neighbouring cell centres in metres (> 0): the side of a square,
        the width across flats of a hexagon. Give this or ``cell_ha``.
    cell_ha
        Area of one whole cell in hectares (> 0).
    shape
        ``"square"`` or ``"hex"`` (pointy-topped).
    exclude
        Polygons taken out of the area (protected areas, water, buffered roads...).
    cells
        ``"centre"``: whole cells whose centre is in the area and outside the exclusions;
        ``"within"``: whole cells entirely inside the area and overlapping no exclusion;
        ``"clip"``: cells cut to the area minus the exclusions (see the module docstring).
    min_share
        With ``cells="clip"``, drop cells keeping less than this share (0-1) of a full cell.
    id_prefix
        Prefix of the ids: ``<prefix><row>_<col>``, row and column counted from the CRS origin.
    crs
        CRS of ``area`` and ``exclude`` when they are bare geometries; taken from the
        GeoSeries otherwise. Must be projected in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell in row-major order (south to north, west to east): ``cell_id``,
        ``area_ha`` (exact), ``cell_share`` (only with ``cells="clip"``) and the geometry.

    Raises
    ------
    ParameterError
        A non-positive cell size, both or neither of ``cell_size_m`` and ``cell_ha``, an unknown
        ``shape`` or ``cells``.
    LayerError
        An empty or non-polygonal study area, or non-polygonal exclusions.
    CRSError
        No CRS, or one not in metres.

    Examples
    --------
    Every 10 ha cell of Đồng Nai:

    >>> from geosite import read_layer
    >>> provinces = read_layer("provinces_pre2025").to_crs(32648)
    >>> dong_nai = provinces[provinces["province_id"] == "dong-nai"]
    >>> cells = grid_from_area(dong_nai, cell_ha=10)
    >>> len(cells), round(float(cells["area_ha"].sum()))
    (58625, 586250)
    """
    crs_value = _crs_of(area, exclude, crs)
    if shape not in ("square", "hex"):
        msg = f"shape must be 'square' or 'hex', got {shape!r}"
        raise ParameterError(msg)
    if cells not in ("centre", "within", "clip"):
        msg = f"cells must be 'centre', 'within' or 'clip', got {cells!r}"
        raise ParameterError(msg)
    if not 0 <= min_share <= 1:
        msg = f"min_share must be between 0 and 1, got {min_share!r}"
        raise ParameterError(msg)
    size = _cell_size(shape, cell_size_m, cell_ha)
    lattice = _Lattice(shape, size)
    full_area = cell_area_m2(shape, size)

    region = _polygonal(_as_array(area), what="the study area")
    if len(region) == 0:
        msg = "the study area is empty: no polygon to cover with cells"
        raise LayerError(msg)
    whole = shapely.union_all(region) if len(region) > 1 else region[0]
    if shapely.is_empty(whole) or shapely.area(whole) <= 0:
        msg = "the study area has no area to cover with cells"
        raise LayerError(msg)
    _check_cell_count(whole, lattice, full_area)
    hole_geoms = np.empty(0, dtype=object)
    if exclude is not None:
        hole_geoms = _polygonal(_as_array(exclude), what="excluded features")
    holes = _Holes(
        hole_geoms,
        shapely.STRtree(hole_geoms),
        shapely.STRtree(_segments(whole)) if cells != "centre" else None,
    )
    shapely.prepare(whole)

    out_rows: list[npt.NDArray[np.int64]] = []
    out_cols: list[npt.NDArray[np.int64]] = []
    out_geoms: list[npt.NDArray[np.object_]] = []
    for rows, cols in _blocks(lattice, np.asarray(shapely.bounds(whole))):
        keep, geoms = _block_cells(
            lattice, rows, cols, whole, holes, cells=cells, min_share=min_share
        )
        out_rows.append(rows[keep])
        out_cols.append(cols[keep])
        out_geoms.append(geoms)
    rows_all = np.concatenate(out_rows)
    cols_all = np.concatenate(out_cols)
    geoms_all = np.concatenate(out_geoms) if out_geoms else np.empty(0, dtype=object)
    ids = pd.Series(rows_all).astype(str).radd(id_prefix) + "_" + pd.Series(cols_all).astype(str)
    area_m2 = shapely.area(geoms_all)
    data: dict[str, Any] = {"cell_id": ids.to_numpy(dtype=object), "area_ha": area_m2 / 1e4}
    if cells == "clip":
        data["cell_share"] = area_m2 / full_area
    logger.info("grid of %d %s cells of %.1f m", len(geoms_all), shape, size)
    return gpd.GeoDataFrame(data, geometry=geoms_all, crs=crs_value)


#: Memory one candidate cell takes through a run: its polygon, id, area and criterion values.
BYTES_PER_CELL = 2048


def _check_cell_count(whole: shapely.Geometry, lattice: _Lattice, full_area: float) -> None:
    """Refuse a grid whose cells could not fit in memory, before generating any."""
    xmin, _, xmax, _ = shapely.bounds(whole)
    cells = shapely.area(whole) / full_area
    # one block of lattice points spans a whole row of the bounding box
    row = (xmax - xmin) / lattice.size + 2
    require_memory(
        max(cells * BYTES_PER_CELL, row * 64),
        what=f"a grid of about {cells:,.0f} cells of {full_area / 1e4:,.4g} ha",
        fix="choose larger cells (`cell_ha` or `cell_size_m`) or a smaller study area",
    )


def _block_cells(
    lattice: _Lattice,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    whole: shapely.Geometry,
    holes: _Holes,
    *,
    cells: Cells,
    min_share: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """Return the positions kept in one block of lattice points and their cell polygons."""
    x, y = lattice.centres(rows, cols)
    if cells == "centre":
        keep = np.flatnonzero(shapely.intersects_xy(whole, x, y))
        if len(holes.geoms) and len(keep):
            hit, _ = holes.tree.query(shapely.points(x[keep], y[keep]), predicate="intersects")
            keep = np.delete(keep, np.unique(hit))
        return keep, lattice.polygons(x[keep], y[keep])
    geoms, keep = _edge_cells(lattice, whole, holes.edges, x, y, cells=cells)
    geoms, kept = _take_out(geoms, holes.geoms, holes.tree, cells=cells)
    keep = keep[kept]
    if cells == "clip":
        share = shapely.area(geoms) / cell_area_m2(lattice.shape, lattice.size)
        ok = (share > 0) & at_least(share, min_share)
        geoms, keep = geoms[ok], keep[ok]
    return keep, geoms


def _edge_cells(
    lattice: _Lattice,
    whole: shapely.Geometry,
    edge_tree: shapely.STRtree | None,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    cells: Cells,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """Return the cells kept against the area's border (whole or clipped), with positions."""
    if edge_tree is None:  # pragma: no cover - built for every mode but centre
        msg = "border tree missing"
        raise RuntimeError(msg)
    inside = shapely.intersects_xy(whole, x, y)
    # Cells closer to the border than their circumradius may cross it; the others are
    # entirely inside or entirely outside, decided by their centre.
    near = np.zeros(len(x), dtype=bool)
    hit, _ = edge_tree.query(shapely.points(x, y), predicate="dwithin", distance=lattice.radius)
    near[hit] = True
    interior = np.flatnonzero(inside & ~near)
    border = np.flatnonzero(near)
    border_geoms = lattice.polygons(x[border], y[border])
    if cells == "within":
        covered = shapely.covers(whole, border_geoms)
        border, border_geoms = border[covered], border_geoms[covered]
    else:
        border_geoms = np.asarray(shapely.intersection(border_geoms, whole), dtype=object)
        border_geoms = _polygon_part(border_geoms)
        ok = shapely.area(border_geoms) > 0
        border, border_geoms = border[ok], border_geoms[ok]
    keep = np.concatenate([interior, border])
    geoms = np.concatenate([lattice.polygons(x[interior], y[interior]), border_geoms])
    order = np.argsort(keep, kind="stable")
    return geoms[order], keep[order]


def _take_out(
    geoms: npt.NDArray[np.object_],
    holes: npt.NDArray[np.object_],
    tree: shapely.STRtree,
    *,
    cells: Cells,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """Drop (``within``) or cut (``clip``) cells overlapping excluded features."""
    kept = np.arange(len(geoms))
    if len(holes) == 0 or len(geoms) == 0:
        return geoms, kept
    cell, hole = tree.query(geoms, predicate="intersects")
    overlap = ~shapely.touches(geoms[cell], holes[hole])
    cell, hole = cell[overlap], hole[overlap]
    if cells == "within":
        ok = np.ones(len(geoms), dtype=bool)
        ok[cell] = False
        return geoms[ok], kept[ok]
    geoms = geoms.copy()
    # One vectorised difference per round; round k cuts every cell's k-th excluded feature.
    order = np.argsort(cell, kind="stable")
    cell, hole = cell[order], hole[order]
    rank = np.arange(len(cell)) - np.searchsorted(cell, cell)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        sel = rank == k
        geoms[cell[sel]] = shapely.difference(geoms[cell[sel]], holes[hole[sel]])
    geoms = _polygon_part(geoms)
    ok = shapely.area(geoms) > 0
    return geoms[ok], kept[ok]


def _polygon_part(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Keep only the polygonal part of overlay results (drop stray lines and points)."""
    kinds = shapely.get_type_id(geoms)
    mixed = np.flatnonzero(kinds == 7)  # GeometryCollection
    if len(mixed) == 0:
        return geoms
    geoms = geoms.copy()
    for i in mixed:
        parts = shapely.get_parts(geoms[i])
        polys = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
        geoms[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return geoms


def _as_array(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame | shapely.Geometry | Sequence[shapely.Geometry] | None,
) -> npt.NDArray[np.object_]:
    if geoms is None:
        return np.empty(0, dtype=object)
    if isinstance(geoms, gpd.GeoSeries | gpd.GeoDataFrame):
        return np.asarray(geoms.geometry.array, dtype=object)
    if isinstance(geoms, shapely.Geometry):
        return np.array([geoms], dtype=object)
    return np.asarray(list(geoms), dtype=object)


def _crs_of(area: object, exclude: object, crs: CRSLike | None) -> pyproj.CRS:
    found: list[pyproj.CRS] = []
    for what, value in (("area", area), ("exclude", exclude)):
        if isinstance(value, gpd.GeoSeries | gpd.GeoDataFrame):
            if value.crs is None:
                msg = f"{what} has no CRS; set one with `gdf.set_crs(...)`"
                raise ParameterError(msg)
            found.append(pyproj.CRS.from_user_input(value.crs))
    if crs is not None:
        found.insert(0, to_crs(crs))
    if not found:
        msg = "the grid needs a CRS: pass crs='EPSG:32648' or a GeoSeries with a CRS"
        raise ParameterError(msg)
    if any(not c.equals(found[0]) for c in found[1:]):
        names = ", ".join(repr(c.to_string()) for c in found)
        msg = f"area, exclude and crs must share one CRS, got {names}; reproject with `to_crs`"
        raise ParameterError(msg)
    return ensure_metric(found[0], what="grid CRS")


def grid_candidates(
    spec: GridSpec,
    load_layer: Callable[[str, Where | None], gpd.GeoDataFrame],
    crs: CRSLike,
) -> gpd.GeoDataFrame:
    """Generate the candidate cells a scenario's ``candidates: {grid: ...}`` asks for.

    Parameters
    ----------
    spec
        The grid: cell size, shape, study area, exclusions, which cells to keep.
    load_layer
        ``load_layer(name, where)`` returns a vector layer in ``crs`` (the analysis's
        :attr:`~geosite.measures.base.MeasureContext.load_layer`).
    crs
        The metric analysis CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        Cells with ``cell_id``, ``area_ha`` (and ``cell_share`` when clipped), in ``crs``.

    Examples
    --------
    >>> from geosite import read_layer
    >>> def load(name, where):
    ...     gdf = read_layer(name).to_crs(32648)
    ...     return gdf[gdf["province_id"].isin([where["province_id"]])] if where else gdf
    >>> spec = GridSpec(cell_ha=100, shape="hex",
    ...                 area={"layer": "provinces_pre2025", "where": {"province_id": "dong-nai"}})
    >>> cells = grid_candidates(spec, load, "EPSG:32648")
    >>> cells["cell_id"].iloc[0].startswith("cell-"), round(float(cells["area_ha"].iloc[0]), 6)
    (True, 100.0)
    """
    crs_value = ensure_metric(to_crs(crs), what="grid CRS")
    area = load_layer(spec.area.layer, spec.area.where)
    if len(area) == 0:
        msg = f"grid area layer {spec.area.layer!r} has no features; check its `where`"
        raise LayerError(msg)
    area_geoms = _as_array(area)
    if spec.area.buffer_m > 0:
        area_geoms = area_geoms[~(shapely.is_missing(area_geoms) | shapely.is_empty(area_geoms))]
        area_geoms = np.asarray(shapely.buffer(area_geoms, spec.area.buffer_m), dtype=object)
    pieces: list[npt.NDArray[np.object_]] = []
    for item in spec.exclude:
        layer = load_layer(item.layer, item.where)
        geoms = _as_array(layer)
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if item.buffer_m > 0:
            geoms = np.asarray(shapely.buffer(geoms, item.buffer_m), dtype=object)
        try:
            pieces.append(_polygonal(geoms, what=f"grid exclude layer {item.layer!r}"))
        except LayerError as err:
            raise LayerError(str(err)) from err
    holes = np.concatenate(pieces) if pieces else None
    return grid_from_area(
        area_geoms,
        cell_size_m=spec.cell_size(),
        shape=spec.shape,
        exclude=list(holes) if holes is not None else None,
        cells=spec.cells,
        min_share=spec.min_share,
        id_prefix=spec.id_prefix,
        crs=crs_value,
    )
