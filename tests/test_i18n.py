"""Tests of the English/Vietnamese catalogue and number formatting."""

from __future__ import annotations

import math
import string

import pytest

from geosite.errors import ParameterError
from geosite.i18n import (
    CATALOGUE,
    LANGUAGES,
    Translator,
    check_language,
    format_date,
    format_number,
    format_quantity,
    localized,
    translate,
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_exists_in_every_language_with_the_same_placeholders(key):
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES)
    assert _fields(entry["en"]) == _fields(entry["vi"])
    for text in entry.values():
        assert text == text.strip()


def test_vietnamese_messages_are_nfc():
    import unicodedata

    for entry in CATALOGUE.values():
        assert unicodedata.is_normalized("NFC", entry["vi"])


def test_translate_fills_placeholders():
    assert translate("map.measured_to", "vi", title="Sân bay Long Thành") == (
        "Đo đến: Sân bay Long Thành"
    )
    assert translate("popup.rank_total", "en", rank=1, score="0.812") == (
        "Rank 1 · total score 0.812"
    )


def test_translate_defaults_to_english():
    assert translate("popup.weight") == "Weight"


def test_unknown_key_suggests_close_keys():
    with pytest.raises(ParameterError, match=r"no message 'popup.wieght'.*'popup.weight'"):
        translate("popup.wieght", "vi")


def test_missing_placeholder_is_named():
    with pytest.raises(ParameterError, match=r"needs the value\(s\) \['title'\]"):
        translate("map.measured_to", "en")


def test_unknown_language_lists_the_choices():
    with pytest.raises(ParameterError, match=r"'fr'.*'en' \(English\) or 'vi'"):
        translate("popup.rank", "fr")  # type: ignore[arg-type]
    assert check_language("VI") == "vi"


@pytest.mark.parametrize(
    ("value", "decimals", "en", "vi"),
    [
        (1234.5, 1, "1,234.5", "1.234,5"),
        (1234567.891, 2, "1,234,567.89", "1.234.567,89"),
        (0.5, 0, "0", "0"),  # round half to even, as Python does
        (-1234.25, 1, "-1,234.2", "-1.234,2"),
        (999.96, 1, "1,000.0", "1.000,0"),
        (-0.04, 1, "0.0", "0,0"),
        (12, 0, "12", "12"),
    ],
)
def test_format_number(value, decimals, en, vi):
    assert format_number(value, "en", decimals=decimals) == en
    assert format_number(value, "vi", decimals=decimals) == vi


def test_format_number_non_finite_and_bad_decimals():
    assert format_number(math.nan, "vi", decimals=1) == "–"
    assert format_number(None, "en", decimals=1) == "–"
    assert format_number(math.inf, "en", decimals=1) == "∞"
    with pytest.raises(ParameterError, match="decimals must be 0 or more"):
        format_number(1.0, "en", decimals=-1)


@pytest.mark.parametrize(
    ("value", "unit", "en", "vi"),
    [
        (850.2, "m", "850 m", "850 m"),
        (12345.6, "m", "12.3 km", "12,3 km"),
        (1500.0, "km", "1,500.0 km", "1.500,0 km"),
        (42.25, "min", "42.2 min", "42,2 phút"),
        (1.5, "h", "1.5 h", "1,5 giờ"),
        (1520.0, "count", "1,520", "1.520"),
        (0.125, "share", "12.5%", "12,5%"),
        (1234.56, "ha", "1,234.6 ha", "1.234,6 ha"),
        (0.012345, "", "0.01235", "0,01235"),
        (12.5, "dB", "12.50 dB", "12,50 dB"),
        (math.nan, "m", "–", "–"),
    ],
)
def test_format_quantity(value, unit, en, vi):
    assert format_quantity(value, unit, "en") == en
    assert format_quantity(value, unit, "vi") == vi


def test_translator_binds_a_language():
    t = Translator("vi")
    assert t("legend.excluded") == "Bị loại"
    assert t.number(1234.5, decimals=1) == "1.234,5"
    assert t.quantity(2500.0, "m") == "2,5 km"
    with pytest.raises(ParameterError, match="'de'"):
        Translator("de")  # type: ignore[arg-type]


def test_format_date():
    import datetime as dt

    day = dt.date(2025, 7, 1)
    assert format_date(day, "en") == "1 July 2025"
    assert format_date(day, "vi") == "01/07/2025"
    assert Translator("vi").date(day) == "01/07/2025"


