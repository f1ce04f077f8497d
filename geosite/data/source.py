"""One door for layers: any source in, one checked layer out.

A layer may be a bundled name (``"ports"``), a file, or an object already in memory (a
GeoDataFrame). Whatever it is, it goes through the same steps, in this order, once:

1. **read**: a file is checked to be a regular, non-empty file before anything opens it (a
   named pipe would block forever, a folder or an empty file gives a driver's riddle);
2. **text**: a declared legacy encoding (``tcvn3``, ``vni``) is converted to Unicode; without a
   declaration, text columns that read as TCVN3, VNI or misread UTF-8 are detected, converted
   and reported with a :class:`~geosite.errors.DataWarning` naming the column, the encoding
   and what to declare;
3. **CRS**: a declared CRS is set on a layer without one, a ``.prj`` that drops the VN-2000
   datum shift is repaired, other disagreements are refused, a layer without any CRS is
   refused naming the likely ones; then the coordinates must be possible in that CRS
   (finite, degrees within range, inside the CRS's area of use when they look like degrees in
   a metric CRS);
4. **where**: the attribute filter (:func:`geosite.data.where.filter_where`);
5. **geometry**: null, empty and invalid geometries are refused (or repaired when asked).

Rasters have their own door, :func:`open_raster`, taking a file, an open rasterio dataset or
an ``(array, transform, crs)`` triple.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geosite.data import io, vn2000
from geosite.data.crs import require_crs, to_crs
from geosite.data.where import filter_where
from geosite.errors import CRSError, DataNotFoundError, DataWarning, LayerError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from rasterio.io import DatasetReader

    from geosite.data.crs import CRSLike

__all__ = [
    "LayerUse",
    "check_coordinates",
    "check_file",
    "is_graph",
    "is_raster",
    "open_layer",
    "open_raster",
]

logger = logging.getLogger(__name__)

#: Where an in-memory layer says it comes from (``LayerUse.path`` is then ``None``).
MEMORY = "<memory>"

#: Folders that are datasets in their own right (an Esri file geodatabase).
_DATASET_FOLDERS = (".gdb",)


@dataclass(frozen=True, slots=True)
class LayerUse:
    """A layer an evaluation read, with what is known of its provenance.

    Parameters
    ----------
    name
        The name the scenario uses.
    path
        The file read; ``None`` for a layer given in memory.
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
    path: Path | None
    bundled: str | None = None
    attribution: str | None = None
    text_conversions: object | None = None

    @property
    def in_memory(self) -> bool:
        """Return whether the layer was given as an object rather than read from a file."""
        return self.path is None and self.bundled is None


# --------------------------------------------------------------------------- files


