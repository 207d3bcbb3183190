"""Regenerate chiso/units/data/*.csv from the `vietnamadminunits` package.

The product ships plain CSV files and never imports the package (it is only in the
optional `units-source` extra), so this script is the single, reproducible road from the
source to the shipped data. It reads the package's SQLite dataset and its old -> new
conversion table directly, checks the figures we rely on, and writes sorted UTF-8 CSV
files. The same package version always gives byte-identical files.

    .venv/bin/python scripts/build_units.py               # writes chiso/units/data/
    .venv/bin/python scripts/build_units.py --output-dir /tmp/units

thanhhoa-departments.csv is written by hand and is not touched here. What every column
means, and what is checked, is in chiso/units/data/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from chiso.units.columns import LINEAGE_COLUMNS, UNIT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "chiso" / "units" / "data"

SOURCE_PACKAGE = "vietnamadminunits"
# The README describes this exact release; another one needs a fresh review of the
# checks and the README before its files are shipped.
SOURCE_VERSION = "1.0.4"

PROVINCE_CODE = "38"  # Thanh Hóa
PROVINCE_KEY = "tinhthanhhoa"  # the package's key for Thanh Hóa
LAST_LEGACY_DAY = "2025-06-30"
REFORM_DAY = "2025-07-01"


# Official names start with the kind of unit; the prefix is more reliable than the
# package's separate type column (which calls Thị trấn Ngọc Lặc a "Xã").
KIND_BY_PREFIX = {
    "province": (("Tỉnh ", "tinh"), ("Thành phố ", "thanh_pho_tw")),
    "district": (
        ("Huyện ", "huyen"),
        ("Quận ", "quan"),
        ("Thị xã ", "thi_xa"),
        ("Thành phố ", "thanh_pho"),
    ),
    "commune": (
        ("Xã ", "xa"),
        ("Phường ", "phuong"),
        ("Thị trấn ", "thi_tran"),
        ("Đặc khu ", "dac_khu"),
    ),
}

# Files this script writes, in the order it writes them.
OUTPUT_FILES = (
    "provinces.csv",
    "provinces-lineage.csv",
    "thanhhoa-districts.csv",
    "thanhhoa-communes.csv",
    "thanhhoa-lineage.csv",
)

Row = dict[str, str]


class BuildError(Exception):
    """The source is missing or does not match what the shipped data promises."""


@dataclass
class Source:
    """The parts of the package the build reads: both tables and the conversion map."""

    version: str
    legacy: list[dict[str, Any]]  # admin_units_legacy: 63 provinces, districts, communes
    current: list[dict[str, Any]]  # admin_units: 34 provinces, communes since 2025-07-01
    converter: dict[str, Any]  # converter_2025.json


@dataclass
class Built:
    """Rows per output file, and notes on where the source was corrected."""

    files: dict[str, list[Row]]
    notes: list[str]


def read_source() -> Source:
    """Open the installed package's data files without importing its code."""
    try:
        version = metadata.version(SOURCE_PACKAGE)
        data_dir = resources.files(SOURCE_PACKAGE) / "data"
    except (metadata.PackageNotFoundError, ModuleNotFoundError) as exc:
        raise BuildError(
            f"{SOURCE_PACKAGE} is not installed: install the `units-source` extra "
            f"(pip install -e '.[units-source]', i.e. {SOURCE_PACKAGE}=={SOURCE_VERSION})."
        ) from exc
    if version != SOURCE_VERSION:
        raise BuildError(
            f"{SOURCE_PACKAGE} {version} is installed but this script was checked against "
            f"{SOURCE_VERSION}: review the checks and chiso/units/data/README.md, then "
            "update SOURCE_VERSION."
        )
    db_path = Path(str(data_dir / "dataset.db"))
    # Read-only: the build must never change the installed package.
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        legacy = [dict(r) for r in conn.execute("SELECT * FROM admin_units_legacy")]
        current = [dict(r) for r in conn.execute("SELECT * FROM admin_units")]
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    return Source(version=version, legacy=legacy, current=current, converter=converter)


def kind_of(level: str, name: str, source_type: str | None, notes: list[str]) -> str:
    """The kind from the name's prefix, noting where the package's type column disagrees."""
    for prefix, kind in KIND_BY_PREFIX[level]:
        if name.startswith(prefix):
            if source_type is not None and source_type.strip() + " " != prefix:
                notes.append(f"{level} {name}: source type {source_type!r}, kind taken from name")
            return kind
    raise BuildError(f"{level} {name!r}: the name starts with no known kind")


def number(value: float | None) -> str:
    """A float as the shortest text that reads back to the same value ('' when absent)."""
    return "" if value is None else repr(float(value))


def unit_row(**fields: str) -> Row:
    return {column: fields.get(column, "") for column in UNIT_COLUMNS}


def blank_shared_points(rows: list[Row], notes: list[str], what: str) -> None:
    """Empty the coordinates that two or more units share.

    The legacy centroids were geocoded from names; when a name was not found the
    geocoder returned the same point for several communes (often the district's
    centre). A shared point is not a centroid, so it is left out rather than shipped.
    """
    points = Counter((r["latitude"], r["longitude"]) for r in rows if r["latitude"])
    for row in rows:
        if row["latitude"] and points[(row["latitude"], row["longitude"])] > 1:
            notes.append(f"{what} {row['code']} {row['name']}: shared point left out")
            row["latitude"] = row["longitude"] = ""


