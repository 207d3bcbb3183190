"""The shipped commune map: one approximate cell per post-reform commune, from its script."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELLS = ROOT / "chiso" / "static" / "chiso" / "map" / "thanhhoa-communes-2025.geojson"
COMMUNES = ROOT / "chiso" / "units" / "data" / "thanhhoa-communes.csv"


def _script():
    spec = importlib.util.spec_from_file_location(
        "build_commune_map", ROOT / "scripts" / "build_commune_map.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _post_reform():
    with COMMUNES.open(encoding="utf-8") as handle:
        return {r["code"]: r for r in csv.DictReader(handle) if r["valid_from"] == "2025-07-01"}


def test_the_map_has_one_cell_for_each_of_the_166_communes():
    cells = json.loads(CELLS.read_text(encoding="utf-8"))
    codes = [f["properties"]["code"] for f in cells["features"]]
    assert len(codes) == 166
    assert set(codes) == set(_post_reform())
    assert cells["properties"]["approximate"] is True


def test_each_communes_official_centroid_lies_in_its_own_cell():
    from shapely.geometry import Point, shape  # the units-source extra, installed by make

    communes = _post_reform()
    cells = json.loads(CELLS.read_text(encoding="utf-8"))
    for feature in cells["features"]:
        row = communes[feature["properties"]["code"]]
        cell = shape(feature["geometry"])
        assert cell.is_valid and not cell.is_empty, row["name"]
        point = Point(float(row["longitude"]), float(row["latitude"]))
        assert cell.buffer(0.002).contains(point), row["name"]


def test_the_script_rebuilds_the_shipped_file_exactly(tmp_path):
    script = _script()
    outline = json.loads(script.OUTLINE.read_text(encoding="utf-8"))
    rebuilt = script.build_cells(outline, script.communes())
    shipped = json.loads(CELLS.read_text(encoding="utf-8"))
    assert rebuilt == shipped


def test_the_outline_decoder_reads_echarts_compressed_rings():
    # Two points from offset (100, 200) at scale 1: zigzag 2 -> +1, 3 -> -2.
    script = _script()
    encoded = "@@" + chr(64 + 2) + chr(64 + 3) + chr(64 + 0) + chr(64 + 4)
    assert script.decode_ring(encoded, [100, 200], scale=1.0) == [[101.0, 198.0], [101.0, 200.0]]
