"""Score parcels held in memory against a road graph held in memory: nothing touches the disk.

As in a notebook: the parcels come from a query (here: built in code), the roads are a
networkx graph (here: built from geosite's bundled roads; ``osmnx.graph_from_place`` gives
the same kind of graph), and the scenario is a Python mapping. Run from anywhere::

    python examples/notebook_in_memory.py

In Jupyter, ``result`` shows its ranking and ``result.explore()`` its map inline.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import shapely

import geosite

# Parcels a cadastre query returned: outlines in WGS 84 longitude/latitude.
PARCELS = {
    "LT-01": ("Lô công nghiệp Long Thành 1", 107.020, 10.790, 0.012),
    "NT-03": ("Khu Nhơn Trạch 3 mở rộng", 106.930, 10.720, 0.010),
    "PM-02": ("Bãi kho vận Phước Thiền", 106.950, 10.760, 0.008),
    "PMY-07": ("Cụm Phú Mỹ 7", 107.060, 10.580, 0.015),
    "BH-12": ("Lô Biên Hòa 12", 106.860, 10.950, 0.003),  # about 11 ha
}


def parcels() -> gpd.GeoDataFrame:
    ids = list(PARCELS)
    return gpd.GeoDataFrame(
        {"ma_lo": ids, "ten": [PARCELS[i][0] for i in ids]},
        geometry=[shapely.box(x, y, x + d, y + d) for _, x, y, d in PARCELS.values()],
        crs="EPSG:4326",
    )


def road_graph() -> nx.MultiDiGraph:
    """Return the bundled roads as an osmnx-style graph: nodes with x/y, edges with highway."""
    roads = geosite.read_layer("roads")
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    ids: dict[tuple[float, float], int] = {}
    for line, road_class in zip(roads.geometry, roads["class"], strict=True):
        coords = [(round(x, 7), round(y, 7)) for x, y in line.coords]
        for a, b in itertools.pairwise(coords):
            u, v = (ids.setdefault(p, len(ids)) for p in (a, b))
            for p, n in ((a, u), (b, v)):
                graph.add_node(n, x=p[0], y=p[1])
            for s, t in ((u, v), (v, u)):  # two-way roads: one edge each way
                graph.add_edge(s, t, highway=road_class, geometry=shapely.LineString([
                    (graph.nodes[s]["x"], graph.nodes[s]["y"]),
                    (graph.nodes[t]["x"], graph.nodes[t]["y"]),
                ]))  # fmt: skip
    return graph


SCENARIO = {
    "version": 1,
    "name": "Parcels near Long Thành, from memory",
    "crs": "EPSG:32648",
    "layers": {
        "parcels": {"memory": True, "id": "ma_lo"},
        "streets": {"memory": True},
    },
    "networks": {
        "trucks": {
            "source": {"layer": "streets"},
            "profile": "truck",
            "access": {"max_snap_m": 15000, "offroad_speed_kmh": 20},
        },
    },
    "candidates": {"layer": "parcels", "id": "ma_lo", "name": "ten"},
    "criteria": [
        {
            "name": "port_truck_time",
            "label": "Truck time to the Cái Mép - Thị Vải port",
            "measure": {
                "type": "network",
                "network": "trucks",
                "layer": "ports",
                "where": {"name": "Cang Cai Mep - Thi Vai"},  # diacritics optional
            },
            "value": {"type": "linear", "best": 15, "worst": 120},
            "weight": 2,
        },
        {
            "name": "airport_truck_time",
            "label": "Truck time to Long Thành airport",
            "measure": {
                "type": "network",
                "network": "trucks",
                "layer": "airports",
                "where": {"airport_id": "long-thanh"},
            },
            "value": {"type": "linear", "best": 10, "worst": 90},
            "weight": 1,
        },
        {
            "name": "industrial_park_distance",
            "measure": {"type": "distance", "layer": "industrial_parks"},
            "value": {"type": "linear", "best": 1000, "worst": 20000},
            "weight": 1,
        },
    ],
    "constraints": [{"type": "min_area", "min_ha": 20}],
}


def main() -> None:
    scenario = geosite.load_scenario(SCENARIO)  # validated like a YAML file
    result = geosite.evaluate(scenario, layers={"parcels": parcels(), "streets": road_graph()})

    columns = ["ma_lo", "port_truck_time_min", "airport_truck_time_min", "total_score", "rank"]
    print(result.table[columns].round(2).to_string(index=False))
    for _, row in result.table.loc[result.table["excluded"]].iterrows():
        print(f"{row['ma_lo']} excluded: {row['exclusion_reason']}")

    html = result._repr_html_()  # what a notebook shows for `result`
    fmap = result.explore(basemap="osm")  # a folium.Map: a notebook draws it inline
    page = fmap.get_root().render()  # the map's HTML, in memory
    print(f"ranking: {len(html):,} characters of HTML; map: {len(page):,} characters of HTML")


if __name__ == "__main__":
    main()
