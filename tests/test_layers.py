"""The bundled-layer API: names, metadata, errors, LAYERS.md in sync with the catalogue.

The checks of the data themselves (geometry, areas, distances, road graph) live in
``test_layers_data.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geosite.data import bundled as layers
from geosite.errors import DataNotFoundError, GeositeError, LayerError, ParameterError

REPO = Path(__file__).resolve().parents[1]

# The layer names other modules and the bundled scenario rely on (issue 3 / issue 2).
REQUIRED_LAYERS = {
    "candidate_sites",
    "ports",
    "airports",
    "industrial_parks",
    "roads",
    "centres",
    "provinces_pre2025",
    "provinces_2025",
    "districts",
    "railways",
    "land_sea_mask",
}
REQUIRED_FIELDS = {
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
}
REQUIRED_IDS = {
    "ports": {"cai-mep-thi-vai", "cat-lai", "hiep-phuoc", "phu-my", "vung-tau"},
    "airports": {"long-thanh", "tan-son-nhat", "vung-tau"},
    "centres": {"hcmc-centre", "bien-hoa", "thu-dau-mot", "ba-ria", "vung-tau"},
    "candidate_sites": {
        "long-thanh-50ha",
        "long-thanh-digital-119ha",
        "phu-my-650ha",
        "binh-duong-it-park",
        "saigon-hi-tech-park",
        "quang-trung-software-city",
    },
}


@pytest.fixture
def fresh_catalog():
    """Clear the catalogue cache before and after a test that swaps the layer directory."""
    layers._load_catalog.cache_clear()
    yield
    layers._load_catalog.cache_clear()


def raw_catalog() -> dict:
    return json.loads((layers.layers_dir() / "catalog.json").read_text(encoding="utf-8"))


def test_layer_names_cover_the_contract():
    names = layers.layer_names()
    assert set(names) >= REQUIRED_LAYERS
    assert len(names) == len(set(names))


def test_catalog_file_has_version_and_every_required_field():
    doc = raw_catalog()
    assert doc["version"] == 1
    for entry in doc["layers"]:
        missing = REQUIRED_FIELDS - set(entry)
        assert not missing, f"{entry['name']} lacks {missing}"
        assert entry["kind"] in {"vector", "raster"}
        assert entry["crs"] == "EPSG:4326"
        assert isinstance(entry["approximate"], bool)
        assert entry["accuracy_m"] is None or entry["accuracy_m"] > 0
        for key in ("known_defects", "good_for", "not_for"):
            assert isinstance(entry[key], list)
            assert all(isinstance(item, str) and item.strip() for item in entry[key])
        assert entry["good_for"], f"{entry['name']}: say what the layer is good for"
        assert entry["not_for"], f"{entry['name']}: say what the layer must not be used for"
        assert entry["attribution"].strip()
        if entry["kind"] == "vector":
            assert entry["id_column"]
            assert entry["name_column"]


def test_layer_info_matches_the_catalog_file():
    by_name = {e["name"]: e for e in raw_catalog()["layers"]}
    for info in layers.catalog():
        entry = by_name[info.name]
        assert info.title == entry["title"]
        assert info.licence == entry["licence"]
        assert info.known_defects == tuple(entry["known_defects"])
        assert info.path == layers.layers_dir() / entry["file"]
        assert info.path.is_file()
        if info.licence_file is not None:
            assert (layers.layers_dir() / info.licence_file).is_file()


def test_feature_counts_match_the_files():
    # counted straight from the GeoJSON text, not through geosite or geopandas
    for info in layers.catalog():
        if info.kind != "vector":
            continue
        count = sum(
            len(json.loads(path.read_text(encoding="utf-8"))["features"]) for path in info.paths
        )
        assert info.feature_count == count, info.name


def test_every_column_is_documented():
    for info in layers.catalog():
        if info.kind != "vector":
            continue
        for path in info.paths:
            doc = json.loads(path.read_text(encoding="utf-8"))
            in_file = set().union(*(f["properties"] for f in doc["features"]))
            assert set(info.extra["columns"]) == in_file, (info.name, path.name)


def test_required_ids_exist():
    for name, ids in REQUIRED_IDS.items():
        info = layers.layer_info(name)
        gdf = layers.read_layer(name)
        assert ids <= set(gdf[info.id_column]), name


def test_read_layer_returns_epsg4326_geodataframe():
    gdf = layers.read_layer("ports")
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == layers.layer_info("ports").feature_count


def test_read_layer_keeps_rows_without_geometry():
    parks = layers.read_layer("industrial_parks")
    missing = parks.geometry.isna()
    assert missing.any()
    assert (parks.loc[missing, "location_precision"] == "none").all()


def test_unknown_layer_suggests_the_closest_name_and_lists_all():
    with pytest.raises(DataNotFoundError, match=r"Did you mean 'ports'\?") as err:
        layers.layer_info("port")
    for name in REQUIRED_LAYERS:
        assert name in str(err.value)
    # callers can also catch the builtin the error resembles
    assert isinstance(err.value, FileNotFoundError)
    assert isinstance(err.value, GeositeError)


def test_unknown_layer_without_close_match_has_no_suggestion():
    with pytest.raises(DataNotFoundError, match="no bundled layer named 'zzzz'") as err:
        layers.read_layer("zzzz")
    assert "Did you mean" not in str(err.value)


def test_layer_name_must_be_a_string():
    with pytest.raises(ParameterError, match="must be a string"):
        layers.layer_info(3)  # type: ignore[arg-type]


def test_read_layer_on_a_raster_points_to_layer_path():
    with pytest.raises(ParameterError, match=r"layer_path\('land_sea_mask'\)"):
        layers.read_layer("land_sea_mask")


def test_layer_path_of_the_raster():
    path = layers.layer_path("land_sea_mask")
    assert path.suffix == ".tif"
    assert path.is_file()


def test_layer_info_is_frozen():
    info = layers.layer_info("roads")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "other"  # type: ignore[misc]
    assert dataclasses.asdict(info)["name"] == "roads"


def test_attribution_for_deduplicates_in_order():
    three = layers.attribution_for(["provinces_pre2025", "districts", "railways"])
    assert three == (
        layers.layer_info("districts").attribution
        + " | "
        + layers.layer_info("railways").attribution
    )
    with pytest.raises(DataNotFoundError):
        layers.attribution_for(["nope"])


def test_layers_md_is_in_sync_with_the_catalog():
    text = (REPO / "LAYERS.md").read_text(encoding="utf-8")
    assert text == layers.catalog_markdown(), (
        "LAYERS.md is out of date; regenerate it with `python scripts/build_layers.py`"
    )


def test_layers_md_documents_every_layer():
    text = layers.catalog_markdown()
    for info in layers.catalog():
        section = text.split(f"## {info.name.replace('_', '-')}\n", 1)[1].split("\n## ", 1)[0]
        assert "**Good for:**" in section
        assert "**Must not be used for:**" in section
        assert "**Known defects:**" in section
        assert info.licence in section
        assert info.positional_accuracy in section


def test_layers_dir_prefers_the_installed_copy(tmp_path, monkeypatch, fresh_catalog):
    bundled = tmp_path / "_bundled" / "layers"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(layers.importlib.resources, "files", lambda _pkg: tmp_path)
    assert layers.layers_dir() == bundled


def test_layers_dir_falls_back_to_the_source_checkout(tmp_path, monkeypatch, fresh_catalog):
    if Path(layers.__file__).resolve().parent.parent != REPO:
        pytest.skip("geosite is installed from a wheel here, not run from the source checkout")
    monkeypatch.setattr(layers.importlib.resources, "files", lambda _pkg: tmp_path)
    assert layers.layers_dir() == REPO / "layers"


def test_layers_load_from_a_wheel_like_install(tmp_path):
    """With the layers at geosite/_bundled/layers (the wheel layout) they load from there."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "geosite", site / "geosite", ignore=shutil.ignore_patterns("_bundled"))
    shutil.copytree(REPO / "layers", site / "geosite" / "_bundled" / "layers")
    code = (
        "from geosite import layers; "
        "print(layers.layers_dir()); "
        "print(len(layers.read_layer('ports')))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(out[0]) == site / "geosite" / "_bundled" / "layers"
    assert int(out[1]) == layers.layer_info("ports").feature_count


def test_missing_catalog_is_a_clear_error(tmp_path, monkeypatch, fresh_catalog):
    monkeypatch.setattr(layers, "layers_dir", lambda: tmp_path)
    with pytest.raises(DataNotFoundError, match="build_layers.py"):
        layers.catalog()


def test_catalog_of_another_version_is_rejected(tmp_path, monkeypatch, fresh_catalog):
    (tmp_path / "catalog.json").write_text('{"version": 99, "layers": []}', encoding="utf-8")
    monkeypatch.setattr(layers, "layers_dir", lambda: tmp_path)
    with pytest.raises(LayerError, match="version 99"):
        layers.catalog()


def test_incomplete_catalog_entry_is_rejected(tmp_path, monkeypatch, fresh_catalog):
    doc = {"version": 1, "layers": [{"name": "x", "file": "x.geojson"}]}
    (tmp_path / "catalog.json").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(layers, "layers_dir", lambda: tmp_path)
    with pytest.raises(LayerError, match="'x'.*lacks"):
        layers.catalog()


def test_missing_layer_file_is_a_clear_error(tmp_path, monkeypatch, fresh_catalog):
    entry = next(e for e in raw_catalog()["layers"] if e["name"] == "ports")
    (tmp_path / "catalog.json").write_text(
        json.dumps({"version": 1, "layers": [entry]}), encoding="utf-8"
    )
    monkeypatch.setattr(layers, "layers_dir", lambda: tmp_path)
    with pytest.raises(DataNotFoundError, match="file of bundled layer 'ports' is missing"):
        layers.read_layer("ports")


def test_layers_md_says_how_to_fetch_openstreetmap_and_use_the_file(tmp_path: Path) -> None:
    import re

    import yaml

    from geosite.data import osm
    from geosite.scenario import LayerSource

    text = layers.catalog_markdown()
    assert "geosite fetch-osm REGION --out FILE.gpkg" in text
    assert "Bring your own OpenStreetMap extract" not in text
    # every kind it names is one the command fetches, and a bundled layer it can replace
    kinds = re.search(r"among ([a-z_, ]+) and ([a-z_]+)\)", text)
    assert kinds is not None
    named = [*kinds.group(1).split(", "), kinds.group(2)]
    assert named == list(osm.KINDS)
    assert set(named) <= set(layers.layer_names())
    # the scenario snippet it shows is a valid layer declaration of the fetched file
    snippet = re.search(r"`(layers: \{.*?\}\})`", text)
    assert snippet is not None
    declared = yaml.safe_load(snippet.group(1))["layers"]
    for name, source in declared.items():
        assert name in osm.KINDS
        spec = LayerSource.model_validate(source)
        assert spec.path == "FILE.gpkg"
        assert spec.layer == name
