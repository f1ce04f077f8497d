"""The contract every measure follows: a validated spec that computes raw values per parcel.

A *measure* turns candidate parcels into one raw number each (a distance in metres, a travel
time in minutes, a count, a share). Each measure type is a frozen pydantic model: the scenario
file validates against it, and its :meth:`MeasureSpec.compute` does the work given a
:class:`MeasureContext`. Adding a measure type means adding one model to a module of
``geosite.measures`` and listing it in :data:`geosite.measures.MEASURE_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict

# Where and Scalar live in geosite.types; re-exported for code that imports them from here.
from geosite.types import Scalar, Where

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import geopandas as gpd
    import numpy.typing as npt
    import pyproj

__all__ = [
    "MeasureContext",
    "MeasureResult",
    "MeasureSpec",
    "Scalar",
    "Where",
    "describe_measured_to",
    "geometry_kinds",
    "uncovered_distance",
]


@dataclass(frozen=True, slots=True)
class MeasureContext:
    """What a measure may use while computing.

    Parameters
    ----------
    candidates
        The candidate parcels, already validated and projected to :attr:`crs`.
    crs
        The metric analysis CRS (EPSG:32648 in Dong Nam Bo).
    load_layer
        ``load_layer(name, where)`` returns a vector layer (bundled name or one declared in the
        scenario's ``layers:``), validated, filtered by ``where`` and projected to :attr:`crs`.
        Raises a :class:`~geosite.errors.GeositeError` naming the layer when it is unusable.
    resolve_path
        ``resolve_path(name)`` returns the file behind a layer name (bundled or declared), for
        measures that read files themselves (rasters, road graphs).
    base_dir
        Directory of the scenario file; relative paths in a measure spec resolve against it.
    networks
        Road-network definitions of the scenario's top-level ``networks:`` section, by name
        (values are :class:`geosite.measures.network.NetworkSpec` models).
    load_raster
        ``load_raster(name)`` returns a raster by layer name: its file, or the rasterio dataset
        or ``(array, transform, crs)`` triple given in memory (see
        :func:`geosite.data.source.open_raster`); ``None`` falls back to :attr:`resolve_path`.
    in_memory
        Objects given to :func:`geosite.evaluate` as ``layers=``, by name (GeoDataFrames,
        road graphs, rasters): a network whose source layer is a graph here is built from it.
    cache
        A per-evaluation dictionary measures may use to share expensive objects (road graphs,
        spatial indexes) between criteria. Keys should be namespaced by module.
    """

    candidates: gpd.GeoDataFrame
    crs: pyproj.CRS
    load_layer: Callable[[str, Where | None], gpd.GeoDataFrame]
    resolve_path: Callable[[str], Path]
    base_dir: Path
    networks: Mapping[str, Any] = field(default_factory=dict)
    load_raster: Callable[[str], Any] | None = None
    in_memory: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MeasureResult:
    """Raw values of one measure for every candidate.

    Parameters
    ----------
    values
        float64 array, one value per candidate, in :attr:`unit`. ``NaN`` where the value could
        not be measured; :attr:`reasons` then says why.
    unit
        Unit suffix used in column names: ``"m"``, ``"min"``, ``"count"``, ``"share"``,
        ``"ha"`` or ``""`` for unitless values.
    reasons
        Per-candidate reason a value is missing (``None`` where the value is fine).
    extra
        Further per-candidate columns to report, keyed by suffix (for example
        ``{"snap_m": ...}`` becomes ``<criterion>_snap_m``). A measure to the nearest feature
        names it (``nearest`` or ``facility``) and says, in ``measured_to_kind``, what of it
        the value was measured to (see :func:`geometry_kinds`).
    features
        Geometries worth drawing on the map for this criterion (the facilities measured to,
        network paths...), in the analysis CRS, or ``None``.
    """

    values: npt.NDArray[np.float64]
    unit: str
    reasons: list[str | None] | None = None
    extra: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)
    features: gpd.GeoDataFrame | None = None


class MeasureSpec(BaseModel):
    """Base of every measure model; subclasses set ``type`` to a ``Literal``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Unit of the raw values, used as the column suffix (``port_distance_m``).
    unit: ClassVar[str] = ""
    #: Whether a higher raw value is better, used to suggest value functions.
    higher_is_better: ClassVar[bool | None] = None

    def layers_used(self) -> list[str]:
        """Return the names of the layers this measure reads (for provenance and maps)."""
        return []

    def prepare(self, ctx: MeasureContext) -> None:
        """Check, before any heavy work, everything :meth:`compute` would refuse.

        This is the measure's part of :func:`geosite.analysis.preflight`, which both
        ``geosite validate`` and :func:`geosite.evaluate` run: any problem of the scenario or
        its data that :meth:`compute` would raise must be raised here, with the same message,
        so that a scenario ``validate`` accepts does not fail later. What is built here
        (layers read, road graphs) is kept in the context for :meth:`compute`.

        The default reads every layer of :meth:`layers_used`; measures override it to check
        filters, columns, rasters and networks too.

        Raises
        ------
        GeositeError
            Naming the layer, file or key at fault.
        """
        for name in self.layers_used():
            ctx.load_layer(name, getattr(self, "where", None))

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Compute the raw value of this measure for every candidate.

        Runs after :meth:`prepare` succeeded; a problem of the scenario or its data is
        refused there, not here.
        """
        raise NotImplementedError


#: What a distance to a feature of each shapely geometry type is measured to.
_KIND_OF_TYPE = {
    0: "point",  # Point
    1: "line",  # LineString
    2: "line",  # LinearRing
    3: "outline",  # Polygon
    4: "point",  # MultiPoint
    5: "line",  # MultiLineString
    6: "outline",  # MultiPolygon
    7: "shape",  # GeometryCollection
}


def geometry_kinds(geometries: Any) -> npt.NDArray[np.object_]:
    """Say what a distance to each geometry is measured to: its outline, a point or a line.

    A distance to a polygon is measured to its outline (0 inside it), to a point layer to the
    point, to a line to the nearest point of the line. Layers may mix them (an airport drawn as
    its aerodrome outline beside an airfield known only by its reference point), so the kind is
    per feature.

    Parameters
    ----------
    geometries
        A GeoSeries or array of shapely geometries.

    Returns
    -------
    numpy.ndarray
        ``"outline"`` (polygon), ``"point"``, ``"line"`` or ``"shape"`` (a collection) per
        geometry; ``None`` where the geometry is missing or empty.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> geometry_kinds([box(0, 0, 1, 1), Point(5, 5), None]).tolist()
    ['outline', 'point', None]
    """
    geoms = np.asarray(geometries, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for i, type_id in zip(
        np.flatnonzero(present), shapely.get_type_id(geoms[present]), strict=True
    ):
        out[i] = _KIND_OF_TYPE.get(int(type_id), "shape")
    return out


def describe_measured_to(names: Any, kinds: Any, language: str = "en") -> list[str | None]:
    """Say, for a planner, what each value was measured to: the feature and what of it.

    Parameters
    ----------
    names
        Name of the feature each value was measured to (``None`` where there is none).
    kinds
        What of it, from :func:`geometry_kinds`: ``"outline"``, ``"point"``, ``"line"`` or
        ``"shape"``.
    language
        ``"en"`` or ``"vi"``.

    Returns
    -------
    list of str or None
        One text per value; ``None`` where nothing was measured.

    Examples
    --------
    >>> describe_measured_to(["Long Thành airport", "Cát Lái", None], ["outline", "point", None])
    ['Long Thành airport (outline)', 'Cát Lái (point)', None]
    >>> describe_measured_to(["Cát Lái"], ["point"], "vi")
    ['Cát Lái (điểm)']
    """
    from geosite.i18n import check_language, translate  # noqa: PLC0415

    lang = check_language(language)
    return [
        None
        if name is None or kind is None or name != name  # noqa: PLR0124  (NaN from a table)
        else translate(f"measured_to.{kind}", lang, name=name)
        for name, kind in zip(names, kinds, strict=True)
    ]


def uncovered_distance(geometries: Any, coverage: Any) -> npt.NDArray[np.float64]:
    """Measure how far each geometry is from the area a layer does not cover.

    A layer that covers only part of the region (the power lines of one city's OpenStreetMap
    extract) says nothing beyond it: a feature may lie just outside. A distance to the nearest
    feature that exceeds this distance is therefore an upper bound, and a count within a radius
    that exceeds it a lower bound.

    Parameters
    ----------
    geometries
        Candidate geometries, in the CRS of ``coverage`` (metres).
    coverage
        The covered area, a (multi)polygon.

    Returns
    -------
    numpy.ndarray
        Distance in metres from each geometry to the nearest point outside ``coverage``; 0 for
        a geometry that is not wholly inside it.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> uncovered_distance([Point(2, 5), Point(20, 5), box(8, 0, 12, 1)], box(0, 0, 10, 10))
    array([2., 0., 0.])
    """
    geoms = np.asarray(geometries, dtype=object)
    inside = shapely.within(geoms, coverage)
    edge = shapely.distance(shapely.boundary(coverage), geoms)
    return np.where(inside, edge, 0.0).astype(np.float64)
