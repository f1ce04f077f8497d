"""The bundled reference layers of Đông Nam Bộ: catalogue, provenance and loading.

geosite ships a small set of reference layers for Southeast Vietnam (ports, airports, candidate
sites, industrial parks, a trunk road network, boundaries, a land/sea mask, ...). Each layer is
described by one entry of ``layers/catalog.json``: where it came from, its licence, how accurate
it is, and what it is good for and must not be used for. Many layers are approximate
reconstructions; their entries say so, and so do their features (``approximate``,
``location_precision``, ``accuracy_m``).

Load a layer by name with :func:`read_layer`, get its metadata with :func:`layer_info`, and the
file of a raster layer with :func:`layer_path`. ``LAYERS.md`` is generated from the catalogue by
:func:`catalog_markdown`.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import io
import itertools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geosite.errors import DataNotFoundError, LayerError, ParameterError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping

    import geopandas

__all__ = [
    "LayerInfo",
    "LayerPart",
    "attribution_for",
    "catalog",
    "catalog_markdown",
    "layer_coverage",
    "layer_info",
    "layer_names",
    "layer_path",
    "layers_dir",
    "read_layer",
]

logger = logging.getLogger(__name__)

CATALOG_FILE = "catalog.json"
CATALOG_VERSION = 1

_LIST_FIELDS = ("known_defects", "good_for", "not_for")
_FIELDS = (
    "name",
    "title",
    "file",
    "kind",
    "geometry_type",
    "crs",
    "feature_count",
    "id_column",
    "name_column",
    "source",
    "source_url",
    "licence",
    "licence_file",
    "attribution",
    "vintage",
    "positional_accuracy",
    "accuracy_m",
    "approximate",
    "known_defects",
    "good_for",
    "not_for",
)


@dataclass(frozen=True, slots=True)
class LayerPart:
    """One file of a layer stored as several files, one per licence.

    A layer whose features come from sources under different licences (OpenStreetMap under the
    ODbL, a national road layer under CC BY-SA 4.0, ...) is stored as one file per licence, so
    that each file as a whole is under one licence; :func:`read_layer` joins the parts.

    Parameters
    ----------
    file
        File name relative to :func:`layers_dir`.
    licence
        Licence of the whole file.
    licence_file
        Licence text or notice shipped with the layers, relative to :func:`layers_dir`.
    holds
        Which features of the layer the file holds, in words.
    source
        Where the file's features come from.
    attribution
        Attribution the file's licence asks for.
    feature_count
        Number of features in the file.
    rows
        Where the file's features go in the joined layer: ``(start, stop)`` ranges of row
        positions, in order.
    path
        Absolute path of the file.
    """

    file: str
    licence: str
    licence_file: str | None
    holds: str
    source: str
    attribution: str
    feature_count: int
    rows: tuple[tuple[int, int], ...]
    path: Path


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """One entry of the bundled-layer catalogue.

    Parameters
    ----------
    name
        Layer name used by :func:`read_layer` and in scenario files, e.g. ``"ports"``.
    title
        Human-readable title.
    file
        File name relative to :func:`layers_dir`; for a layer stored in several parts, the
        first part (see ``parts``).
    kind
        ``"vector"`` (GeoJSON) or ``"raster"`` (GeoTIFF).
    geometry_type
        Geometry type of the features (``"Point"``, ``"LineString"``, ...) or ``"raster"``.
    crs
        CRS of the file, always ``"EPSG:4326"`` for the bundled layers.
    feature_count
        Number of features (rows, including rows without geometry); ``None`` for rasters.
    id_column
        Column holding the stable, unique slug id of each feature; ``None`` for rasters.
    name_column
        Column holding the feature name (Vietnamese, NFC); ``None`` for rasters.
    source
        Where the data came from.
    source_url
        Main address of the source, if there is one.
    licence
        Licence of the data (SPDX identifier where one exists); for a layer stored in several
        parts, every licence, each part being under one of them.
    licence_file
        Licence text shipped with the layers, relative to :func:`layers_dir`, if any.
    attribution
        Short attribution string to show on maps.
    vintage
        Date or period the data describe.
    positional_accuracy
        How far positions can be from the truth, in words.
    accuracy_m
        Typical positional error in metres, or ``None`` if unknown.
    approximate
        True if the geometry is (partly) a reconstruction rather than a survey or trace.
    known_defects
        Known problems of the layer.
    good_for
        Uses the layer supports.
    not_for
        Uses the layer must not be put to.
    path
        Absolute path of the layer file (the first part of a layer stored in parts).
    description
        What the layer holds, in one or two sentences.
    parts
        The files of a layer stored as one file per licence, in catalogue order; empty for a
        layer stored in one file.
    extra
        Any further catalogue fields (bounds, raster size, ...).
    """

    name: str
    title: str
    file: str
    kind: Literal["vector", "raster"]
    geometry_type: str | None
    crs: str
    feature_count: int | None
    id_column: str | None
    name_column: str | None
    source: str
    source_url: str | None
    licence: str
    licence_file: str | None
    attribution: str
    vintage: str
    positional_accuracy: str
    accuracy_m: float | None
    approximate: bool
    known_defects: tuple[str, ...]
    good_for: tuple[str, ...]
    not_for: tuple[str, ...]
    path: Path
    description: str = ""
    parts: tuple[LayerPart, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Return every file of the layer: its parts, or its one file."""
        return tuple(part.path for part in self.parts) or (self.path,)


