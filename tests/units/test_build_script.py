"""scripts/build_units.py regenerates the shipped CSV files exactly.

This test needs the `units-source` extra (vietnamadminunits==1.0.4), which the dev
environment has. It deliberately fails, rather than skips, when the package is missing:
a silent skip would let the shipped files drift away from their source unnoticed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from chiso.units import services

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_units.py"


@pytest.fixture(scope="module")
def build_units() -> ModuleType:
    """The script, imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_units", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source(build_units):
    try:
        return build_units.read_source()
    except build_units.BuildError as exc:
        pytest.fail(f"cannot check the shipped unit files against their source: {exc}")


def test_the_script_reproduces_the_shipped_files_byte_for_byte(build_units, source, tmp_path):
    counts = build_units.build(tmp_path)
    assert counts == {
        "provinces.csv": 97,
        "provinces-lineage.csv": 63,
        "thanhhoa-districts.csv": 26,
        "thanhhoa-communes.csv": 713,
        "thanhhoa-lineage.csv": 558,
    }
    for name in build_units.OUTPUT_FILES:
        shipped = (services.DATA_DIR / name).read_bytes()
        assert (tmp_path / name).read_bytes() == shipped, f"{name} differs from its source"


def test_two_runs_write_identical_files(build_units, source, tmp_path):
    build_units.build(tmp_path / "a")
    build_units.build(tmp_path / "b")
    for name in build_units.OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_script_refuses_a_source_that_breaks_the_promised_counts(build_units, source):
    # A release that turned Phường Hàm Rồng into a xã would no longer give 147 + 19.
    current = [
        {**r, "ward": "Xã Hàm Rồng"}
        if r["wardCode"] == "14758" and r["provinceCode"] == "38"
        else r
        for r in source.current
    ]
    with pytest.raises(build_units.BuildError, match="kinds of the 166 Thanh Hóa communes"):
        build_units.build_rows(dataclasses.replace(source, current=current))


def test_the_script_and_the_loader_agree_on_files(build_units):
    # The columns are one list (chiso/units/columns.py); the file names are kept twice.
    generated = set(build_units.OUTPUT_FILES) | {"thanhhoa-departments.csv"}
    assert generated == set(services.UNIT_FILES) | set(services.LINEAGE_FILES)
    assert generated | {"README.md"} == {p.name for p in services.DATA_DIR.iterdir()}


def test_the_product_never_imports_the_source_package():
    importing = re.compile(r"^\s*(from|import)\s+vietnamadminunits\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "chiso").rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
