"""The folium map: what it draws, and that data text cannot inject HTML."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geosite import evaluate, result_to_map
from geosite.errors import ParameterError
from geosite.render.map import format_value


def test_map_has_one_shape_popup_and_label_per_candidate(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    html = result_to_map(result).get_root().render()
    assert html.count("geosite-scorecard") == 3
    assert html.count("geosite-rank") == 3
    for name in ("Site A", "Site B", "Site C"):
        assert name in html
    assert "Excluded</b>: area 4.0 ha &lt; 5 ha" in html
    assert "Total suitability score" in html
    assert "Measured to: Port distance" in html


def test_names_from_data_are_escaped(tiny_project: Path) -> None:
    path = tiny_project / "data" / "candidates.gpkg"
    gdf = gpd.read_file(path, layer="sites")
    gdf.loc[0, "name"] = "<script>alert(1)</script>"
    gdf.to_file(path, layer="sites")
    html = result_to_map(evaluate(tiny_project / "scenario.yaml")).get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_map_options_are_checked(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    with pytest.raises(ParameterError, match="classes"):
        result_to_map(result, classes=9)
    with pytest.raises(ParameterError, match="basemap"):
        result_to_map(result, basemap="google")  # type: ignore[arg-type]


def test_bundled_map_draws_facilities_and_attributions() -> None:
    html = result_to_map(evaluate("dong-nam-bo")).get_root().render()
    assert html.count("geosite-scorecard") == 6
    assert "Cảng hàng không quốc tế Tân Sơn Nhất" in html
    assert "addAttribution" in html


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (999.4, "m", "999 m"),
        (1500.0, "m", "1.5 km"),
        (12.34, "min", "12.3 min"),
        (0.256, "share", "25.6 %"),
        (float("nan"), "m", "n/a"),
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
