"""Write a result to disk: score tables and the map, as one set.

Every file is written into a staging folder first; only when all of them are complete are
they published together, in one atomic step (see :mod:`geosite.data.publish`). An error or
an interruption part-way leaves the previous outputs intact and no temporary file.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from geosite.data.io import atomic_path, output_timestamp, write_csv
from geosite.data.publish import output_set
from geosite.errors import OutputError, ParameterError
from geosite.result.scorecard import score_cards

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

    import folium

    from geosite.analysis import Result

__all__ = ["result_to_frame", "stage_outputs", "write_outputs", "write_table"]

logger = logging.getLogger(__name__)

TableFormat = Literal["csv", "gpkg", "geojson", "xlsx"]


def result_to_frame(result: Result) -> pd.DataFrame:
    """Return the score table without geometry (what ``scores.csv`` holds)."""
    return pd.DataFrame(result.table.drop(columns=result.table.geometry.name))


def _write_vector(result: Result, path: Path, driver: str) -> None:
    """Write the table with GDAL; a GeoPackage's ``last_change`` is :func:`output_timestamp`."""
    table = result.table.copy()
    table["rank"] = table["rank"].astype("float64")  # nullable ints are not portable to GDAL
    table["excluded"] = table["excluded"].astype(np.int8 if driver == "GPKG" else bool)
    if driver == "GeoJSON":
        table = table.to_crs(4326)
    stamp = output_timestamp().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with _gdal_config(OGR_CURRENT_DATE=stamp):
        table.to_file(path, driver=driver, layer="scores", engine="pyogrio")


def _style(result: Result, path: Path) -> None:
    """Embed the QGIS style of the ranking in a GeoPackage written by :func:`_write_vector`."""
    from geosite.result.qgis import add_layer_style, score_style_qml  # noqa: PLC0415

    points = bool(result.table.geom_type.isin(["Point", "MultiPoint"]).all())
    add_layer_style(path, qml=score_style_qml(points=points))


@contextlib.contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore them."""
    import pyogrio  # noqa: PLC0415

    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def owned_names(map_name: str = "map.html") -> set[str]:
    """Return every file name :func:`write_outputs` may write.

    A file of these names left from an earlier run that this run does not write is removed,
    so the folder never mixes two runs' outputs.
    """
    return {f"scores.{fmt}" for fmt in get_args(TableFormat)} | {
        "score_cards.csv",
        "suitability.tif",
        map_name,
    }


#: Drivers of :func:`write_table`, by file extension.
_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}


def write_table(result: Result, path: str | os.PathLike[str], *, driver: str | None = None) -> Path:
    """Write the score table to one file, atomically, as :func:`write_outputs` writes it.

    Parameters
    ----------
    result
        The evaluated scenario.
    path
        The file; its extension chooses the format: ``.gpkg`` (layer ``scores``),
        ``.geojson`` (WGS 84) or ``.csv`` (no geometry).
    driver
        ``"GPKG"``, ``"GeoJSON"`` or ``"CSV"``, whatever the extension.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ParameterError
        If the format is not one of these.
    OutputError
        If the file cannot be written; a previous file is left unchanged.
    """
    target = Path(path)
    chosen = driver or _DRIVERS.get(target.suffix.lower())
    if chosen not in {"GPKG", "GeoJSON", "CSV"}:
        msg = (
            f"cannot tell which format to write {str(target)!r} in: give it the extension "
            ".gpkg, .geojson or .csv, or driver='GPKG', 'GeoJSON' or 'CSV'"
        )
        raise ParameterError(msg)
    if target.is_dir():
        msg = f"{str(target)!r} is a folder; name a file, or use write_outputs for a folder"
        raise OutputError(msg)
    with atomic_path(target) as tmp:
        if chosen == "CSV":
            write_csv(result_to_frame(result), tmp)
        else:
            _write_vector(result, tmp, chosen)
            if chosen == "GPKG":
                _style(result, tmp)
    logger.info("wrote %s", target)
    return target


def write_outputs(
    result: Result,
    out_dir: str | Path,
    *,
    formats: Sequence[TableFormat] = ("csv", "gpkg"),
    fmap: folium.Map | None = None,
    map_name: str = "map.html",
    cards: bool = True,
) -> list[Path]:
    """Write the score table (and a map) to ``out_dir``, as one set.

    Parameters
    ----------
    result
        The evaluated scenario.
    out_dir
        Output directory, created if missing.
    formats
        Table formats: ``"csv"`` (``scores.csv``), ``"gpkg"`` (``scores.gpkg``, layer
        ``scores``, with its QGIS style in ``layer_styles``: see
        :mod:`geosite.result.qgis`), ``"geojson"`` (``scores.geojson``, WGS 84), ``"xlsx"``
        (``scores.xlsx``: ranking, score cards, weights and sources; see
        :mod:`geosite.result.excel`). For grid candidates ``suitability.tif`` is added: the
        total score and each criterion score as bands of a Cloud-Optimized GeoTIFF
        (:mod:`geosite.result.raster`).
    fmap
        A folium map to save as ``map_name`` (see :func:`geosite.result_to_map`).
    map_name
        File name of the map.
    cards
        With ``"csv"`` among the formats, also write ``score_cards.csv``: one row per
        candidate and criterion with the margin to the next rank
        (see :func:`geosite.result.scorecard.score_cards`).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OutputError
        If the directory cannot be written, or another command is writing to it; nothing
        is changed in it then.
    """
    out = Path(out_dir)
    with output_set(out, owns=owned_names(map_name)) as stage:
        names = stage_outputs(
            result, stage, formats=formats, fmap=fmap, map_name=map_name, cards=cards
        )
    targets = [out / name for name in names]
    for path in targets:
        logger.info("wrote %s", path)
    return targets


def stage_outputs(
    result: Result,
    folder: Path,
    *,
    formats: Sequence[TableFormat] = ("csv", "gpkg"),
    fmap: folium.Map | None = None,
    map_name: str = "map.html",
    cards: bool = True,
) -> list[str]:
    """Write what :func:`write_outputs` writes into ``folder``, unpublished; return the names.

    For a command that publishes several results as one set (``geosite locate``): write each
    into the staging folder of one :func:`~geosite.data.publish.output_set`.
    """
    names: list[str] = []
    for fmt in dict.fromkeys(formats):
        name = f"scores.{fmt}"
        if fmt == "csv":
            write_csv(result_to_frame(result), folder / name)
        elif fmt == "gpkg":
            _write_vector(result, folder / name, "GPKG")
            _style(result, folder / name)
        elif fmt == "xlsx":
            from geosite.result.excel import write_workbook  # noqa: PLC0415

            write_workbook(result, folder / name)
        else:
            _write_vector(result, folder / name, "GeoJSON")
        names.append(name)
    if cards and "csv" in formats:
        write_csv(score_cards(result), folder / "score_cards.csv")
        names.append("score_cards.csv")
    if formats and result.scenario.candidates.grid is not None:
        from geosite.result.raster import write_suitability  # noqa: PLC0415

        write_suitability(result, folder / "suitability.tif")
        names.append("suitability.tif")
    if fmap is not None:
        fmap.save(str(folder / map_name))
        names.append(map_name)
    return names
