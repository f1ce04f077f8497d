"""A criterion's measure in words: every ``where`` filter said in both languages, with counts.

Expected sentences are written by hand; feature counts come from the bundled layer files
read and filtered with geopandas alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pytest

from geosite import evaluate
from geosite.data import bundled
from geosite.render.measure_text import measure_sentence, where_text
from geosite.scenario import load_scenario

if TYPE_CHECKING:
    from pathlib import Path

    from geosite.analysis import CriterionSummary, Result


@pytest.mark.parametrize(
    ("where", "layer", "en", "vi"),
    [
        # equality on a column and values the catalogue names
        ({"kind": "deepwater_port"}, "ports", "kind is deep-water port", "loại là cảng nước sâu"),
        # a list of values: any of them
        (
            {"class": ["motorway", "trunk", "primary"]},
            "roads",
            "class is expressway, national highway or primary road",
            "cấp đường là đường cao tốc, quốc lộ hoặc đường chính",
        ),
        # numbers, in each language's convention
        (
            {"voltage_kv": [220, 500]},
            "power_lines",
            "voltage (kV) is 220 or 500",
            "điện áp (kV) là 220 hoặc 500",
        ),
        (
            {"area_ha": 1250.5},
            "industrial_parks",
            "area (ha) is 1,250.5",
            "diện tích (ha) là 1.250,5",
        ),
        # true and false
        ({"international": True}, "airports", "international is yes", "quốc tế là có"),
        ({"international": False}, "airports", "international is no", "quốc tế là không"),
        # several columns: all of them
        (
            {"status": ["open", "partly_open"], "lanes": 4},
            "roads",
            "status is open or partly open and number of lanes is 4",
            "tình trạng là đang khai thác hoặc khai thác một phần và số làn xe là 4",
        ),
        # a layer of the user's own: its column and values in words, underscores as spaces
        (
            {"flood_risk": ["very_high", "high"]},
            None,
            "flood risk is very high or high",
            "flood risk là very high hoặc high",
        ),
        # the id and name columns of a bundled layer, their values as written
        (
            {"port_id": "cai-mep-thi-vai"},
            "ports",
            "id is cai-mep-thi-vai",
            "mã là cai-mep-thi-vai",
        ),
        (
            {"name": ["Long Thành", "Tân Sơn Nhất"]},
            "airports",
            "name is Long Thành or Tân Sơn Nhất",
            "tên là Long Thành hoặc Tân Sơn Nhất",
        ),
    ],
)
def test_every_kind_of_where_in_both_languages(
    where: dict[str, object], layer: str | None, en: str, vi: str
) -> None:
    assert where_text(where, "en", layer=layer) == en
    assert where_text(where, "vi", layer=layer) == vi


def _kept(layer: str, where: dict[str, object]) -> int:
    """Count the features of a bundled layer a ``where`` keeps, read with geopandas alone."""
    info = bundled.layer_info(layer)
    gdf = pd.concat([gpd.read_file(path) for path in info.paths], ignore_index=True)
    mask = pd.Series(True, index=gdf.index)
    for column, wanted in where.items():
        mask &= gdf[column].isin(wanted if isinstance(wanted, list) else [wanted])
    drawn = gdf.geometry.notna() & ~gdf.geometry.is_empty
    return int((mask & drawn).sum())


def _layer(summary: CriterionSummary) -> object:
    return getattr(summary.criterion.measure, "layer", None)


@pytest.fixture(scope="module")
def data_centre() -> Result:
    return evaluate("data-centre")


def test_bundled_scenarios_say_their_filters_and_count_after_them(data_centre: Result) -> None:
    result = evaluate("dong-nam-bo")
    trunk = next(c for c in result.criteria if c.name == "trunk_road_distance")
    n = _kept("roads", {"class": ["motorway", "trunk"]})
    assert n < _kept("roads", {})  # the filter drops features: the count must be after it
    assert measure_sentence(trunk, result) == (
        "Straight-line distance from the parcel's edge to the nearest of Roads whose class "
        f"is expressway or national highway ({n:,} features), measured to the line"
    )
    assert measure_sentence(trunk, result, "vi") == (
        "Khoảng cách theo đường thẳng từ ranh thửa đất đến đối tượng gần nhất trong Đường bộ "
        f"có cấp đường là đường cao tốc hoặc quốc lộ ({n:,} đối tượng), đo đến tuyến".replace(
            f"{n:,}", f"{n:,}".replace(",", ".")
        )
    )

    lines = next(c for c in data_centre.criteria if _layer(c) == "power_lines")
    kept = _kept("power_lines", {"voltage_kv": [220, 500]})
    assert f"Power lines whose voltage (kV) is 220 or 500 ({kept} features)" in measure_sentence(
        lines, data_centre
    )
    assert f"có điện áp (kV) là 220 hoặc 500 ({kept} đối tượng)" in measure_sentence(
        lines, data_centre, "vi"
    )
    schools = next(c for c in data_centre.criteria if _layer(c) == "universities")
    kept = _kept("universities", {"kind": "university"})
    assert f"whose kind is university ({kept} features)" in measure_sentence(schools, data_centre)
    assert f"có loại là đại học ({kept} đối tượng)" in measure_sentence(schools, data_centre, "vi")


def test_features_picked_by_id_are_named_instead(data_centre: Result) -> None:
    port = next(c for c in data_centre.criteria if _layer(c) == "ports")
    sentence = measure_sentence(port, data_centre, "vi")
    assert "Cảng biển (Cảng Cái Mép – Thị Vải)" in sentence
    assert "cai-mep-thi-vai" not in sentence


def test_a_filter_of_the_layer_and_of_the_measure_are_both_said(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "my_ports: {path: data/ports.gpkg, id: port_id}",
        "my_ports: {path: data/ports.gpkg, id: port_id, where: {kind: port}}",
    ).replace(
        "measure: {type: distance, layer: my_ports}",
        "measure: {type: distance, layer: my_ports, where: {port_id: [p1, p2]}}",
    )
    path.write_text(text, encoding="utf-8")
    result = evaluate(load_scenario(path))
    summary = result.criteria[0]
    # Both ports are named: the id filter is said by their names, the kind filter in words.
    assert measure_sentence(summary, result) == (
        "Straight-line distance from the parcel's edge to the nearest of My ports whose kind "
        "is port (Port One, Port Two), measured to its point"
    )
