"""Loading the shipped lists gives the official units of Thanh Hóa on both sides of the
1 July 2025 reform, with their lineage."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from chiso.units.models import Level, Lineage, Unit
from chiso.units.services import DATA_DIR, UnitDataError, load_units

from .conftest import BEFORE, LAST_OLD_DAY, REFORM, inside_thanh_hoa

communes = Unit.objects.level(Level.COMMUNE).in_province("38")


def kinds(units) -> dict[str, int]:
    return dict(Counter(unit.kind for unit in units))


def test_thanh_hoa_has_166_communes_from_1_july_2025(loaded):
    current = communes.on(REFORM)
    assert current.count() == 166
    assert kinds(current) == {"xa": 147, "phuong": 19}
    assert set(communes.current()) == set(current)


def test_before_the_reform_thanh_hoa_had_26_districts_and_547_communes(loaded):
    districts = Unit.objects.level(Level.DISTRICT).in_province("38").on(BEFORE)
    assert districts.count() == 26
    assert kinds(districts) == {"huyen": 22, "thanh_pho": 2, "thi_xa": 2}
    old = communes.on(LAST_OLD_DAY)
    assert old.count() == 547
    assert kinds(old) == {"xa": 452, "phuong": 63, "thi_tran": 32}
    assert {c.parent.level for c in old.select_related("parent")} == {Level.DISTRICT}


def test_no_district_is_in_force_after_the_reform(loaded):
    assert not Unit.objects.level(Level.DISTRICT).on(REFORM).exists()


def test_there_are_63_provinces_until_30_june_2025_and_34_from_1_july(loaded):
    provinces = Unit.objects.level(Level.PROVINCE)
    assert provinces.on(BEFORE).count() == 63
    assert provinces.on(LAST_OLD_DAY).count() == 63
    assert provinces.on(REFORM).count() == 34
    assert provinces.current().count() == 34
    assert provinces.current().get(code="38").name == "Tỉnh Thanh Hóa"
    assert provinces.current().get(code="79").kind == "thanh_pho_tw"


def test_ham_rong_and_hac_thanh_are_wards_inside_thanh_hoa(loaded):
    for code, name in (("14758", "Phường Hàm Rồng"), ("14797", "Phường Hạc Thành")):
        ward = communes.on(REFORM).get(code=code)
        assert str(ward) == f"{name} ({code})"
        assert ward.kind == "phuong"
        assert ward.valid_from == REFORM and ward.valid_to is None
        assert inside_thanh_hoa(ward.latitude, ward.longitude)
        assert ward.area_km2 and ward.area_km2 > 0
        assert ward.parent == Unit.objects.level(Level.PROVINCE).current().get(code="38")


def test_every_centroid_given_lies_inside_thanh_hoa(loaded):
    units = Unit.objects.in_province("38").exclude(level=Level.PROVINCE)
    located = units.filter(latitude__isnull=False)
    assert all(inside_thanh_hoa(u.latitude, u.longitude) for u in located)
    # 22 legacy communes share a geocoded point with another and are left without one.
    assert set(units.filter(latitude__isnull=True).values_list("level", flat=True)) == {
        Level.COMMUNE,
        Level.DEPARTMENT,
    }
    assert communes.on(REFORM).filter(latitude__isnull=True).count() == 0


def test_code_14758_names_two_units_a_year_apart(loaded):
    old = communes.on(LAST_OLD_DAY).get(code="14758")
    new = communes.on(REFORM).get(code="14758")
    assert (old.name, old.valid_from, old.valid_to) == ("Phường Đông Thọ", None, LAST_OLD_DAY)
    assert new.name == "Phường Hàm Rồng"
    assert old.parent.name == "Thành phố Thanh Hóa"


def test_every_old_commune_has_a_successor_and_every_new_one_a_predecessor(loaded):
    old = communes.on(LAST_OLD_DAY)
    new = communes.on(REFORM)
    assert not old.filter(successor_links__isnull=True).exists()
    assert not new.filter(predecessors_links__isnull=True).exists()
    assert Lineage.objects.filter(new__in=new).count() == 558
    assert Lineage.objects.filter(new__in=new, whole=False).count() == 21


def test_ham_rong_was_formed_from_whole_communes_and_part_of_dong_tho(loaded):
    ham_rong = communes.on(REFORM).get(code="14758")
    links = {
        link.old.name: link.whole for link in ham_rong.predecessors_links.select_related("old")
    }
    assert links["Phường Hàm Rồng"] is True  # the old ward, code 14755
    assert links["Phường Đông Thọ"] is False
    assert set(ham_rong.predecessors()) == {
        link.old for link in ham_rong.predecessors_links.select_related("old")
    }

    dong_tho = communes.on(LAST_OLD_DAY).get(code="14758")
    successors = Unit.objects.filter(predecessors_links__old=dong_tho)
    assert {u.name for u in successors} == {"Phường Hàm Rồng", "Phường Hạc Thành"}


def test_merged_provinces_have_their_predecessors(loaded):
    tuyen_quang = Unit.objects.level(Level.PROVINCE).current().get(code="08")
    assert {p.name for p in tuyen_quang.predecessors()} == {"Tỉnh Hà Giang", "Tỉnh Tuyên Quang"}
    thanh_hoa = Unit.objects.level(Level.PROVINCE).current().get(code="38")
    assert [(p.code, p.valid_to) for p in thanh_hoa.predecessors()] == [("38", LAST_OLD_DAY)]
    assert (
        not Unit.objects.level(Level.PROVINCE)
        .on(BEFORE)
        .filter(successor_links__isnull=True)
        .exists()
    )


def test_the_provincial_departments_are_units_under_the_province(loaded):
    departments = Unit.objects.level(Level.DEPARTMENT).in_province("38")
    assert departments.current().count() == loaded["department"] == 15
    khcn = departments.get(code="SO-KHCN")
    assert khcn.name == "Sở Khoa học và Công nghệ"
    assert khcn.kind == "so"
    assert khcn.parent == Unit.objects.level(Level.PROVINCE).current().get(code="38")
    assert not departments.on(BEFORE).exists()


def test_the_loader_reports_what_it_read(db):
    counts = load_units()
    assert counts == {
        "province": 97,
        "district": 26,
        "commune": 713,
        "department": 15,
        "lineage": 621,
        "created": 97 + 26 + 713 + 15 + 621,
        "updated": 0,
        "unchanged": 0,
    }


def test_loading_twice_changes_nothing(loaded):
    before = list(Unit.objects.order_by("pk").values())
    links_before = list(Lineage.objects.order_by("pk").values())
    again = load_units()
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["unchanged"] == loaded["created"]
    assert list(Unit.objects.order_by("pk").values()) == before
    assert list(Lineage.objects.order_by("pk").values()) == links_before


def test_loading_again_restores_an_edited_unit_and_keeps_extra_ones(loaded):
    ham_rong = communes.on(REFORM).get(code="14758")
    ham_rong.name = "Phường Hàm Rồng (sửa)"
    ham_rong.save()
    Unit.objects.create(
        code="SO-THU", name="Sở Thử", level="department", kind="so", province_code="38"
    )
    counts = load_units()
    assert (counts["created"], counts["updated"]) == (0, 1)
    ham_rong.refresh_from_db()
    assert ham_rong.name == "Phường Hàm Rồng"
    assert Unit.objects.filter(code="SO-THU").exists()


def test_a_broken_data_file_is_reported_with_its_line_and_loads_nothing(db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "thanhhoa-departments.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",so,", ",phuong,")
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(UnitDataError, match=r"thanhhoa-departments\.csv:3: kind 'phuong'"):
        load_units(data_dir=data)
    assert not Unit.objects.exists()


def test_a_lineage_link_to_a_missing_unit_rolls_the_whole_load_back(db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    with (data / "thanhhoa-lineage.csv").open("a", encoding="utf-8") as handle:
        handle.write("2025-07-01,commune,14758,99999,1\n")

    with pytest.raises(UnitDataError, match=r"thanhhoa-lineage\.csv:560: 0 units commune 99999"):
        load_units(data_dir=data)
    assert not Unit.objects.exists()
