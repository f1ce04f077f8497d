"""Read and check vector layers; write outputs atomically.

Every output file is first written to a temporary file in the same directory and then renamed
over the target, so an interrupted run leaves the previous output intact and never a truncated
file. Inputs are never modified.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.data.where import filter_where
from geosite.errors import DataNotFoundError, LayerError, OutputError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


__all__ = [
    "CSV_DIGITS",
    "DEFAULT_TIMESTAMP",
    "FORMULA_TRIGGERS",
    "atomic_path",
    "check_candidate_geometry_types",
    "check_geometries",
    "check_ids",
    "filter_where",
    "generation_time",
    "neutralise_formula",
    "output_timestamp",
    "read_vector",
    "write_csv",
]

logger = logging.getLogger(__name__)

_MAX_LISTED = 10


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file (GeoPackage, GeoJSON, Shapefile, FlatGeobuf...).

    Parameters
    ----------
    path
        The file to read.
    layer
        The layer inside a multi-layer file such as a GeoPackage; the first layer if omitted.
    encoding
        How the attribute text is encoded, for files from before Unicode: ``"tcvn3"`` (TCVN3 /
        ABC fonts such as .VnTime), ``"vni"`` (VNI-Windows fonts), ``"auto"`` to detect it per
        column, or ``"unicode"``; text is then converted to Unicode NFC and what was converted
        is logged and listed in ``gdf.attrs["text_conversions"]``. Omitted, text is returned as
        the file's driver decodes it. A shapefile's table is read byte for byte (as Latin-1)
        whenever a legacy encoding may be present, whatever its ``.cpg`` says.

    Raises
    ------
    DataNotFoundError
        If the file or the layer inside it does not exist.
    LayerError
        If the file cannot be read as vector data.
    ParameterError
        If ``encoding`` is not one of the above.

    Examples
    --------
    >>> from geosite.data.bundled import layer_path
    >>> read_vector(layer_path("ports"), encoding="auto").attrs["text_conversions"]
    []
    """
    import pyogrio  # noqa: PLC0415 - GDAL's bindings load when a file is read
    import pyogrio.errors  # noqa: PLC0415

    from geosite.data import text  # noqa: PLC0415

    path = Path(path)
    chosen = text.parse_encoding(encoding) if encoding is not None else None
    if not path.exists():
        msg = (
            f"vector file {str(path)!r} does not exist; check the path (relative paths in a "
            "scenario are relative to the scenario file)"
        )
        raise DataNotFoundError(msg)
    if layer is not None:
        try:
            names = [str(row[0]) for row in pyogrio.list_layers(path)]
        except pyogrio.errors.DataSourceError as err:
            msg = f"cannot read {str(path)!r} as vector data: {err}"
            raise LayerError(msg) from err
        if layer not in names:
            hint = difflib.get_close_matches(layer, names, n=1)
            msg = f"file {str(path)!r} has no layer {layer!r}; it has {names}"
            if hint:
                msg += f"; did you mean {hint[0]!r}?"
            raise DataNotFoundError(msg)
    # Legacy bytes in a .dbf must reach the converter unchanged: read them as Latin-1.
    raw = chosen in {"tcvn3", "vni", "cp1258", "auto"} and path.suffix.lower() in {".shp", ".dbf"}
    try:
        gdf = gpd.read_file(path, layer=layer, encoding="latin1" if raw else None)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as err:
        msg = f"cannot read {str(path)!r} as vector data: {err}"
        raise LayerError(msg) from err
    if chosen is None:
        return gdf
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    converted, report = text.convert_columns(
        gdf, encoding=chosen, columns=[str(c) for c in columns], layer=path.name
    )
    out = gpd.GeoDataFrame(converted, geometry=gdf.geometry.name, crs=gdf.crs)
    out.attrs["text_conversions"] = [str(r) for r in report]
    for entry in report:
        logger.info("%s: %s", path.name, entry)
    return out


def _listed(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_MAX_LISTED])
    if len(values) > _MAX_LISTED:
        shown += f" and {len(values) - _MAX_LISTED} more"
    return shown


