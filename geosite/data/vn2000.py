"""VN-2000, the Vietnamese national coordinate system, by name; datum-shift and no-CRS checks.

Cadastral and planning data in Vietnam are in VN-2000: the WGS 84 ellipsoid on a local datum,
projected either in 6-degree UTM zones (EPSG:3405 zone 48N, EPSG:3406 zone 49N; scale 0.9996)
or, for cadastral and large-scale maps, in the 3-degree "TM-3" zone of each province: a
Transverse Mercator with the province's own central meridian, scale factor 0.9999 and a false
easting of 500 000 m (Circular 973/2001/TT-TCĐC of the General Department of Land
Administration). :func:`vn2000_crs` turns the names planners use into a CRS::

    vn2000_crs("VN-2000 Đồng Nai")        # EPSG:5899, TM-3 107°45'
    vn2000_crs("VN-2000 / TM-3 105-45")   # EPSG:9210
    vn2000_crs("VN2000 UTM 48N")          # EPSG:3405
    vn2000_crs("VN-2000")                 # EPSG:4756, degrees

Central meridians
-----------------
:data:`PROVINCE_MERIDIANS` lists the 63 provinces of 2001-2025 with the central meridian
Circular 973/2001/TT-TCĐC assigns them. The values are those of the EPSG Geodetic Parameter
Dataset (as shipped in PROJ's ``proj.db``): each VN-2000 TM-3 CRS there names the provinces it
is used in (EPSG:9205-9218, 5899, and the second areas of use of EPSG:5897 and 5898);
``tests/test_vn2000.py`` checks every entry against that database. The table follows the
provinces as they were before the July 2025 mergers, because that is how existing data were
projected: a 2025 province formed from provinces with different meridians (Đồng Nai with the
former Bình Phước, for instance) holds data in both, so name the former province when the
data come from it.

Datum shift to WGS 84
---------------------
PROJ 9 knows two VN-2000 to WGS 84 transformations, both 7-parameter Helmert transformations
with a stated accuracy of 1 m and the EPSG remark "academic research, not officially
adopted": EPSG:5194 "VN-2000 to WGS 84 (1)" for the Mekong delta blocks (104.24-107.11° E,
9.35-11.04° N, which includes Ho Chi Minh City, Biên Hòa, Long Thành and Vũng Tàu) and
EPSG:6960 "VN-2000 to WGS 84 (2)" for all of Vietnam. pyproj (and so geopandas' ``to_crs``)
chooses per point: EPSG:5194 inside its box, EPSG:6960 elsewhere; the two differ by about
0.8 m in Đông Nam Bộ. The shift itself is about 226 m (measured at Long Thành: a point in
VN-2000 degrees lies 226 m from the same numbers read as WGS 84).

A layer whose CRS has the WGS 84 ellipsoid but no datum shift (a ``.prj`` with an
unrecognised datum name and no TOWGS84, a TOWGS84 of zeros, or a TM-3 zone labelled "WGS 84")
puts every feature about 226 m off. :func:`check_datum_shift` finds such layers and reports
the offset, measured by transforming the layer's centre both ways.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import pyproj
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.transformer import TransformerGroup

from geosite.data.text import fold, name_key
from geosite.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "PROVINCE_MERIDIANS",
    "TM3_EPSG",
    "CRSCandidate",
    "DatumShiftProblem",
    "Transformation",
    "apply_declared_crs",
    "check_datum_shift",
    "datum_shift_problem",
    "datum_transformations",
    "describe_vn2000",
    "is_vn2000_name",
    "likely_crs",
    "no_crs_hint",
    "province_meridian",
    "restores_datum_shift",
    "tm3_crs",
    "vn2000_crs",
]

logger = logging.getLogger(__name__)

#: The geographic VN-2000 CRS.
VN2000_GEOGRAPHIC: Final = 4756

#: Scale factor of the 3-degree provincial zones.
TM3_SCALE: Final = 0.9999

#: EPSG code of the VN-2000 TM-3 CRS with each central meridian (degrees east).
TM3_EPSG: Final[dict[float, int]] = {
    102.0: 5896,  # TM-3 zone 481
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,  # TM-3 zone 482
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.0: 5898,  # TM-3 zone 491
    108.25: 9217,
    108.5: 9218,
}

#: EPSG code of the VN-2000 UTM zones.
UTM_EPSG: Final[dict[int, int]] = {48: 3405, 49: 3406}

# Central meridian of each province (before July 2025), per Circular 973/2001/TT-TCĐC as
# recorded in the EPSG dataset's areas of use; see the module docstring.
_MERIDIAN_PROVINCES: Final[dict[float, tuple[str, ...]]] = {
    103.0: ("Điện Biên", "Lai Châu"),
    104.0: ("Sơn La",),
    104.5: ("Cà Mau", "Kiên Giang"),
    104.75: ("An Giang", "Lào Cai", "Nghệ An", "Phú Thọ", "Yên Bái"),
    105.0: (
        "Hà Nội",
        "Hà Nam",
        "Ninh Bình",
        "Thanh Hóa",
        "Vĩnh Phúc",
        "Cần Thơ",
        "Bạc Liêu",
        "Đồng Tháp",
        "Hậu Giang",
    ),
    105.5: (
        "Bắc Ninh",
        "Hà Giang",
        "Hà Tĩnh",
        "Hải Dương",
        "Hưng Yên",
        "Nam Định",
        "Sóc Trăng",
        "Tây Ninh",
        "Thái Bình",
        "Trà Vinh",
        "Vĩnh Long",
    ),
    105.75: (
        "Hải Phòng",
        "Hồ Chí Minh",
        "Bến Tre",
        "Bình Dương",
        "Cao Bằng",
        "Long An",
        "Tiền Giang",
    ),
    106.0: ("Hòa Bình", "Quảng Bình", "Tuyên Quang"),
    106.25: ("Bình Phước", "Quảng Trị"),
    106.5: ("Bắc Kạn", "Thái Nguyên"),
    107.0: ("Bắc Giang", "Thừa Thiên Huế"),
    107.25: ("Lạng Sơn",),
    107.5: ("Kon Tum",),
    107.75: ("Quảng Ninh", "Đà Nẵng", "Quảng Nam", "Bà Rịa - Vũng Tàu", "Đồng Nai", "Lâm Đồng"),
    108.0: ("Quảng Ngãi",),
    108.25: ("Bình Định", "Khánh Hòa", "Ninh Thuận"),
    108.5: ("Bình Thuận", "Đắk Lắk", "Đắk Nông", "Gia Lai", "Phú Yên"),
}

#: Central meridian (degrees east) of each province's VN-2000 TM-3 zone, before July 2025.
PROVINCE_MERIDIANS: Final[dict[str, float]] = {
    province: meridian
    for meridian, provinces in _MERIDIAN_PROVINCES.items()
    for province in provinces
}

# Other names planners write for a province (matched without diacritics as well).
_PROVINCE_ALIASES: Final[dict[str, str]] = {
    "Thành phố Hồ Chí Minh": "Hồ Chí Minh",
    "TP HCM": "Hồ Chí Minh",
    "TPHCM": "Hồ Chí Minh",
    "HCM": "Hồ Chí Minh",
    "HCMC": "Hồ Chí Minh",
    "Ho Chi Minh City": "Hồ Chí Minh",
    "Sài Gòn": "Hồ Chí Minh",
    "Saigon": "Hồ Chí Minh",
    "BR-VT": "Bà Rịa - Vũng Tàu",
    "BRVT": "Bà Rịa - Vũng Tàu",
    "Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Huế": "Thừa Thiên Huế",
    "Bắc Cạn": "Bắc Kạn",
    "Hanoi": "Hà Nội",
    "Da Nang": "Đà Nẵng",
    "Hai Phong": "Hải Phòng",
    "Can Tho": "Cần Thơ",
    "Hà Tây": "Hà Nội",  # merged into Hà Nội in 2008; EPSG still lists it under 105°00'
}


def _dms(meridian: float) -> str:
    degrees = int(meridian)
    minutes = round((meridian - degrees) * 60)
    return f"{degrees}°{minutes:02d}'"


def _zone_label(meridian: float) -> str:
    degrees = int(meridian)
    minutes = round((meridian - degrees) * 60)
    return f"{degrees}-{minutes:02d}"


def province_meridian(province: str) -> tuple[str, float]:
    """Return a province's official name and the central meridian of its TM-3 zone.

    Parameters
    ----------
    province
        A province as it was before July 2025, with or without diacritics or a prefix such
        as "Tỉnh" ("Đồng Nai", "dong nai", "Tỉnh Đồng Nai", "TP HCM", "BR-VT").

    Raises
    ------
    CRSError
        If no province or several match.

    Examples
    --------
    >>> province_meridian("Dong Nai")
    ('Đồng Nai', 107.75)
    >>> province_meridian("TP.HCM")
    ('Hồ Chí Minh', 105.75)
    """
    names = {**{p: p for p in PROVINCE_MERIDIANS}, **_PROVINCE_ALIASES}
    keys: dict[str, set[str]] = {}
    for name, canonical in names.items():
        keys.setdefault(name_key(name, ignore_unit_prefix=True), set()).add(canonical)
    wanted = name_key(province, ignore_unit_prefix=True)
    found = keys.get(wanted, set())
    if len(found) == 1:
        name = found.pop()
        return name, PROVINCE_MERIDIANS[name]
    if found:
        listed = " and ".join(repr(n) for n in sorted(found))
        msg = f"province {province!r} is ambiguous: it matches {listed}"
        raise CRSError(msg)
    hints = difflib.get_close_matches(wanted, keys, n=2)
    suggestion = sorted({n for h in hints for n in keys[h]})
    msg = f"no province named {province!r}"
    if suggestion:
        msg += f"; did you mean {' or '.join(repr(n) for n in suggestion)}?"
    msg += (
        "; VN-2000 TM-3 zones are known for the 63 provinces before July 2025 "
        "(Circular 973/2001/TT-TCĐC), e.g. 'VN-2000 Đồng Nai'; or give the central meridian, "
        "e.g. 'VN-2000 TM-3 107-45'"
    )
    raise CRSError(msg)


def tm3_crs(meridian: float) -> pyproj.CRS:
    """Return the VN-2000 TM-3 CRS with ``meridian`` as central meridian (degrees east).

    The EPSG CRS when one exists; otherwise a Transverse Mercator (scale 0.9999, false
    easting 500 000 m) on the VN-2000 geographic CRS, so the same datum transformations apply.

    Examples
    --------
    >>> tm3_crs(107.75).to_epsg(), tm3_crs(109.0).name
    (5899, 'VN-2000 / TM-3 109-00')
    """
    if not 100.0 <= meridian <= 112.0:
        msg = (
            f"central meridian {meridian!r}° E is not one of Vietnam's (102° to 109° E); "
            "check the value"
        )
        raise CRSError(msg)
    code = TM3_EPSG.get(round(meridian, 6))
    if code is not None:
        return pyproj.CRS.from_epsg(code)
    conversion = TransverseMercatorConversion(
        latitude_natural_origin=0.0,
        longitude_natural_origin=meridian,
        false_easting=500_000.0,
        false_northing=0.0,
        scale_factor_natural_origin=TM3_SCALE,
    )
    return ProjectedCRS(
        conversion=conversion,
        geodetic_crs=pyproj.CRS.from_epsg(VN2000_GEOGRAPHIC),
        name=f"VN-2000 / TM-3 {_zone_label(meridian)}",
    )


def is_vn2000_name(value: object) -> bool:
    """Return whether ``value`` is a VN-2000 CRS name :func:`vn2000_crs` should parse.

    Examples
    --------
    >>> is_vn2000_name("VN-2000 Đồng Nai"), is_vn2000_name("EPSG:5899")
    (True, False)
    """
    return isinstance(value, str) and re.match(r"vn ?2000(?: |$)", fold(value)) is not None


_UTM = re.compile(r"(?:utm )?(?:zone )?(48|49) ?n?")
_ZONE = re.compile(r"(?:tm ?3 )?(?:zone )?(481|482|491)")
_MERIDIAN = re.compile(
    r"(?:tm ?3 )?(?:kt ?tw |kinh tuyen truc |cm |lon 0 )?(1\d\d)(?: (\d\d?)(?: 0+)?)?"
)
_TM3_ZONES: Final = {"481": 102.0, "482": 105.0, "491": 108.0}


def vn2000_crs(name: str, *, what: str = "crs") -> pyproj.CRS:
    """Return the VN-2000 CRS a planner names.

    Parameters
    ----------
    name
        ``"VN-2000"`` (degrees, EPSG:4756); ``"VN-2000 UTM 48N"`` / ``"49N"``;
        ``"VN-2000 <province>"`` or ``"VN-2000 TM-3 <province>"`` for the province's TM-3 zone
        (before July 2025; with or without diacritics); ``"VN-2000 TM-3 107-45"`` or
        ``"VN-2000 107°45'"`` for a central meridian; ``"VN-2000 TM-3 zone 482"``.
    what
        Name of the argument or scenario key, used in error messages.

    Raises
    ------
    CRSError
        If the name is not one of these, naming what would be accepted.

    Examples
    --------
    >>> vn2000_crs("VN-2000 Đồng Nai").to_epsg()
    5899
    >>> vn2000_crs("vn2000 binh duong").name
    'VN-2000 / TM-3 105-45'
    >>> vn2000_crs("VN-2000 / UTM zone 48N").to_epsg(), vn2000_crs("VN-2000").to_epsg()
    (3405, 4756)
    """
    folded = fold(name)
    match = re.fullmatch(r"vn ?2000(?: (.*))?", folded)
    if match is None:
        msg = f"{what}: {name!r} is not a VN-2000 CRS name; write e.g. 'VN-2000 Đồng Nai'"
        raise CRSError(msg)
    rest = (match.group(1) or "").strip()
    rest = re.sub(r"^(?:he toa do |mui chieu )", "", rest)
    if rest in {"", "geographic", "geographic 2d", "degrees", "lat lon", "latlon"}:
        return pyproj.CRS.from_epsg(VN2000_GEOGRAPHIC)
    if (utm := _UTM.fullmatch(rest)) and rest.startswith(("utm", "zone")):
        return pyproj.CRS.from_epsg(UTM_EPSG[int(utm.group(1))])
    if zone := _ZONE.fullmatch(rest):
        return tm3_crs(_TM3_ZONES[zone.group(1)])
    if decimal := re.search(r"(?<![\d-])(1\d\d)[.,](\d+)\s*°?\s*$", name):
        return tm3_crs(float(f"{decimal.group(1)}.{decimal.group(2)}"))  # "TM-3 107.75"
    if meridian := _MERIDIAN.fullmatch(rest):
        minutes = int(meridian.group(2) or 0)
        if minutes >= 60:
            msg = f"{what}: {name!r}: {minutes} is not a number of minutes (0 to 59)"
            raise CRSError(msg)
        return tm3_crs(int(meridian.group(1)) + minutes / 60)
    province = re.sub(r"^(?:tm ?3 |mui 3 )", "", rest)
    try:
        _, value = province_meridian(province)
    except CRSError as err:
        msg = f"{what}: cannot read {name!r} as a VN-2000 CRS: {err}"
        raise CRSError(msg) from err
    return tm3_crs(value)


def describe_vn2000(crs: pyproj.CRS) -> str:
    """Return one line saying what a VN-2000 CRS is, for reports and messages.

    Examples
    --------
    >>> print(describe_vn2000(vn2000_crs("VN-2000 Đồng Nai")))  # doctest: +NORMALIZE_WHITESPACE
    VN-2000 / TM-3 107-45 (EPSG:5899): Transverse Mercator, central meridian 107°45' E, scale
    0.9999, false easting 500 000 m; the TM-3 zone of Quảng Ninh, Đà Nẵng, Quảng Nam,
    Bà Rịa - Vũng Tàu, Đồng Nai, Lâm Đồng (Circular 973/2001/TT-TCĐC)
    """
    code = crs.to_epsg(min_confidence=100)
    head = f"{crs.name}" + (f" (EPSG:{code})" if code else "")
    if not crs.is_projected:
        return head + ": VN-2000 latitude and longitude in degrees"
    params = _tm_parameters(crs)
    if params is None:
        return head
    meridian, scale, false_easting = params
    easting = f"{false_easting:,.0f}".replace(",", " ")
    text = (
        f"{head}: Transverse Mercator, central meridian {_dms(meridian)} E, scale "
        f"{scale:g}, false easting {easting} m"
    )
    provinces = _MERIDIAN_PROVINCES.get(meridian)
    if provinces and math.isclose(scale, TM3_SCALE):
        text += f"; the TM-3 zone of {', '.join(provinces)} (Circular 973/2001/TT-TCĐC)"
    return text


def _tm_parameters(crs: pyproj.CRS) -> tuple[float, float, float] | None:
    """Return (central meridian, scale, false easting) of a Transverse Mercator CRS."""
    operation = crs.coordinate_operation
    if operation is None or "transverse mercator" not in operation.method_name.lower():
        return None
    values: dict[str, float] = {}
    for param in operation.params:
        key = param.name.lower()
        if "longitude" in key or "central meridian" in key:
            values["meridian"] = float(param.value)
        elif "scale" in key:
            values["scale"] = float(param.value)
        elif "easting" in key:
            values["false_easting"] = float(param.value)
    if len(values) < 3:
        return None
    return values["meridian"], values["scale"], values["false_easting"]


@dataclass(frozen=True, slots=True)
class Transformation:
    """A datum transformation pyproj may use, as its database describes it.

    Parameters
    ----------
    name
        The operation's name, e.g. ``"VN-2000 to WGS 84 (2)"``.
    code
        Its EPSG code, if it has one.
    accuracy_m
        The stated accuracy in metres (``None`` when unknown, e.g. a ballpark offset).
    area
        Where it applies.
    remarks
        The database's remarks on its origin and use.
    """

    name: str
    code: int | None
    accuracy_m: float | None
    area: str
    remarks: str


def datum_transformations(source: int | str = "EPSG:4756") -> list[Transformation]:
    """List the transformations pyproj considers from ``source`` to WGS 84, best first.

    Examples
    --------
    >>> [t.code for t in datum_transformations()]
    [6960, 5194]
    """
    group = TransformerGroup(source, "EPSG:4326")
    found: list[Transformation] = []
    for transformer in group.transformers:
        info = transformer.to_json_dict()
        steps = info.get("steps", [info]) if info.get("type") == "ConcatenatedOperation" else [info]
        step = next((s for s in steps if s.get("type") == "Transformation"), info)
        ids = step.get("id", {})
        area = transformer.area_of_use
        found.append(
            Transformation(
                name=str(step.get("name", transformer.description)),
                code=int(ids["code"]) if ids.get("authority") == "EPSG" else None,
                accuracy_m=transformer.accuracy if transformer.accuracy >= 0 else None,
                area=area.name if area is not None else "",
                remarks=" ".join(str(step[k]) for k in ("remarks", "scope") if step.get(k)),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class DatumShiftProblem:
    """A CRS that places VN-2000 coordinates without their datum shift.

    Parameters
    ----------
    offset_m
        How far features land from where the VN-2000 reading puts them, in metres,
        measured at :attr:`where`.
    where
        (longitude, latitude) in degrees of the point the offset was measured at.
    reason
        What is wrong with the CRS, in words.
    fix
        The VN-2000 CRS the coordinates most likely are in.
    """

    offset_m: float
    where: tuple[float, float]
    reason: str
    fix: pyproj.CRS

    def message(self, layer: str) -> str:
        """Return the message for a planner, naming ``layer`` and the fix."""
        code = self.fix.to_epsg(min_confidence=100)
        spec = f"EPSG:{code}" if code else self.fix.name
        return (
            f"layer {layer!r}: {self.reason}, so its features would land "
            f"{self.offset_m:,.0f} m from their VN-2000 position (measured at "
            f"{self.where[0]:.4f}° E, {self.where[1]:.4f}° N). It is most likely "
            f"{self.fix.name} ({spec}): declare it in the scenario "
            f"(`layers: {{{layer}: {{crs: '{spec}'}}}}`), which replaces the file's CRS, or "
            "correct the .prj file"
        )


_WGS84_A, _WGS84_INV_F = 6378137.0, 298.257223563
_SHIFT_TOLERANCE_M: Final = 5.0  # the datum shift is ~226 m; transformations agree to ~1 m


def _reference(crs: pyproj.CRS) -> pyproj.CRS | None:
    """Return the VN-2000 CRS with the same projection as ``crs``, or ``None``."""
    if crs.is_geographic:
        return pyproj.CRS.from_epsg(VN2000_GEOGRAPHIC)
    params = _tm_parameters(crs)
    if params is None:
        return None
    meridian, scale, false_easting = params
    if not math.isclose(false_easting, 500_000.0):
        return None
    if math.isclose(scale, TM3_SCALE) and meridian in TM3_EPSG:
        return pyproj.CRS.from_epsg(TM3_EPSG[meridian])
    if math.isclose(scale, 0.9996) and meridian in {105.0, 111.0}:
        return pyproj.CRS.from_epsg(UTM_EPSG[48 if meridian == 105.0 else 49])
    return None


def datum_shift_problem(
    crs: pyproj.CRS, *, at: tuple[float, float] | None = None
) -> DatumShiftProblem | None:
    """Return the datum-shift fault of ``crs``, if VN-2000 coordinates in it would move.

    A CRS is suspect when it has the WGS 84 ellipsoid and the projection of a VN-2000 zone
    (or is geographic) but its datum is not recognised as VN-2000 and carries no shift to WGS
    84, or carries a zero shift, or is a provincial TM-3 zone labelled WGS 84. The offset is
    measured: the point ``at`` is transformed to WGS 84 once with ``crs`` and once with the
    VN-2000 CRS of the same projection.

    Parameters
    ----------
    crs
        The layer's CRS.
    at
        Coordinates (in ``crs``) of the point to measure at, e.g. the layer's centre; the
        centre of Đông Nam Bộ (107.0° E, 10.8° N) if omitted.

    Examples
    --------
    >>> bad = pyproj.CRS("+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +ellps=WGS84")
    >>> round(datum_shift_problem(bad).offset_m)
    226
    >>> datum_shift_problem(pyproj.CRS.from_epsg(5899)) is None
    True
    """
    # A CRS with TOWGS84 is a BoundCRS: judge its projection and datum, transform with it.
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    ellipsoid = base.ellipsoid
    if ellipsoid is None or not (
        math.isclose(ellipsoid.semi_major_metre, _WGS84_A)
        and math.isclose(ellipsoid.inverse_flattening, _WGS84_INV_F, rel_tol=1e-9)
    ):
        return None
    reference = _reference(base)
    if reference is None:
        return None
    datum = base.datum.name if base.datum is not None else ""
    labelled_wgs84 = "world geodetic system 1984" in datum.lower() or fold(datum) in {
        "wgs 84",
        "wgs 1984",
        "d wgs 1984",
    }
    if labelled_wgs84 and (base.is_geographic or reference.to_epsg() in UTM_EPSG.values()):
        return None  # plain WGS 84 degrees or UTM: nothing to say
    if at is None:
        to_crs = pyproj.Transformer.from_crs(4326, reference, always_xy=True)
        at = to_crs.transform(107.0, 10.8)
    x, y = float(at[0]), float(at[1])
    to_wgs84 = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    right = pyproj.Transformer.from_crs(reference, 4326, always_xy=True)
    lon1, lat1 = to_wgs84.transform(x, y)
    lon2, lat2 = right.transform(x, y)
    if not all(map(math.isfinite, (lon1, lat1, lon2, lat2))):
        return None
    offset = float(pyproj.Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2])
    if offset <= _SHIFT_TOLERANCE_M:
        return None
    params = _tm_parameters(base)
    if labelled_wgs84 and params is not None:
        reason = (
            f"its CRS {base.name!r} is a VN-2000 TM-3 zone ({_dms(params[0])} E, scale 0.9999) "
            "labelled WGS 84, which no office uses for WGS 84 data"
        )
    else:
        reason = (
            f"its CRS {base.name!r} has the WGS 84 ellipsoid but datum {datum!r}, which is "
            "neither recognised as VN-2000 nor given a shift to WGS 84 (no TOWGS84, or zeros)"
        )
    return DatumShiftProblem(offset, (float(lon2), float(lat2)), reason, reference)


def _centre(gdf: gpd.GeoDataFrame) -> tuple[float, float] | None:
    bounds = np.asarray(gdf.total_bounds, dtype=float)
    if not np.isfinite(bounds).all():
        return None
    return float((bounds[0] + bounds[2]) / 2), float((bounds[1] + bounds[3]) / 2)


def check_datum_shift(gdf: gpd.GeoDataFrame, *, layer: str) -> None:
    """Raise :class:`CRSError` if ``gdf``'s CRS drops the VN-2000 datum shift.

    The message gives the offset measured at the layer's centre and the CRS to declare.

    Raises
    ------
    CRSError
        If the layer's CRS would move its features by more than 5 m; see
        :func:`datum_shift_problem`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> ok = gpd.GeoDataFrame(geometry=[shapely.Point(418000, 1194000)], crs=5899)
    >>> check_datum_shift(ok, layer="parcels")
    """
    if gdf.crs is None:
        return
    problem = datum_shift_problem(pyproj.CRS.from_user_input(gdf.crs), at=_centre(gdf))
    if problem is not None:
        raise CRSError(problem.message(layer))


def restores_datum_shift(file_crs: pyproj.CRS, declared: pyproj.CRS) -> bool:
    """Return whether ``declared`` is ``file_crs`` with its missing VN-2000 datum restored.

    A scenario may then declare the layer's CRS over the file's without a conflict.

    Examples
    --------
    >>> bad = pyproj.CRS("+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +ellps=WGS84")
    >>> restores_datum_shift(bad, pyproj.CRS.from_epsg(5899))
    True
    >>> restores_datum_shift(bad, pyproj.CRS.from_epsg(9210))
    False
    """
    problem = datum_shift_problem(file_crs)
    return problem is not None and problem.fix.equals(declared)


def apply_declared_crs(
    gdf: gpd.GeoDataFrame, declared: pyproj.CRS | None, *, layer: str
) -> gpd.GeoDataFrame:
    """Give ``gdf`` the CRS a scenario declares for it, where that is safe.

    The declared CRS is set when the file has none, and replaces the file's when the file's
    CRS is the same projection without the VN-2000 datum shift (logged); any other
    disagreement is refused. The result is then checked with :func:`check_datum_shift`.

    Parameters
    ----------
    gdf
        The layer as read.
    declared
        The CRS the scenario declares for it (``layers.<name>.crs``), if any.
    layer
        The layer's name, for messages.

    Raises
    ------
    CRSError
        If the file's CRS and the declared one disagree otherwise, or the resulting CRS
        drops the datum shift.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> bad = pyproj.CRS("+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +ellps=WGS84")
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(418000, 1194000)], crs=bad)
    >>> apply_declared_crs(gdf, vn2000_crs("VN-2000 Đồng Nai"), layer="parcels").crs.to_epsg()
    5899
    """
    if declared is not None:
        if gdf.crs is None:
            gdf = gdf.set_crs(declared)
        else:
            current = pyproj.CRS.from_user_input(gdf.crs)
            if restores_datum_shift(current, declared):
                logger.warning(
                    "layer %r: the file's CRS %r lacks the VN-2000 datum shift; using the "
                    "declared %s",
                    layer,
                    current.name,
                    declared.name,
                )
                gdf = gdf.set_crs(declared, allow_override=True)
            elif not current.equals(declared):
                msg = (
                    f"layer {layer!r}: the file declares {current.name!r} but the scenario says "
                    f"{declared.name!r}; remove `crs` from the scenario or fix the file"
                )
                raise CRSError(msg)
    check_datum_shift(gdf, layer=layer)
    return gdf


@dataclass(frozen=True, slots=True)
class CRSCandidate:
    """A CRS a layer without one may be in.

    Parameters
    ----------
    crs
        The CRS.
    spec
        What to write in the scenario for it (``"EPSG:5899"``).
    label
        Its name and what it is.
    lands
        Where the layer's centre would lie read in this CRS.
    likely
        Whether the layer would then lie in a province that uses this CRS.
    """

    crs: pyproj.CRS
    spec: str
    label: str
    lands: str
    likely: bool


def _region_provinces() -> gpd.GeoDataFrame | None:
    from geosite.data import bundled as layers  # noqa: PLC0415  (layers import pandas/geopandas data)

    try:
        return layers.read_layer("provinces_pre2025")
    except Exception:  # the guess must never hide the real error
        logger.debug("bundled provinces unavailable for the CRS guess", exc_info=True)
        return None


def _province_at(provinces: gpd.GeoDataFrame | None, lon: float, lat: float) -> str | None:
    if provinces is None:
        return None
    import shapely  # noqa: PLC0415

    point = shapely.Point(lon, lat)
    hits = provinces[provinces.geometry.contains(point)]
    if len(hits) == 0:
        return None
    return str(hits.iloc[0]["name"])


def _province_meridian_or_none(name: str) -> float | None:
    try:
        return province_meridian(name)[1]
    except CRSError:
        return None


_VIETNAM: Final = (102.0, 8.0, 110.0, 23.5)


def likely_crs(gdf: gpd.GeoDataFrame) -> list[CRSCandidate]:
    """Return the CRSs a layer without one is likely in, most likely first.

    Degrees over Vietnam suggest WGS 84 (or VN-2000 degrees); metres suggest a VN-2000 TM-3
    zone or UTM 48N. Each candidate says where the layer would lie; a TM-3 zone is "likely"
    when the layer would then lie in a province of Đông Nam Bộ whose zone it is.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(418000, 1194000)])
    >>> likely_crs(gdf)[0].spec
    'EPSG:5899'
    """
    centre = _centre(gdf)
    if centre is None:
        return []
    x, y = centre
    west, south, east, north = _VIETNAM
    if west <= x <= east and south <= y <= north:
        where = f"at {x:.3f}° E, {y:.3f}° N"
        return [
            CRSCandidate(
                pyproj.CRS.from_epsg(4326),
                "EPSG:4326",
                "WGS 84 degrees (GPS, OpenStreetMap, web maps)",
                where,
                likely=True,
            ),
            CRSCandidate(
                pyproj.CRS.from_epsg(VN2000_GEOGRAPHIC),
                "VN-2000",
                "VN-2000 degrees (EPSG:4756; 226 m from WGS 84)",
                where,
                likely=False,
            ),
        ]
    if not (100_000 <= x <= 900_000 and 800_000 <= y <= 2_700_000):
        return []
    provinces = _region_provinces()
    options: list[tuple[pyproj.CRS, str, str]] = [
        (tm3_crs(m), f"EPSG:{c}", f"VN-2000 / TM-3 {_zone_label(m)}") for m, c in TM3_EPSG.items()
    ]
    options += [
        (pyproj.CRS.from_epsg(32648), "EPSG:32648", "WGS 84 / UTM zone 48N"),
        (pyproj.CRS.from_epsg(3405), "EPSG:3405", "VN-2000 / UTM zone 48N"),
        (pyproj.CRS.from_epsg(32649), "EPSG:32649", "WGS 84 / UTM zone 49N"),
        (pyproj.CRS.from_epsg(3406), "EPSG:3406", "VN-2000 / UTM zone 49N"),
    ]
    found: list[CRSCandidate] = []
    for crs, spec, label in options:
        lon, lat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
        area = crs.area_of_use
        if area is None or not (
            area.west - 0.1 <= lon <= area.east + 0.1
            and area.south - 0.1 <= lat <= area.north + 0.1
        ):
            continue
        province = _province_at(provinces, lon, lat)
        params = _tm_parameters(crs)
        tm3 = params is not None and math.isclose(params[1], TM3_SCALE)
        if province is not None:
            lands = f"in {province} ({lon:.3f}° E, {lat:.3f}° N)"
            meridian = _province_meridian_or_none(province)
            likely = not tm3 or (params is not None and meridian == params[0])
        else:
            lands = f"at {lon:.3f}° E, {lat:.3f}° N"
            likely = False
        if tm3 and province is not None and not likely:
            continue  # in a province of the region, but not that province's zone
        found.append(CRSCandidate(crs, spec, f"{label} ({spec})", lands, likely))
    found.sort(key=lambda c: (not c.likely, "UTM" in c.label))
    return found


def no_crs_hint(gdf: gpd.GeoDataFrame, *, limit: int = 4) -> str:
    """Return the part of a "no CRS" message that names the likely CRSs of a layer.

    Empty when the coordinates suggest nothing.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(106.9, 10.9)])
    >>> print(no_crs_hint(gdf).splitlines()[1])  # doctest: +ELLIPSIS
      - WGS 84 degrees (GPS, OpenStreetMap, web maps): the layer would lie at 106.900° E, ...
    """
    candidates = likely_crs(gdf)
    if not candidates:
        return ""
    shown = [c for c in candidates if c.likely] or candidates
    lines = [
        f"  - {c.label}: the layer would lie {c.lands}; write `crs: '{c.spec}'`"
        for c in shown[:limit]
    ]
    unit: Literal["degrees", "metres"] = "degrees" if candidates[0].crs.is_geographic else "metres"
    return (
        f"its coordinates look like {unit} in one of these CRSs (check where the layer "
        f"should be):\n" + "\n".join(lines)
    )