def check_file(path: str | os.PathLike[str], *, what: str) -> Path:
    """Return ``path`` if it is a regular, non-empty file (or a dataset folder such as .gdb).

    Checked before anything opens the file, from its metadata only: opening a named pipe
    blocks until a writer comes, and a device may never end.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"layer 'parcels'"``).

    Raises
    ------
    DataNotFoundError
        If nothing exists at ``path``.
    LayerError
        If it is a folder, a named pipe, a socket or a device, or an empty file.

    Examples
    --------
    >>> import tempfile
    >>> check_file(tempfile.gettempdir(), what="layer 'parcels'")
    Traceback (most recent call last):
    ...
    geosite.errors.LayerError: layer 'parcels': ... is a folder, not a file; ...
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        msg = (
            f"{what}: file {str(path)!r} does not exist; check the path (relative paths in a "
            "scenario are relative to the scenario file)"
        )
        raise DataNotFoundError(msg) from None
    except OSError as err:
        msg = f"{what}: cannot read {str(path)!r}: {err.strerror or err}"
        raise LayerError(msg) from err
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        if path.suffix.lower() in _DATASET_FOLDERS:
            return path
        msg = (
            f"{what}: {str(path)!r} is a folder, not a file; name the file inside it "
            "(e.g. parcels.gpkg or parcels.shp)"
        )
        raise LayerError(msg)
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file"
        )
        msg = (
            f"{what}: {str(path)!r} is {kind}, not a data file; geosite reads layers only "
            "from regular files: save the data to a file and name that"
        )
        raise LayerError(msg)
    if info.st_size == 0:
        msg = (
            f"{what}: file {str(path)!r} is empty (0 bytes); it was probably cut short: "
            "copy it again"
        )
        raise LayerError(msg)
    return path


# --------------------------------------------------------------------------- coordinates


def _fmt_bounds(bounds: Any) -> str:
    return "(" + ", ".join(f"{b:.6g}" for b in bounds) + ")"


def _within_degrees(bounds: np.ndarray) -> bool:
    x0, y0, x1, y1 = bounds
    return bool(-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90)


def check_coordinates(gdf: gpd.GeoDataFrame, *, layer: str) -> None:
    """Refuse coordinates that cannot be right for the layer's CRS.

    - every coordinate must be finite;
    - in a geographic CRS, longitudes within [-180, 360] and latitudes within [-90, 90]
      (swapped latitude and longitude are named as such);
    - in a projected CRS, the coordinates must project back to the globe, and when they all
      look like degrees (|x| <= 180, |y| <= 90) they must lie inside the CRS's area of use
      (a longitude/latitude file declared as ``EPSG:32648`` is refused, naming ``EPSG:4326``).

    Raises
    ------
    CRSError
        Naming the layer, its extent, its CRS and the fix.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lonlat = gpd.GeoDataFrame(geometry=[shapely.Point(106.8, 10.9)], crs=32648)
    >>> check_coordinates(lonlat, layer="parcels")
    Traceback (most recent call last):
    ...
    geosite.errors.CRSError: layer 'parcels': its coordinates ... look like longitude/latitude ...
    """
    if gdf.crs is None or len(gdf) == 0:
        return
    geoms = gdf.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) == 0:
        return
    bounds = np.asarray(present.total_bounds, dtype=np.float64)
    crs = pyproj.CRS.from_user_input(gdf.crs)
    name = crs.to_string() if crs.to_epsg() is None else f"EPSG:{crs.to_epsg()}"
    if not np.isfinite(bounds).all():
        msg = (
            f"layer {layer!r} has coordinates that are not finite numbers (inf or NaN) "
            f"{_fmt_bounds(bounds)}; fix or remove those features in the source"
        )
        raise CRSError(msg)
    if crs.is_geographic:
        _check_degrees(bounds, crs, name, layer)
    else:
        _check_projected(bounds, crs, name, layer)


def _check_degrees(bounds: np.ndarray, crs: pyproj.CRS, name: str, layer: str) -> None:
    x0, y0, x1, y1 = bounds
    if x0 >= -180 and x1 <= 360 and y0 >= -90 and y1 <= 90:
        return
    swapped = _within_degrees(np.array([y0, x0, y1, x1]))
    msg = (
        f"layer {layer!r}: its coordinates {_fmt_bounds(bounds)} cannot be longitude/"
        f"latitude in degrees as its CRS {name} ({crs.name}) says"
    )
    if swapped:
        msg += (
            "; latitude and longitude look swapped: write x = longitude, y = latitude "
            "(in geopandas: gdf.geometry.map(lambda g: shapely.ops.transform("
            "lambda x, y: (y, x), g)))"
        )
    else:
        msg += "; they are probably projected: declare the layer's real CRS (`crs:`)"
    raise CRSError(msg)


#: No projected coordinate of the Earth lies this far from its CRS's origin, in metres (the
#: equator is 4.0e7 m long; false eastings and northings are a few 1e6 m).
_MAX_PROJECTED_M = 1e8


def _check_projected(bounds: np.ndarray, crs: pyproj.CRS, name: str, layer: str) -> None:
    x0, y0, x1, y1 = bounds
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    if float(np.abs(bounds).max()) * factor > _MAX_PROJECTED_M:
        msg = (
            f"layer {layer!r}: its coordinates {_fmt_bounds(bounds)} are outside any possible "
            f"range of its CRS {name} ({crs.name}): no place on Earth is that far from its "
            "origin; check the coordinates and the layer's CRS (`crs:`)"
        )
        raise CRSError(msg)
    to_lonlat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            lon0, lat0, lon1, lat1 = to_lonlat.transform_bounds(x0, y0, x1, y1, densify_pts=5)
        except pyproj.exceptions.ProjError:
            lon0 = lat0 = lon1 = lat1 = math.inf
    if not all(math.isfinite(v) for v in (lon0, lat0, lon1, lat1)) or not _within_degrees(
        np.array([lon0, lat0, lon1, lat1])
    ):
        msg = (
            f"layer {layer!r}: its coordinates {_fmt_bounds(bounds)} are outside any possible "
            f"range of its CRS {name} ({crs.name}): they do not lie on the Earth; check the "
            "coordinates and the layer's CRS (`crs:`)"
        )
        raise CRSError(msg)
    area = crs.area_of_use
    if area is None or not _within_degrees(bounds):
        return
    inside = (
        area.west - 1 <= lon0
        and lon1 <= area.east + 1
        and area.south - 1 <= lat0
        and lat1 <= area.north + 1
    )
    if inside:
        return
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    msg = (
        f"layer {layer!r}: its coordinates {_fmt_bounds(bounds)} look like longitude/latitude "
        f"degrees, but its CRS {name} ({crs.name}) is in {unit}s and puts them outside its "
        f"area of use ({area.name}); if they are degrees declare `crs: EPSG:4326` for the "
        "layer (or `gdf.set_crs(4326, allow_override=True)`), else declare the CRS they are in"
    )
    raise CRSError(msg)


# --------------------------------------------------------------------------- text


def _detect_text(gdf: gpd.GeoDataFrame, *, layer: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Convert text columns that read as a legacy encoding; warn naming each."""
    from geosite.data import text  # noqa: PLC0415

    columns = [
        str(c)
        for c in gdf.columns
        if c != gdf.geometry.name
        and (gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c].dtype))
        and text.looks_legacy(gdf[c].dropna().unique()[: text.DETECT_SAMPLE])
    ]
    if not columns:
        return gdf, []
    converted, report = text.convert_columns(gdf, encoding="auto", columns=columns, layer=layer)
    if not report:
        return gdf, []
    for entry in report:
        warnings.warn(
            f"layer {layer!r}: {entry}; the layer does not declare its encoding: declare "
            f"`encoding: {entry.encoding if entry.encoding != 'utf8' else 'unicode'}` for it "
            "(or fix the file's .cpg) to make this explicit",
            DataWarning,
            stacklevel=4,
        )
    out = gpd.GeoDataFrame(converted, geometry=gdf.geometry.name, crs=gdf.crs)
    return out, [str(r) for r in report]


