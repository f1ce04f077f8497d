"""Locate the best 650 ha in Bà Rịa–Vũng Tàu and the best 50 ha near Long Thành airport.

Then score both beside the provinces' proposed sites, in one ranking, map and report.
Run from the repository root::

    python examples/locate_zones.py out/zones [--offline]

Each search is a grid scenario with a ``locate:`` section, next to this file:

- ``brvt-650ha.yaml``: 10 ha hexagons wholly inside Bà Rịa–Vũng Tàu as the bundled
  ``provinces_pre2025`` layer draws it (the province before the July 2025 mergers; it is now
  part of Ho Chi Minh City), the best contiguous 650 ha (65 cells) with compactness >= 0.9;
- ``long-thanh-50ha.yaml``: 10 ha hexagons wholly within 15 km of Long Thành airport's
  outline in the bundled ``airports`` layer and outside the airport, the best 50 ha (5 cells).

10 ha cells keep the example quick (about 19,000 and 11,000 cells) while a 50 ha zone is
still 5 cells; areas come in whole cells and outlines follow the hexagons (340 m across).

The command line does the same::

    geosite locate examples/brvt-650ha.yaml --out out/zones/brvt-650ha --no-score
    geosite locate examples/long-thanh-50ha.yaml --out out/zones/long-thanh-50ha --no-score
    # this script then writes out/zones/together.gpkg and together.yaml (below), and
    geosite report out/zones/together.yaml --out out/zones/report

(Without ``--no-score`` each ``locate`` also scores its own region beside the proposed sites,
in ``regions/``.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml

import geosite

HERE = Path(__file__).resolve().parent
#: Search scenario -> the located region's id and name in the joint ranking.
SEARCHES = {
    "brvt-650ha": ("located-brvt-650ha", "Located: best 650 ha in Bà Rịa–Vũng Tàu"),
    "long-thanh-50ha": (
        "located-long-thanh-50ha",
        "Located: best 50 ha within 15 km of Long Thành airport",
    ),
}


def locate(out_dir: Path) -> gpd.GeoDataFrame:
    """Run both searches; return their regions as candidates (id, name, kind, area)."""
    rows = []
    for search, (site_id, name) in SEARCHES.items():
        outcome = geosite.locate_sites(HERE / f"{search}.yaml", out_dir / search, score=False)
        region = outcome.regions.iloc[:1]  # the best region (each search asks for one)
        print(
            f"{name}: {region['area_ha'].iloc[0]:.0f} ha in {region['cells'].iloc[0]} cells, "
            f"mean cell score {region['mean_score'].iloc[0]:.3f} ({region['method'].iloc[0]})"
        )
        rows.append(
            gpd.GeoDataFrame(
                {
                    "site_id": [site_id],
                    "name": [name],
                    "kind": ["located"],
                    "search": [search],
                    "area_ha": region["area_ha"].to_numpy(),
                },
                geometry=region.geometry.to_numpy(),
                crs=region.crs,
            )
        )
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), crs=rows[0].crs)


def together(located: gpd.GeoDataFrame, out_dir: Path) -> Path:
    """Write the located regions and the proposed sites as one scenario's candidates."""
    proposed = geosite.read_layer("candidate_sites").to_crs(located.crs)
    proposed = gpd.GeoDataFrame(
        {
            "site_id": proposed["site_id"],
            "name": proposed["name"],
            "kind": "proposed",
            "search": "",
            "area_ha": proposed.geometry.area / 1e4,
        },
        geometry=proposed.geometry,
        crs=located.crs,
    )
    sites = gpd.GeoDataFrame(pd.concat([located, proposed], ignore_index=True), crs=located.crs)
    sites.to_file(out_dir / "together.gpkg", layer="candidates", engine="pyogrio")
    scenario = {
        "version": 1,
        "extends": "dong-nam-bo",  # the baseline's criteria, weights and constraints
        "name": "Located zones beside the proposed sites",
        "description": (
            "Two zones located by geosite (ids starting located-): the best contiguous 650 ha "
            "in Bà Rịa–Vũng Tàu (borders before July 2025) and the best 50 ha within 15 km of "
            "Long Thành airport's outline, each found on 10 ha hexagons scored with the "
            "baseline's criteria, then scored here as whole polygons beside the provinces' "
            "proposed sites. A zone scores above the mean of its cells: distances are "
            "measured from its edge."
        ),
        "layers": {"sites": {"path": "together.gpkg", "layer": "candidates", "id": "site_id"}},
        "candidates": {"layer": "sites", "id": "site_id", "name": "name"},
    }
    path = out_dir / "together.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def main(out_dir: Path, *, offline: bool = False) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    scenario = geosite.load_scenario(together(locate(out_dir), out_dir))
    result = geosite.evaluate(scenario)
    geosite.write_report(result, out_dir / "report", offline=offline)

    sites = gpd.read_file(out_dir / "together.gpkg", layer="candidates", engine="pyogrio")
    table = result.table.merge(sites[["site_id", "kind", "area_ha"]], on="site_id")
    print(f"\n{'rank':>4}  {'score':>5}  {'kind':<8}  {'ha':>5}  name")
    for row in table.itertuples():
        rank = "-" if pd.isna(row.rank) else f"{int(row.rank)}"
        print(f"{rank:>4}  {row.total_score:.3f}  {row.kind:<8}  {row.area_ha:5.0f}  {row.name}")
    print(f"\nwrote {out_dir / 'report' / 'report.html'} and map.html beside it")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--offline"]
    main(Path(args[0]) if args else Path("out/zones"), offline="--offline" in sys.argv[1:])
