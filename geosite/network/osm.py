"""OpenStreetMap tags: which ways are roads for a network type, and which way they run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Literal

from geosite.errors import NetworkError
from geosite.network.speeds import _parse_oneway

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


NetworkType = Literal["drive", "drive_service", "all"]


_NETWORK_TYPES = ("drive", "drive_service", "all")


# OSM ways that cars cannot use (the osmnx "drive" filter, written out so it also applies to
# files read from disk).
_NOT_DRIVABLE = frozenset(
    {
        "abandoned",
        "bridleway",
        "bus_guideway",
        "bus_stop",
        "construction",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "steps",
        "track",
        "via_ferrata",
        "busway",
    }
)


_PRIVATE_SERVICE = frozenset(
    {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
)


def _keep_way(tags: Mapping[str, str], network_type: NetworkType) -> bool:
    highway = tags.get("highway")
    if highway is None or network_type == "all":
        return highway is not None
    closed = (
        highway in _NOT_DRIVABLE
        or tags.get("area") == "yes"
        or tags.get("access") in {"private", "no"}
        or "no" in {tags.get("motor_vehicle"), tags.get("motorcar")}
    )
    if closed:
        return False
    if highway == "service":
        return network_type == "drive_service" and tags.get("service") not in _PRIVATE_SERVICE
    return True


def _osm_direction(tags: Mapping[str, str]) -> int:
    oneway = tags.get("oneway")
    if oneway is not None:
        return _parse_oneway(oneway)
    if tags.get("junction") in {"roundabout", "circular"}:
        return 1
    return 0


def _filter_osm_xml(path: Path, out: Path, network_type: NetworkType) -> int:
    """Copy an OSM XML file keeping only road ways and the nodes they use; return the ways."""
    try:
        tree = ET.parse(path)  # noqa: S314 - local OSM files chosen by the user
    except ET.ParseError as err:
        msg = f"OSM XML file {str(path)!r} cannot be parsed: {err}"
        raise NetworkError(msg) from err
    root = tree.getroot()
    used: set[str] = set()
    drop: list[ET.Element] = []
    kept = 0
    for way in root.findall("way"):
        tags = {t.get("k", ""): t.get("v", "") for t in way.findall("tag")}
        if _keep_way(tags, network_type):
            used.update(nd.get("ref", "") for nd in way.findall("nd"))
            kept += 1
        else:
            drop.append(way)
    drop.extend(root.findall("relation"))
    drop.extend(n for n in root.findall("node") if n.get("id") not in used)
    for element in drop:
        root.remove(element)
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return kept