def build_provinces(source: Source, notes: list[str]) -> list[Row]:
    rows: dict[tuple[str, str], Row] = {}
    for era, records, valid_from, valid_to in (
        ("legacy", source.legacy, "", LAST_LEGACY_DAY),
        ("current", source.current, REFORM_DAY, ""),
    ):
        for rec in records:
            code = rec["provinceCode"]
            row = unit_row(
                code=code,
                name=rec["province"],
                level="province",
                kind=kind_of("province", rec["province"], None, notes),
                province_code=code,
                valid_from=valid_from,
                valid_to=valid_to,
                latitude=number(rec["provinceLat"]),
                longitude=number(rec["provinceLon"]),
            )
            if rows.setdefault((era, code), row) != row:
                raise BuildError(f"{era} province {code}: the source disagrees with itself")
    return sort_units(rows.values())


def build_districts(source: Source, notes: list[str]) -> list[Row]:
    rows: dict[str, Row] = {}
    for rec in source.legacy:
        if rec["provinceCode"] != PROVINCE_CODE:
            continue
        row = unit_row(
            code=rec["districtCode"],
            name=rec["district"],
            level="district",
            kind=kind_of("district", rec["district"], rec["districtType"], notes),
            parent_level="province",
            parent_code=PROVINCE_CODE,
            province_code=PROVINCE_CODE,
            valid_to=LAST_LEGACY_DAY,
            latitude=number(rec["districtLat"]),
            longitude=number(rec["districtLon"]),
        )
        if rows.setdefault(row["code"], row) != row:
            raise BuildError(f"district {row['code']}: the source disagrees with itself")
    return sort_units(rows.values())


def build_communes(source: Source, notes: list[str]) -> list[Row]:
    legacy = [
        unit_row(
            code=rec["wardCode"],
            name=rec["ward"],
            level="commune",
            kind=kind_of("commune", rec["ward"], rec["wardType"], notes),
            parent_level="district",
            parent_code=rec["districtCode"],
            province_code=PROVINCE_CODE,
            valid_to=LAST_LEGACY_DAY,
            latitude=number(rec["wardLat"]),
            longitude=number(rec["wardLon"]),
        )
        for rec in source.legacy
        if rec["provinceCode"] == PROVINCE_CODE
    ]
    blank_shared_points(legacy, notes, "legacy commune")
    current = [
        unit_row(
            code=rec["wardCode"],
            name=rec["ward"],
            level="commune",
            kind=kind_of("commune", rec["ward"], rec["wardType"], notes),
            parent_level="province",
            parent_code=PROVINCE_CODE,
            province_code=PROVINCE_CODE,
            valid_from=REFORM_DAY,
            latitude=number(rec["wardLat"]),
            longitude=number(rec["wardLon"]),
            area_km2=number(rec["wardAreaKm2"]),
        )
        for rec in source.current
        if rec["provinceCode"] == PROVINCE_CODE
    ]
    blank_shared_points(current, notes, "commune")
    return sort_units(legacy + current)


def build_province_lineage(source: Source) -> list[Row]:
    """Each of the 63 provinces went whole into one of the 34 (NQ 202/2025/QH15)."""
    old_codes = {r["provinceKey"]: r["provinceCode"] for r in source.legacy}
    new_codes = {r["provinceKey"]: r["provinceCode"] for r in source.current}
    rows = [
        lineage_row("province", new_codes[new_key], old_codes[old_key], whole=True)
        for new_key, old_keys in source.converter["DICT_PROVINCE"].items()
        for old_key in old_keys
    ]
    return sort_lineage(rows)


def build_commune_lineage(source: Source) -> list[Row]:
    """Thanh Hóa's old communes -> new communes, from the package's conversion map.

    The map has two parts: for each new commune, the old communes that went into it
    entirely ("not divided"), and for each old commune that was split, the new communes
    that received a part of it ("divided").
    """
    old_codes = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": r["wardCode"]
        for r in source.legacy
        if r["provinceCode"] == PROVINCE_CODE
    }
    new_codes = {
        r["wardKey"]: r["wardCode"] for r in source.current if r["provinceCode"] == PROVINCE_CODE
    }
    whole = source.converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(PROVINCE_KEY, {})
    divided = source.converter["DICT_PROVINCE_WARD_DIVIDED"].get(PROVINCE_KEY, {})
    try:
        rows = [
            lineage_row("commune", new_codes[new_key], old_codes[old_key], whole=True)
            for new_key, old_keys in whole.items()
            for old_key in old_keys
        ]
        rows += [
            lineage_row("commune", new_codes[part["newWardKey"]], old_codes[old_key], whole=False)
            for old_key, parts in divided.items()
            for part in parts
        ]
    except KeyError as exc:
        raise BuildError(f"the conversion map names an unknown Thanh Hóa unit: {exc}") from exc
    return sort_lineage(rows)


