"""Embed a QGIS style in ``scores.gpkg`` so the ranking opens coloured and labelled.

QGIS reads a layer's default style from the GeoPackage's ``layer_styles`` table (the table
QGIS itself creates with "Save as default": ``f_table_catalog, f_table_schema,
f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,
owner, ui, update_time``). The style written here is a graduated renderer on
``total_score`` with the web map's classes and colours (five equal intervals of [0, 1],
viridis, colour-blind safe) and each candidate's rank as its label (a multiplication sign
for an excluded candidate). The table is registered in ``gpkg_contents`` as an attributes
table, as QGIS does, so GDAL and pyogrio list and read it too.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from geosite.data.io import output_timestamp

if TYPE_CHECKING:
    import os

__all__ = ["SCORE_CLASSES", "SCORE_PALETTE", "add_layer_style", "score_style_qml"]

#: The web map's colours of the five score classes, low to high (viridis).
SCORE_PALETTE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
#: Upper bounds of the web map's default classes: equal intervals of [0, 1].
SCORE_CLASSES = (0.2, 0.4, 0.6, 0.8, 1.0)

_LABEL = 'if("excluded", \'\u00d7\', to_string(to_int("rank")))'


def _rgba(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},255"


def _symbol(name: str, colour: str, *, points: bool) -> str:
    if points:
        layer = (
            '<layer class="SimpleMarker" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option name="color" type="QString" value="{_rgba(colour)}"/>'
            '<Option name="name" type="QString" value="circle"/>'
            '<Option name="outline_color" type="QString" value="35,35,35,255"/>'
            '<Option name="size" type="QString" value="3"/>'
            "</Option></layer>"
        )
        kind = "marker"
    else:
        layer = (
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option name="color" type="QString" value="{_rgba(colour)}"/>'
            '<Option name="outline_color" type="QString" value="35,35,35,255"/>'
            '<Option name="outline_width" type="QString" value="0.4"/>'
            '<Option name="style" type="QString" value="solid"/>'
            "</Option></layer>"
        )
        kind = "fill"
    return (
        f'<symbol type="{kind}" name="{name}" alpha="0.85" clip_to_extent="1" '
        f'force_rhr="0">{layer}</symbol>'
    )


def score_style_qml(*, field: str = "total_score", points: bool = False) -> str:
    """Return a QGIS style (QML): graduated colours on ``field``, rank labels.

    Parameters
    ----------
    field
        The score column classed for colours.
    points
        Style point candidates (markers) instead of parcels (fills).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> renderer = ET.fromstring(score_style_qml()).find("renderer-v2")
    >>> renderer.get("type"), renderer.get("attr"), len(renderer.find("ranges"))
    ('graduatedSymbol', 'total_score', 5)
    """
    lows = (0.0, *SCORE_CLASSES[:-1])
    ranges = "".join(
        f'<range lower="{low:.6f}" upper="{high:.6f}" symbol="{i}" '
        f'label="{low:.1f} \u2013 {high:.1f}" render="true"/>'
        for i, (low, high) in enumerate(zip(lows, SCORE_CLASSES, strict=True))
    )
    symbols = "".join(
        _symbol(str(i), colour, points=points) for i, colour in enumerate(SCORE_PALETTE)
    )
    placement = 'placement="1"' if points else 'placement="0"'
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Labeling" labelsEnabled="1">'
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(field)} '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<ranges>{ranges}</ranges><symbols>{symbols}</symbols>"
        f"<source-symbol>{_symbol('0', SCORE_PALETTE[0], points=points)}</source-symbol>"
        '<classificationMethod id="EqualInterval"/>'
        "</renderer-v2>"
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(_LABEL)} isExpression="1" fontSize="11" '
        'fontWeight="75" textColor="0,0,0,255" fontFamily="Sans Serif"/>'
        '<text-buffer bufferDraw="1" bufferSize="1" bufferColor="255,255,255,255"/>'
        f"<placement {placement}/>"
        "</settings></labeling>"
        f"<layerGeometryType>{0 if points else 2}</layerGeometryType>"
        "</qgis>\n"
    )


_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def add_layer_style(
    gpkg: str | os.PathLike[str],
    *,
    layer: str = "scores",
    geometry_column: str = "geom",
    qml: str,
    name: str = "geosite ranking",
) -> None:
    """Store ``qml`` as the default QGIS style of ``layer`` in a GeoPackage.

    Parameters
    ----------
    gpkg
        The GeoPackage, already holding ``layer``.
    layer, geometry_column
        The styled table and its geometry column.
    qml
        The style (see :func:`score_style_qml`).
    name
        The style's name in QGIS's style manager.
    """
    stamp = output_timestamp().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with sqlite3.connect(gpkg) as db:
        db.execute(_CREATE)
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '', ?)",
            (layer, geometry_column, name, qml, "Total score by class, rank labels", stamp),
        )
        db.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', ?)",
            (stamp,),
        )
    db.close()
