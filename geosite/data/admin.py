"""Administrative units before and after the July 2025 mergers.

On 1 July 2025 Vietnam went from 63 provinces to 34, abolished districts, and merged about
10 000 wards and communes into about 3 300. Planning data name the old units; reports to a
committee name the new ones. This module gives both:

- :func:`province_after_2025` and :func:`provinces_before_2025` convert province names;
- :func:`ward_after_2025` converts an old (province, district, ward) to the new province and ward;
- :func:`admin_units_at` and :func:`add_admin_columns` say, for points or parcels, which old
  province, district and ward and which new province and ward they lie in.

Sources: the PyPI package ``vietnamadminunits`` (its SQLite table of the 10 040 wards before
the reform, with centre and bounding box, the 3 321 wards after it, and its old-to-new
conversion table), read offline; and geosite's bundled province and district polygons of Đông
Nam Bộ. Ward polygons are not available offline, so the old ward of a point is the one whose
centre is nearest among the wards of its district whose bounding box contains it; a ward split
between several new wards goes to the new ward whose centre is nearest. Columns say how each
value was found.

Examples
--------
>>> province_after_2025("Bình Phước")
'Tỉnh Đồng Nai'
>>> provinces_before_2025("Thành phố Hồ Chí Minh")
['Thành phố Hồ Chí Minh', 'Tỉnh Bà Rịa - Vũng Tàu', 'Tỉnh Bình Dương']
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.data.text import match_name, name_key
from geosite.errors import DataNotFoundError, ParameterError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from numpy.typing import ArrayLike

__all__ = [
    "ADMIN_COLUMNS",
    "UnitChange",
    "add_admin_columns",
    "admin_units_at",
    "province_after_2025",
    "provinces_before_2025",
    "summarise_by_unit",
    "ward_after_2025",
]

logger = logging.getLogger(__name__)

#: Columns :func:`add_admin_columns` adds, in order.
ADMIN_COLUMNS: Final = (
    "province_old",
    "district_old",
    "ward_old",
    "province_new",
    "ward_new",
    "admin_method",
)

_M_PER_DEGREE: Final = 111_320.0


def _package_error() -> DataNotFoundError:
    msg = (
        "administrative units before and after July 2025 need the package "
        "'vietnamadminunits'; install it with `pip install vietnamadminunits`"
    )
    return DataNotFoundError(msg)


def _data_file(name: str) -> Traversable:
    """Return a data file of the ``vietnamadminunits`` package."""
    try:
        return resources.files("vietnamadminunits") / "data" / name
    except ModuleNotFoundError as err:
        raise _package_error() from err


def _query(sql: str) -> list[dict[str, Any]]:
    with resources.as_file(_data_file("dataset.db")) as path:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            return [dict(row) for row in con.execute(sql).fetchall()]
        finally:
            con.close()


@functools.cache
def _legacy_wards() -> pd.DataFrame:
    """Return the wards before July 2025 with centre and bounding box (degrees)."""
    frame = pd.DataFrame(
        _query(
            "SELECT province, district, ward, provinceCode, districtCode, wardCode, "
            "wardLat, wardLon, wardBounds, provinceKey, districtKey, wardKey "
            "FROM admin_units_legacy"
        )
    )
    bounds = (
        frame["wardBounds"].fillna("").str.extract(r"([\d.]+),([\d.]+)\s*\S\s*([\d.]+),([\d.]+)")
    )
    frame[["south", "west", "north", "east"]] = bounds.astype(float).to_numpy()
    return frame


@functools.cache
def _new_wards() -> pd.DataFrame:
    return pd.DataFrame(
        _query(
            "SELECT province, ward, provinceCode, wardCode, provinceKey, wardKey, "
            "wardLat, wardLon FROM admin_units"
        )
    )


@functools.cache
def _converter() -> dict[str, Any]:
    data = _data_file("converter_2025.json")
    loaded: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _old_to_new_province() -> dict[str, str]:
    """Map old province keys to new ones (provinces merged whole)."""
    return {old: new for new, olds in _converter()["DICT_PROVINCE"].items() for old in olds}


@functools.cache
def _old_to_new_ward() -> dict[str, str]:
    """Map ``oldprovince_olddistrict_oldward`` keys to new ward keys, undivided wards only."""
    table: dict[str, str] = {}
    for wards in _converter()["DICT_PROVINCE_WARD_NO_DIVIDED"].values():
        for new_ward, olds in wards.items():
            for old in olds:
                table[old] = new_ward
    return table


def _province_names(frame: pd.DataFrame) -> dict[str, str]:
    """Map province keys to full names (``tinhdongnai`` -> ``Tỉnh Đồng Nai``)."""
    pairs = frame[["provinceKey", "province"]].drop_duplicates()
    return dict(zip(pairs["provinceKey"], pairs["province"], strict=True))


def _find_province(name: str, frame: pd.DataFrame, *, when: str) -> str:
    names = _province_names(frame)
    try:
        found = match_name(name, names.values(), what=f"province ({when})", ignore_unit_prefix=True)
    except DataNotFoundError as err:
        msg = f"{err}; give a province as it was named {when}"
        raise DataNotFoundError(msg) from err
    return next(k for k, v in names.items() if v == found)


def province_after_2025(province: str) -> str:
    """Return the province (from 1 July 2025) that an older province became part of.

    Parameters
    ----------
    province
        A province before July 2025, with or without diacritics and prefix ("Bình Phước",
        "Tinh Binh Phuoc").

    Raises
    ------
    DataNotFoundError
        If no province before 2025 has that name (close names are suggested).

    Examples
    --------
    >>> province_after_2025("ba ria vung tau")
    'Thành phố Hồ Chí Minh'
    """
    old_key = _find_province(province, _legacy_wards(), when="before July 2025")
    new_key = _old_to_new_province()[old_key]
    return _province_names(_new_wards())[new_key]


def provinces_before_2025(province: str) -> list[str]:
    """Return the provinces (before July 2025) that formed a province of today, by name.

    Examples
    --------
    >>> provinces_before_2025("Đồng Nai")
    ['Tỉnh Bình Phước', 'Tỉnh Đồng Nai']
    """
    new_key = _find_province(province, _new_wards(), when="from July 2025")
    olds = _converter()["DICT_PROVINCE"][new_key]
    names = _province_names(_legacy_wards())
    return sorted((names[k] for k in olds), key=name_key)


@dataclass(frozen=True, slots=True)
class UnitChange:
    """An administrative unit before July 2025 and the units it became part of.

    Parameters
    ----------
    province_old, district_old, ward_old
        The province, district and ward or commune before July 2025, full names.
    province_new, ward_new
        The province and ward or commune from July 2025, full names.
    ward_code_old, ward_code_new
        The General Statistics Office codes of the old and new ward.
    divided
        Whether the old ward was divided between several new wards; the new ward is then
        the one whose centre is nearest to the point given (or the package's default).
    """

    province_old: str
    district_old: str
    ward_old: str
    province_new: str
    ward_new: str
    ward_code_old: str
    ward_code_new: str
    divided: bool


def _new_ward_of(row: pd.Series, point: tuple[float, float] | None) -> tuple[str, bool]:
    """Return the new ward key of a legacy ward row, and whether the old ward was divided."""
    ward = row["wardKey"] if isinstance(row["wardKey"], str) else ""  # island districts
    old_key = f"{row['provinceKey']}_{row['districtKey']}_{ward}"
    direct = _old_to_new_ward().get(old_key)
    if direct is not None:
        return direct, False
    new_province = _old_to_new_province()[row["provinceKey"]]
    options = _converter()["DICT_PROVINCE_WARD_DIVIDED"].get(new_province, {}).get(old_key, [])
    if not options:
        return "", False
    if point is None:
        chosen = next((o for o in options if o.get("isDefaultNewWard")), options[0])
    else:
        lon, lat = point
        chosen = min(
            options,
            key=lambda o: (
                (o["newWardLon"] - lon) ** 2 * np.cos(np.radians(lat)) ** 2
                + (o["newWardLat"] - lat) ** 2
            ),
        )
    return str(chosen["newWardKey"]), True


@functools.cache
def _new_ward_names() -> dict[tuple[str, str], tuple[str, str]]:
    """Map (new province key, new ward key) to (ward name, ward code)."""
    new = _new_wards()
    return {
        (p, w): (str(n), str(c))
        for p, w, n, c in zip(
            new["provinceKey"], new["wardKey"], new["ward"], new["wardCode"], strict=True
        )
    }


@functools.cache
def _new_province_names() -> dict[str, str]:
    return _province_names(_new_wards())


def _change(row: pd.Series, point: tuple[float, float] | None) -> UnitChange:
    new_province = _old_to_new_province()[row["provinceKey"]]
    ward_key, divided = _new_ward_of(row, point)
    ward_new, code_new = _new_ward_names().get((new_province, ward_key), ("", ""))
    return UnitChange(
        province_old=str(row["province"]),
        district_old=str(row["district"]),
        ward_old=str(row["ward"]) if isinstance(row["ward"], str) else "",
        province_new=_new_province_names()[new_province],
        ward_new=ward_new,
        ward_code_old=str(row["wardCode"]),
        ward_code_new=code_new,
        divided=divided,
    )


def ward_after_2025(
    *,
    province: str,
    district: str,
    ward: str,
    at: tuple[float, float] | None = None,
) -> UnitChange:
    """Return the new province and ward of a ward or commune named as before July 2025.

    Parameters
    ----------
    province, district, ward
        The old units, with or without diacritics and prefixes ("Đồng Nai", "Long Thành",
        "Long Phước").
    at
        (longitude, latitude) of the place, to choose among new wards when the old one was
        divided.

    Raises
    ------
    DataNotFoundError
        If a unit does not exist (close names are suggested).
    ParameterError
        If a name without diacritics matches two units.

    Examples
    --------
    >>> change = ward_after_2025(province="Đồng Nai", district="Long Thành", ward="Long Phước")
    >>> change.province_new, change.ward_new
    ('Tỉnh Đồng Nai', 'Xã Long Phước')
    """
    wards = _legacy_wards()
    key = _find_province(province, wards, when="before July 2025")
    in_province = wards[wards["provinceKey"] == key]
    found_district = match_name(
        district, in_province["district"].unique(), what="district", ignore_unit_prefix=True
    )
    in_district = in_province[in_province["district"] == found_district]
    found_ward = match_name(
        ward, in_district["ward"].unique(), what="ward", ignore_unit_prefix=True
    )
    row = in_district[in_district["ward"] == found_ward].iloc[0]
    return _change(row, at)


def _bundled(name: str) -> gpd.GeoDataFrame | None:
    from geosite.data import bundled as layers  # noqa: PLC0415

    try:
        return layers.read_layer(name)
    except Exception:  # a missing bundled layer only makes the answer approximate
        logger.debug("bundled layer %r unavailable", name, exc_info=True)
        return None


def _join_codes(points: gpd.GeoSeries, layer: str, column: str) -> np.ndarray:
    """Return ``column`` of the bundled polygon containing each point, '' where none."""
    polygons = _bundled(layer)
    out = np.full(len(points), "", dtype=object)
    if polygons is None:
        return out
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points.reset_index(drop=True)),
        polygons[[column, "geometry"]],
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    values = joined[column].fillna("").astype(str).to_numpy()
    out[: len(values)] = values
    return out


def _nearest_ward(
    lon: np.ndarray, lat: np.ndarray, wards: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, per point, its ward's row position in ``wards``, distance (m) and containment.

    Containment says whether the ward's bounding box contains the point. Among the eight
    wards with the nearest centres, the nearest whose bounding box contains the point is
    chosen; if none contains it, the nearest.
    """
    from scipy.spatial import cKDTree  # noqa: PLC0415

    coslat = np.cos(np.radians(np.nanmean(lat))) if len(lat) else 1.0
    centres = np.column_stack([wards["wardLon"].to_numpy() * coslat, wards["wardLat"].to_numpy()])
    k = min(8, len(wards))
    dist, idx = cKDTree(centres).query(np.column_stack([lon * coslat, lat]), k=k)
    dist, idx = dist.reshape(len(lon), k), idx.reshape(len(lon), k)
    bounds = wards[["west", "east", "south", "north"]].to_numpy()[idx]
    inside = (
        (bounds[..., 0] <= lon[:, None])
        & (lon[:, None] <= bounds[..., 1])
        & (bounds[..., 2] <= lat[:, None])
        & (lat[:, None] <= bounds[..., 3])
    )
    pick = np.argmax(inside, axis=1)  # first (nearest) containing; 0 when none contains
    rows = np.arange(len(lon))
    return idx[rows, pick], dist[rows, pick] * _M_PER_DEGREE, inside[rows, pick]


def admin_units_at(lon: ArrayLike, lat: ArrayLike) -> pd.DataFrame:
    """Return the old and new administrative units at points (WGS 84 degrees).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees (WGS 84).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``province_old``, ``district_old``, ``ward_old``,
        ``province_new``, ``ward_new`` (full names), ``ward_code_old``, ``ward_code_new``,
        ``ward_centre_m`` (distance to the old ward's centre) and ``admin_method`` (how the
        units were found).

    Examples
    --------
    >>> admin_units_at([106.9940], [10.7184])[["province_old", "district_old", "province_new"]]
        province_old      district_old   province_new
    0  Tỉnh Đồng Nai  Huyện Long Thành  Tỉnh Đồng Nai
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape or lon_a.ndim != 1:
        msg = f"lon and lat must be 1-D and of equal length, not {lon_a.shape} and {lat_a.shape}"
        raise ParameterError(msg)
    missing = ~np.isfinite(lon_a) | ~np.isfinite(lat_a)
    lon_a, lat_a = np.where(missing, 0.0, lon_a), np.where(missing, 0.0, lat_a)
    points = gpd.GeoSeries(gpd.points_from_xy(lon_a, lat_a), crs=4326)
    province_codes = _join_codes(points, "provinces_pre2025", "province_code")
    district_codes = _join_codes(points, "districts", "district_code")
    wards = _legacy_wards().reset_index(drop=True)
    located = wards.dropna(subset=["wardLat", "wardLon"])
    rows = np.zeros(len(points), dtype=int)
    dist = np.zeros(len(points))
    method = np.full(len(points), "", dtype=object)
    within = np.zeros(len(points), dtype=bool)
    for code in np.unique(district_codes):
        mask = district_codes == code
        pool = located[located["districtCode"] == code] if code else located
        how = "district polygon, nearest ward centre" if code else "nearest ward centre"
        if len(pool) == 0:
            whole = wards[(wards["districtCode"] == code) & wards["ward"].isna()]
            if len(whole):  # an island district without wards (Côn Đảo)
                rows[mask], dist[mask], within[mask] = whole.index[0], 0.0, True
                method[mask] = "district polygon (a district without wards)"
                continue
            # a district merged away before July 2025 (Long Điền)
            pool, how = located, f"nearest ward centre (district {code} no longer listed)"
        found, d, inside = _nearest_ward(lon_a[mask], lat_a[mask], pool)
        rows[mask] = pool.index.to_numpy()[found]
        dist[mask] = d
        within[mask] = inside | bool(code)
        method[mask] = how
    records: list[dict[str, object]] = []
    undivided: dict[int, UnitChange] = {}
    for i, row_position in enumerate(rows.tolist()):
        if missing[i] or not (within[i] or province_codes[i]):
            records.append({"admin_method": "outside every ward of Vietnam"})
            continue
        row = wards.iloc[row_position]
        change = undivided.get(row_position) or _change(row, (float(lon_a[i]), float(lat_a[i])))
        if not change.divided:
            undivided[row_position] = change
        if province_codes[i] and province_codes[i] != row["provinceCode"]:
            method[i] += " (ward centre in another province: check)"
        records.append(
            {
                "province_old": change.province_old,
                "district_old": change.district_old,
                "ward_old": change.ward_old,
                "province_new": change.province_new,
                "ward_new": change.ward_new,
                "ward_code_old": change.ward_code_old,
                "ward_code_new": change.ward_code_new,
                "ward_centre_m": round(float(dist[i]), 1),
                "admin_method": method[i] + ("; old ward divided" if change.divided else ""),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "province_old",
            "district_old",
            "ward_old",
            "province_new",
            "ward_new",
            "ward_code_old",
            "ward_code_new",
            "ward_centre_m",
            "admin_method",
        ],
    )


def add_admin_columns(gdf: gpd.GeoDataFrame, *, prefix: str = "") -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with its old and new province, district and ward.

    Each feature is placed by a point inside it (:meth:`representative_point`), so criteria
    and zone summaries can be grouped by the units before or after July 2025.

    Parameters
    ----------
    gdf
        Parcels or points with a CRS.
    prefix
        Put before each new column's name, e.g. ``"admin_"``.

    Raises
    ------
    ParameterError
        If ``gdf`` has no CRS, or a column to add exists already.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame(geometry=[shapely.Point(106.994, 10.718)], crs=4326)
    >>> add_admin_columns(parcels).loc[0, ["district_old", "province_new"]].tolist()
    ['Huyện Long Thành', 'Tỉnh Đồng Nai']
    """
    if gdf.crs is None:
        msg = "add_admin_columns needs a layer with a CRS; set one with `gdf.set_crs(...)`"
        raise ParameterError(msg)
    names = [prefix + c for c in ADMIN_COLUMNS]
    clash = [n for n in names if n in gdf.columns]
    if clash:
        msg = f"the layer already has column(s) {clash}; pass another `prefix`"
        raise ParameterError(msg)
    points = gdf.geometry.representative_point().to_crs(4326)
    empty = shapely.is_empty(points.to_numpy()) | points.isna().to_numpy()
    units = admin_units_at(
        np.where(empty, np.nan, points.x.to_numpy()), np.where(empty, np.nan, points.y.to_numpy())
    )
    out = gdf.copy()
    for column, name in zip(ADMIN_COLUMNS, names, strict=True):
        values = units[column].to_numpy(dtype=object)
        values[empty] = None
        out[name] = values
    return out


def summarise_by_unit(
    table: pd.DataFrame,
    *,
    by: str = "province_new",
    score: str = "total_score",
    id_column: str | None = None,
) -> pd.DataFrame:
    """Summarise scored candidates per administrative unit, old or new.

    Parameters
    ----------
    table
        Candidates with the columns of :func:`add_admin_columns` and a score column.
    by
        The unit to group by: one of :data:`ADMIN_COLUMNS` except ``admin_method`` (with the
        prefix used when they were added).
    score
        The column summarised, e.g. ``"total_score"`` or a criterion's ``"<name>_score"``.
    id_column
        Column naming candidates; the best one of each unit is then listed.

    Returns
    -------
    pandas.DataFrame
        One row per unit, best mean score first: ``candidates``, ``mean_score``,
        ``best_score`` and, with ``id_column``, ``best_candidate``.

    Raises
    ------
    ParameterError
        If a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"province_new": ["A", "A", "B"], "total_score": [0.2, 0.6, 0.5],
    ...                   "site": ["a1", "a2", "b1"]})
    >>> summarise_by_unit(t, id_column="site")  # doctest: +NORMALIZE_WHITESPACE
                  candidates  mean_score  best_score best_candidate
    province_new
    B                      1         0.5         0.5             b1
    A                      2         0.4         0.6             a2
    """
    missing = [c for c in (by, score, id_column) if c is not None and c not in table.columns]
    if missing:
        msg = (
            f"cannot summarise by {by!r}: no column(s) {missing}; add the units first with "
            "add_admin_columns(...)"
        )
        raise ParameterError(msg)
    groups = table.groupby(by, sort=False)[score]
    out = pd.DataFrame(
        {"candidates": groups.count(), "mean_score": groups.mean(), "best_score": groups.max()}
    )
    if id_column is not None:
        best = table.loc[groups.idxmax().dropna().to_numpy()]
        out["best_candidate"] = best.set_index(by)[id_column]
    return out.sort_values(["mean_score", "best_score"], ascending=False)
