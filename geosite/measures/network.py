"""Network measures: travel time or road distance from each parcel to the facilities of a layer.

A scenario declares its road networks once, by name, in a top-level ``networks:`` section
(:class:`NetworkSpec`), and criteria refer to them (:class:`NetworkMeasure`)::

    networks:
      trunk:
        source: {layer: roads, where: {status: [open, partly_open]}}   # or just: roads
        profile: truck
        speeds_kmh: {trunk: 50}           # merged over the profile's default table
        access: {max_snap_m: 5000, offroad_speed_kmh: 20}
      city:
        source: {osm_xml: data/thu_duc.osm}
    criteria:
      - name: port_time
        measure: {type: network, layer: ports, where: {port_id: cai-mep-thi-vai},
                  network: trunk, metric: time, statistic: nearest}

Each road layer is built into a graph once per evaluation and shared through ``ctx.cache``
(networks on the same roads with other speeds are derived from it), candidates are joined to
it once, and each criterion runs one multi-source search per facility layer
(see :mod:`geosite.network`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from geosite._lazy import lazy_module
from geosite.data.source import is_graph, open_layer
from geosite.errors import LayerError, NetworkError, ParameterError
from geosite.measures.base import (
    MeasureContext,
    MeasureResult,
    MeasureSpec,
    geometry_kinds,
    uncovered_distance,
)
from geosite.types import Where

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt
    import pyproj

    from geosite import network as net
else:
    # Road graphs (scipy.sparse, osmnx) load only when a network measure runs.
    net = lazy_module("geosite.network")

__all__ = [
    "AccessSpec",
    "BboxSource",
    "FileSource",
    "GraphmlSource",
    "LayerSource",
    "NetworkMeasure",
    "NetworkSpec",
    "OsmXmlSource",
    "PbfSource",
    "PlaceSource",
    "graph_for",
]

_CACHE = "geosite.measures.network"
#: Draw network paths on the map for at most this many candidates.
MAX_PATHS = 1000

NetworkType = Literal["drive", "drive_service", "all"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LayerSource(_Model):
    """Roads from a layer: bundled (``roads``) or declared in the scenario's ``layers:``."""

    layer: str = Field(description="Name of the road layer.")
    where: Where | None = Field(default=None, description="Attribute filter, e.g. {status: open}.")


class FileSource(_Model):
    """Roads from a vector file (GeoPackage, Shapefile, GeoJSON...)."""

    file: str = Field(description="Path of the file, relative to the scenario file.")
    layer: str | None = Field(default=None, description="Layer inside a multi-layer file.")
    where: Where | None = Field(default=None, description="Attribute filter.")
    class_column: str | None = Field(default="class", description="Column with road classes.")
    speed_column: str | None = Field(
        default=None, description="Column with posted speeds (km/h or OSM maxspeed strings)."
    )
    oneway_column: str | None = Field(
        default=None, description="Column saying one-way (yes/true/1, -1 against drawing)."
    )


class OsmXmlSource(_Model):
    """Roads from an OpenStreetMap XML file (``.osm``)."""

    osm_xml: str = Field(description="Path of the .osm file, relative to the scenario file.")
    network_type: NetworkType = "drive_service"


class PbfSource(_Model):
    """Roads from an OpenStreetMap PBF extract (``.osm.pbf``)."""

    pbf: str = Field(description="Path of the .osm.pbf file, relative to the scenario file.")
    network_type: NetworkType = "drive_service"


class GraphmlSource(_Model):
    """Roads from a GraphML file saved by osmnx."""

    graphml: str = Field(description="Path of the .graphml file, relative to the scenario.")


class PlaceSource(_Model):
    """Roads of a named place, downloaded once with osmnx and cached for offline re-runs."""

    place: str = Field(description="Place name Nominatim knows.")
    cache_dir: str = Field(description="Cache folder, relative to the scenario file.")
    network_type: NetworkType = "drive_service"


class BboxSource(_Model):
    """Roads inside a bounding box, downloaded once with osmnx and cached."""

    bbox: tuple[float, float, float, float] = Field(
        description="[west, south, east, north] in degrees."
    )
    cache_dir: str = Field(description="Cache folder, relative to the scenario file.")
    network_type: NetworkType = "drive_service"

    @model_validator(mode="after")
    def _ordered(self) -> BboxSource:
        w, s, e, n = self.bbox
        if not (w < e and s < n and w >= -180 and e <= 180 and s >= -90 and n <= 90):
            msg = f"bbox {list(self.bbox)!r} must be [west, south, east, north] in degrees"
            raise ValueError(msg)
        return self


