"""Talk to osmnx: road graphs (osmnx graphs, OSM XML, GraphML, online places) and features.

The only module of geosite that imports osmnx; :mod:`geosite.network` loads it on first use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import tempfile
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmnx as ox
import pandas as pd
import requests
import shapely
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

from geosite.errors import NetworkError, ParameterError
from geosite.network._validate import _check_choice, _check_file
from geosite.network.graph import RoadGraph, _assemble, _metric_crs
from geosite.network.osm import _NETWORK_TYPES, NetworkType, _filter_osm_xml
from geosite.network.speeds import (
    Profile,
    _check_profile,
    _first,
    _parse_oneway,
    _parse_speed,
    _per_value,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Mapping, Sequence

    import geopandas as gpd
    import networkx as nx
    import numpy.typing as npt

    from geosite.types import CRSLike

logger = logging.getLogger(__name__)


def _pair_twins(
    u: npt.NDArray[np.int64],
    v: npt.NDArray[np.int64],
    geometry: npt.NDArray[np.object_],
    eligible: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Pair directed edges that run along the same geometry in opposite directions."""
    twin = np.full(len(u), -1, dtype=np.int64)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return twin
    g = geometry[idx]
    wkb_fwd = shapely.to_wkb(g, hex=True)
    wkb_rev = shapely.to_wkb(shapely.reverse(g), hex=True)
    flip = np.where(u[idx] == v[idx], wkb_fwd > wkb_rev, u[idx] > v[idx])
    canon = np.where(flip, wkb_rev, wkb_fwd)
    frame = pd.DataFrame(
        {
            "a": np.minimum(u[idx], v[idx]),
            "b": np.maximum(u[idx], v[idx]),
            "g": canon,
            "flip": flip,
            "edge": idx,
        }
    )
    frame["n"] = frame.groupby(["a", "b", "g", "flip"], sort=False).cumcount()
    left = frame[~frame["flip"]]
    right = frame[frame["flip"]]
    pairs = left.merge(right, on=["a", "b", "g", "n"], suffixes=("_f", "_r"))
    ef = pairs["edge_f"].to_numpy(dtype=np.int64)
    er = pairs["edge_r"].to_numpy(dtype=np.int64)
    twin[ef] = er
    twin[er] = ef
    return twin


def graph_from_osmnx(
    graph: nx.MultiDiGraph,
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str = "network",
) -> RoadGraph:
    """Convert an osmnx ``MultiDiGraph`` into a :class:`RoadGraph`.

    Edge directions are taken from the graph (osmnx already drops the forbidden direction of
    one-way streets); speeds come from the ``maxspeed`` tag where usable, else from the class
    table keyed by ``highway``. Lengths are measured again along the projected geometries.

    Parameters
    ----------
    graph
        A graph from osmnx (``graph_from_xml``, ``load_graphml``, ``graph_from_place``...).
    crs
        Projected metric CRS; by default the graph's UTM zone.
    profile, speeds
        As in :func:`graph_from_gdf`.
    use_maxspeed
        Use ``maxspeed`` tags where present.
    ignore_oneway
        Add the missing direction of one-way streets.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph
    """
    profile = _check_profile(profile)
    if graph.number_of_edges() == 0:
        msg = f"network {name!r}: the OSM graph has no edges; check the source's road filter"
        raise NetworkError(msg)
    nodes, edges = ox.graph_to_gdfs(graph, nodes=True, edges=True, fill_edge_geometry=True)
    target = _metric_crs(nodes, crs, f"OSM graph of network {name!r}")
    nodes = nodes.to_crs(target)
    edges = edges.to_crs(target)
    node_id = nodes.index.to_numpy(dtype=np.int64)
    index = pd.Index(node_id)
    uu = edges.index.get_level_values(0).to_numpy(dtype=np.int64)
    vv = edges.index.get_level_values(1).to_numpy(dtype=np.int64)
    u = index.get_indexer(uu).astype(np.int64)
    v = index.get_indexer(vv).astype(np.int64)
    nx_ = shapely.get_x(nodes.geometry.array).astype(np.float64)
    ny_ = shapely.get_y(nodes.geometry.array).astype(np.float64)
    geometry = np.asarray(edges.geometry.array, dtype=object)
    # osmnx draws edges from u to v; make sure, since orientation drives exact offsets
    start = shapely.get_point(geometry, 0)
    d_u = shapely.distance(start, shapely.points(nx_[u], ny_[u]))
    d_v = shapely.distance(start, shapely.points(nx_[v], ny_[v]))
    flipped = d_v < d_u
    if flipped.any():
        geometry[flipped] = shapely.reverse(geometry[flipped])
    classes = (
        _per_value(edges["highway"], _first, object)
        if "highway" in edges
        else np.full(len(edges), "default", dtype=object)
    )
    tagged = (
        _per_value(edges["maxspeed"], _parse_speed, np.float64)
        if "maxspeed" in edges
        else np.full(len(edges), np.nan)
    )
    oneway = (
        np.array([_parse_oneway(s) != 0 for s in edges["oneway"]], dtype=bool)
        if "oneway" in edges
        else np.zeros(len(edges), dtype=bool)
    )
    twin = _pair_twins(u, v, geometry, ~oneway)
    if ignore_oneway:
        lonely = np.flatnonzero(twin < 0)
        twin = np.concatenate([twin, np.full(len(lonely), -1, dtype=np.int64)])
        twin[lonely] = len(u) + np.arange(len(lonely))
        twin[len(u) :] = lonely
        u, v = np.concatenate([u, v[lonely]]), np.concatenate([v, u[lonely]])
        geometry = np.concatenate([geometry, shapely.reverse(geometry[lonely])])
        classes = np.concatenate([classes, classes[lonely]])
        tagged = np.concatenate([tagged, tagged[lonely]])
        oneway = np.zeros(len(u), dtype=bool)
    rg = _assemble(
        crs=target,
        node_id=node_id,
        node_x=nx_,
        node_y=ny_,
        u=u,
        v=v,
        geometry=geometry,
        classes=classes,
        tagged_kmh=tagged,
        direction=oneway.astype(np.int64),
        profile=profile,
        speeds=speeds,
        use_tagged=use_maxspeed,
        name=name,
        twin=twin,
    )
    logger.info("built %r from an osmnx graph", rg)
    return rg