def layers_dir() -> Path:
    """Return the directory of the bundled layers.

    In an installed wheel the layers live in the package as ``geosite/_bundled/layers``; in a
    source checkout they are the repository's top-level ``layers/`` directory.

    Returns
    -------
    Path
        Directory holding ``catalog.json`` and the layer files.

    Examples
    --------
    >>> (layers_dir() / "catalog.json").is_file()
    True
    """
    bundled = importlib.resources.files("geosite") / "_bundled" / "layers"
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[2] / "layers"


@functools.lru_cache(maxsize=4)
def _load_catalog(directory: Path) -> tuple[LayerInfo, ...]:
    path = directory / CATALOG_FILE
    if not path.is_file():
        raise DataNotFoundError(
            f"bundled layer catalogue not found at {str(path)!r}; reinstall geosite or, in a "
            "source checkout, rebuild the layers with `python scripts/build_layers.py`"
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise LayerError(f"bundled layer catalogue {str(path)!r} is not valid JSON: {err}") from err
    if doc.get("version") != CATALOG_VERSION:
        raise LayerError(
            f"bundled layer catalogue {str(path)!r} has version {doc.get('version')!r}; this "
            f"geosite reads version {CATALOG_VERSION}"
        )
    infos = []
    for entry in doc["layers"]:
        missing = [key for key in _FIELDS if key not in entry]
        if missing:
            raise LayerError(
                f"catalogue entry {entry.get('name')!r} in {str(path)!r} lacks {missing}"
            )
        values: dict[str, Any] = {key: entry[key] for key in _FIELDS}
        for key in _LIST_FIELDS:
            values[key] = tuple(values[key])
        extra = {
            k: v for k, v in entry.items() if k not in _FIELDS and k not in {"description", "parts"}
        }
        infos.append(
            LayerInfo(
                **values,
                path=directory / entry["file"],
                description=entry.get("description", ""),
                parts=_parts(entry, path, directory),
                extra=extra,
            )
        )
    logger.debug("loaded %d bundled layers from %s", len(infos), path)
    return tuple(infos)


def _parts(entry: Mapping[str, Any], path: Path, directory: Path) -> tuple[LayerPart, ...]:
    """Return the parts of a catalogue entry, checking that their rows tile the layer."""
    parts = tuple(
        LayerPart(
            file=p["file"],
            licence=p["licence"],
            licence_file=p.get("licence_file"),
            holds=p["holds"],
            source=p["source"],
            attribution=p["attribution"],
            feature_count=p["feature_count"],
            rows=tuple((int(a), int(b)) for a, b in p["rows"]),
            path=directory / p["file"],
        )
        for p in entry.get("parts") or ()
    )
    if parts:
        rows = sorted(r for part in parts for r in part.rows)
        tiled = all(a[1] == b[0] for a, b in itertools.pairwise(rows))
        counts = all(sum(b - a for a, b in p.rows) == p.feature_count for p in parts)
        if not (tiled and counts and rows[0][0] == 0 and rows[-1][1] == entry["feature_count"]):
            raise LayerError(
                f"catalogue entry {entry['name']!r} in {str(path)!r}: the rows of its parts do "
                f"not cover its {entry['feature_count']} features once each; rebuild the layers "
                "with `python scripts/build_layers.py`"
            )
    return parts


def catalog() -> list[LayerInfo]:
    """Return the catalogue entries of all bundled layers.

    Returns
    -------
    list of LayerInfo
        One entry per layer, in catalogue order.

    Raises
    ------
    DataNotFoundError
        If the catalogue file is missing.
    LayerError
        If the catalogue is malformed.

    Examples
    --------
    >>> entries = catalog()
    >>> [e.name for e in entries if e.kind == "raster"]
    ['land_sea_mask']
    """
    return list(_load_catalog(layers_dir()))


def layer_names() -> list[str]:
    """Return the names of the bundled layers.

    Returns
    -------
    list of str
        Layer names in catalogue order.

    Examples
    --------
    >>> "ports" in layer_names() and "roads" in layer_names()
    True
    """
    return [info.name for info in catalog()]


def layer_info(name: str) -> LayerInfo:
    """Return the catalogue entry of one bundled layer.

    Parameters
    ----------
    name
        Layer name, e.g. ``"ports"``; see :func:`layer_names`.

    Returns
    -------
    LayerInfo
        Provenance, licence and accuracy of the layer.

    Raises
    ------
    DataNotFoundError
        If there is no layer of that name; the message lists the layers and suggests the
        closest name.
    ParameterError
        If ``name`` is not a string.

    Examples
    --------
    >>> info = layer_info("ports")
    >>> info.id_column, info.crs
    ('port_id', 'EPSG:4326')
    """
    if not isinstance(name, str):
        raise ParameterError(f"layer name must be a string, got {name!r}")
    entries = catalog()
    for info in entries:
        if info.name == name:
            return info
    names = [info.name for info in entries]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DataNotFoundError(
        f"no bundled layer named {name!r}.{hint} Available layers: {', '.join(names)}."
    )


def layer_coverage(name: str) -> Any:
    """Return the area a bundled layer covers, where it covers only part of the region.

    A layer drawn from the OpenStreetMap extract of Ho Chi Minh City (power lines,
    universities) holds nothing beyond the extract: a feature may exist just outside it. A
    distance from a site nearer the edge of the coverage than to the nearest feature is then an
    upper bound, not a measurement (geosite's distance measures flag it).

    Parameters
    ----------
    name
        Layer name, e.g. ``"power_lines"``.

    Returns
    -------
    shapely.Geometry or None
        The covered area in EPSG:4326, or ``None`` for a layer not limited to part of the
        region (``layer_info(name).extra["coverage"]["area"]`` says which).

    Raises
    ------
    DataNotFoundError
        If there is no layer of that name.

    Examples
    --------
    >>> layer_coverage("power_lines").geom_type
    'Polygon'
    >>> layer_coverage("ports") is None
    True
    """
    import shapely.geometry  # noqa: PLC0415

    coverage = layer_info(name).extra.get("coverage") or {}
    geometry = coverage.get("geometry")
    return None if geometry is None else shapely.geometry.shape(geometry)


def layer_path(name: str) -> Path:
    """Return the path of a bundled layer's file.

    Parameters
    ----------
    name
        Layer name, e.g. ``"land_sea_mask"``.

    Returns
    -------
    Path
        Absolute path of the GeoJSON or GeoTIFF file.

    Raises
    ------
    DataNotFoundError
        If the layer is unknown or its file is missing.

    Examples
    --------
    >>> layer_path("land_sea_mask").suffix
    '.tif'
    """
    info = layer_info(name)
    for path in info.paths:
        if not path.is_file():
            raise DataNotFoundError(
                f"file of bundled layer {name!r} is missing: {str(path)!r}; reinstall geosite "
                "or rebuild the layers with `python scripts/build_layers.py`"
            )
    return info.path


def read_layer(name: str) -> geopandas.GeoDataFrame:
    """Load a bundled vector layer.

    Parameters
    ----------
    name
        Name of a vector layer, e.g. ``"ports"`` or ``"candidate_sites"``.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326. Rows without a defensible location (some industrial
        parks) have a missing geometry.

    Raises
    ------
    DataNotFoundError
        If the layer is unknown or its file is missing.
    ParameterError
        If the layer is a raster; open :func:`layer_path` with rasterio instead.

    Examples
    --------
    >>> ports = read_layer("ports")
    >>> ports.crs.to_string()
    'EPSG:4326'
    >>> ports.set_index("port_id").loc["cai-mep-thi-vai", "kind"]
    'deepwater_port'
    """
    import geopandas  # noqa: PLC0415  (heavy import, only needed here)

    info = layer_info(name)
    if info.kind != "vector":
        raise ParameterError(
            f"layer {name!r} is a {info.kind} layer and cannot be read as a GeoDataFrame; "
            f"open geosite.data.bundled.layer_path({name!r}) with rasterio instead"
        )
    path = layer_path(name)
    gdf = geopandas.read_file(_joined(info) if info.parts else path)
    # GeoJSON is always lon/lat WGS 84 (RFC 7946); state the catalogue's CRS explicitly.
    return gdf.set_crs(info.crs, allow_override=True)


def _joined(info: LayerInfo) -> io.BytesIO:
    """Return the parts of a layer as one GeoJSON document, the features in the layer's order.

    The parts are joined as GeoJSON, before any column types are inferred, so the layer reads
    exactly as the one file it was built as.
    """
    features: list[Any] = [None] * (info.feature_count or 0)
    for part in info.parts:
        doc = json.loads(part.path.read_text(encoding="utf-8"))
        positions = [i for start, stop in part.rows for i in range(start, stop)]
        if len(positions) != len(doc["features"]):
            raise LayerError(
                f"bundled file {str(part.path)!r} holds {len(doc['features'])} features, its "
                f"catalogue entry {len(positions)}; rebuild the layers with "
                "`python scripts/build_layers.py`"
            )
        for position, feature in zip(positions, doc["features"], strict=True):
            features[position] = feature
    doc = {"type": "FeatureCollection", "name": info.name, "features": features}
    return io.BytesIO(json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def attribution_for(names: Iterable[str]) -> str:
    """Return the combined map attribution of some bundled layers.

    Parameters
    ----------
    names
        Layer names, in the order the map draws them; duplicates are ignored.

    Returns
    -------
    str
        The distinct attribution strings joined by ``" | "``.

    Raises
    ------
    DataNotFoundError
        If a name is not a bundled layer.

    Examples
    --------
    >>> attribution_for(["railways"])
    'Railways: © OpenStreetMap contributors (ODbL)'
    """
    seen: list[str] = []
    for name in names:
        text = layer_info(name).attribution
        if text not in seen:
            seen.append(text)
    return " | ".join(seen)


def _coverage_text(info: LayerInfo) -> str:
    coverage = info.extra.get("coverage") or {}
    text = str(coverage.get("area") or "not stated")
    if coverage.get("geometry") is not None:
        text += (
            " (outline in the catalogue; a distance from a site nearer the edge of the coverage "
            "than to the nearest feature is flagged as an upper bound)"
        )
    return text


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def catalog_markdown(directory: str | os.PathLike[str] | None = None) -> str:
    """Return the text of ``LAYERS.md``, generated from the layer catalogue.

    The document lists every bundled layer with its source, licence, vintage and accuracy,
    what it is good for, what it must not be used for, and its known defects. ``LAYERS.md`` in
    the repository is this text verbatim, so it cannot drift from the catalogue.

    Parameters
    ----------
    directory
        Directory holding a ``catalog.json`` to describe instead of the bundled one (the
        layer build writes its output there first).

    Returns
    -------
    str
        Markdown text ending in a newline.

    Examples
    --------
    >>> catalog_markdown().splitlines()[0]
    '# Bundled reference layers'
    """
    entries = catalog() if directory is None else list(_load_catalog(Path(directory).resolve()))
    out: list[str] = [
        "# Bundled reference layers",
        "",
        (
            "<!-- Generated from layers/catalog.json by geosite.data.bundled.catalog_markdown(); "
            "do not edit by hand. Rebuild with `python scripts/build_layers.py`. -->"
        ),
        "",
        (
            "geosite ships reference layers for Đông Nam Bộ (Southeast Vietnam) so that the "
            "bundled scenario runs without downloads. They were assembled from the public data "
            "that could be obtained offline; several are **approximate reconstructions** "
            "(traced expressways, constructed site outlines, administrative reference points "
            "instead of facility positions). Every layer states its accuracy below and every "
            "feature carries `approximate`/`location_precision` where precision varies. For "
            "decisions below the regional scale, bring your own parcels and use OpenStreetMap "
            "as it is today (below)."
        ),
        "",
        (
            "**OpenStreetMap of your region.** `geosite fetch-osm REGION --out FILE.gpkg` "
            "fetches it once from the Overpass API (REGION: a bundled province or district by "
            "name or id, before or after the July 2025 mergers, a bbox `W,S,E,N` in degrees, or "
            "a polygon file; `--kinds` to choose among roads, industrial_parks, power_lines, "
            "airports, ports and universities). FILE.gpkg holds one layer per kind, named like "
            "the bundled layer it replaces and with the same columns, and is the cache: running "
            "the command again reads it without a download (`--refresh` fetches again). A "
            "scenario uses it by declaring layers under the bundled names, e.g. `layers: "
            "{power_lines: {path: FILE.gpkg, layer: power_lines}}` (the path relative to the "
            "scenario file); its criteria then measure to the fetched features. Fetched data "
            "are ODbL-1.0, © OpenStreetMap contributors, and the maps and reports made from "
            'them say so. The README\'s section "Real OpenStreetMap for your region" tells more.'
        ),
        "",
        (
            "Load a layer with `geosite.data.bundled.read_layer(name)`, its metadata with "
            "`geosite.data.bundled.layer_info(name)`; `geosite layers` prints the list. All vector "
            "layers are GeoJSON in EPSG:4326."
        ),
        "",
        (
            "**Licences.** geosite is a collection of separately licensed works: the code is "
            "MIT, and each data file is under the licence of its source, one licence per file. "
            "A layer whose features come from sources under different licences (roads: "
            "OpenStreetMap under the ODbL, the national road layer under CC BY-SA 4.0, lines "
            "traced by geosite under MIT) is stored as one file per licence and joined only when "
            "it is loaded; its section lists the files. Analyses may use the joined layers; "
            "maps and reports made from them carry the attributions. A database derived from a "
            "file takes that file's licence, and since the ODbL and CC BY-SA 4.0 each require "
            "their own licence for it, no one database can be derived from both: keep the parts "
            "apart when you pass data on. Facts compiled from pages that state no terms are "
            "labelled 'facts: no licence stated'; geosite grants no licence for them. "
            "`layers/LICENSES/README.txt` has the table of files and licences."
        ),
        "",
        "| layer | title | kind | features | licence | typical error | approximate |",
        "|---|---|---|---|---|---|---|",
    ]
    for info in entries:
        acc = "unknown" if info.accuracy_m is None else f"{info.accuracy_m:,.0f} m"
        count = "-" if info.feature_count is None else str(info.feature_count)
        out.append(
            f"| [`{info.name}`](#{info.name.replace('_', '-')}) | {_cell(info.title)} | "
            f"{info.kind} | {count} | {_cell(info.licence)} | {acc} | "
            f"{'yes' if info.approximate else 'no'} |"
        )
    for info in entries:
        out += ["", f"## {info.name.replace('_', '-')}", "", f"**{info.title}**"]
        if info.description:
            out += ["", info.description]
        out += [""]
        rows = [
            ("File", f"`layers/{info.file}`")
            if not info.parts
            else ("Files", f"{len(info.parts)}, one per licence, joined when the layer is loaded"),
            ("Kind", f"{info.kind} ({info.geometry_type}), {info.crs}"),
        ]
        if info.feature_count is not None:
            rows.append(("Features", str(info.feature_count)))
        if info.id_column:
            rows.append(("Id / name columns", f"`{info.id_column}` / `{info.name_column}`"))
        source = info.source + (f" <{info.source_url}>" if info.source_url else "")
        licence = info.licence + (
            f" (text: `layers/{info.licence_file}`)" if info.licence_file else ""
        )
        rows += [
            ("Source", source),
            ("Licence", licence),
            ("Attribution", info.attribution),
            ("Vintage", info.vintage),
            ("Positional accuracy", info.positional_accuracy),
            ("Coverage", _coverage_text(info)),
            ("Approximate", "yes" if info.approximate else "no"),
        ]
        out += [f"- **{key}:** {value}" for key, value in rows]
        if info.parts:
            out += ["", "**Files:**", ""]
            out += [
                f"- `layers/{part.file}` ({part.feature_count} features): {part.holds}. "
                f"Licence: {part.licence}"
                + (f" (text: `layers/{part.licence_file}`)" if part.licence_file else "")
                + f". Source: {part.source}. Attribution: {part.attribution}"
                for part in info.parts
            ]
        measured = info.extra.get("measured_accuracy") or []
        if measured:
            out += [
                "",
                (
                    "**Measured accuracy** (against an independent reference; p90 must not "
                    "exceed the stated figure, and `tests/test_layers_accuracy.py` repeats each "
                    "measurement):"
                ),
                "",
                "| what | reference | n | median | p90 | max | stated |",
                "|---|---|---|---|---|---|---|",
            ]
            out += [
                f"| {_cell(m['subject'])} | {_cell(m['reference'])} | {m['n']} | "
                f"{m['median']:,} {m['unit']} | {m['p90']:,} {m['unit']} | "
                f"{m['max']:,} {m['unit']} | {m['stated']:,} {m['unit']} |"
                for m in measured
            ]
        columns = info.extra.get("columns") or {}
        if columns:
            out += ["", "**Columns:**", ""]
            out += [f"- `{col}`: {text}" for col, text in columns.items()]
        for heading, items in (
            ("Good for", info.good_for),
            ("Must not be used for", info.not_for),
            ("Known defects", info.known_defects),
        ):
            out += ["", f"**{heading}:**", ""]
            out += [f"- {item}" for item in items] if items else ["- (none recorded)"]
    return "\n".join(out) + "\n"