def _layer_from_name(value: Any) -> Any:
    """Read the shorthand ``source: roads`` as ``source: {layer: roads}``."""
    return {"layer": value} if isinstance(value, str) else value


_SOURCE_KEYS = ("file", "osm_xml", "pbf", "graphml", "place", "bbox", "layer")


def _source_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "layer"
    if isinstance(value, dict):
        return next((k for k in _SOURCE_KEYS if k in value), None)
    for kind, model in _SOURCE_MODELS.items():
        if isinstance(value, model):
            return kind
    return None


_SOURCE_MODELS: dict[str, type[BaseModel]] = {
    "file": FileSource,
    "osm_xml": OsmXmlSource,
    "pbf": PbfSource,
    "graphml": GraphmlSource,
    "place": PlaceSource,
    "bbox": BboxSource,
    "layer": LayerSource,
}

Source = Annotated[
    Annotated[
        LayerSource,
        BeforeValidator(_layer_from_name, json_schema_input_type=str | LayerSource),
        Tag("layer"),
    ]
    | Annotated[FileSource, Tag("file")]
    | Annotated[OsmXmlSource, Tag("osm_xml")]
    | Annotated[PbfSource, Tag("pbf")]
    | Annotated[GraphmlSource, Tag("graphml")]
    | Annotated[PlaceSource, Tag("place")]
    | Annotated[BboxSource, Tag("bbox")],
    Discriminator(
        _source_kind,
        custom_error_type="network_source",
        custom_error_message=(
            "a network source is a layer name or a mapping with one of the keys "
            "layer, file, osm_xml, pbf, graphml, place, bbox"
        ),
    ),
]


class AccessSpec(_Model):
    """How parcels and facilities join a road network.

    A candidate a road crosses or touches joins it anywhere inside the candidate; others join
    at their nearest point of the network (every equally near road), or at their gates when a
    gate layer is given; each trip uses the cheapest join. The straight leg to the road always
    counts in distances; in travel times it counts only at ``offroad_speed_kmh``.
    """

    max_snap_m: float | None = Field(
        default=1000.0,
        gt=0,
        description=(
            "Parcels farther than this (metres) from any road get no value and a reason; "
            "null for no limit."
        ),
    )
    offroad_speed_kmh: float | None = Field(
        default=None, gt=0, description="Speed charged on the leg to the road; null: free."
    )
    gates: str | None = Field(
        default=None, description="Point layer of parcel gates; a parcel uses its best gate."
    )
    gate_tolerance_m: float = Field(
        default=50.0, ge=0, description="How far (metres) a gate may lie from its parcel."
    )
    min_component_share: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description=(
            "Parcels joining a disconnected part of the network with fewer nodes than this "
            "share of the largest part get no value and a reason."
        ),
    )