def lineage_row(level: str, new_code: str, old_code: str, *, whole: bool) -> Row:
    return {
        "date": REFORM_DAY,
        "level": level,
        "new_code": new_code,
        "old_code": old_code,
        "whole": "1" if whole else "0",
    }


def sort_units(rows: Iterable[Row]) -> list[Row]:
    # Legacy first for a repeated code: its empty valid_from sorts before a date.
    return sorted(rows, key=lambda r: (r["code"], r["valid_from"]))


def sort_lineage(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r["date"], r["level"], r["new_code"], r["old_code"]))


def check(files: Mapping[str, list[Row]]) -> None:
    """Refuse to write files that break what chiso/units/data/README.md promises."""
    problems: list[str] = []

    def expect(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            problems.append(f"{what}: {got}, expected {wanted}")

    provinces = files["provinces.csv"]
    expect("provinces before the reform", sum(not r["valid_from"] for r in provinces), 63)
    expect("provinces from the reform", sum(bool(r["valid_from"]) for r in provinces), 34)
    expect(
        "kinds of the 26 Thanh Hóa districts",
        dict(sorted(Counter(r["kind"] for r in files["thanhhoa-districts.csv"]).items())),
        {"huyen": 22, "thanh_pho": 2, "thi_xa": 2},
    )
    communes = files["thanhhoa-communes.csv"]
    legacy = [r for r in communes if not r["valid_from"]]
    current = [r for r in communes if r["valid_from"]]
    expect(
        "kinds of the 547 Thanh Hóa communes before the reform",
        dict(sorted(Counter(r["kind"] for r in legacy).items())),
        {"phuong": 63, "thi_tran": 32, "xa": 452},
    )
    expect(
        "kinds of the 166 Thanh Hóa communes from the reform",
        dict(sorted(Counter(r["kind"] for r in current).items())),
        {"phuong": 19, "xa": 147},
    )
    names = {r["code"]: r["name"] for r in current}
    expect("commune 14758", names.get("14758"), "Phường Hàm Rồng")
    expect("commune 14797", names.get("14797"), "Phường Hạc Thành")
    districts = {r["code"] for r in files["thanhhoa-districts.csv"]}
    orphans = sorted(r["code"] for r in legacy if r["parent_code"] not in districts)
    expect("legacy communes without a district", orphans, [])

    for name, units, level in (
        ("provinces-lineage.csv", provinces, "province"),
        ("thanhhoa-lineage.csv", communes, "commune"),
    ):
        links = files[name]
        old = {r["code"] for r in units if not r["valid_from"]}
        new = {r["code"] for r in units if r["valid_from"]}
        expect(
            f"{level} links repeated",
            len(links) - len({(r["new_code"], r["old_code"]) for r in links}),
            0,
        )
        expect(
            f"old {level}s without a successor", sorted(old - {r["old_code"] for r in links}), []
        )
        expect(
            f"new {level}s without a predecessor", sorted(new - {r["new_code"] for r in links}), []
        )
        unknown = ({r["old_code"] for r in links} - old) | ({r["new_code"] for r in links} - new)
        expect(f"{level} links to unknown units", sorted(unknown), [])
        # An old unit either went whole into one new unit or was split between several.
        per_old: defaultdict[str, list[Row]] = defaultdict(list)
        for r in links:
            per_old[r["old_code"]].append(r)
        odd = sorted(
            code
            for code, rs in per_old.items()
            if not (len(rs) == 1 and rs[0]["whole"] == "1")
            and not (len(rs) > 1 and all(r["whole"] == "0" for r in rs))
        )
        expect(f"old {level}s neither whole nor split", odd, [])
    if problems:
        raise BuildError(
            "the source does not match the shipped promises:\n  " + "\n  ".join(problems)
        )


def build_rows(source: Source) -> Built:
    notes: list[str] = []
    files = {
        "provinces.csv": build_provinces(source, notes),
        "provinces-lineage.csv": build_province_lineage(source),
        "thanhhoa-districts.csv": build_districts(source, notes),
        "thanhhoa-communes.csv": build_communes(source, notes),
        "thanhhoa-lineage.csv": build_commune_lineage(source),
    }
    check(files)
    return Built(files=files, notes=notes)


def write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    # newline="" and "\n": the same bytes on every platform.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build(output_dir: Path = DEFAULT_OUTPUT, *, log: Any = None) -> dict[str, int]:
    """Write the generated CSV files into `output_dir`; return the rows written per file."""
    built = build_rows(read_source())
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:
        columns = LINEAGE_COLUMNS if name.endswith("-lineage.csv") else UNIT_COLUMNS
        write_csv(output_dir / name, columns, built.files[name])
    if log is not None:
        for note in built.notes:
            print(f"note: {note}", file=log)
    return {name: len(built.files[name]) for name in OUTPUT_FILES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir", type=Path, default=DEFAULT_OUTPUT, help="where to write the CSV files"
    )
    args = parser.parse_args(argv)
    try:
        counts = build(args.output_dir, log=sys.stderr)
    except BuildError as exc:
        print(f"build_units: {exc}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{count:5d} rows  {args.output_dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
