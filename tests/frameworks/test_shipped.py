"""The framework files shipped with chiso (chiso/frameworks/shipped/*.yaml).

They parse with the engine, have the published shape (counts and points), carry a
Vietnamese and an English title everywhere, say which indicators are reconstructed,
and the provincial DTI file recomputes the published DTI 2022 top five from their
main-index values.
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from chiso.engine import (
    EngineError,
    Framework,
    Values,
    as_share,
    check_rules,
    parse_framework,
    parse_values,
    score,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "chiso" / "frameworks" / "shipped"
DTI_CSV = ROOT / "data" / "dti-2022-provinces.csv"

DTI = "dti-province-2022.yaml"
COMMUNE = "thanhhoa-commune-2024.yaml"
DISTRICT = "thanhhoa-district-2022.yaml"
DEPARTMENT = "thanhhoa-department-2022.yaml"
DTI_2025 = "dti-province-2025.yaml"
COMMUNE_2026 = "thanhhoa-commune-2026.yaml"
DEPARTMENT_2026 = "thanhhoa-department-2026.yaml"
ALL = (DTI, COMMUNE, DISTRICT, DEPARTMENT, DTI_2025, COMMUNE_2026, DEPARTMENT_2026)

# Main indices of QĐ 922/QĐ-BTTTT: points and number of component indicators.
DTI_INDICES = {
    "NTS": (100, 10),
    "TCS": (100, 11),
    "HTS": (100, 7),
    "NLS": (100, 13),
    "ATTTM": (100, 12),
    "DTTM": (0, 3),
    "HD_CQS": (200, 22),
    "HD_KTS": (150, 12),
    "HD_XHS": (150, 8),
}


@cache
def framework(name: str) -> Framework:
    return parse_framework((SHIPPED / name).read_text(encoding="utf-8"), source=name)


@cache
def raw(name: str) -> dict[str, Any]:
    data = yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def bilingual(text: Any) -> bool:
    return (
        isinstance(text, dict)
        and isinstance(text.get("vi"), str)
        and bool(text["vi"].strip())
        and isinstance(text.get("en"), str)
        and bool(text["en"].strip())
    )


def column(results: Any, code: str) -> np.ndarray:
    return results.node_values[:, results.node_codes.index(code)]


# ---------------------------------------------------------------------------
# Every file


def test_the_shipped_directory_holds_exactly_the_seven_files() -> None:
    assert sorted(p.name for p in SHIPPED.glob("*.yaml")) == sorted(ALL)
    assert (SHIPPED / "README.md").is_file()


@pytest.mark.parametrize("name", ALL)
def test_file_parses_and_has_the_required_top_keys(name: str) -> None:
    fw = framework(name)
    data = raw(name)
    assert data["format"] == "chiso-framework/1"
    assert re.fullmatch(r"[a-z0-9-]+", fw.code)
    assert f"{fw.code}.yaml" == name
    assert fw.missing == "zero" and data["missing"] == "zero"
    assert bilingual(data["title"]) and fw.title["vi"] and fw.title["en"]
    assert bilingual(data["description"])
    assert isinstance(data["source"], str)
    assert re.search(r"\d+/QĐ-(UBND|BTTTT|BKHCN)", data["source"])
    assert isinstance(data["year"], int)


@pytest.mark.parametrize(
    ("name", "level", "year"),
    [
        (DTI, "province", 2022),
        (COMMUNE, "commune", 2024),
        (DISTRICT, "district", 2022),
        (DEPARTMENT, "department", 2022),
        (DTI_2025, "province", 2025),
        (COMMUNE_2026, "commune", 2026),
        (DEPARTMENT_2026, "department", 2026),
    ],
)
def test_level_and_year(name: str, level: str, year: int) -> None:
    fw = framework(name)
    assert (fw.level, fw.year) == (level, year)


@pytest.mark.parametrize("name", ALL)
def test_every_node_element_and_rule_message_is_bilingual(name: str) -> None:
    fw = framework(name)
    for node in fw.nodes:
        assert bilingual(node.title), node.code
        if node.description is not None:
            assert bilingual(node.description), node.code
        for key in ("help", "evidence", "data_source", "verified_by"):
            if key in node.extra:
                assert bilingual(node.extra[key]), (node.code, key)
    for element in fw.elements:
        assert bilingual(element.title), element.code
    for rule in fw.validation:
        assert bilingual(rule.message), rule.rule


@pytest.mark.parametrize("name", ALL)
def test_codes_are_unique_and_well_formed(name: str) -> None:
    fw = framework(name)
    codes = [node.code for node in fw.nodes] + [element.code for element in fw.elements]
    assert len(codes) == len(set(codes))
    # Also unique ignoring case, so that no two codes differ by case alone.
    assert len({code.casefold() for code in codes}) == len(codes)
    for node in fw.nodes:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", node.code)
    for element in fw.elements:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", element.code)


@pytest.mark.parametrize("name", ALL)
def test_every_element_is_used_by_a_formula(name: str) -> None:
    fw = framework(name)
    used: set[str] = set()
    for leaf in fw.leaves:
        if leaf.formula:
            used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", leaf.formula))
    assert {element.code for element in fw.elements} <= used


@pytest.mark.parametrize("name", ALL)
def test_reconstructed_indicators_say_so(name: str) -> None:
    reconstructed = [leaf for leaf in framework(name).leaves if leaf.extra.get("reconstructed")]
    # The DTI's indicators are the ministry's own; the province's sets were rebuilt.
    assert bool(reconstructed) == (name != DTI)
    for leaf in reconstructed:
        assert leaf.description is not None, leaf.code
        assert "tái dựng" in leaf.description["vi"].casefold(), leaf.code
        assert "reconstructed" in leaf.description["en"].casefold(), leaf.code


@pytest.mark.parametrize("name", ALL)
def test_nothing_entered_scores_zero(name: str) -> None:
    fw = framework(name)
    results = score(fw, Values.from_mapping(fw, {"empty": {}}))
    assert results.points[0] == 0
    assert results.value[0] == 0


# ---------------------------------------------------------------------------
# The provincial DTI


def published_dti() -> list[dict[str, str]]:
    with DTI_CSV.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["DTI"].strip()]


def test_dti_shape() -> None:
    fw = framework(DTI)
    assert [root.code for root in fw.tree] == ["NEN_TANG", "HOAT_DONG"]
    assert [leaf.code for leaf in fw.leaves] == list(DTI_INDICES)
    assert len(fw.leaves) == 9
    assert fw.max_points == 1000
    assert fw.node("NEN_TANG").max_points == 500
    assert fw.node("HOAT_DONG").max_points == 500
    assert fw.node("DTTM").points == 0
    for code, (points, _) in DTI_INDICES.items():
        leaf = fw.node(code)
        assert leaf.points == points
        assert leaf.formula is None
        assert leaf.score is not None
        assert (leaf.score.method, leaf.score.zero, leaf.score.full) == ("linear", 0, 1)
    assert fw.recognition is None


def test_dti_records_the_component_counts_and_that_the_lists_were_not_found() -> None:
    fw = framework(DTI)
    assert sum(count for _, count in DTI_INDICES.values()) == 98
    for code, (_, count) in DTI_INDICES.items():
        description = fw.node(code).description
        assert description is not None
        assert f"{count} chỉ số thành phần" in description["vi"], code
        assert f"{count} component" in description["en"], code
        assert "không tìm thấy" in description["vi"], code
        assert "not found" in description["en"], code
    # No numbered components were invented.
    assert all(leaf.code in DTI_INDICES for leaf in fw.leaves)
    top = raw(DTI)["description"]
    assert "98" in top["vi"] and "98" in top["en"]
    assert "trụ cột" in top["vi"] and "pillar" in top["en"]


def test_dti_input_codes_are_the_published_csv_columns() -> None:
    fw = framework(DTI)
    with DTI_CSV.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    published = [code for code in header if code not in ("rank", "province", "DTI")]
    assert set(published) <= set(fw.input_codes)
    assert set(fw.input_codes) == set(published) | {"DTTM"}


def test_dti_2022_top_five_reproduced_from_main_index_values() -> None:
    fw = framework(DTI)
    rows = published_dti()
    assert len(rows) == 5
    codes = [code for code in DTI_INDICES if code != "DTTM"]
    long_rows = []
    line = 1
    for row in rows:
        for code in codes:
            line += 1
            long_rows.append((line, row["province"], code, row[code]))
    values = parse_values(long_rows, fw, source=DTI_CSV.name)
    results = score(fw, values)

    by_unit = {unit: i for i, unit in enumerate(results.units)}
    for row in rows:
        i = by_unit[row["province"]]
        published = float(row["DTI"])
        value = float(results.value[i])
        assert results.points[i] == pytest.approx(value * 1000)
        if row["province"] == "TP. Hồ Chí Minh":
            # Published 0.7163 was computed before its inputs were rounded; the
            # rounded inputs give 0.716355 -> 0.7164.
            assert round(value, 4) == 0.7164
            assert abs(value - published) <= 0.0001
        else:
            assert round(value, 4) == published, row["province"]
        assert int(results.rank[i]) == int(row["rank"]), row["province"]
        # Each main index's value is its input (s x points / points).
        for code in codes:
            assert float(column(results, code)[i]) == pytest.approx(float(row[code]), abs=1e-12)
        # Smart city is not entered: no value, no points, the DTI is unchanged.
        assert float(column(results, "DTTM")[i]) == 0


def test_dti_smart_city_value_changes_nothing() -> None:
    fw = framework(DTI)
    row = published_dti()[0]
    inputs = {code: row[code] for code in DTI_INDICES if code != "DTTM"}
    values = Values.from_mapping(fw, {"without": inputs, "with": {**inputs, "DTTM": "0,95"}})
    results = score(fw, values)
    assert results.value[0] == results.value[1]
    assert results.points[0] == results.points[1]
    assert results.rank.tolist() == [1, 1]


# ---------------------------------------------------------------------------
# The commune criteria

COMMUNE_GROUPS = {"CQS": 11, "KTS": 6, "XHS": 12, "HTS": 8}
KNOWN_THRESHOLDS = {"KTS.01": 60, "XHS.01": 30, "XHS.02": 95}

# A commune that meets every criterion (figures in the range the province reports).
EXCELLENT: dict[str, object] = {
    "CQS.01": "có", "tthc_tt": 120, "tthc_ps": 100, "hs_tong": 1302, "hs_tt": 1240,
    "hs_gq": 1290, "hs_dunghan": 1280, "CQS.05": "85,5", "vb_di": 800, "vb_ks": 800, "CQS.07": 70,
    "CQS.08": 100, "CQS.09": "có", "pakn_tong": 40, "pakn_dunghan": 40, "CQS.11": 100,
    "ho_dien": 3000, "ho_dien_ktm": 2100, "dn_tong": 120, "dn_ns": 70, "KTS.03": 4,
    "KTS.04": 100, "KTS.05": 3, "tk_tt": 8200,
    "dan_so": 12500, "dan_tt": 9800, "cks": 3500, "hssk": 12100, "dtdm": 8000,
    "thon_tong": 12, "thon_tcns": 12, "XHS.05": 55, "XHS.06": 85, "XHS.07": 85,
    "truong_tong": 4, "truong_ktm": 4, "truong_hbs": 4, "XHS.09": "có", "XHS.11": 90,
    "XHS.12": 30, "thon_4g": 12, "ho_gd": 3100, "ho_cq": 2600, "nvh_tong": 12,
    "nvh_wifi": 12, "HTS.04": "đạt", "HTS.05": 100, "HTS.06": 100, "HTS.07": "có",
    "HTS.08": "có",
}  # fmt: skip


def test_commune_shape() -> None:
    fw = framework(COMMUNE)
    assert [root.code for root in fw.tree] == list(COMMUNE_GROUPS)
    for root in fw.tree:
        assert len(root.children) == COMMUNE_GROUPS[root.code], root.code
        assert all(child.is_leaf for child in root.children)
    assert len(fw.leaves) == 37
    assert fw.max_points == 100
    assert fw.recognition is not None
    assert fw.recognition.min_points == 80
    assert fw.recognition.min_value is None
    assert fw.recognition.all_mandatory is True


def test_commune_known_thresholds_are_mandatory_and_sourced() -> None:
    fw = framework(COMMUNE)
    for code, threshold in KNOWN_THRESHOLDS.items():
        leaf = fw.node(code)
        assert leaf.mandatory, code
        assert leaf.score is not None
        assert (leaf.score.method, leaf.score.at_least) == ("threshold", threshold)
        assert "1829" in leaf.extra["source"]
        assert not leaf.extra.get("reconstructed")
    # Only these three are taken from the decision; the rest is reconstructed.
    reconstructed = {leaf.code for leaf in fw.leaves if leaf.extra.get("reconstructed")}
    assert reconstructed == {leaf.code for leaf in fw.leaves} - set(KNOWN_THRESHOLDS)
    mandatory = {leaf.code for leaf in fw.leaves if leaf.mandatory}
    assert set(KNOWN_THRESHOLDS) < mandatory
    assert len(mandatory) < len(fw.leaves)


def test_commune_indicators_carry_help_and_evidence() -> None:
    for leaf in framework(COMMUNE).leaves:
        for key in ("help", "evidence", "data_source", "verified_by"):
            assert bilingual(leaf.extra.get(key)), (leaf.code, key)
        assert bilingual(leaf.description), leaf.code


def test_commune_uses_a_mix_of_scoring_methods() -> None:
    methods = {leaf.score.method for leaf in framework(COMMUNE).leaves if leaf.score}
    assert {"threshold", "linear", "steps", "boolean"} <= methods


def test_commune_description_explains_the_pass_rule() -> None:
    description = raw(COMMUNE)["description"]
    assert "80" in description["vi"] and "80" in description["en"]
    assert "không tìm thấy" in description["vi"]
    assert "not" in description["en"] and "found" in description["en"]
    assert "phiên bản mới" in description["vi"] and "new version" in description["en"]


def test_commune_recognition() -> None:
    fw = framework(COMMUNE)
    assert set(EXCELLENT) == set(fw.input_codes)
    mandatory = [leaf.code for leaf in fw.leaves if leaf.mandatory]
    missing_health_record = {**EXCELLENT, "hssk": 11788}  # 94.3%, the province's figure
    only_mandatory = {
        code: value
        for code, value in EXCELLENT.items()
        if code in {"hs_tong", "hs_tt", "hs_gq", "hs_dunghan", "vb_di", "vb_ks", "ho_dien",
                    "ho_dien_ktm", "dan_so", "dan_tt", "cks", "hssk", "thon_tong",
                    "thon_tcns"} | set(mandatory)
    }  # fmt: skip
    values = Values.from_mapping(
        fw,
        {
            "14758": EXCELLENT,
            "14797": missing_health_record,
            "14800": only_mandatory,
        },
    )
    assert check_rules(fw, values) == []
    results = score(fw, values)
    index = {unit: i for i, unit in enumerate(results.units)}
    assert results.recognized is not None

    best = index["14758"]
    assert results.points[best] == pytest.approx(100)
    assert bool(results.recognized[best]) is True
    assert results.unmet_mandatory[best] == ()
    assert int(results.rank[best]) == 1

    # 97 points, above the threshold, but a mandatory criterion is not met.
    short = index["14797"]
    assert results.points[short] == pytest.approx(97)
    assert bool(results.recognized[short]) is False
    assert results.unmet_mandatory[short] == ("XHS.02",)

    # Every mandatory criterion met, but too few points.
    low = index["14800"]
    assert results.unmet_mandatory[low] == ()
    assert results.points[low] < 80
    assert bool(results.recognized[low]) is False


def test_commune_validation_rule_catches_impossible_figures() -> None:
    fw = framework(COMMUNE)
    values = Values.from_mapping(fw, {"14758": {**EXCELLENT, "hs_tt": 1400}})
    problems = check_rules(fw, values)
    assert len(problems) == 1
    assert "14758" in str(problems[0])


# ---------------------------------------------------------------------------
# The district index


def main_indices(fw: Framework, *activity: str) -> list[Any]:
    """The main indices under the two groups, checked against the five foundation
    ones and then `activity`."""
    assert [root.code for root in fw.tree] == ["NEN_TANG", "HOAT_DONG"]
    main = [child for root in fw.tree for child in root.children]
    assert [node.code for node in main] == ["NTS", "TCS", "HTS", "NLS", "ATTTM", *activity]
    return main


def test_district_shape() -> None:
    fw = framework(DISTRICT)
    main = main_indices(fw, "CQS", "KTS", "XHS")
    assert all(not node.is_leaf for node in main)
    assert fw.max_points == 1000
    assert {node.code: node.max_points for node in main} == {
        "NTS": 100, "TCS": 100, "HTS": 100, "NLS": 100, "ATTTM": 100,
        "CQS": 200, "KTS": 150, "XHS": 150,
    }  # fmt: skip
    assert all(leaf.extra.get("reconstructed") for leaf in fw.leaves)
    description = raw(DISTRICT)["description"]
    assert "63" in description["vi"] and "63" in description["en"]


def test_district_typical_rules() -> None:
    fw = framework(DISTRICT)
    units = {
        f"u{n}": {"NTS.1": n, "hop_ct": n, "hop_cds": 4, "truong_ban": min(n, 2)} for n in range(5)
    }
    results = score(fw, Values.from_mapping(fw, units))
    leaf_index = {leaf.code: i for i, leaf in enumerate(fw.leaves)}
    meetings = results.leaf_points[:, leaf_index["NTS.1"]].tolist()
    chaired = results.leaf_points[:, leaf_index["NTS.2"]].tolist()
    head = results.leaf_points[:, leaf_index["NTS.3"]].tolist()
    assert meetings == pytest.approx([0, 5, 10, 15, 20])  # 4 -> 20, 3 -> 15, 2 -> 10, 1 -> 5
    assert chaired == pytest.approx([n / 4 * 20 for n in range(5)])  # a / b x 20
    assert head == pytest.approx([0, 10, 20, 20, 20])  # none 0, deputy half, head full


def test_district_share_of_recognised_communes() -> None:
    fw = framework(DISTRICT)
    results = score(fw, Values.from_mapping(fw, {"380": {"xa_cn": 9, "xa_tong": 18}}))
    leaf_index = {leaf.code: i for i, leaf in enumerate(fw.leaves)}
    assert results.leaf_values[0, leaf_index["CQS.7"]] == pytest.approx(50)
    assert results.leaf_points[0, leaf_index["CQS.7"]] == pytest.approx(15)


# ---------------------------------------------------------------------------
# The department index


def test_department_shape() -> None:
    fw = framework(DEPARTMENT)
    assert fw.max_points == 1000
    # One overall index: the roots are the main indices, with no pillar above them.
    assert len(fw.tree) == 8
    assert all(not root.is_leaf for root in fw.tree)
    assert all(child.is_leaf for root in fw.tree for child in root.children)
    assert not {"CQS", "KTS", "XHS"} & {root.code for root in fw.tree}
    assert {"NTS", "TCS", "HTS", "NLS", "ATTTM", "DVC", "QLVB", "DL"} == {
        root.code for root in fw.tree
    }
    assert all(leaf.extra.get("reconstructed") for leaf in fw.leaves)


def test_department_lower_is_better_indicator() -> None:
    fw = framework(DEPARTMENT)
    results = score(fw, Values.from_mapping(fw, {"a": {"ATTTM.4": 0}, "b": {"ATTTM.4": 5}}))
    assert column(results, "ATTTM.4").tolist() == [1.0, 0.0]
    assert math.isclose(results.points[0], 25)


@pytest.mark.parametrize("name", ALL)
def test_a_share_entered_directly_is_typed_percent_so_more_than_100_is_refused(name: str) -> None:
    parsed = framework(name)
    shares = [leaf for leaf in parsed.leaves if leaf.unit == "%" and leaf.formula is None]
    # The DTI takes only component scores; the province's sets take shares directly.
    assert bool(shares) == (name != DTI)
    for leaf in shares:
        assert parsed.input_type(leaf.code) == "percent", leaf.code


# -- bounds (issue 7, item 4) --------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_every_count_refuses_a_negative_figure(name):
    framework_ = framework(name)
    for element in framework_.elements:
        assert element.minimum == 0, element.code
    for leaf in framework_.leaves:
        if leaf.formula is None and leaf.unit not in (None, "%") and leaf.input_type == "number":
            assert leaf.minimum == 0, leaf.code


@pytest.mark.parametrize("name", ALL)
def test_every_share_has_the_rule_that_keeps_it_at_or_below_100_percent(name):
    framework_ = framework(name)
    rules = {rule.rule for rule in framework_.validation}
    shares = 0
    for leaf in framework_.leaves:
        expr = framework_.formula(leaf.code)
        share = as_share(expr) if expr is not None else None
        if share is not None:
            shares += 1
            assert f"{share[0]} <= {share[1]}" in rules, leaf.code
    assert bool(shares) == (name not in (DTI, DTI_2025))


def test_negative_dossiers_no_longer_make_a_share_of_200_percent():
    # tthc_ps = -10 and tthc_tt = -5 used to save, show "200 %" and earn 3 of 3 points.
    commune = framework(COMMUNE)
    rows = [(2, "14758", "tthc_ps", "-10"), (3, "14758", "tthc_tt", "-5")]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, commune)
    assert [problem.code for problem in caught.value.problems] == ["out_of_bounds"] * 2


# ---------------------------------------------------------------------------
# The sets after the 2025 reform (issue 25)


def leaves_per_branch(fw: Framework, branches: Any) -> list[int]:
    return [sum(1 for node in branch.walk() if node.is_leaf) for branch in branches]


def test_dti_2025_has_qd_405_s_shape_grouped_as_2022() -> None:
    fw = framework(DTI_2025)
    indices = main_indices(fw, "HD_CQS", "HD_KTS", "HD_XHS")
    # The 2022 points: 100 for each foundation index, the pillars 200, 150, 150.
    assert [index.max_points for index in indices] == [100] * 5 + [200, 150, 150]
    assert len(fw.leaves) == 47 and fw.max_points == 1000
    assert all(leaf.extra.get("reconstructed") for leaf in fw.leaves)
    assert "405/QĐ-BKHCN" in raw(DTI_2025)["source"]


def test_commune_2026_has_qd_5279_s_eight_groups_and_the_recognition_rule() -> None:
    fw = framework(COMMUNE_2026)
    assert leaves_per_branch(fw, fw.tree) == [5, 3, 5, 6, 4, 10, 6, 8]
    assert "CQS" in [root.code for root in fw.tree]  # the pillar target's pillar
    assert fw.recognition is not None and fw.recognition.min_points == 80
    assert fw.recognition.all_mandatory
    known = {leaf.code for leaf in fw.leaves if not leaf.extra.get("reconstructed")}
    assert known == {"KTS.01", "XHS.01", "XHS.02"}
    assert {"KTS.01", "XHS.01", "XHS.02"} <= {leaf.code for leaf in fw.leaves if leaf.mandatory}


def test_department_2026_scores_the_digital_economy_only_where_it_applies() -> None:
    fw = framework(DEPARTMENT_2026)
    assert leaves_per_branch(fw, fw.tree) == [3, 4, 2, 3, 5, 11, 1, 3, 2]
    assert [leaf.code for leaf in fw.leaves if leaf.may_not_apply] == ["KTS.01"]
    # Two departments with the same figures, KTS.01 at 30 % of 60 for one: for the
    # other it does not apply, so its maximum is 1,000 - 60 and its value is higher.
    full = {
        leaf.code: 1 if leaf.input_type == "boolean" else 50
        for leaf in fw.leaves
        if leaf.formula is None and leaf.code != "KTS.01"
    }
    rows = [(i, unit, code, str(v)) for i, (unit, code, v) in enumerate(
        [("cong-thuong", "KTS.01", 30), *(("cong-thuong", c, v) for c, v in full.items()),
         ("tu-phap", "KTS.01", "không áp dụng"), *(("tu-phap", c, v) for c, v in full.items())],
        start=2,
    )]  # fmt: skip
    results = score(fw, parse_values(rows, fw))
    cong_thuong, tu_phap = results.unit("cong-thuong"), results.unit("tu-phap")
    assert tu_phap.unit_max_points == 940 and cong_thuong.unit_max_points == 1000
    assert tu_phap.value == pytest.approx((cong_thuong.points - 30) / 940)