class NetworkSpec(_Model):
    """A road network of the scenario's ``networks:`` section.

    Default speeds (km/h per road class) are :data:`geosite.network.DEFAULT_SPEEDS_KMH`: cars
    100 on expressways, 70 on trunk/national roads, 60 primary, 50 secondary/provincial,
    40 tertiary/district, 25 residential, 15 service; trucks 80, 55, 45, 40, 30, 20, 10.
    ``speeds_kmh`` overrides single classes; posted speeds (``maxspeed`` tags, or the
    ``speed_kmh`` column of the bundled roads) win where present, trucks taking the lower of
    the posted and the class speed. Speeds never exceed 120 km/h (cars) or 90 km/h (trucks).
    """

    source: Source = Field(description="Where the roads come from.")
    profile: Literal["car", "truck"] = "car"
    speeds_kmh: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict, description="Speed per road class, km/h, over the defaults."
    )
    use_maxspeed: bool = Field(
        default=True, description="Use posted speeds (maxspeed tags, speed columns)."
    )
    oneway: Literal["respect", "ignore"] = Field(
        default="respect", description="Whether one-way streets are driven one way only."
    )
    access: AccessSpec = Field(default_factory=AccessSpec)

    def layers_used(self) -> list[str]:
        """Return the layers this network reads (road layer, gates)."""
        used = [self.source.layer] if isinstance(self.source, LayerSource) else []
        return used + ([self.access.gates] if self.access.gates else [])

    def build_from_graph(self, graph: Any, *, name: str, crs: pyproj.CRS) -> net.RoadGraph:
        """Build the road graph from a networkx/osmnx graph given in memory for the source.

        The graph takes the place of the source layer; speeds, profile and one-way rules
        apply as to the layer (see :func:`geosite.network.graph_from_osmnx`).
        """
        src = self.source
        if isinstance(src, LayerSource) and src.where:
            msg = (
                f"network {name!r}: its source {src.layer!r} is a road graph given in "
                "memory, which a `where` filter cannot select from; filter the graph "
                "before passing it, or pass the roads as a GeoDataFrame"
            )
            raise ParameterError(msg)
        return net.graph_from_osmnx(
            graph,
            crs=crs,
            profile=self.profile,
            speeds=self.speeds_kmh,
            use_maxspeed=self.use_maxspeed,
            ignore_oneway=self.oneway == "ignore",
            name=name,
        )

    def build(
        self,
        *,
        name: str,
        crs: pyproj.CRS,
        base_dir: Path,
        load_layer: Callable[[str, Where | None], gpd.GeoDataFrame] | None = None,
    ) -> net.RoadGraph:
        """Build the road graph this spec describes.

        Parameters
        ----------
        name
            The network's key in ``networks:``, used in messages.
        crs
            The metric analysis CRS.
        base_dir
            Directory relative paths resolve against (the scenario file's).
        load_layer
            Reads a layer by name (needed for layer sources).

        Returns
        -------
        geosite.network.RoadGraph
        """
        src = self.source
        common: dict[str, Any] = {
            "crs": crs,
            "profile": self.profile,
            "speeds": self.speeds_kmh,
            "ignore_oneway": self.oneway == "ignore",
            "name": name,
        }

        def path(value: str) -> Path:
            p = Path(value).expanduser()
            return p if p.is_absolute() else base_dir / p

        if isinstance(src, LayerSource):
            if load_layer is None:
                return net.graph_from_layer(
                    src.layer, where=src.where, use_speed_column=self.use_maxspeed, **common
                )
            roads = load_layer(src.layer, src.where)
            return net.graph_from_gdf(
                roads,
                class_column="class" if "class" in roads else None,
                speed_column="speed_kmh" if "speed_kmh" in roads else None,
                oneway_column="oneway" if "oneway" in roads else None,
                use_speed_column=self.use_maxspeed,
                **common,
            )
        if isinstance(src, FileSource):
            roads = _read_roads(path(src.file), src, name)
            return net.graph_from_gdf(
                roads,
                class_column=src.class_column if src.class_column in roads else None,
                speed_column=src.speed_column,
                oneway_column=src.oneway_column,
                use_speed_column=self.use_maxspeed,
                **common,
            )
        if isinstance(src, OsmXmlSource | PbfSource):
            reader = net.graph_from_xml if isinstance(src, OsmXmlSource) else net.graph_from_pbf
            file = src.osm_xml if isinstance(src, OsmXmlSource) else src.pbf
            return reader(
                path(file),
                network_type=src.network_type,
                use_maxspeed=self.use_maxspeed,
                **common,
            )
        if isinstance(src, GraphmlSource):
            return net.graph_from_graphml(
                path(src.graphml), use_maxspeed=self.use_maxspeed, **common
            )
        query: str | tuple[float, ...] = (
            src.place if isinstance(src, PlaceSource) else tuple(src.bbox)
        )
        return net.graph_from_place(
            query,
            cache_dir=path(src.cache_dir),
            network_type=src.network_type,
            use_maxspeed=self.use_maxspeed,
            **common,
        )


def _read_roads(path: Path, src: FileSource, name: str) -> gpd.GeoDataFrame:
    # Through the one door: special files refused, legacy text detected, CRS and coordinates
    # checked, the same `where`; the graph builder checks the road geometries.
    opened = open_layer(
        path,
        name=f"road file of network {name!r}",
        layer=src.layer,
        where=src.where,
        check_geometry=False,
    )
    return opened.gdf


