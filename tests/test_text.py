"""Tests of legacy Vietnamese encodings, NFC and diacritic-insensitive name matching."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pandas as pd
import pytest

from geosite.data.text import (
    convert_columns,
    detect_encoding,
    fold,
    legacy_to_unicode,
    looks_legacy,
    match_name,
    nfc,
    parse_encoding,
)
from geosite.errors import DataNotFoundError, ParameterError


def _iconv_tcvn(data: bytes) -> str | None:
    """Decode with the GNU libc TCVN5712-1 converter, an independent implementation."""
    if shutil.which("iconv") is None:
        return None
    run = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=data, capture_output=True, check=False
    )
    return run.stdout.decode("utf-8") if run.returncode == 0 else None


def test_tcvn3_table_agrees_with_glibc_iconv():
    if _iconv_tcvn(b"a") is None:
        pytest.skip("iconv with TCVN5712-1 is not available")
    for byte in range(0x80, 0x100):
        expected = nfc(_iconv_tcvn(bytes([byte])) or "")
        assert legacy_to_unicode(chr(byte), "tcvn3") == expected, hex(byte)


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("§ång Nai", "Đồng Nai"),
        ("Long Thµnh", "Long Thành"),
        ("Thµnh phè Hå ChÝ Minh", "Thành phố Hồ Chí Minh"),
        ("Nh¬n Tr¹ch", "Nhơn Trạch"),
        ("Thñ §øc", "Thủ Đức"),
        ("Bµ RÞa - Vòng Tµu", "Bà Rịa - Vũng Tàu"),
    ],
)
def test_tcvn3_words(legacy, unicode):
    assert legacy_to_unicode(legacy, "tcvn3") == unicode


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        # The published example of the vietnamese-conversion package (duydev, README).
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Ñoàng Nai", "Đồng Nai"),
        ("Bieân Hoøa", "Biên Hòa"),
        ("Nhôn Traïch", "Nhơn Trạch"),
        ("Thuû Ñöùc", "Thủ Đức"),
        ("THAØNH PHOÁ HOÀ CHÍ MINH", "THÀNH PHỐ HỒ CHÍ MINH"),
        ("Baø Ròa - Vuõng Taøu", "Bà Rịa - Vũng Tàu"),
        ("Ñaék Laék", "Đắk Lắk"),
    ],
)
def test_vni_words(legacy, unicode):
    assert legacy_to_unicode(legacy, "vni") == unicode


def test_every_vietnamese_letter_survives_a_vni_round_trip():
    # Encode each NFD letter by the VNI composition rule written out independently here.
    tone = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    hat_tone = {"\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
    breve_tone = {"\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
    i_tone = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
    for vowel in "aăâeêioôơuưy":
        for mark in ["", *tone]:
            letter = nfc(vowel + mark)
            parts = unicodedata.normalize("NFD", letter)
            base, marks = parts[0], parts[1:]
            t = next((m for m in marks if m in tone), "")
            if base == "i":
                code = i_tone.get(t, "i")
            elif base == "y" and t == "\u0323":
                code = "î"
            elif "\u0302" in marks:
                code = base + (hat_tone[t] if t else "â")
            elif "\u0306" in marks:
                code = "a" + (breve_tone[t] if t else "ê")
            elif "\u031b" in marks:
                code = {"o": "ô", "u": "ö"}[base] + tone.get(t, "")
            else:
                code = base + tone.get(t, "")
            assert legacy_to_unicode(code, "vni") == letter, (letter, code)
            assert legacy_to_unicode(code.upper(), "vni") == letter.upper(), (letter, code)


def test_unicode_text_is_left_alone_by_the_converters():
    assert legacy_to_unicode("Đồng Nai", "tcvn3") == "Đồng Nai"
    with pytest.raises(ParameterError, match="'tcvn3', 'vni' or 'cp1258'"):
        legacy_to_unicode("x", "viscii")  # type: ignore[arg-type]


def test_detect_encoding():
    assert detect_encoding(["§ång Nai", "Long Thµnh", "Nh¬n Tr¹ch"]) == "tcvn3"
    assert detect_encoding(["Ñoàng Nai", "Bieân Hoøa"]) == "vni"
    # Unicode names whose letters all lie in Latin-1 must not be "converted".
    assert detect_encoding(["Tân Phú", "Cà Mau", "Hà Nội"]) == "unicode"
    assert detect_encoding(["plain ascii"]) == "unicode"
    assert detect_encoding([]) == "unicode"


def test_convert_columns_declared_and_detected():
    df = pd.DataFrame(
        {
            "ten": ["§ång Nai", "Long Thµnh", None],
            "huyen": ["Nhôn Traïch", "Bieân Hoøa", "Long Khaùnh"],
            "ok": ["Đồng Nai", "Tân Phú", "x"],
            "n": [1, 2, 3],
        }
    )
    out, report = convert_columns(df, layer="parcels")
    assert out["ten"].tolist()[:2] == ["Đồng Nai", "Long Thành"]
    assert out["ten"].isna().tolist() == [False, False, True]
    assert out["huyen"].tolist() == ["Nhơn Trạch", "Biên Hòa", "Long Khánh"]
    assert out["ok"].tolist() == ["Đồng Nai", "Tân Phú", "x"]
    assert {(r.column, r.encoding, r.changed, r.detected) for r in report} == {
        ("ten", "tcvn3", 2, True),
        ("huyen", "vni", 3, True),
    }
    assert "column 'ten': 2 value(s) converted from tcvn3 (detected)" in str(report[0])
    assert df["ten"][0] == "§ång Nai"  # the input is not modified

    out, report = convert_columns(df, encoding="tcvn3", columns=["ten"])
    assert out["ten"][0] == "Đồng Nai"
    assert report[0].detected is False
    with pytest.raises(ParameterError, match=r"no column\(s\) \['name'\]"):
        convert_columns(df, columns=["name"])


def test_convert_columns_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Đồng Nai")
    out, report = convert_columns(pd.DataFrame({"ten": [decomposed]}), encoding="unicode")
    assert out["ten"][0] == "Đồng Nai"
    assert report == []


def test_parse_encoding():
    assert parse_encoding("TCVN3") == "tcvn3"
    assert parse_encoding("vni windows") == "vni"
    assert parse_encoding("UTF-8") == "unicode"
    assert parse_encoding("Windows-1258") == "cp1258"
    with pytest.raises(ParameterError, match=r"'viscii' is not a text encoding.*'tcvn3'"):
        parse_encoding("viscii")


def _windows_1258(text: str) -> str:
    """Encode ``text`` as Windows-1258 (tones as combining marks), read back as Latin-1.

    Built from Python's own cp1258 codec, independent of geosite's converter.
    """
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out.decode("latin-1")


def test_windows_1258_is_detected_and_converted():
    names = ["Đồng Nai", "Long Thành", "Phước Thiền", "Bà Rịa – Vũng Tàu", "Nhơn Trạch"]
    legacy = [_windows_1258(n) for n in names]
    assert legacy[0] == "\xd0\xf4\xccng Nai"  # Đ, ô, combining grave: the code page's bytes
    assert looks_legacy(legacy)
    assert detect_encoding(legacy) == "cp1258"
    assert [legacy_to_unicode(v, "cp1258") for v in legacy] == names


def test_unicode_text_with_latin1_letters_is_not_taken_for_legacy():
    assert not looks_legacy(["Long Thành – 50 ha", "Cát Lái", "10°45′N"])
    assert not looks_legacy(["Ñoàng Nai", "Đồng Nai"])  # a Unicode-only letter settles it
    assert looks_legacy(["§ång Nai"])


def test_fold():
    assert fold("Bà Rịa–Vũng Tàu") == "ba ria vung tau"
    assert fold("ĐỒNG NAI") == fold("dong nai") == "dong nai"
    assert fold(unicodedata.normalize("NFD", "Long Thành")) == "long thanh"


def test_match_name_with_and_without_diacritics():
    names = ["Long Thành", "Nhơn Trạch", "Biên Hòa"]
    assert match_name("Long Thanh", names) == "Long Thành"
    assert match_name("LONG THÀNH", names) == "Long Thành"
    assert match_name(unicodedata.normalize("NFD", "Nhơn Trạch"), names) == "Nhơn Trạch"
    assert match_name("Dong Nai", ["Tỉnh Đồng Nai"], ignore_unit_prefix=True) == "Tỉnh Đồng Nai"


def test_match_name_is_never_ambiguous():
    names = ["Long Thành", "Long Thạnh"]
    with pytest.raises(ParameterError, match=r"ambiguous.*'Long Thành' and 'Long Thạnh'"):
        match_name("Long Thanh", names, what="ward")
    # Written with its diacritics, the name is exact and wins.
    assert match_name("Long Thạnh", names) == "Long Thạnh"


def test_match_name_not_found_suggests():
    with pytest.raises(DataNotFoundError, match=r"no province named 'Dong Na'.*'Đồng Nai'"):
        match_name("Dong Na", ["Đồng Nai", "Bình Dương"], what="province")


def _districts():
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame(
        {"huyen": ["Long Thành", "Long Thạnh", "Nhơn Trạch"], "n": [1, 2, 3]},
        geometry=[shapely.Point(0, 0)] * 3,
        crs=4326,
    )


def test_where_filters_match_names_without_diacritics():
    from geosite.data.io import filter_where

    gdf = _districts()
    assert filter_where(gdf, {"huyen": "nhon trach"}, layer="parcels")["n"].tolist() == [3]
    assert filter_where(gdf, {"huyen": ["Long Thành", "NHƠN TRẠCH"]}, layer="p")["n"].tolist() == [
        1,
        3,
    ]
    decomposed = unicodedata.normalize("NFD", "Long Thạnh")
    assert filter_where(gdf, {"huyen": decomposed}, layer="p")["n"].tolist() == [2]


def test_where_filters_refuse_ambiguous_names():
    from geosite.data.io import filter_where

    with pytest.raises(
        ParameterError, match=r"layer 'parcels': .*'Long Thanh' is ambiguous.*'Long Thành' and"
    ):
        filter_where(_districts(), {"huyen": "Long Thanh"}, layer="parcels")
    with pytest.raises(DataNotFoundError, match=r"no feature has huyen = 'Bien Hoa'"):
        filter_where(_districts(), {"huyen": "Bien Hoa"}, layer="parcels")


def test_read_vector_refuses_an_unknown_encoding(tmp_path):
    from geosite.data.bundled import layer_path
    from geosite.data.io import read_vector

    with pytest.raises(ParameterError, match=r"'latin-9' is not a text encoding"):
        read_vector(layer_path("ports"), encoding="latin-9")


def test_auto_detection_keeps_utf8_shapefiles(tmp_path):
    import geopandas as gpd
    import shapely

    from geosite.data.io import read_vector

    names = ["Đồng Nai", "Tân Phú", "Long Thành"]
    gdf = gpd.GeoDataFrame({"ten": names}, geometry=[shapely.Point(0, 0)] * 3, crs=4326)
    gdf.to_file(tmp_path / "utf8.shp", encoding="utf-8")
    out = read_vector(tmp_path / "utf8.shp", encoding="auto")
    assert out["ten"].tolist() == names
    assert detect_encoding(["Ä\x90á»\x93ng Nai"]) == "utf8"