# --------------------------------------------------------------------------- vectors


def is_graph(value: object) -> bool:
    """Return whether ``value`` is a networkx graph (without importing networkx)."""
    return any(
        cls.__module__.startswith("networkx.") and cls.__name__ == "Graph"
        for cls in type(value).__mro__
    )


def _read(
    source: Any, *, name: str, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, LayerUse, bool]:
    """Read a source; return it, its provenance, and whether its text was declared/known."""
    from geosite.data import bundled  # noqa: PLC0415 - the catalogue reads files

    if isinstance(source, gpd.GeoSeries):
        source = source.to_frame()
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
        if encoding is not None:
            gdf = _convert_declared(gdf, encoding, name)
        return gdf, LayerUse(name, None), encoding is not None
    if isinstance(source, pd.DataFrame):
        msg = (
            f"layer {name!r} is a table without geometry ({type(source).__name__}); give a "
            "GeoDataFrame, e.g. geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy("
            "df.lon, df.lat), crs=4326)"
        )
        raise LayerError(msg)
    if is_graph(source):
        msg = (
            f"layer {name!r} is a road graph; a graph can only be a network's source "
            f"(`networks: {{...: {{source: {{layer: {name}}}}}}}`), not a layer of features"
        )
        raise LayerError(msg)
    if not isinstance(source, str | os.PathLike):
        msg = (
            f"layer {name!r} is a {type(source).__name__}; give a GeoDataFrame, a file path or "
            "the name of a bundled layer"
        )
        raise LayerError(msg)
    text = str(source)
    if isinstance(source, str) and text in bundled.layer_names():
        gdf = bundled.read_layer(text)
        info = bundled.layer_info(text)
        return gdf, LayerUse(name, bundled.layer_path(text), text, info.attribution), True
    path = check_file(source, what=f"layer {name!r}")
    gdf = io.read_vector(path, layer=layer, encoding=encoding)
    conversions = gdf.attrs.get("text_conversions") or None
    use = LayerUse(
        name, path, attribution=_file_attribution(path, layer), text_conversions=conversions
    )
    return gdf, use, encoding is not None