def test_localized_text():
    title = {"en": "Distance to port", "vi": "Khoảng cách đến cảng"}
    assert localized(title, "vi") == "Khoảng cách đến cảng"
    assert localized(title, "en") == "Distance to port"
    assert localized({"en": "Port"}, "vi") == "Port"
    assert localized({"vi": "Cảng"}, "en") == "Cảng"
    assert localized("as written", "vi") == "as written"
    assert Translator("vi").text(title) == "Khoảng cách đến cảng"
    with pytest.raises(ParameterError, match="at least one language"):
        localized({}, "en")


def test_scenario_texts_may_be_given_per_language(tiny_project) -> None:
    import jsonschema
    import yaml

    from geosite import evaluate
    from geosite.errors import ScenarioError
    from geosite.render import result_to_map
    from geosite.scenario import load_scenario, scenario_json_schema

    path = tiny_project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: tiny\n", "name: {en: Tiny zone, vi: Vùng nhỏ}\n")
    text = text.replace(
        "  - name: port_distance\n",
        "  - name: port_distance\n    label: {en: Distance to the port, vi: Khoảng cách đến cảng}\n",
    )
    text = text.replace(
        "{type: min_area, min_ha: 5}", "{type: min_area, min_ha: 5, name: {vi: ít nhất 5 ha}}"
    )
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "Tiny zone"  # as a string: English, the default
    assert localized(scenario.name, "vi") == "Vùng nhỏ"
    assert localized(scenario.criteria[0].title, "vi") == "Khoảng cách đến cảng"
    assert localized(scenario.constraints[0].label(), "en") == "ít nhất 5 ha"  # the only one
    jsonschema.validate(yaml.safe_load(text), scenario_json_schema())
    page = result_to_map(evaluate(scenario), lang="vi").get_root().render()
    assert "Khoảng cách đến cảng" in page
    assert "Distance to the port" not in page
    assert "Vùng nhỏ" in page
    # A plain string still works, and a language geosite does not write is refused by name.
    path.write_text(text.replace("vi: Vùng nhỏ", "fr: Petite zone"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"name: unknown language\(s\) \['fr'\]"):
        load_scenario(path)


def test_no_vietnamese_message_quotes_a_key() -> None:
    # A key quoted in a message (`{layer!r}`) shows the scenario's identifier to the reader;
    # in Vietnamese a layer, network, column or raster is named in words instead.
    import re

    from geosite.i18n import CATALOGUE

    quoting = [key for key, texts in CATALOGUE.items() if re.search(r"\{\w+!r\}", texts["vi"])]
    assert quoting == []


def test_reasons_name_networks_and_layers_in_the_readers_words() -> None:
    from geosite.i18n import layer_name, localized, network_name, phrase

    reason = phrase(
        "reason.road_too_far",
        network=network_name("trunk_truck", profile="truck"),
        distance=15101.0,
        limit=15000.0,
    )
    assert str(reason) == (
        "nearest road of network 'trunk_truck' is 15,101 m away, more than max_snap_m = 15,000 m"
    )
    assert localized(reason, "vi") == (
        "đường gần nhất của mạng lưới đường bộ cho xe tải cách 15.101 m, xa hơn khoảng cách "
        "nối tối đa 15.000 m"
    )
    unreachable = phrase(
        "reason.unreachable",
        layer=layer_name("airports"),
        network=network_name("trunk_car", profile="car"),
    )
    assert "'airports'" in str(unreachable)
    assert "lớp Cảng hàng không trên mạng lưới đường bộ cho xe con" in localized(unreachable, "vi")


def test_a_rule_on_a_criterion_names_it_by_its_label_in_vietnamese(tmp_path) -> None:
    import re
    from pathlib import Path

    from geosite import evaluate
    from geosite.i18n import localized

    text = (Path(__file__).parent.parent / "scenarios" / "dong-nam-bo.yaml").read_text("utf-8")
    text = text.replace(
        "constraints:\n",
        "constraints:\n  - {type: criterion, criterion: port_truck_time, max: 60}\n",
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = evaluate(path)
    reasons = [r for r in result.table["exclusion_reason"] if isinstance(r, str) and r]
    assert reasons  # the far-from-port candidates are left out
    for reason in reasons:
        assert "port_truck_time" in str(reason)  # English keeps the scenario's key
        vi = localized(reason, "vi")
        assert "Thời gian xe tải đến cảng Cái Mép – Thị Vải" in vi, vi
        assert re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", vi) is None, vi