def _network_spec(ctx: MeasureContext, name: str) -> NetworkSpec:
    spec = ctx.networks.get(name)
    if spec is None:
        if name == "default":
            return NetworkSpec(source=LayerSource(layer="roads"))
        known = sorted(ctx.networks)
        msg = (
            f"network {name!r} is not defined; add it to the scenario's networks: section "
            f"(defined: {known!r}) or leave 'network' out to use the bundled roads"
        )
        raise ParameterError(msg)
    if isinstance(spec, NetworkSpec):
        return spec
    return NetworkSpec.model_validate(spec)


def graph_for(ctx: MeasureContext, name: str) -> net.RoadGraph:
    """Return the road graph of network ``name``, built once per evaluation.

    Parameters
    ----------
    ctx
        The measure context; the graph is kept in ``ctx.cache``.
    name
        Key in the scenario's ``networks:`` (``"default"``: the bundled ``roads`` layer unless
        the scenario defines it).

    Returns
    -------
    geosite.network.RoadGraph
    """
    key = f"{_CACHE}:graph:{name}"
    if key not in ctx.cache:
        spec = _network_spec(ctx, name)
        # networks on the same roads differ only in speeds: build the roads once
        roads_key = f"{_CACHE}:roads:{spec.source.model_dump_json()}:{spec.oneway}"
        built = ctx.cache.get(roads_key)
        if built is None:
            given = (
                ctx.in_memory.get(spec.source.layer)
                if isinstance(spec.source, LayerSource)
                else None
            )
            if is_graph(given):
                graph = spec.build_from_graph(given, name=name, crs=ctx.crs)
            else:
                graph = spec.build(
                    name=name, crs=ctx.crs, base_dir=ctx.base_dir, load_layer=ctx.load_layer
                )
            ctx.cache[roads_key] = graph
        else:
            graph = built.with_speeds(
                profile=spec.profile,
                speeds=spec.speeds_kmh,
                use_tagged=spec.use_maxspeed,
                name=name,
            )
        ctx.cache[key] = graph
    out: net.RoadGraph = ctx.cache[key]
    return out


def _candidate_snap(ctx: MeasureContext, name: str, spec: NetworkSpec) -> net.Snap:
    # networks on the same roads (a truck and a car profile) share one snap of the candidates
    graph = graph_for(ctx, name)
    gates_key = f"{spec.access.gates}:{spec.access.gate_tolerance_m}"
    key = f"{_CACHE}:candidates:{graph.topology_key}:{gates_key}"
    if key not in ctx.cache:
        gates = ctx.load_layer(spec.access.gates, None) if spec.access.gates else None
        ctx.cache[key] = net.snap_to_graph(
            graph, ctx.candidates, gates=gates, gate_tolerance_m=spec.access.gate_tolerance_m
        )
    snap: net.Snap = ctx.cache[key]
    return snap


