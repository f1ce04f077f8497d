"""Build the recorded Overpass API answers that the OpenStreetMap fetch tests replay.

The tests of ``geosite fetch-osm`` must not download anything, and answers cannot be recorded
live where the tests are written. So the answers are built from real OpenStreetMap data: the
extract of Ho Chi Minh City of about 2018 (``osm_hcmc_2018/hcm_2018.osm.pbf``, ODbL-1.0,
© OpenStreetMap contributors) is read with pyosmium and, for one small box north of Tân Sơn
Nhất airport, each query geosite sends is answered the way the Overpass API answers
``(node[k=v](poly); way[k=v](poly); relation[k=v](poly);) (._;>;); out;``:

- a tagged node is selected when it lies inside the box, a way when one of its nodes does,
  a relation when one of its member ways or nodes is selected by that rule (Overpass selects
  by segment intersection; a node inside is the same test for the short segments of this
  area, and the tests only rely on what the answer holds, not on how it was chosen);
- ``(._;>;)`` adds every node of the selected ways and every member (and its nodes) of the
  selected relations;
- ``out;`` lists nodes, then ways, then relations, each by ascending id, with ``tags`` only
  on elements that have tags.

Run from the repository root (needs the shared data folder and ``pip install osmium``)::

    python scripts/overpass_fixtures.py ../shared/data/osm_hcmc_2018/hcm_2018.osm.pbf

It writes ``tests/data/overpass/<kind>.json.gz`` (gzip with a fixed time stamp, so the bytes
are reproducible) and ``tests/data/overpass/manifest.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import osmium

#: The box answered, west, south, east, north in degrees.
BBOX = (106.59, 10.82, 106.66, 10.87)

#: Per kind, the tags the query asks for (what geosite.data.osm sends), key -> values.
QUERIES: dict[str, dict[str, list[str]]] = {
    "roads": {
        "highway": [
            "motorway",
            "trunk",
            "primary",
            "secondary",
            "tertiary",
            "motorway_link",
            "trunk_link",
            "primary_link",
            "secondary_link",
            "tertiary_link",
        ]
    },
    "industrial_parks": {"landuse": ["industrial"]},
    "power_lines": {"power": ["line", "cable"]},
    "airports": {"aeroway": ["aerodrome"]},
    "ports": {"landuse": ["port"], "industrial": ["port"]},
    "universities": {"amenity": ["university"]},
}

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "overpass"


def _read(pbf: Path) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    nodes: dict[int, Any] = {}
    ways: dict[int, Any] = {}
    rels: dict[int, Any] = {}
    for o in osmium.FileProcessor(str(pbf)):
        if o.is_node():
            nodes[o.id] = (o.location.lat, o.location.lon, dict(o.tags))
        elif o.is_way():
            ways[o.id] = ([n.ref for n in o.nodes], dict(o.tags))
        elif o.is_relation():
            rels[o.id] = ([(m.type, m.ref, m.role) for m in o.members], dict(o.tags))
    return nodes, ways, rels


def _matches(tags: dict[str, str], query: dict[str, list[str]]) -> bool:
    return any(tags.get(key) in values for key, values in query.items())


def answer(
    nodes: dict[int, Any], ways: dict[int, Any], rels: dict[int, Any], query: dict[str, list[str]]
) -> dict[str, Any]:
    """Return the Overpass JSON answer of one features query over :data:`BBOX`."""
    west, south, east, north = BBOX

    def inside(nid: int) -> bool:
        if nid not in nodes:
            return False
        lat, lon, _ = nodes[nid]
        return west <= lon <= east and south <= lat <= north

    def way_in(wid: int) -> bool:
        return wid in ways and any(inside(n) for n in ways[wid][0])

    sel_n = {n for n, (_, _, t) in nodes.items() if t and _matches(t, query) and inside(n)}
    sel_w = {w for w, (_, t) in ways.items() if _matches(t, query) and way_in(w)}
    sel_r = {
        r
        for r, (members, t) in rels.items()
        if _matches(t, query)
        and any((k == "w" and way_in(ref)) or (k == "n" and inside(ref)) for k, ref, _ in members)
    }
    # (._;>;): members of relations, nodes of ways
    for r in sel_r:
        for k, ref, _ in rels[r][0]:
            if k == "w" and ref in ways:
                sel_w.add(ref)
            elif k == "n" and ref in nodes:
                sel_n.add(ref)
    for w in sel_w:
        sel_n.update(n for n in ways[w][0] if n in nodes)
    elements: list[dict[str, Any]] = []
    for n in sorted(sel_n):
        lat, lon, t = nodes[n]
        e: dict[str, Any] = {"type": "node", "id": n, "lat": round(lat, 7), "lon": round(lon, 7)}
        if t:
            e["tags"] = t
        elements.append(e)
    for w in sorted(sel_w):
        refs, t = ways[w]
        e = {"type": "way", "id": w, "nodes": [n for n in refs if n in nodes]}
        if t:
            e["tags"] = t
        elements.append(e)
    kinds = {"n": "node", "w": "way", "r": "relation"}
    for r in sorted(sel_r):
        members, t = rels[r]
        e = {
            "type": "relation",
            "id": r,
            "members": [
                {"type": kinds[k], "ref": ref, "role": role}
                for k, ref, role in members
                if (k == "w" and ref in ways) or (k == "n" and ref in nodes)
            ],
        }
        if t:
            e["tags"] = t
        elements.append(e)
    return {
        "version": 0.6,
        "generator": "geosite scripts/overpass_fixtures.py (from hcm_2018.osm.pbf)",
        "osm3s": {
            "timestamp_osm_base": "2018-01-01T00:00:00Z",
            "copyright": (
                "The data included in this document is from www.openstreetmap.org. "
                "The data is made available under ODbL."
            ),
        },
        "elements": elements,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pbf", type=Path, help="hcm_2018.osm.pbf")
    args = parser.parse_args()
    nodes, ways, rels = _read(args.pbf)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "bbox": list(BBOX),
        "source": "OpenStreetMap extract of Ho Chi Minh City of about 2018 (hcm_2018.osm.pbf)",
        "licence": "ODbL-1.0",
        "attribution": "© OpenStreetMap contributors",
        "built_by": "scripts/overpass_fixtures.py",
        "queries": {},
    }
    for kind, query in QUERIES.items():
        doc = answer(nodes, ways, rels, query)
        raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path = OUT / f"{kind}.json.gz"
        with path.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
            gz.write(raw)
        manifest["queries"][kind] = {"tags": query, "file": path.name}
        print(f"{kind}: {len(doc['elements'])} elements, {path.stat().st_size:,} bytes")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
