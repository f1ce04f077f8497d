"""CRS normalisation, the choice of the metric analysis CRS, and CRS checks.

Distances and areas in geosite are always computed in a projected CRS whose unit is the metre.
For Dong Nam Bo that is UTM zone 48N (EPSG:32648); elsewhere the UTM zone of the candidates is
estimated. Degrees and Web Mercator are refused: over the region they overstate distances by
1-3 %.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pyproj
from pyproj.exceptions import CRSError as PyprojCRSError

from geosite.errors import CRSError
from geosite.types import CRSLike

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DEFAULT_CRS", "CRSLike", "analysis_crs", "ensure_metric", "require_crs", "to_crs"]

logger = logging.getLogger(__name__)

#: UTM zone 48N on WGS 84: the metric CRS that covers Dong Nam Bo.
DEFAULT_CRS = pyproj.CRS.from_epsg(32648)


def to_crs(value: CRSLike, *, what: str = "crs") -> pyproj.CRS:
    """Return ``value`` as a :class:`pyproj.CRS`.

    Parameters
    ----------
    value
        An EPSG code, an ``"AUTH:CODE"`` string, WKT, a PROJ string, a CRS, or a VN-2000
        name such as ``"VN-2000 Đồng Nai"`` (the province's TM-3 zone) or ``"VN-2000 UTM 48N"``
        (see :func:`geosite.data.vn2000.vn2000_crs`).
    what
        Name of the argument or scenario key, used in the error message.

    Examples
    --------
    >>> to_crs("EPSG:32648").name
    'WGS 84 / UTM zone 48N'
    >>> to_crs("VN-2000 Đồng Nai").to_epsg()
    5899
    """
    if isinstance(value, pyproj.CRS):
        return value
    if isinstance(value, str):
        from geosite.data import vn2000  # noqa: PLC0415  (vn2000 reads the bundled layers)

        if vn2000.is_vn2000_name(value):
            return vn2000.vn2000_crs(value, what=what)
    try:
        return pyproj.CRS.from_user_input(value)
    except PyprojCRSError as err:
        msg = (
            f"{what}: {value!r} is not a coordinate reference system pyproj understands; "
            "use an EPSG code such as 'EPSG:32648' (UTM 48N) or 'EPSG:4326' (WGS 84 degrees)"
        )
        raise CRSError(msg) from err


def ensure_metric(crs: pyproj.CRS, *, what: str = "analysis CRS") -> pyproj.CRS:
    """Return ``crs`` if it is projected in metres, else raise :class:`CRSError`.

    Web Mercator is refused as well: its scale error over Vietnam is 2-3 %.
    """
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in {"metre", "meter"}:
        msg = (
            f"{what} {crs.to_string()!r} is not a projected CRS in metres; distances and areas "
            "need one: use 'EPSG:32648' (UTM 48N) for Dong Nam Bo"
        )
        raise CRSError(msg)
    if crs.to_epsg() in {3857, 900913}:
        msg = (
            f"{what} is Web Mercator, which overstates distances by 2-3 % in Vietnam; "
            "use 'EPSG:32648' (UTM 48N) instead"
        )
        raise CRSError(msg)
    return crs


def require_crs(gdf: gpd.GeoDataFrame, *, layer: str) -> pyproj.CRS:
    """Return the CRS of ``gdf`` or raise a :class:`CRSError` naming ``layer``.

    A layer with no CRS is never silently assumed to be in degrees: when its coordinates look
    like WGS 84 degrees, UTM 48N or a VN-2000 TM-3 zone of the region, the message names the
    likely CRSs and where the layer would lie in each.
    """
    if gdf.crs is None:
        from geosite.data import vn2000  # noqa: PLC0415

        msg = (
            f"layer {layer!r} has no CRS; declare the one its coordinates are in, in the "
            f"scenario (`layers: {{{layer}: {{crs: 'EPSG:4326'}}}}`) or in Python with "
            "`gdf.set_crs(...)`"
        )
        hint = vn2000.no_crs_hint(gdf)
        if hint:
            msg += f"; {hint}"
        raise CRSError(msg)
    return pyproj.CRS.from_user_input(gdf.crs)


def analysis_crs(declared: CRSLike | None, candidates: gpd.GeoDataFrame) -> pyproj.CRS:
    """Choose the metric CRS of an analysis.

    Parameters
    ----------
    declared
        The CRS the scenario declares, if any; it must be projected in metres.
    candidates
        The candidate parcels; when nothing is declared the UTM zone of their centre is used
        (EPSG:32648 for Dong Nam Bo).
    """
    if declared is not None:
        return ensure_metric(to_crs(declared), what="scenario key 'crs'")
    crs = candidates.estimate_utm_crs()
    logger.info("analysis CRS not declared; using %s", crs.to_string())
    return pyproj.CRS.from_user_input(crs)
