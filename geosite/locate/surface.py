"""A suitability surface on a square or hexagonal lattice, as the region search sees it.

The cells of a grid scenario (:mod:`geosite.data.grid`) are named ``<prefix><row>_<col>`` with
rows and columns counted from the origin of the metric CRS; :func:`surface_from_grid` reads
them back into a dense 2-D array so that neighbours are array offsets. Hexagonal rows (odd rows
shifted east by half a cell) are stored in *axial* coordinates, ``q = col - (row - row % 2) / 2``,
where every cell's six neighbours sit at the same six offsets, so one
:func:`scipy.ndimage.label` structure serves every cell.

A cell is *usable* when it has a finite score; excluded candidates, cells outside the study
area and cells a constraint removed are not usable and never become part of a region.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import shapely

from geosite.errors import ParameterError

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy.typing as npt

__all__ = ["Surface", "min_perimeter", "surface_from_array", "surface_from_grid"]

Shape = Literal["square", "hex"]
_SQRT3 = math.sqrt(3.0)

#: Neighbour offsets (d_row, d_col) in the dense array: rook moves for squares, the six axial
#: directions for hexagons.
OFFSETS: dict[str, tuple[tuple[int, int], ...]] = {
    "square": ((0, 1), (0, -1), (1, 0), (-1, 0)),
    "hex": ((0, 1), (0, -1), (1, 0), (-1, 0), (-1, 1), (1, -1)),
}
#: The matching connectivity structures for :func:`scipy.ndimage.label`.
STRUCTURES: dict[str, npt.NDArray[np.bool_]] = {
    "square": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool),
    "hex": np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0]], dtype=bool),
}


def min_perimeter(cells: int, shape: Shape) -> int:
    """Return the least perimeter, in cell sides, of ``cells`` edge-connected lattice cells.

    Harary and Harborth (1976): ``2 * ceil(2 * sqrt(n))`` for squares (polyominoes) and
    ``2 * ceil(sqrt(12 n - 3))`` for hexagons (polyhexes).

    Examples
    --------
    >>> min_perimeter(9, "square"), min_perimeter(7, "hex")
    (12, 18)
    """
    if cells <= 0:
        return 0
    if shape == "square":
        return 2 * math.ceil(2.0 * math.sqrt(cells) - 1e-9)
    return 2 * math.ceil(math.sqrt(12.0 * cells - 3.0) - 1e-9)


@dataclass(frozen=True)
class Surface:
    """Scores on a lattice, stored densely with a one-cell border of unusable cells.

    Parameters
    ----------
    scores
        2-D float array; NaN where a cell is missing or not usable.
    shape
        ``"square"`` or ``"hex"`` (axial storage, see the module docstring).
    cell_size_m
        Distance between neighbouring cell centres, in metres.
    row0, col0
        Lattice row and column (axial column for hexagons) of ``scores[0, 0]``.
    cell_ha
        Nominal area of one cell in hectares.
    index
        Position of each dense cell in the source table, -1 where none.
    units
        Optional integer label per dense cell (an administrative unit), -1 for none.
    unit_names
        Names of the unit labels.
    """

    scores: npt.NDArray[np.float64]
    shape: Shape
    cell_size_m: float
    row0: int
    col0: int
    index: npt.NDArray[np.int64]
    units: npt.NDArray[np.int64] | None = None
    unit_names: tuple[str, ...] = ()
    cell_ha: float = field(init=False)

    def __post_init__(self) -> None:
        size = self.cell_size_m
        area = size * size if self.shape == "square" else _SQRT3 / 2.0 * size * size
        object.__setattr__(self, "cell_ha", area / 1e4)

    @property
    def usable(self) -> npt.NDArray[np.bool_]:
        """Return the mask of cells that may join a region."""
        return np.isfinite(self.scores)

    @property
    def sides(self) -> int:
        """Return the number of sides of a cell: 4 or 6."""
        return 4 if self.shape == "square" else 6

    def with_units(self, units: npt.NDArray[np.int64], names: tuple[str, ...]) -> Surface:
        """Return this surface with a unit label per dense cell."""
        return Surface(
            self.scores,
            self.shape,
            self.cell_size_m,
            self.row0,
            self.col0,
            self.index,
            units,
            names,
        )

    def lattice_rows_cols(
        self, flat: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Return the lattice rows and (offset) columns of dense flat positions."""
        r, q = np.divmod(np.asarray(flat, dtype=np.int64), self.scores.shape[1])
        row = r + self.row0
        col = q + self.col0
        if self.shape == "hex":
            col = col + (row - (row & 1)) // 2
        return row, col

    def centres(
        self, flat: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Return the x and y of the centres of dense flat positions (CRS metres)."""
        row, col = self.lattice_rows_cols(flat)
        size = self.cell_size_m
        if self.shape == "square":
            x, y = (col + 0.5) * size, (row + 0.5) * size
        else:
            x, y = (col + 0.5 * (row & 1)) * size, row * (1.5 * size / _SQRT3)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def polygons(self, flat: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
        """Return the cell polygons of dense flat positions."""
        x, y = self.centres(flat)
        if self.shape == "square":
            h = self.cell_size_m / 2.0
            return np.asarray(shapely.box(x - h, y - h, x + h, y + h), dtype=object)
        w, s = self.cell_size_m / 2.0, self.cell_size_m / _SQRT3
        dx = np.array([0.0, -w, -w, 0.0, w, w, 0.0])
        dy = np.array([s, s / 2, -s / 2, -s, -s / 2, s / 2, s])
        coords = np.stack([x[:, None] + dx, y[:, None] + dy], axis=-1)
        return np.asarray(shapely.polygons(coords), dtype=object)

    @property
    def circumradius_m(self) -> float:
        """Return the distance from a cell's centre to its farthest corner, in metres."""
        if self.shape == "square":
            return self.cell_size_m * math.sqrt(0.5)
        return self.cell_size_m / _SQRT3


def _dense(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float64],
    shape: Shape,
    cell_size_m: float,
) -> Surface:
    if shape == "hex":
        cols = cols - (rows - (rows & 1)) // 2
    if len(rows) == 0:
        msg = "the surface has no cells"
        raise ParameterError(msg)
    # One unusable cell around the surface: neighbour offsets never leave the array.
    r0, c0 = int(rows.min()) - 1, int(cols.min()) - 1
    height, width = int(rows.max()) - r0 + 2, int(cols.max()) - c0 + 2
    dense = np.full((height, width), np.nan)
    index = np.full((height, width), -1, dtype=np.int64)
    dense[rows - r0, cols - c0] = scores
    index[rows - r0, cols - c0] = np.arange(len(rows))
    return Surface(dense, shape, float(cell_size_m), r0, c0, index)


