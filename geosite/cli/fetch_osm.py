"""``geosite fetch-osm``: fetch OpenStreetMap layers of a region into a GeoPackage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_OK, Subparsers

if TYPE_CHECKING:
    import argparse

#: Kept here rather than imported, so that ``geosite --help`` loads no geopandas.
_KINDS = ("roads", "industrial_parks", "power_lines", "airports", "ports", "universities")


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(sub: Subparsers) -> None:
    """Add the ``fetch-osm`` command."""
    cmd = sub.add_parser(
        "fetch-osm",
        help="fetch OpenStreetMap roads, parks, power lines, airports... of a region (internet)",
        description=(
            "Fetch OpenStreetMap roads, industrial areas, high-voltage power lines, airports, "
            "ports and universities inside REGION through osmnx and the Overpass API, and "
            "write them to one GeoPackage, one layer per kind, named and shaped like the "
            "bundled layer it replaces. If FILE already holds this request nothing is "
            "downloaded (--refresh fetches again). Needs internet; the file then works "
            "offline. Data © OpenStreetMap contributors, ODbL-1.0."
        ),
        epilog=(
            "Use the layers in a scenario: "
            "`layers: {power_lines: {path: FILE.gpkg, layer: power_lines}}`."
        ),
    )
    cmd.add_argument(
        "region",
        metavar="REGION",
        help=(
            "a bundled province or district name or id (before or after the July 2025 "
            "mergers, e.g. 'Thủ Đức', dong-nai-2025), a bbox W,S,E,N in degrees, or a "
            "polygon file"
        ),
    )
    cmd.add_argument("--out", required=True, metavar="FILE.gpkg", help="the GeoPackage to write")
    cmd.add_argument(
        "--kinds",
        type=_names,
        default=list(_KINDS),
        metavar="K1,K2",
        help=f"which layers, comma-separated (default: all: {','.join(_KINDS)})",
    )
    cmd.add_argument(
        "--road-classes",
        type=_names,
        default=None,
        metavar="C1,C2",
        help="OpenStreetMap highway values fetched as roads (default: motorway to tertiary "
        "and their links)",
    )
    cmd.add_argument(
        "--min-voltage-kv",
        type=float,
        default=110.0,
        help="leave out power lines below this voltage, or of unknown voltage (default 110)",
    )
    cmd.add_argument(
        "--min-park-ha",
        type=float,
        default=5.0,
        help="leave out industrial areas smaller than this many hectares (default 5)",
    )
    cmd.add_argument(
        "--refresh", action="store_true", help="fetch again even if FILE holds this request"
    )
    cmd.add_argument(
        "--endpoint",
        default=None,
        help="Overpass API base URL (default: osmnx's, https://overpass-api.de/api)",
    )
    cmd.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="seconds to wait for each answer (default 180)",
    )
    cmd.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Fetch (or find cached) and say what the file holds and how to use it."""
    from geosite.data.osm import DEFAULT_ROAD_CLASSES, fetch_osm  # noqa: PLC0415

    result = fetch_osm(
        args.region,
        args.out,
        kinds=args.kinds,
        road_classes=args.road_classes or DEFAULT_ROAD_CLASSES,
        min_voltage_kv=args.min_voltage_kv,
        min_park_ha=args.min_park_ha,
        refresh=args.refresh,
        endpoint=args.endpoint,
        timeout_s=args.timeout,
    )
    counts = ", ".join(f"{kind} {n:,}" for kind, n in result.counts.items())
    if result.from_cache:
        print(
            f"{result.path} already holds {result.region} (fetched {result.fetched_at}): "
            f"{counts}; nothing downloaded (--refresh fetches again)"
        )
    else:
        print(f"{result.region}: {counts}")
        print(f"wrote {result.path} (© OpenStreetMap contributors, ODbL-1.0)")
    first = next((k for k, n in result.counts.items() if n), "roads")
    print(f"use in a scenario: layers: {{{first}: {{path: {result.path}, layer: {first}}}}}")
    return EXIT_OK
