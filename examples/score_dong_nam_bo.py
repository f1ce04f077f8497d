"""Score the Đông Nam Bộ candidate IT-zone sites from Python and customise the map.

Run from the repository root::

    python examples/score_dong_nam_bo.py out/example
"""

from __future__ import annotations

import sys
from pathlib import Path

import folium

import geosite


def main(out_dir: Path) -> None:
    scenario = geosite.load_scenario("dong-nam-bo")  # the bundled scenario, by name
    result = geosite.evaluate(scenario)

    # The table is a GeoDataFrame: raw values with units, scores, weights, contributions.
    columns = [
        "site_id",
        "port_truck_time_min",
        "long_thanh_airport_time_min",
        "total_score",
        "rank",
    ]
    print(result.table[columns].round(3).to_string(index=False))

    # Which criterion carries the winner? Contributions add up to its total score.
    best = result.table.iloc[0]
    parts = {c.name: best[f"{c.name}_contribution"] for c in result.criteria}
    print(f"\n{best['name']}: strongest criterion {max(parts, key=parts.__getitem__)}")

    # Customise the folium map before saving: mark Long Thành airport's terminal area.
    fmap = geosite.result_to_map(result, basemap="osm")
    folium.Marker((10.7726, 107.0453), tooltip="Long Thành international airport").add_to(fmap)
    written = geosite.write_outputs(result, out_dir, formats=["csv"], fmap=fmap)
    print("\n".join(f"wrote {path}" for path in written))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/example"))
