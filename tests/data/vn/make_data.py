"""Write the VN-2000 / legacy-encoding test parcels in this folder.

Six parcels near Long Thành and Nhơn Trạch (Đồng Nai) in three forms:

- ``parcels_wgs84.geojson``: WGS 84 degrees, Unicode names (the reference);
- ``parcels_tm3_dongnai_tcvn3.shp``: the same parcels in VN-2000 / TM-3 107-45 (EPSG:5899),
  attribute table in TCVN3 (ABC) bytes, no ``.cpg`` (as old cadastral files come);
- ``parcels_tm3_dongnai_vni.shp``: the same in VNI-Windows bytes.

The legacy bytes are produced by GNU libc's ``iconv -t TCVN5712-1`` and by the VNI-Windows
composition rule written out below, independently of ``geosite.data.text``. Run from the repository
root: ``python tests/data/vn/make_data.py``.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import geopandas as gpd
import shapely

HERE = Path(__file__).parent

# (id, name, district, ward, land use, centre lon, centre lat)
PARCELS = [
    (
        "DN-01",
        "Lô công nghiệp Long Thành 1",
        "Long Thành",
        "Thị trấn Long Thành",
        "Đất công nghiệp",
        106.9530,
        10.7820,
    ),
    (
        "DN-02",
        "Khu Nhơn Trạch 3 mở rộng",
        "Nhơn Trạch",
        "Xã Hiệp Phước",
        "Đất công nghiệp",
        106.9030,
        10.7260,
    ),
    (
        "DN-03",
        "Bãi kho vận Phước Thiền",
        "Nhơn Trạch",
        "Xã Phước Thiền",
        "Đất thương mại, dịch vụ",
        106.9260,
        10.7540,
    ),
    ("DN-04", "Đồi Bình Sơn", "Long Thành", "Xã Bình Sơn", "Đất nông nghiệp", 107.0150, 10.8040),
    ("DN-05", "Ấp Bàu Cạn", "Long Thành", "Xã Bàu Cạn", "Đất trồng cây lâu năm", 107.0710, 10.7440),
    (
        "DN-06",
        "Cảng cạn Tam Phước",
        "Biên Hòa",
        "Phường Tam Phước",
        "Đất giao thông",
        106.8990,
        10.8560,
    ),
]

HALF = 0.0015  # half the side of each square parcel, degrees (~165 m)

TONE_VNI = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
HAT_VNI = {"\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
BREVE_VNI = {"\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
I_VNI = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(text: str) -> str:
    """Encode Unicode text in VNI-Windows, returned as the Latin-1 characters of its bytes."""
    out = []
    for char in text:
        upper = char.isupper()
        parts = unicodedata.normalize("NFD", char.lower())
        base, marks = parts[0], parts[1:]
        tone = next((m for m in marks if m in TONE_VNI), "")
        if base == "đ":
            code = "ñ"
        elif not marks:
            code = base
        elif base == "i":
            code = I_VNI[tone]
        elif base == "y" and tone == "\u0323":
            code = "î"
        elif "\u0302" in marks:
            code = base + (HAT_VNI[tone] if tone else "â")
        elif "\u0306" in marks:
            code = base + (BREVE_VNI[tone] if tone else "ê")
        elif "\u031b" in marks:
            code = {"o": "ô", "u": "ö"}[base] + TONE_VNI.get(tone, "")
        else:
            code = base + TONE_VNI[tone]
        out.append(code.upper() if upper else code)
    return "".join(out)


def to_tcvn3(text: str) -> str:
    """Encode Unicode text in TCVN 5712 with GNU iconv, as the Latin-1 characters of its bytes."""
    run = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"],
        input=unicodedata.normalize("NFC", text).encode(),
        capture_output=True,
        check=True,
    )
    return run.stdout.decode("latin-1")


def main() -> None:
    rows = [
        {"ma_lo": pid, "ten": name, "huyen": district, "xa": ward, "loai_dat": use}
        for pid, name, district, ward, use, _, _ in PARCELS
    ]
    geoms = [
        shapely.box(lon - HALF, lat - HALF, lon + HALF, lat + HALF) for *_, lon, lat in PARCELS
    ]
    wgs = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    wgs.to_file(HERE / "parcels_wgs84.geojson", driver="GeoJSON")
    tm3 = wgs.to_crs(5899)
    text_columns = ["ten", "huyen", "xa", "loai_dat"]
    for suffix, encode in (("tcvn3", to_tcvn3), ("vni", to_vni)):
        legacy = tm3.copy()
        for column in text_columns:
            legacy[column] = legacy[column].map(encode)
        path = HERE / f"parcels_tm3_dongnai_{suffix}.shp"
        legacy.to_file(path, encoding="latin1")
        path.with_suffix(".cpg").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
