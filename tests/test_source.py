"""One door for layers: every source (bundled, file, in memory) checked the same way."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from shapely import LineString, Point

import geosite
from geosite.analysis import check_data, load_layer
from geosite.data.source import check_coordinates, check_file, open_layer, open_raster
from geosite.data.where import filter_where
from geosite.errors import CRSError, DataNotFoundError, LayerError, ParameterError, ScenarioError
from geosite.network import graph_from_gdf, graph_from_layer
from geosite.scenario import scenario_from_dict

from .conftest import CRS, X0, Y0, square

OSM = Path(__file__).parent / "data" / "network" / "hcmute_thuduc_drive.osm"


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["lt", "nt", "bh"],
            "district": ["Long Thành", "Nhơn Trạch", "Biên Hòa"],
            "class": ["trunk", "trunk", "primary"],
        },
        geometry=[
            LineString([(X0, Y0), (X0 + 1000, Y0)]),
            LineString([(X0 + 1000, Y0), (X0 + 2000, Y0)]),
            LineString([(X0 + 2000, Y0), (X0 + 3000, Y0)]),
        ],
        crs=CRS,
    )


# --------------------------------------------------------------------------- one `where`


def test_where_matches_without_diacritics_on_every_kind_of_source(tmp_path: Path) -> None:
    gdf = _districts()
    gdf.to_file(tmp_path / "roads.gpkg")
    where = {"district": "Long Thanh"}
    assert filter_where(gdf, where, layer="x")["code"].tolist() == ["lt"]
    # a file and an object in memory, through the door
    for source in (tmp_path / "roads.gpkg", gdf):
        opened = open_layer(source, name="roads", where=where)
        assert opened.gdf["code"].tolist() == ["lt"]
    # a bundled layer (its names carry diacritics)
    ports = open_layer("ports", name="ports", where={"name": "cang phu my"})
    assert len(ports.gdf) == 1
    # a road graph's filter: from a layer, and from a file source of a network
    graph = graph_from_gdf(
        filter_where(gdf, {"district": ["long thanh", "Nhon Trach"]}, layer="roads"), crs=CRS
    )
    assert graph.n_edges == 4  # two roads, both directions
    from geosite.network.build import _filter_where  # the road layers' filter is the same one

    assert _filter_where(gdf, where, what="layer 'roads'")["code"].tolist() == ["lt"]


def test_where_is_never_ambiguous() -> None:
    gdf = _districts()
    gdf.loc[2, "district"] = "Long Thạnh"
    with pytest.raises(ParameterError, match="ambiguous"):
        filter_where(gdf, {"district": "Long Thanh"}, layer="roads")
    # written exactly, it finds the one value it names
    assert filter_where(gdf, {"district": "Long Thạnh"}, layer="roads")["code"].tolist() == ["bh"]


def test_where_in_a_scenario_filters_memory_and_files_alike(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "name": "where",
        "crs": CRS,
        "layers": {"roads_mem": {"memory": True, "where": {"district": "Nhon Trach"}}},
        "candidates": {"layer": "sites", "id": "site_id"},
        "criteria": [
            {
                "name": "road",
                "measure": {"type": "distance", "layer": "roads_mem"},
                "value": {"type": "linear", "best": 0, "worst": 5000},
                "weight": 1,
            }
        ],
    }
    data["layers"]["sites"] = {"memory": True}
    sites = gpd.GeoDataFrame(
        {"site_id": ["a"]}, geometry=[square(0, 500, 100)], crs=CRS
    )  # 500 m north of the first road; 1000 m from the start of the second
    result = geosite.evaluate(data, layers={"roads_mem": _districts(), "sites": sites})
    assert result.table["road_m"].iloc[0] == pytest.approx(np.hypot(900, 500))


def test_where_with_a_graph_source_is_refused() -> None:
    import networkx as nx

    spec = scenario_from_dict(
        {
            "version": 1,
            "name": "g",
            "crs": CRS,
            "layers": {"g": {"memory": True}, "sites": {"memory": True}},
            "networks": {"n": {"source": {"layer": "g", "where": {"class": "trunk"}}}},
            "candidates": {"layer": "sites", "id": "site_id"},
            "criteria": [
                {
                    "name": "t",
                    "measure": {"type": "network", "layer": "ports", "network": "n"},
                    "value": {"type": "linear", "best": 0, "worst": 60},
                    "weight": 1,
                }
            ],
        }
    )
    sites = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[square(0, 0, 100)], crs=CRS)
    graph = nx.MultiDiGraph(crs=CRS)
    graph.add_node(1, x=X0, y=Y0)
    graph.add_node(2, x=X0 + 10, y=Y0)
    graph.add_edge(1, 2, highway="trunk")
    with pytest.raises(ParameterError, match="cannot select from"):
        geosite.evaluate(spec, layers={"g": graph, "sites": sites})


# --------------------------------------------------------------------------- hostile files


def test_special_files_are_refused_before_they_are_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "parcels.gpkg"
    os.mkfifo(fifo)
    with pytest.raises(LayerError, match=r"is a named pipe \(FIFO\), not a data file"):
        check_file(fifo, what="layer 'parcels'")
    with pytest.raises(LayerError, match="is a folder, not a file"):
        open_layer(tmp_path, name="parcels")
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with pytest.raises(LayerError, match=r"is empty \(0 bytes\)"):
        open_layer(empty, name="parcels")
    with pytest.raises(DataNotFoundError, match="does not exist"):
        open_layer(tmp_path / "nope.gpkg", name="parcels")
    with (
        pytest.raises(LayerError, match=r"raster 'dem'.*named pipe"),
        open_raster(fifo, name="dem"),
    ):
        pass
    with pytest.raises(LayerError, match="a device"):
        check_file("/dev/null", what="layer 'parcels'")


def test_truncated_file_is_refused_naming_the_layer(tmp_path: Path) -> None:
    path = tmp_path / "parcels.geojson"
    _districts().to_file(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LayerError, match="cannot read .*parcels.geojson"):
        open_layer(path, name="parcels")


# --------------------------------------------------------------------------- coordinates


def _points(xy: list[tuple[float, float]], crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in xy], crs=crs)


def test_lon_lat_declared_as_utm_is_refused() -> None:
    gdf = _points([(106.8, 10.9), (107.1, 10.6)], None)
    with pytest.raises(CRSError, match=r"look like longitude/latitude.*declare `crs: EPSG:4326`"):
        open_layer(gdf, name="parcels", crs="EPSG:32648")
    # declared as what they are, they pass
    assert open_layer(gdf, name="parcels", crs="EPSG:4326").gdf.crs.to_epsg() == 4326


def test_lat_lon_swapped_is_named() -> None:
    with pytest.raises(CRSError, match="latitude and longitude look swapped"):
        check_coordinates(_points([(10.9, 106.8)], 4326), layer="parcels")


@pytest.mark.parametrize(
    ("xy", "crs", "match"),
    [
        ([(1e30, 5e29)], "EPSG:32648", "outside any possible range"),
        ([(690000.0, 1e12)], "EPSG:32648", "outside any possible range"),
        ([(np.inf, 0.0)], "EPSG:32648", "not finite"),
        ([(500.0, 95.0)], "EPSG:4326", "cannot be longitude/latitude"),
    ],
)
def test_impossible_coordinates_are_refused(xy: list, crs: str, match: str) -> None:
    with pytest.raises(CRSError, match=match):
        check_coordinates(_points(xy, crs), layer="parcels")


def test_plausible_coordinates_pass() -> None:
    check_coordinates(_points([(X0, Y0)], CRS), layer="p")
    check_coordinates(_points([(106.8, 10.9)], 4326), layer="p")
    check_coordinates(_points([(418000, 1194000)], 5899), layer="p")


def test_impossible_coordinates_fail_evaluate_with_the_layer_name(tiny_project: Path) -> None:
    far = gpd.GeoDataFrame(
        {"port_id": ["p"]}, geometry=[Point(1e25, 1e25)], crs=CRS
    )  # once crashed the distance kernel ("negative dimensions are not allowed")
    with pytest.raises(CRSError, match="layer 'my_ports'.*outside any possible range"):
        geosite.evaluate(tiny_project / "scenario.yaml", layers={"my_ports": far})


# --------------------------------------------------------------------------- in memory


def test_memory_and_files_give_identical_tables(tiny_project: Path) -> None:
    data = tiny_project / "data"
    files = geosite.evaluate(tiny_project / "scenario.yaml")
    layers = {
        "sites": gpd.read_file(data / "candidates.gpkg", layer="sites"),
        "my_ports": gpd.read_file(data / "ports.gpkg"),
        "my_roads": gpd.read_file(data / "roads.gpkg"),
    }
    memory = geosite.evaluate(tiny_project / "scenario.yaml", layers=layers)
    pd.testing.assert_frame_equal(pd.DataFrame(files.table), pd.DataFrame(memory.table))
    assert [u.in_memory for u in memory.layers] == [True, True, True]
    # the objects given are not modified
    assert layers["sites"].crs.to_epsg() == 32648


def test_raster_triple_and_dataset_score_like_the_file(tmp_path: Path, tiny_project: Path) -> None:
    array = np.arange(200 * 200, dtype=np.float32).reshape(200, 200)
    transform = Affine(50.0, 0.0, X0 - 1000, 0.0, -50.0, Y0 + 9000)
    with rasterio.open(
        tmp_path / "dem.tif", "w", driver="GTiff", height=200, width=200, count=1,
        dtype="float32", crs=CRS, transform=transform,
    ) as dst:  # fmt: skip
        dst.write(array, 1)
    scenario = {
        "version": 1,
        "name": "raster",
        "crs": CRS,
        "layers": {"sites": {"memory": True}},
        "candidates": {"layer": "sites", "id": "site_id"},
        "criteria": [
            {
                "name": "height",
                "measure": {"type": "raster", "raster": str(tmp_path / "dem.tif")},
                "value": {"type": "linear", "best": 0, "worst": 40000},
                "weight": 1,
            }
        ],
    }
    sites = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites")
    roots = [tmp_path, tiny_project]
    from_file = geosite.evaluate(
        scenario_from_dict(scenario, allowed_roots=roots), layers={"sites": sites}
    )
    name = str(tmp_path / "dem.tif")
    triple = geosite.evaluate(
        scenario_from_dict(scenario, allowed_roots=roots),
        layers={"sites": sites, name: (array, transform, CRS)},
    )
    with rasterio.open(tmp_path / "dem.tif") as ds:
        dataset = geosite.evaluate(
            scenario_from_dict(scenario, allowed_roots=roots), layers={"sites": sites, name: ds}
        )
    for other in (triple, dataset):
        pd.testing.assert_frame_equal(pd.DataFrame(from_file.table), pd.DataFrame(other.table))
    with pytest.raises(CRSError, match=r"raster '.*dem.tif' has no CRS"):
        geosite.evaluate(
            scenario_from_dict(scenario, allowed_roots=roots),
            layers={"sites": sites, name: (array, transform, None)},
        )


def test_graph_in_memory_scores_like_its_osm_file(tmp_path: Path) -> None:
    import osmnx as ox
    import shapely

    from geosite.network import graph_from_xml
    from geosite.network.osm import _filter_osm_xml

    (tmp_path / "thu_duc.osm").write_bytes(OSM.read_bytes())
    g = graph_from_xml(OSM)
    main = g.component_size[g.edge_u] == g.component_size.max()
    lines = g.edge_geometry[np.flatnonzero(main)[::40][:6]]
    mid = shapely.line_interpolate_point(lines, 0.5, normalized=True)
    pts = shapely.points(shapely.get_x(mid) + 15, shapely.get_y(mid) + 5)
    sites = gpd.GeoDataFrame(
        {"site_id": list("abcd")}, geometry=shapely.buffer(pts[:4], 10), crs=g.crs
    )
    schools = gpd.GeoDataFrame({"sid": ["s1", "s2"]}, geometry=pts[4:], crs=g.crs)

    def scenario(source: dict) -> dict:
        return {
            "version": 1,
            "name": "graph",
            "crs": CRS,
            "layers": {
                "sites": {"memory": True},
                "schools": {"memory": True},
                "streets": {"memory": True},
            },
            "networks": {"city": {"source": source}},
            "candidates": {"layer": "sites", "id": "site_id"},
            "criteria": [
                {
                    "name": "school_time",
                    "measure": {"type": "network", "layer": "schools", "network": "city"},
                    "value": {"type": "linear", "best": 0, "worst": 30},
                    "weight": 1,
                }
            ],
        }

    layers = {"sites": sites, "schools": schools}
    from_file = geosite.evaluate(
        scenario_from_dict(scenario({"osm_xml": "thu_duc.osm"}), base_dir=tmp_path),
        layers=layers | {"streets": sites},
    )
    # the graph a user gets from osmnx, with the same road filter
    _filter_osm_xml(OSM, tmp_path / "roads.osm", "drive_service")
    graph = ox.graph_from_xml(tmp_path / "roads.osm", bidirectional=False, retain_all=True)
    in_memory = geosite.evaluate(
        scenario_from_dict(scenario({"layer": "streets"}), base_dir=tmp_path),
        layers=layers | {"streets": graph},
    )
    columns = ["site_id", "school_time_min", "total_score", "rank"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(from_file.table[columns]), pd.DataFrame(in_memory.table[columns])
    )
    assert np.isfinite(in_memory.table["school_time_min"]).sum() >= 3


def test_missing_crs_is_named_the_same_for_memory_and_file(tmp_path: Path) -> None:
    gdf = _districts().set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gdf.to_file(tmp_path / "roads.shp")
    messages = []
    for source in (tmp_path / "roads.shp", gdf):
        with pytest.raises(CRSError) as err:
            open_layer(source, name="roads")
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("layer 'roads' has no CRS")


def test_layers_argument_is_checked(tiny_project: Path) -> None:
    with pytest.raises(ParameterError, match=r"does not use; did you mean 'my_ports'"):
        geosite.evaluate(tiny_project / "scenario.yaml", layers={"my_port": _districts()})
    with pytest.raises(LayerError, match="is a table without geometry"):
        geosite.evaluate(tiny_project / "scenario.yaml", layers={"my_ports": pd.DataFrame()})
    with pytest.raises(LayerError, match="is a road graph"):
        import networkx as nx

        geosite.evaluate(tiny_project / "scenario.yaml", layers={"my_ports": nx.MultiDiGraph()})


def test_a_memory_layer_not_given_is_named(tiny_project: Path) -> None:
    text = (tiny_project / "scenario.yaml").read_text()
    text = text.replace(
        "my_ports: {path: data/ports.gpkg, id: port_id}", "my_ports: {memory: true}"
    )
    (tiny_project / "mem.yaml").write_text(text)
    scenario = geosite.load_scenario(tiny_project / "mem.yaml")
    with pytest.raises(DataNotFoundError, match=r"declared `memory: true` but was not given"):
        geosite.evaluate(scenario)
    assert "memory: true" in check_data(scenario)[0]


def test_load_scenario_takes_a_mapping_with_the_same_validation(tiny_project: Path) -> None:
    with pytest.raises(ScenarioError, match=r"unknown key 'wieght'; did you mean 'weight'"):
        geosite.load_scenario(
            {
                "version": 1,
                "name": "x",
                "candidates": {"layer": "candidate_sites", "id": "site_id"},
                "criteria": [
                    {
                        "name": "c",
                        "measure": {"type": "distance", "layer": "ports"},
                        "value": {"type": "linear", "best": 0, "worst": 1},
                        "wieght": 1,
                    }
                ],
            }
        )
    with pytest.raises(ScenarioError, match="exactly one of `path`"):
        geosite.load_scenario(
            {
                "version": 1,
                "name": "x",
                "layers": {"p": {"memory": True, "path": "p.gpkg"}},
                "candidates": {"layer": "p"},
                "criteria": [
                    {
                        "name": "c",
                        "measure": {"type": "distance", "layer": "ports"},
                        "value": {"type": "linear", "best": 0, "worst": 1},
                        "weight": 1,
                    }
                ],
            }
        )


def test_load_layer_takes_memory_layers(tiny_project: Path) -> None:
    scenario = geosite.load_scenario(tiny_project / "scenario.yaml")
    ports = gpd.GeoDataFrame({"port_id": ["x"]}, geometry=[Point(106.8, 10.9)], crs=4326)
    got = load_layer(scenario, "my_ports", layers={"my_ports": ports})
    assert got.crs.to_epsg() == 32648
    assert list(got["port_id"]) == ["x"]


def test_graph_from_layer_where_matches_without_diacritics() -> None:
    graph = graph_from_layer("roads", where={"class": "Motorway"})
    assert graph.n_edges > 0


def test_road_file_of_a_network_filters_like_a_layer(tmp_path: Path) -> None:
    from geosite.measures.network import FileSource, _read_roads

    _districts().to_file(tmp_path / "roads.gpkg")
    src = FileSource(file="roads.gpkg", where={"district": ["long thanh", "Bien Hoa"]})
    roads = _read_roads(tmp_path / "roads.gpkg", src, "trunk")
    assert sorted(roads["code"]) == ["bh", "lt"]
    with pytest.raises(LayerError, match="road file of network 'trunk'.* no column 'distrct'"):
        _read_roads(tmp_path / "roads.gpkg", FileSource(file="x", where={"distrct": "x"}), "trunk")