def surface_from_grid(
    cells: gpd.GeoDataFrame | object,
    *,
    shape: Shape,
    cell_size_m: float,
    score: str = "total_score",
    id_column: str = "cell_id",
    id_prefix: str = "cell-",
    usable: npt.ArrayLike | None = None,
) -> Surface:
    """Read the cells of a grid (as :func:`geosite.grid_from_area` names them) into a surface.

    Parameters
    ----------
    cells
        A table with ``id_column`` (``<prefix><row>_<col>``) and ``score``.
    shape, cell_size_m
        The grid's shape and the distance between neighbouring cell centres (metres).
    score
        Column with each cell's suitability; NaN where none.
    usable
        Boolean per row: False keeps the cell out of every region (an excluded candidate).

    Raises
    ------
    ParameterError
        If a column is missing or an id is not a grid cell id.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"cell_id": ["cell-0_0", "cell-0_1"], "total_score": [0.5, 0.7]})
    >>> s = surface_from_grid(t, shape="square", cell_size_m=100.0)
    >>> s.scores.shape, int(s.usable.sum())
    ((3, 4), 2)
    """
    import pandas as pd  # noqa: PLC0415

    table = pd.DataFrame(cells)  # type: ignore[arg-type]
    missing = [c for c in (id_column, score) if c not in table.columns]
    if missing:
        msg = f"the grid table has no column(s) {missing}; locate needs grid cells and scores"
        raise ParameterError(msg)
    pattern = re.compile(rf"^{re.escape(id_prefix)}(-?\d+)_(-?\d+)$")
    parts = table[id_column].astype(str).str.extract(pattern)
    bad = parts[0].isna()
    if bad.any():
        example = table[id_column][bad].iloc[0]
        msg = (
            f"cell id {example!r} is not a grid cell id ({id_prefix}<row>_<col>); regions are "
            "located on grid scenarios (`candidates: {grid: ...}`)"
        )
        raise ParameterError(msg)
    values = pd.to_numeric(table[score], errors="coerce").to_numpy(dtype=np.float64)
    if usable is not None:
        values = np.where(np.asarray(usable, dtype=bool), values, np.nan)
    return _dense(
        np.asarray(parts[0].astype(np.int64).to_numpy(), dtype=np.int64),
        np.asarray(parts[1].astype(np.int64).to_numpy(), dtype=np.int64),
        values,
        shape,
        cell_size_m,
    )


def surface_from_array(
    scores: npt.ArrayLike, *, shape: Shape = "square", cell_size_m: float = 100.0
) -> Surface:
    """Wrap a 2-D array of scores (NaN = not usable) as a surface.

    Row ``i``, column ``j`` is lattice row ``i`` and column ``j`` (for hexagons, the offset
    column of odd-row-shifted rows, as :func:`geosite.grid_from_area` numbers them).

    Examples
    --------
    >>> s = surface_from_array([[0.1, 0.2], [0.3, float("nan")]], cell_size_m=100.0)
    >>> int(s.usable.sum()), round(s.cell_ha, 2)
    (3, 1.0)
    """
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 2:
        msg = f"scores must be a 2-D array, got {arr.ndim} dimension(s)"
        raise ParameterError(msg)
    if not cell_size_m > 0:
        msg = f"cell_size_m must be positive, got {cell_size_m!r}"
        raise ParameterError(msg)
    rows, cols = np.indices(arr.shape)
    return _dense(
        rows.ravel().astype(np.int64),
        cols.ravel().astype(np.int64),
        arr.ravel(),
        shape,
        cell_size_m,
    )
