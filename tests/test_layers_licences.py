"""Each bundled file is under one licence; a layer split by licence loads as it was built.

A database derived from OpenStreetMap must be shared under the ODbL and an adaptation of the
national road layer under CC BY-SA 4.0, so the layers that draw on both are stored as one file
per licence and joined when loaded. The joined layers must be exactly the layers as they were
built before the split (commit d16796a): same features, same order, same attributes, and the
same travel times on the road network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest

import geosite
from geosite.data import bundled
from geosite.errors import DataNotFoundError, LayerError

# sha256 of json.dumps(features, sort_keys=True, ensure_ascii=False) of each layer's one file as
# built before the split; industrial_parks without its licence column, which was corrected then
# (its reference points come from app code that states no licence, not from MIT data).
BEFORE_SPLIT = {
    "roads": "6d18b6832843e670f4a7b929d6a2c8ae94c17d2fe305d0881e1cb552ab89325d",
    "ports": "2f9fd90a91f26316d23af9113d827d6d3fce8118ce2d8ee5e821db11e8d02bab",
    "airports": "3b44a25fd36e805fa9e0f9b532dc466d1eee46988f5b3e192b4b7826164b9a58",
    "candidate_sites": "c9d46c634ea3b0522d2f54c6bf7a19f1aad606199fa987dff7d286d234910db0",
    "industrial_parks": "55cee8f254af80a8cdc17dd3660ea95b7f259368d3c233c93748c173b7ccd2e3",
}


def features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def joined_features(info):
    """Join the parts here, with plain json, by the rows the catalogue gives each part."""
    out = [None] * info.feature_count
    for part in info.parts:
        positions = [i for start, stop in part.rows for i in range(start, stop)]
        for position, feature in zip(positions, features(part.path), strict=True):
            assert out[position] is None
            out[position] = feature
    assert None not in out
    return out


def digest(feats, drop=()):
    feats = [
        {**f, "properties": {k: v for k, v in f["properties"].items() if k not in drop}}
        for f in feats
    ]
    return hashlib.sha256(
        json.dumps(feats, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


@pytest.fixture
def fresh_catalog():
    bundled._load_catalog.cache_clear()
    yield
    bundled._load_catalog.cache_clear()


def test_every_file_holds_one_licence():
    files = 0
    for info in bundled.catalog():
        if info.kind != "vector":
            continue
        for part in info.parts or [info]:
            labels = {f["properties"].get("licence") for f in features(part.path)}
            files += 1
            if labels == {None}:  # no per-feature column: the layer's licence is the file's
                assert " AND " not in info.licence, info.name
                continue
            assert len(labels) == 1, (part.file, labels)
            assert labels.pop().startswith(part.licence), part.file
    assert files >= 20


def test_the_layers_that_mix_licences_are_split():
    split = {info.name: info for info in bundled.catalog() if info.parts}
    assert set(split) == set(BEFORE_SPLIT)
    roads = {part.licence: part for part in split["roads"].parts}
    assert set(roads) == {"ODbL-1.0", "CC-BY-SA-4.0", "MIT"}
    assert roads["ODbL-1.0"].licence_file == "LICENSES/ODbL-1.0.txt"
    assert roads["CC-BY-SA-4.0"].licence_file == "LICENSES/CC-BY-SA-4.0.txt"
    for info in split.values():
        assert sum(p.feature_count for p in info.parts) == info.feature_count
        for part in info.parts:
            assert part.path.is_file()
            assert (bundled.layers_dir() / part.licence_file).is_file()
            assert part.source.strip()
            assert part.attribution.strip()


@pytest.mark.parametrize("name", sorted(BEFORE_SPLIT))
def test_joined_layer_is_the_layer_as_built_before_the_split(name):
    info = bundled.layer_info(name)
    feats = joined_features(info)
    drop = ("licence",) if name == "industrial_parks" else ()
    assert digest(feats, drop) == BEFORE_SPLIT[name]
    # read_layer gives what geopandas reads from the one file the parts were cut from
    text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False)
    one_file = gpd.read_file(io.BytesIO(text.encode("utf-8"))).set_crs(
        "EPSG:4326", allow_override=True
    )
    pd.testing.assert_frame_equal(bundled.read_layer(name), one_file, check_exact=True)


def test_travel_times_on_the_joined_roads_are_those_before_the_split():
    """Truck and car times of the bundled ranking, as computed on the one-file roads layer."""
    table = geosite.evaluate(geosite.load_scenario("dong-nam-bo")).table.set_index("site_id")
    before = {
        "long-thanh-digital-119ha": (40.32859540874123, 9.686095226652938),
        "long-thanh-50ha": (40.522524165147544, 9.851222966734433),
        "saigon-hi-tech-park": (65.83346853424167, 31.068741498352157),
        "phu-my-650ha": (12.3341503235166, 22.11967349117186),
        "quang-trung-software-city": (86.24345737916417, 47.101656365728395),
        "binh-duong-it-park": (116.41487928882478, 79.63716790156907),
    }
    for site, (port_min, airport_min) in before.items():
        assert table.loc[site, "port_truck_time_min"] == pytest.approx(port_min, rel=1e-12)
        assert table.loc[site, "long_thanh_airport_time_min"] == pytest.approx(
            airport_min, rel=1e-12
        )


def copy_layers(tmp_path):
    target = tmp_path / "layers"
    shutil.copytree(bundled.layers_dir(), target)
    return target


def test_parts_whose_rows_do_not_tile_the_layer_are_refused(tmp_path, fresh_catalog):
    target = copy_layers(tmp_path)
    doc = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    roads = next(e for e in doc["layers"] if e["name"] == "roads")
    roads["parts"][0]["rows"][0][0] += 1
    (target / "catalog.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(LayerError, match=r"'roads'.*rows of its parts.*build_layers\.py"):
        bundled._load_catalog(target)


def test_a_missing_part_is_named(tmp_path, monkeypatch, fresh_catalog):
    target = copy_layers(tmp_path)
    (target / "roads_national.geojson").unlink()
    monkeypatch.setattr(bundled, "layers_dir", lambda: target)
    with pytest.raises(DataNotFoundError, match=r"'roads' is missing: .*roads_national\.geojson"):
        bundled.read_layer("roads")


def test_a_part_that_lost_features_is_named(tmp_path, monkeypatch, fresh_catalog):
    target = copy_layers(tmp_path)
    path = target / "ports_searoute.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = doc["features"][:1]
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(bundled, "layers_dir", lambda: target)
    with pytest.raises(LayerError, match=r"ports_searoute\.geojson.* holds 1 features"):
        bundled.read_layer("ports")


def test_layer_info_lists_the_parts_and_their_files():
    info = bundled.layer_info("roads")
    assert info.paths == tuple(part.path for part in info.parts)
    assert info.path == info.parts[0].path
    assert dataclasses.asdict(info)["parts"][1]["licence"] == "CC-BY-SA-4.0"
    text = bundled.catalog_markdown()
    for part in info.parts:
        assert f"`layers/{part.file}`" in text
    assert bundled.layer_info("railways").paths == (bundled.layer_info("railways").path,)