class NetworkMeasure(MeasureSpec):
    """Travel time or road distance from each candidate to the facilities of a layer.

    Statistics: ``nearest`` (cost to the nearest facility), ``kth_nearest`` (to the k-th
    nearest), ``mean_k_nearest`` (mean cost to the k nearest), ``count_within`` (how many
    facilities within ``within_min`` minutes or ``within_m`` metres) and ``detour_ratio``
    (road distance to the nearest facility over the straight line between the same two
    points; always by distance). Candidates that cannot be measured (too far from a road, on
    a disconnected fragment, no facility reachable) get no value and a reason, never 0.
    """

    type: Literal["network"] = "network"
    layer: str = Field(description="Facility layer (bundled name or declared in layers:).")
    where: Where | None = Field(default=None, description="Attribute filter of the layer.")
    network: str = Field(default="default", description="Key in the scenario's networks:.")
    metric: Literal["time", "distance"] | None = Field(
        default=None,
        description="time (minutes) or distance (metres); default time (distance for ratios).",
    )
    statistic: Literal[
        "nearest", "kth_nearest", "mean_k_nearest", "count_within", "detour_ratio"
    ] = "nearest"
    k: int | None = Field(default=None, ge=1, description="Rank for kth/mean_k statistics.")
    within_min: float | None = Field(default=None, gt=0, description="count_within, minutes.")
    within_m: float | None = Field(default=None, gt=0, description="count_within, metres.")
    direction: Literal["to", "from"] = Field(
        default="to", description="Travel from the candidate to the facility, or back."
    )

    unit: ClassVar[str] = "min"
    higher_is_better: ClassVar[bool | None] = None

    @model_validator(mode="after")
    def _consistent(self) -> NetworkMeasure:
        problems: list[str] = []
        stat = self.statistic
        if stat in {"kth_nearest", "mean_k_nearest"} and self.k is None:
            problems.append(f"statistic {stat!r} needs k (e.g. k: 3)")
        if stat not in {"kth_nearest", "mean_k_nearest"} and self.k is not None:
            problems.append(
                f"k is only used by kth_nearest and mean_k_nearest, not {stat!r}; remove k"
            )
        given = [n for n in ("within_min", "within_m") if getattr(self, n) is not None]
        if stat == "count_within":
            if len(given) != 1:
                problems.append(
                    "count_within needs exactly one of within_min (minutes, metric time) "
                    "or within_m (metres, metric distance)"
                )
            elif self.metric == "time" and given == ["within_m"]:
                problems.append("metric time counts within_min minutes, not within_m metres")
            elif self.metric == "distance" and given == ["within_min"]:
                problems.append("metric distance counts within_m metres, not within_min")
        elif given:
            problems.append(f"{' and '.join(given)} only apply to count_within, not {stat!r}")
        if stat == "detour_ratio" and self.metric == "time":
            problems.append("detour_ratio compares distances; use metric: distance or omit it")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def resolved_metric(self) -> Literal["time", "distance"]:
        """Return the metric actually searched (time unless distance is implied)."""
        if self.metric is not None:
            return self.metric
        if self.statistic == "detour_ratio" or self.within_m is not None:
            return "distance"
        return "time"

    def value_unit(self) -> str:
        """Return the unit of this measure's values: ``min``, ``m``, ``count`` or ``ratio``."""
        if self.statistic == "count_within":
            return "count"
        if self.statistic == "detour_ratio":
            return "ratio"
        return "min" if self.resolved_metric == "time" else "m"

    def prefers_higher(self) -> bool:
        """Return whether a higher value is better (only for counts)."""
        return self.statistic == "count_within"

    def layers_used(self) -> list[str]:
        """Return the facility layer this measure reads."""
        return [self.layer]

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse an unknown network, roads that make no graph, facilities off the network.

        The road graph is built here (once per evaluation, kept in ``ctx.cache``) and the
        facilities joined to it: a facility layer farther than ``access.max_snap_m`` from
        every road is refused before any search. The gates layer is read.
        """
        spec, _graph, _facilities, _fsnap = self._facilities(ctx)
        if spec.access.gates:
            ctx.load_layer(spec.access.gates, None)

    def _facilities(
        self, ctx: MeasureContext
    ) -> tuple[NetworkSpec, net.RoadGraph, gpd.GeoDataFrame, net.Snap]:
        """Return the network, its graph, the facilities and their snap, all checked."""
        spec = _network_spec(ctx, self.network)
        graph = graph_for(ctx, self.network)
        facilities = ctx.load_layer(self.layer, self.where)
        if len(facilities) == 0:
            msg = (
                f"layer {self.layer!r} has no features"
                + (f" matching where {self.where!r}" if self.where else "")
                + "; check the filter"
            )
            raise LayerError(msg)
        where = json.dumps(self.where, sort_keys=True, default=str)
        fkey = f"{_CACHE}:facilities:{graph.topology_key}:{self.layer}:{where}"
        if fkey not in ctx.cache:
            ctx.cache[fkey] = net.snap_to_graph(graph, facilities)
        fsnap: net.Snap = ctx.cache[fkey]
        access = spec.access
        checked = f"{fkey}:checked:{access.max_snap_m}:{access.min_component_share}"
        if checked not in ctx.cache:
            try:
                net.check_facilities(
                    graph,
                    fsnap,
                    max_snap_m=access.max_snap_m,
                    min_component_share=access.min_component_share,
                    layer_name=self.layer,
                )
            except NetworkError as err:
                raise self._error(err) from err
            ctx.cache[checked] = True
        return spec, graph, facilities, fsnap

    def _error(self, err: NetworkError) -> NetworkError:
        msg = f"network criterion on layer {self.layer!r}, network {self.network!r}: {err}"
        return NetworkError(msg)

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Compute the statistic for every candidate on the named network."""
        spec, graph, facilities, fsnap = self._facilities(ctx)
        origins = _candidate_snap(ctx, self.network, spec)
        access = spec.access
        within = self.within_min if self.within_min is not None else self.within_m
        try:
            res = net.accessibility(
                graph,
                origins,
                fsnap,
                metric=self.resolved_metric,
                statistic=self.statistic,
                k=self.k or 1,
                within=within,
                direction=self.direction,
                max_snap_m=access.max_snap_m,
                offroad_speed_kmh=access.offroad_speed_kmh,
                min_component_share=access.min_component_share,
                layer_name=self.layer,
            )
        except NetworkError as err:
            raise self._error(err) from err
        names = _facility_names(facilities)
        facility = np.array([names[j] if j >= 0 else None for j in res.facility], dtype=object)
        # A facility drawn as an area joins the roads that reach its outline (snap_to_graph).
        kinds = geometry_kinds(facilities.geometry)
        kind = np.array([kinds[j] if j >= 0 else None for j in res.facility], dtype=object)
        return MeasureResult(
            values=res.values,
            unit=self.value_unit(),
            reasons=res.reasons,
            extra=self._extra(ctx, facilities, res, facility, kind),
            features=self._features(
                graph,
                origins=origins,
                fsnap=fsnap,
                res=res,
                names=names,
                access=access,
                facilities=facilities,
            ),
        )

    def _extra(
        self,
        ctx: MeasureContext,
        facilities: gpd.GeoDataFrame,
        res: net.AccessResult,
        facility: npt.NDArray[np.object_],
        kind: npt.NDArray[np.object_],
    ) -> dict[str, npt.NDArray[Any]]:
        extra: dict[str, npt.NDArray[Any]] = {
            "snap_m": res.snap_m,
            "straight_m": res.straight_m,
            "facility": facility,
            "measured_to_kind": kind,
        }
        coverage = facilities.attrs.get("coverage")
        if coverage is not None:
            # A facility beyond the layer's coverage could lie nearer, in a straight line, than
            # the one found; on the roads it could then be nearer too.
            edge = uncovered_distance(ctx.candidates.geometry, coverage)
            extra["coverage_edge_m"] = edge
            if self.statistic == "count_within":
                # Within minutes, any distance may be in reach: such a count is never complete.
                reach = self.within_m if self.within_m is not None else np.inf
                extra["lower_bound"] = edge < reach
            else:
                extra["upper_bound"] = np.isfinite(res.straight_m) & (res.straight_m > edge)
        return extra

    def _features(
        self,
        graph: net.RoadGraph,
        *,
        origins: net.Snap,
        fsnap: net.Snap,
        res: net.AccessResult,
        names: list[str],
        access: AccessSpec,
        facilities: gpd.GeoDataFrame,
    ) -> gpd.GeoDataFrame:
        """Return the facilities (with a ``name``) and the route of each candidate to its nearest.

        Routes are drawn for at most :data:`MAX_PATHS` candidates; route rows carry
        ``candidate`` (row position), ``facility`` (its name) and the route's cost.
        """
        marks = gpd.GeoDataFrame(
            {"name": names, "facility": names},
            geometry=np.asarray(facilities.geometry.array, dtype=object),
            crs=facilities.crs,
        )
        measured = np.flatnonzero(np.isfinite(res.values) & (res.facility >= 0))
        if len(measured) == 0 or origins.n_owners > MAX_PATHS:
            return marks
        chosen = origins.take(res.origin[measured])
        metric = "distance" if self.statistic == "detour_ratio" else self.resolved_metric
        paths = net.network_paths(
            graph,
            chosen,
            fsnap,
            metric=metric,
            direction=self.direction,
            offroad_speed_kmh=access.offroad_speed_kmh,
            max_snap_m=access.max_snap_m,
            min_component_share=access.min_component_share,
        )
        paths["candidate"] = measured[paths["parcel"].to_numpy(dtype=np.int64)]
        paths["facility"] = [names[j] for j in paths["facility"]]
        unit = "min" if metric == "time" else "m"
        paths = paths.rename(columns={"cost": f"cost_{unit}"}).drop(columns="parcel")
        routes = paths[["candidate", "facility", f"cost_{unit}", "geometry"]]
        return gpd.GeoDataFrame(pd.concat([routes, marks], ignore_index=True), crs=marks.crs)


def _facility_names(facilities: gpd.GeoDataFrame) -> list[str]:
    for column in ("name", "name_en", "id"):
        if column in facilities:
            return [str(v) for v in facilities[column]]
    return [str(i) for i in facilities.index]