def graph_from_xml(
    path: str | os.PathLike[str],
    *,
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from an OpenStreetMap XML file (``.osm``).

    Ways without a ``highway`` tag (buildings, land use) are dropped before osmnx reads the
    file, and so are ways cars cannot use (footways, steps, private service roads...).

    Parameters
    ----------
    path
        The ``.osm`` file.
    network_type
        ``"drive"`` (public roads, no service roads), ``"drive_service"`` (plus public
        service roads: industrial estates and ports are often reached by them) or ``"all"``
        (every ``highway`` way).
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages; the file name by default.

    Returns
    -------
    RoadGraph
    """
    p = _check_file(path, "OSM XML")
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    label = name or p.name
    with tempfile.TemporaryDirectory() as tmp:
        filtered = Path(tmp) / "roads.osm"
        kept = _filter_osm_xml(p, filtered, network_type)
        if kept == 0:
            msg = (
                f"OSM XML file {str(p)!r} has no road ways for network_type "
                f"{network_type!r}; is it an OSM extract with highway=* ways?"
            )
            raise NetworkError(msg)
        g = ox.graph_from_xml(filtered, bidirectional=False, simplify=True, retain_all=True)
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
    )


def graph_from_graphml(
    path: str | os.PathLike[str],
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from a GraphML file saved by ``osmnx.save_graphml``.

    Parameters
    ----------
    path
        The ``.graphml`` file.
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages; the file name by default.

    Returns
    -------
    RoadGraph
    """
    p = _check_file(path, "GraphML")
    try:
        g = ox.load_graphml(p)
    except (ET.ParseError, KeyError, ValueError) as err:
        msg = f"GraphML file {str(p)!r} is not an osmnx graph: {err}"
        raise NetworkError(msg) from err
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=name or p.name,
    )


@contextmanager
def _osmnx_cache(folder: Path) -> Iterator[None]:

    saved = (ox.settings.cache_folder, ox.settings.use_cache)
    ox.settings.cache_folder = folder
    ox.settings.use_cache = True
    try:
        yield
    finally:
        ox.settings.cache_folder, ox.settings.use_cache = saved


