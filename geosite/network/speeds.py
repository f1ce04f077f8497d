"""Speeds: the default table per road class, posted-speed tags, and one-way tags.

A road's speed is its own posted speed where the source has a usable one (an OSM ``maxspeed``
tag or a layer's speed column), else the speed of its class in the profile's table; trucks
never go faster than their class speed, and no profile beyond :data:`MAX_SPEED_KMH`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geosite.errors import NetworkError, ParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import numpy.typing as npt


Profile = Literal["car", "truck"]


#: Free-flow speeds (km/h) per road class used where a road has no usable speed tag. Keys are
#: OpenStreetMap ``highway`` values plus the classes of geosite's bundled ``roads`` layer
#: (``expressway``, ``national``, ``provincial``, ``district``, ``urban``); ``default`` covers
#: any other class. Cars: typical Vietnamese limits outside dense urban areas (Circular
#: 38/2024/TT-BGTVT: 120 on expressways where signed, 80-90 on divided national roads, 60 in
#: towns). Trucks: the heavy-goods limits (90 on expressways, 80 on divided roads) lowered for
#: the stop-start traffic of local roads.
DEFAULT_SPEEDS_KMH: Mapping[str, Mapping[str, float]] = {
    "car": {
        "motorway": 100.0,
        "expressway": 100.0,
        "trunk": 70.0,
        "national": 70.0,
        "primary": 60.0,
        "provincial": 50.0,
        "secondary": 50.0,
        "tertiary": 40.0,
        "district": 40.0,
        "urban": 35.0,
        "unclassified": 30.0,
        "residential": 25.0,
        "living_street": 10.0,
        "service": 15.0,
        "road": 30.0,
        "default": 30.0,
    },
    "truck": {
        "motorway": 80.0,
        "expressway": 80.0,
        "trunk": 55.0,
        "national": 55.0,
        "primary": 45.0,
        "provincial": 40.0,
        "secondary": 40.0,
        "tertiary": 30.0,
        "district": 30.0,
        "urban": 25.0,
        "unclassified": 25.0,
        "residential": 20.0,
        "living_street": 10.0,
        "service": 10.0,
        "road": 25.0,
        "default": 25.0,
    },
}


#: Highest speed (km/h) a profile ever travels, whatever a tag or table says.
MAX_SPEED_KMH: Mapping[str, float] = {"car": 120.0, "truck": 90.0}


_PROFILES = ("car", "truck")


_MPH_KMH = 1.609344


_TIME_PER_M_AT_1KMH = 0.06  # minutes needed per metre at 1 km/h


_ONEWAY_FORWARD = frozenset({"yes", "true", "1", "t", "y"})


_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})


def default_speeds(profile: Profile = "car") -> dict[str, float]:
    """Return the default speed table of a profile (km/h per road class).

    Parameters
    ----------
    profile
        ``"car"`` or ``"truck"``.

    Returns
    -------
    dict
        A fresh copy of :data:`DEFAULT_SPEEDS_KMH` for ``profile``; edit it freely.

    Examples
    --------
    >>> default_speeds("truck")["motorway"]
    80.0
    """
    if profile not in _PROFILES:
        msg = f"profile {profile!r} is not known; use one of {list(_PROFILES)}"
        raise ParameterError(msg)
    return dict(DEFAULT_SPEEDS_KMH[profile])


def _check_profile(profile: str) -> Profile:
    if profile not in _PROFILES:
        msg = f"profile {profile!r} is not known; use one of {list(_PROFILES)}"
        raise ParameterError(msg)
    return profile  # type: ignore[return-value]


def _speed_table(profile: Profile, speeds: Mapping[str, float] | None) -> dict[str, float]:
    table = default_speeds(profile)
    bad = {k: v for k, v in (speeds or {}).items() if not (math.isfinite(v) and v > 0)}
    if bad:
        msg = f"speeds must be positive km/h values; got {bad!r}"
        raise ParameterError(msg)
    table.update({str(k): float(v) for k, v in (speeds or {}).items()})
    return table


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def _parse_speed(value: object) -> float:
    """Return a speed tag in km/h (mean of several values), or NaN when not numeric."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else math.nan
    if isinstance(value, list | tuple | np.ndarray):
        parsed = [_parse_speed(v) for v in value]
        good = [p for p in parsed if math.isfinite(p)]
        return float(np.mean(good)) if good else math.nan
    parsed_parts = []
    for part in str(value).split(";"):
        m = _NUMBER.match(part)
        if m:
            v = float(m.group(1))
            parsed_parts.append(v * _MPH_KMH if (m.group(2) or "").lower() == "mph" else v)
    good = [p for p in parsed_parts if p > 0]
    return float(np.mean(good)) if good else math.nan


def _parse_oneway(value: object) -> int:
    """Return +1 (one-way as drawn), -1 (one-way against drawing) or 0 (two-way)."""
    if isinstance(value, list | tuple | np.ndarray):
        return _parse_oneway(value[0]) if len(value) else 0
    if isinstance(value, bool | np.bool_):
        result = int(bool(value))
    elif isinstance(value, int | float | np.integer | np.floating):
        result = int(np.sign(value)) if math.isfinite(float(value)) else 0
    else:
        text = "" if value is None else str(value).strip().lower()
        result = 1 if text in _ONEWAY_FORWARD else (-1 if text in _ONEWAY_BACKWARD else 0)
    return result


def _first(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return _first(value[0]) if len(value) else "default"
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "default"
    return str(value)


def _per_value(column: pd.Series, parse: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """Apply ``parse`` once per distinct value of a column (lists are parsed row by row)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable values such as the lists of merged osmnx edges
        return np.array([parse(v) for v in column], dtype=dtype)
    parsed = np.array([parse(v) for v in uniques] + [parse(None)], dtype=dtype)
    return np.asarray(parsed[codes], dtype=dtype)


def _class_speeds(classes: npt.NDArray[np.object_], table: Mapping[str, float]) -> np.ndarray:
    uniq, inverse = np.unique(classes.astype(str), return_inverse=True)
    default = table.get("default")
    per_class = np.empty(len(uniq))
    missing = []
    for i, cls in enumerate(uniq):
        speed = table.get(cls)
        if speed is None and cls.endswith("_link"):
            base = table.get(cls.removesuffix("_link"))
            speed = None if base is None else 0.7 * base
        if speed is None:
            speed = default
        if speed is None:
            missing.append(cls)
            continue
        per_class[i] = speed
    if missing:
        msg = (
            f"no speed for road classes {missing!r}; add them to the speed table "
            "(speeds_kmh) or give a 'default' speed"
        )
        raise NetworkError(msg)
    return np.asarray(per_class[inverse], dtype=np.float64)


def _edge_speeds(
    classes: npt.NDArray[np.object_],
    tagged_kmh: npt.NDArray[np.float64],
    *,
    profile: Profile,
    speeds: Mapping[str, float] | None,
    use_tagged: bool,
) -> npt.NDArray[np.float64]:
    """Choose a speed per edge: tag where present (trucks: at most their class speed)."""
    table = _speed_table(profile, speeds)
    by_class = _class_speeds(classes, table)
    if not use_tagged:
        chosen = by_class
    else:
        has_tag = np.isfinite(tagged_kmh)
        tagged = np.where(has_tag, tagged_kmh, by_class)
        chosen = np.minimum(tagged, by_class) if profile == "truck" else tagged
    return np.asarray(np.minimum(chosen, MAX_SPEED_KMH[profile]), dtype=np.float64)
