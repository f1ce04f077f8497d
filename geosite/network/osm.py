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


# The road filters follow osmnx's own (osmnx._overpass._get_network_filter, osmnx 2.x), written
# out so they also apply to files read from disk. Where geosite differs, the reason is given.
#
# Ways that are not roads in use, for every network type (osmnx "all").
_NOT_IN_USE = frozenset(
    {
        "abandoned",
        "construction",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
    }
)
# Ways cars cannot use (osmnx "drive_service"). Added: highway=busway (bus-only roads, a tag
# newer than osmnx's list) and bus_stop (a platform, not a road).
_NOT_DRIVABLE = _NOT_IN_USE | frozenset(
    {
        "bridleway",
        "bus_guideway",
        "bus_stop",
        "busway",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "path",
        "pedestrian",
        "steps",
        "track",
        "via_ferrata",
    }
)
# service=* values a network type leaves out, whatever the highway class (as osmnx does).
# "drive" also drops highway=service itself; alleys (service=alley) are kept by
# "drive_service" only: in Vietnam many hem (public alleys) are tagged so, and parcels
# along them are reached by car.
_SERVICE_DROPPED: Mapping[str, frozenset[str]] = {
    "drive": frozenset(
        {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
    ),
    "drive_service": frozenset({"emergency_access", "parking", "parking_aisle", "private"}),
    "all": frozenset(),
}
# Access values that open a way to cars again after access=no.
_MOTOR_ALLOWED = frozenset({"yes", "permissive", "destination", "designated", "delivery"})


def _values(tags: Mapping[str, str], key: str) -> set[str]:
    """Return the values of a tag, split at ``;`` (OSM's separator for several values)."""
    return {v.strip() for v in tags.get(key, "").split(";") if v.strip()}


def _keep_way(tags: Mapping[str, str], network_type: NetworkType) -> bool:
    """Return whether an OSM way belongs to a road network of ``network_type``.

    ``"all"``: every ``highway`` way in use (osmnx "all"). ``"drive_service"``: ways cars can
    use, service roads included except parking aisles, emergency access and private ones
    (osmnx "drive_service"). ``"drive"``: the same without ``highway=service`` and without
    ways tagged ``service=alley|driveway|...`` (osmnx "drive").

    Two differences from osmnx, on purpose: ``access=no`` ways are dropped for the drive
    types unless ``motor_vehicle`` or ``motorcar`` allow cars (osmnx drops only
    ``access=private``, and would route trucks through closed roads); and tag values are
    compared whole, after splitting at ``;`` (osmnx's filter is an unanchored regular
    expression, so it also drops a value that merely contains one of its words).
    """
    highway = _values(tags, "highway")
    if not highway or "yes" in _values(tags, "area") or highway & _NOT_IN_USE:
        return False
    if network_type == "all":
        return True
    motor = _values(tags, "motor_vehicle") | _values(tags, "motorcar")
    access = _values(tags, "access")
    closed = (
        bool(highway & _NOT_DRIVABLE)
        or "private" in access
        or ("no" in access and not motor & _MOTOR_ALLOWED)
        or "no" in motor
        or bool(_values(tags, "service") & _SERVICE_DROPPED[network_type])
    )
    return not closed and not (network_type == "drive" and "service" in highway)


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