def _place_key(query: str | Sequence[float], network_type: NetworkType) -> str:
    payload = json.dumps(
        {
            "query": query if isinstance(query, str) else [float(q) for q in query],
            "network_type": network_type,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def graph_from_place(
    query: str | Sequence[float],
    *,
    cache_dir: str | os.PathLike[str],
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Download the road network of a place or bounding box with osmnx, cached on disk.

    The first call asks Nominatim and Overpass (internet needed) and saves the graph as
    GraphML in ``cache_dir``; later calls with the same query read that file and never touch
    the network, so a scenario re-runs offline.

    Parameters
    ----------
    query
        A place name Nominatim knows (``"Thu Duc, Ho Chi Minh City, Vietnam"``) or a bounding
        box ``(west, south, east, north)`` in degrees (EPSG:4326).
    cache_dir
        Folder for the cached graph and raw responses; created if missing.
    network_type
        ``"drive"``, ``"drive_service"`` or ``"all"``, as in :func:`graph_from_xml`.
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph
    """
    if not isinstance(query, str):
        bbox = tuple(float(q) for q in query)
        if len(bbox) != 4 or not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
            msg = (
                f"bbox {list(query)!r} must be [west, south, east, north] in degrees with "
                "west < east and south < north"
            )
            raise ParameterError(msg)
    folder = Path(cache_dir)
    cached = folder / f"osm-{_place_key(query, network_type)}.graphml"
    label = name or (query if isinstance(query, str) else "bbox")
    if cached.is_file():
        logger.info("reading cached road graph %s", cached)
        return graph_from_graphml(
            cached,
            crs=crs,
            profile=profile,
            speeds=speeds,
            use_maxspeed=use_maxspeed,
            ignore_oneway=ignore_oneway,
            name=label,
        )
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with _osmnx_cache(folder / "http"):
            if isinstance(query, str):
                g = ox.graph_from_place(query, network_type=network_type, retain_all=True)
            else:
                west, south, east, north = (float(q) for q in query)
                g = ox.graph_from_bbox(
                    (west, south, east, north), network_type=network_type, retain_all=True
                )
    except Exception as err:
        msg = (
            f"could not download the road network of {label!r} from OpenStreetMap ({err}); "
            f"check the internet connection and the query, or put a cached graph in "
            f"{str(folder)!r}"
        )
        raise NetworkError(msg) from err
    tmp = cached.with_suffix(".tmp")
    ox.save_graphml(g, tmp)
    tmp.replace(cached)
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
    )


# --------------------------------------------------------------------------- OSM features


class _BusyError(Exception):
    """The Overpass server answered 429 or 504 more often than osmnx should retry."""


#: How many 429/504 answers osmnx may retry (it waits 55 s before each retry, for ever).
_BUSY_RETRIES = 1


def osmnx_version() -> str:
    """Return the version of the installed osmnx."""
    return str(ox.__version__)


def default_overpass_endpoint() -> str:
    """Return the Overpass API endpoint osmnx uses unless told otherwise."""
    return str(ox.settings.overpass_url)


@contextmanager
def _overpass_session(
    endpoint: str, timeout_s: float, log: list[dict[str, object]]
) -> Iterator[None]:
    """Point osmnx at ``endpoint`` with its own HTTP cache off; restore every setting after.

    osmnx pins the endpoint's host name to one address by replacing ``socket.getaddrinfo``
    for the whole process; that is undone here too. Every answer is noted in ``log`` (status,
    Overpass remark, element count) through a requests response hook, osmnx's documented way
    (``settings.requests_kwargs``) to reach the transport.
    """
    busy = [0]

    def note(response: requests.Response, *_args: object, **_kwargs: object) -> None:
        if response.status_code in {429, 504}:
            busy[0] += 1
            if busy[0] > _BUSY_RETRIES:
                raise _BusyError(f"HTTP {response.status_code} {response.reason}")
        if not response.url.rstrip("/").endswith("/interpreter"):
            return
        entry: dict[str, object] = {"status": response.status_code, "remark": None}
        try:
            body = response.json()
        except ValueError:
            entry["json"] = False
        else:
            entry["json"] = True
            if isinstance(body, dict):
                entry["remark"] = body.get("remark")
                entry["elements"] = len(body.get("elements") or [])
        log.append(entry)

    s = ox.settings
    saved = (s.overpass_url, s.requests_timeout, s.use_cache, s.requests_kwargs, s.log_console)
    saved_getaddrinfo = socket.getaddrinfo
    s.overpass_url = endpoint
    s.requests_timeout = timeout_s
    s.use_cache = False  # the GeoPackage is the cache; no JSON files in the working directory
    s.requests_kwargs = {**s.requests_kwargs, "hooks": {"response": [note]}}
    s.log_console = False
    try:
        yield
    finally:
        (s.overpass_url, s.requests_timeout, s.use_cache, s.requests_kwargs, s.log_console) = saved
        socket.getaddrinfo = saved_getaddrinfo


def _unreachable(endpoint: str, err: BaseException) -> str:
    return (
        f"cannot reach the Overpass API at {endpoint} ({type(err).__name__}); check the "
        "internet connection (and a proxy, through HTTPS_PROXY), or choose another server with "
        "--endpoint; without internet use the bundled layers"
    )


def _timed_out(endpoint: str, timeout_s: float) -> str:
    return (
        f"the Overpass API at {endpoint} did not answer within {timeout_s:g} s; try again "
        "later, a smaller region, or a longer --timeout"
    )


def features_online(
    polygon: shapely.Polygon | shapely.MultiPolygon,
    tags: Mapping[str, Sequence[str]],
    *,
    endpoint: str,
    timeout_s: float,
) -> gpd.GeoDataFrame | None:
    """Download the OpenStreetMap features with ``tags`` inside ``polygon`` through osmnx.

    Parameters
    ----------
    polygon
        The area, in EPSG:4326 degrees.
    tags
        OSM tag key -> accepted values, as :func:`osmnx.features_from_polygon` takes them.
    endpoint
        Base URL of the Overpass API (``https://overpass-api.de/api``).
    timeout_s
        Seconds to wait for each answer (also the server-side query timeout).

    Returns
    -------
    geopandas.GeoDataFrame or None
        osmnx's features (index ``element``, ``id``; a column per tag), or ``None`` when the
        server answered and nothing matched.

    Raises
    ------
    NetworkError
        When the server cannot be reached, times out, refuses the query, is busy, or gives
        an incomplete answer; the message says which and what to do.
    """
    log: list[dict[str, object]] = []
    status_url = endpoint.rstrip("/") + "/status"
    with _overpass_session(endpoint, timeout_s, log):
        try:
            if ox.settings.overpass_rate_limit:
                # Without this, osmnx waits 60 s when the status page is unreachable and only
                # then fails on the query itself.
                requests.get(
                    status_url,
                    timeout=min(timeout_s, 30.0),
                    headers={"User-Agent": ox.settings.http_user_agent},
                )
            gdf = ox.features_from_polygon(polygon, {k: list(v) for k, v in tags.items()})
        except requests.exceptions.Timeout as err:
            raise NetworkError(_timed_out(endpoint, timeout_s)) from err
        except requests.exceptions.ConnectionError as err:
            raise NetworkError(_unreachable(endpoint, err)) from err
        except requests.exceptions.RequestException as err:
            msg = f"the request to the Overpass API at {endpoint} failed: {err}"
            raise NetworkError(msg) from err
        except _BusyError as err:
            msg = (
                f"the Overpass API at {endpoint} is busy ({err}, twice); try again in a few "
                "minutes or choose another server with --endpoint"
            )
            raise NetworkError(msg) from err
        except ResponseStatusCodeError as err:
            status = next((e["status"] for e in reversed(log) if e["status"] != 200), "?")
            msg = (
                f"the Overpass API at {endpoint} refused the query (HTTP {status}); try again "
                "later or choose another server with --endpoint"
            )
            raise NetworkError(msg) from err
        except InsufficientResponseError as err:
            bad = [e for e in log if e["status"] != 200 or not e["json"] or e["remark"]]
            if not bad and log:
                return None
            msg = _incomplete(endpoint, bad)
            raise NetworkError(msg) from err
    bad = [e for e in log if e["remark"]]
    if bad:
        raise NetworkError(_incomplete(endpoint, bad))
    return gdf


def _incomplete(endpoint: str, bad: list[dict[str, object]]) -> str:
    said = next((str(e["remark"]) for e in bad if e["remark"]), None)
    what = f"remark: {said!r}" if said else "the answer is not Overpass JSON"
    return (
        f"the Overpass API at {endpoint} gave an incomplete answer ({what}); nothing was "
        "written: try again later, a smaller region, or a longer --timeout"
    )