def check_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    layer: str,
    id_column: str | None = None,
    repair: bool = False,
    allow_missing: bool = False,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` if its geometries are usable, repairing invalid ones if asked.

    Parameters
    ----------
    gdf
        The layer to check.
    layer
        Its name, for messages.
    id_column
        Column that identifies features in messages (the row index if omitted).
    repair
        Repair invalid geometries with :func:`shapely.make_valid` (reported in the log and
        as a warning) instead of refusing them.
    allow_missing
        Drop features with null or empty geometry instead of refusing them (reference layers
        keep features whose location is unknown without a geometry).

    Raises
    ------
    LayerError
        If the layer is empty, or has null, empty or invalid geometries.
    """
    if len(gdf) == 0:
        msg = f"layer {layer!r} has no features; check the file or the filter applied to it"
        raise LayerError(msg)
    ids = gdf[id_column] if id_column and id_column in gdf.columns else pd.Series(gdf.index)
    geoms = gdf.geometry.array
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.any():
        if not allow_missing:
            bad = ids[missing].tolist()
            msg = (
                f"layer {layer!r} has {int(missing.sum())} feature(s) with a null or empty "
                f"geometry: {_listed(bad)}; remove them or give them a geometry"
            )
            raise LayerError(msg)
        gdf = gdf.loc[~missing]
        ids = ids[~missing]
        geoms = gdf.geometry.array
        if len(gdf) == 0:
            msg = f"layer {layer!r} has no feature with a geometry"
            raise LayerError(msg)
    invalid = ~np.asarray(shapely.is_valid(geoms))
    if invalid.any():
        reasons = shapely.is_valid_reason(np.asarray(geoms)[invalid])
        listed = [f"{i!r} ({r})" for i, r in zip(ids[invalid].tolist(), reasons, strict=True)]
        if not repair:
            shown = ", ".join(listed[:_MAX_LISTED])
            msg = (
                f"layer {layer!r} has {int(invalid.sum())} invalid geometr"
                f"{'y' if invalid.sum() == 1 else 'ies'}: {shown}; fix them in the source, or "
                "set `repair: true` on the layer in the scenario to repair them with "
                "shapely.make_valid"
            )
            raise LayerError(msg)
        gdf = gdf.copy()
        fixed = shapely.make_valid(np.asarray(geoms)[invalid])
        gdf.loc[invalid, gdf.geometry.name] = fixed
        logger.warning("layer %r: repaired %d invalid geometries: %s", layer, invalid.sum(), listed)
    return gdf


_FAMILIES = {
    "Polygon": "polygons",
    "MultiPolygon": "polygons",
    "Point": "points",
    "MultiPoint": "points",
}


def check_candidate_geometry_types(gdf: gpd.GeoDataFrame, *, layer: str) -> None:
    """Raise :class:`LayerError` unless candidates are all polygons or all points.

    Lines are not parcels, and a layer that mixes polygons with points usually holds two
    kinds of feature that should be scored apart.
    """
    kinds = gdf.geom_type.value_counts()
    families = {_FAMILIES.get(str(kind), str(kind)) for kind in kinds.index}
    if families <= {"polygons"} or families <= {"points"}:
        return
    listed = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    msg = (
        f"candidates layer {layer!r} mixes geometry types ({listed}); candidates must be all "
        "polygons or all points: split the layer, or buffer the points into parcels"
    )
    raise LayerError(msg)


def check_ids(gdf: gpd.GeoDataFrame, *, layer: str, id_column: str) -> None:
    """Raise :class:`LayerError` if ``id_column`` is missing, has nulls or duplicates."""
    if id_column not in gdf.columns:
        columns = [c for c in gdf.columns if c != gdf.geometry.name]
        hint = difflib.get_close_matches(id_column, columns, n=1)
        msg = f"layer {layer!r} has no id column {id_column!r}; its columns are {columns}"
        if hint:
            msg += f"; did you mean {hint[0]!r}?"
        raise LayerError(msg)
    values = gdf[id_column]
    if values.isna().any():
        msg = (
            f"layer {layer!r}: id column {id_column!r} has {int(values.isna().sum())} empty "
            "value(s); every feature needs an id"
        )
        raise LayerError(msg)
    dup = values[values.duplicated(keep=False)]
    if len(dup):
        msg = (
            f"layer {layer!r}: id column {id_column!r} has duplicate values "
            f"{_listed(sorted(set(dup.astype(str))))}; ids must be unique"
        )
        raise LayerError(msg)


#: When outputs say they were written, unless ``SOURCE_DATE_EPOCH`` says otherwise: a fixed
#: instant, so that identical runs give identical bytes (reproducible-builds.org convention).
DEFAULT_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def output_timestamp() -> dt.datetime:
    """Return the time written into outputs that record one (GeoPackage, Excel).

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) if set, else :data:`DEFAULT_TIMESTAMP`:
    a run's files then depend on its inputs only, byte for byte.

    Examples
    --------
    >>> output_timestamp().isoformat()
    '2000-01-01T00:00:00+00:00'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return DEFAULT_TIMESTAMP


def generation_time() -> dt.datetime:
    """Return when a document says it was generated: now, or ``SOURCE_DATE_EPOCH`` if set.

    A report shows its date to its reader, so it is the real time unless the caller asks for
    reproducible bytes the reproducible-builds.org way.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC)


#: Significant digits kept in CSV output: sub-millimetre for distances up to 1,000 km.
CSV_DIGITS = 10


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A text that a spreadsheet reads as a plain number ("-12.5", "+3e4") is not a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: object) -> object:
    r"""Return ``value`` with a leading ``'`` if a spreadsheet would run it as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what Excel,
    LibreOffice and Google Sheets evaluate (OWASP, "CSV Injection"); the single quote makes
    them show it as text. Anything that is not text, and text that is a plain number
    (``"-12.5"``), is returned unchanged.

    Examples
    --------
    >>> neutralise_formula("=1+2"), neutralise_formula("@SUM(A1)")
    ("'=1+2", "'@SUM(A1)")
    >>> neutralise_formula("-12.5"), neutralise_formula(-12.5), neutralise_formula("Long Thành")
    ('-12.5', -12.5, 'Long Thành')
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a table as geosite writes every CSV: UTF-8, Unix line ends, 10 digits.

    Text cells (and column names) that a spreadsheet would run as a formula get a leading
    single quote (see :func:`neutralise_formula`); numbers stay numbers. The same inputs
    always give the same bytes. Write to an :func:`atomic_path`.
    """
    safe = frame.copy(deep=False)
    safe.columns = [neutralise_formula(c) for c in safe.columns]
    carriage_return = any("\r" in str(c) for c in safe.columns)
    for position, dtype in enumerate(safe.dtypes):
        if dtype == np.dtype(object) or isinstance(dtype, pd.StringDtype):
            column = safe.iloc[:, position].map(neutralise_formula, na_action="ignore")
            carriage_return |= bool(column.map(lambda v: isinstance(v, str) and "\r" in v).any())
            safe.isetitem(position, column.to_numpy())
    # Python's csv module quotes a field holding "\n" but not a lone "\r", which spreadsheets
    # read as a line break: a table with one quotes all of its text.
    safe.to_csv(
        path,
        index=False,
        float_format=f"%.{CSV_DIGITS}g",
        encoding="utf-8",
        lineterminator="\n",
        quoting=csv.QUOTE_NONNUMERIC if carriage_return else csv.QUOTE_MINIMAL,
    )


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    r"""Yield a temporary path next to ``target``; rename it over ``target`` on success.

    On any error the temporary file is removed and ``target`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "scores.csv"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("id,score\\n")
    >>> out.read_text()
    'id,score\\n'
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
        )
        os.close(fd)
    except OSError as err:
        msg = (
            f"cannot write to {str(target.parent)!r}: {err.strerror}; "
            "choose another output directory"
        )
        raise OutputError(msg) from err
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        tmp.replace(target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        msg = (
            f"cannot write {str(target)!r}: {err.strerror or err}; "
            "the previous file, if any, is unchanged"
        )
        raise OutputError(msg) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