def _file_attribution(path: Path, layer: str | None) -> str | None:
    """Return the attribution a GeoPackage states in its metadata, with its licence.

    ``geosite fetch-osm`` writes ``attribution`` ("© OpenStreetMap contributors") and
    ``licence`` (ODbL-1.0) there; maps and the workbook's sources sheet then credit them.
    """
    if path.suffix.lower() != ".gpkg":
        return None
    import pyogrio  # noqa: PLC0415

    try:
        meta = pyogrio.read_info(path, layer=layer).get("dataset_metadata") or {}
    except Exception:  # noqa: BLE001 - a missing attribution is not a reason to refuse a layer
        return None
    text = meta.get("attribution")
    if not text:
        return None
    licence = meta.get("licence")
    return f"{text} ({licence})" if licence else str(text)


def _convert_declared(gdf: gpd.GeoDataFrame, encoding: str, name: str) -> gpd.GeoDataFrame:
    from geosite.data import text  # noqa: PLC0415

    chosen = text.parse_encoding(encoding, what=f"layers.{name}.encoding")
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    converted, report = text.convert_columns(gdf, encoding=chosen, columns=columns, layer=name)
    out = gpd.GeoDataFrame(converted, geometry=gdf.geometry.name, crs=gdf.crs)
    out.attrs["text_conversions"] = [str(r) for r in report]
    return out


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer through the door: checked features and where they came from."""

    gdf: gpd.GeoDataFrame
    use: LayerUse


def open_layer(
    source: str | os.PathLike[str] | gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    name: str,
    crs: CRSLike | None = None,
    where: Mapping[str, Any] | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    repair: bool = False,
    allow_missing: bool = False,
    check_geometry: bool = True,
) -> Layer:
    """Turn any source into a checked layer: text, CRS, coordinates, ``where``, geometry.

    Parameters
    ----------
    source
        A bundled layer name, a vector file, or a GeoDataFrame (not modified).
    name
        The layer's name, for messages (``"parcels"``).
    crs
        The CRS its coordinates are in, when the source does not say (or says it without
        the VN-2000 datum shift); any other disagreement is refused.
    where
        Attribute filter, ``{column: value or [values]}``.
    id_column
        Column that identifies features in messages.
    encoding
        Text encoding of the attributes (``tcvn3``, ``vni``, ``unicode`` or ``auto``);
        undeclared, legacy text is detected, converted and warned about.
    layer
        Layer inside a multi-layer file.
    repair
        Repair invalid geometries instead of refusing them.
    allow_missing
        Drop features without geometry instead of refusing them.
    check_geometry
        Check geometries (step 5); road files leave that to the graph builder, which
        reports degenerate roads against their network.

    Returns
    -------
    Layer
        ``layer.gdf`` in the source's CRS; ``layer.use`` says where it came from.

    Raises
    ------
    GeositeError
        A subclass naming the layer and the fix: :class:`~geosite.errors.DataNotFoundError`,
        :class:`~geosite.errors.LayerError` or :class:`~geosite.errors.CRSError`.

    Examples
    --------
    >>> ports = open_layer("ports", name="ports", where={"port_id": "cai-mep-thi-vai"})
    >>> len(ports.gdf), ports.use.bundled
    (1, 'ports')
    """
    gdf, use, declared_text = _read(source, name=name, layer=layer, encoding=encoding)
    if not declared_text:
        gdf, report = _detect_text(gdf, layer=name)
        if report:
            use = LayerUse(use.name, use.path, use.bundled, use.attribution, report)
    declared = to_crs(crs, what=f"layers.{name}.crs") if crs is not None else None
    gdf = vn2000.apply_declared_crs(gdf, declared, layer=name)
    require_crs(gdf, layer=name)
    check_coordinates(gdf, layer=name)
    gdf = filter_where(gdf, where, layer=name)
    if check_geometry:
        gdf = io.check_geometries(
            gdf, layer=name, id_column=id_column, repair=repair, allow_missing=allow_missing
        )
    return Layer(gdf, use)


# --------------------------------------------------------------------------- rasters


def is_raster(value: object) -> bool:
    """Return whether ``value`` is an open rasterio dataset or an (array, transform, crs)."""
    if isinstance(value, tuple):
        return len(value) == 3 and isinstance(value[0], np.ndarray)
    return type(value).__module__.startswith("rasterio.") and hasattr(value, "read")


@contextlib.contextmanager
def open_raster(source: Any, *, name: str) -> Iterator[Any]:
    """Yield an open rasterio dataset for a raster file, dataset or (array, transform, crs).

    An ``(array, transform, crs)`` triple (a 2-D array, or 3-D with bands first, an
    ``affine.Affine`` and anything :func:`geosite.data.crs.to_crs` takes, or ``None``) is
    served from memory (GDAL's ``/vsimem``), never written to disk. The CRS, geotransform and
    extent are checked by the raster measure as for a file.

    Raises
    ------
    LayerError
        If the triple's parts have the wrong kind or shape.
    """
    if isinstance(source, str | os.PathLike):
        path = check_file(source, what=f"raster {name!r}")
        yield path
        return
    if not isinstance(source, tuple):
        if not is_raster(source):
            msg = (
                f"raster {name!r} is a {type(source).__name__}; give a file, an open rasterio "
                "dataset or an (array, transform, crs) triple"
            )
            raise LayerError(msg)
        if getattr(source, "closed", False):
            msg = f"raster {name!r} is a closed dataset; open it again (rasterio.open) and pass it"
            raise LayerError(msg)
        _require_raster_crs(source, name)
        yield source
        return
    with _memory_raster(source, name=name) as ds:
        _require_raster_crs(ds, name)
        yield ds


def _require_raster_crs(ds: Any, name: str) -> None:
    if ds.crs is None:
        msg = (
            f"raster {name!r} has no CRS; give the CRS its coordinates are in (the third item "
            "of (array, transform, crs), or `crs=` when opening the dataset)"
        )
        raise CRSError(msg)


@contextlib.contextmanager
def _memory_raster(source: tuple[Any, Any, Any], *, name: str) -> Iterator[DatasetReader]:
    from affine import Affine  # noqa: PLC0415
    from rasterio.io import MemoryFile  # noqa: PLC0415 - rasterio loads when a raster is read

    array, transform, crs = source
    data = np.asarray(array)
    if data.ndim == 2:
        data = data[np.newaxis]
    if data.ndim != 3 or 0 in data.shape:
        msg = (
            f"raster {name!r}: the array has shape {np.shape(array)}; give a 2-D array "
            "(rows, columns) or a 3-D one (bands, rows, columns)"
        )
        raise LayerError(msg)
    if not isinstance(transform, Affine):
        msg = (
            f"raster {name!r}: the transform is a {type(transform).__name__}, not an "
            "affine.Affine; build one with rasterio.transform.from_origin(west, north, "
            "xsize, ysize)"
        )
        raise LayerError(msg)
    if data.dtype == np.float16 or data.dtype.kind not in "uif":
        data = data.astype(np.float64)
    profile = {
        "driver": "GTiff",
        "height": data.shape[1],
        "width": data.shape[2],
        "count": data.shape[0],
        "dtype": data.dtype.name,
        "transform": transform,
        "crs": None if crs is None else to_crs(crs, what=f"raster {name!r} crs").to_wkt(),
        "nodata": None,
    }
    with MemoryFile() as memfile:
        with memfile.open(**profile) as dst:
            dst.write(data)
        with memfile.open() as ds:
            yield ds
