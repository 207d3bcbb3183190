"""Contract tests of the public read endpoints: units, frameworks, periods."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def dong_tho(province, ham_rong):
    """Phường Đông Thọ, abolished at the reform: it went whole into Phường Hàm Rồng."""
    from chiso.units.models import Lineage, Unit

    old = Unit.objects.create(
        code="14758",
        name="Phường Đông Thọ",
        level="commune",
        kind="phuong",
        parent=province,
        province_code="38",
        valid_to=dt.date(2025, 6, 30),
    )
    Lineage.objects.create(new=ham_rong, old=old, whole=True)
    return old


def test_units_carry_their_lineage_across_the_reform(client, ham_rong, dong_tho):
    items = client.get("/api/v1/units?code=14758").json()["items"]
    by_name = {item["name"]: item for item in items}
    new, old = by_name["Phường Hàm Rồng"], by_name["Phường Đông Thọ"]
    assert new["predecessors"] == [
        {"id": dong_tho.pk, "code": "14758", "name": "Phường Đông Thọ", "whole": True}
    ]
    assert old["successors"][0]["id"] == ham_rong.pk and old["valid_to"] == "2025-06-30"
    assert new["parent"]["code"] == "38" and new["valid_from"] == "2025-07-01"


def test_units_in_force_on_a_day(client, ham_rong, dong_tho):
    before = client.get("/api/v1/units?on=2025-06-01&level=commune").json()["items"]
    after = client.get("/api/v1/units?on=2025-07-01&level=commune").json()["items"]
    assert [u["name"] for u in before] == ["Phường Đông Thọ"]
    assert [u["name"] for u in after] == ["Phường Hàm Rồng"]


def test_units_by_level_and_province(client, ham_rong, hac_thanh):
    from chiso.units.models import Unit

    Unit.objects.create(
        code="01",
        name="Thành phố Hà Nội",
        level="province",
        kind="thanh_pho_tw",
        province_code="01",
    )
    provinces = client.get("/api/v1/units?level=province").json()["items"]
    assert sorted(u["code"] for u in provinces) == ["01", "38"]
    in_thanh_hoa = client.get("/api/v1/units?province=38").json()
    assert in_thanh_hoa["count"] == 3
    one = client.get(f"/api/v1/units/{ham_rong.pk}").json()
    assert one["name"] == "Phường Hàm Rồng" and one["level"] == "commune"


def test_frameworks_used_by_a_period_are_listed_with_their_links(client, period, framework):
    listed = client.get("/api/v1/frameworks").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["code"] == "test-commune-mini" and item["version"] == framework.version
    assert item["title"] == {"vi": "Bộ tiêu chí thử nghiệm cấp xã", "en": "Test commune criteria"}
    assert item["sha256"] == framework.sha256
    assert client.get(item["file"]).content.decode() == framework.text
    assert client.get(item["tree"]).status_code == 200


def test_a_framework_that_no_period_uses_is_not_public(client, framework):
    assert client.get("/api/v1/frameworks").json()["count"] == 0
    url = f"/api/v1/frameworks/{framework.code}/{framework.version}"
    assert client.get(url).status_code == 404
    assert client.get(url + "/file").status_code == 404


def test_a_framework_tree_gives_points_and_scoring_rules(client, period, framework):
    tree = client.get(f"/api/v1/frameworks/{framework.code}/{framework.version}").json()
    assert tree["max_points"] == 100
    assert tree["recognition"] == {"min_points": 60, "min_value": None, "all_mandatory": True}
    assert [e["code"] for e in tree["elements"]] == ["hs_tt", "hs_tong"]
    cqs = tree["nodes"][0]
    assert cqs["code"] == "CQS" and cqs["max_points"] == 60
    first = cqs["children"][0]
    assert first["formula"] == "100 * hs_tt / hs_tong" and first["mandatory"] is True
    assert first["score"] == {"method": "linear", "zero": 0, "full": 90, "steps": []}
    assert first["points"] == 40 and first["children"] == []


def test_periods_list_their_levels_and_frameworks(client, period, framework):
    listed = client.get("/api/v1/periods").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["id"] == period.pk and item["published_at"] is None
    assert item["levels"] == [
        {
            "level": "commune",
            "framework_code": framework.code,
            "framework_version": framework.version,
            "published": False,
        }
    ]
    assert client.get(f"/api/v1/periods/{period.pk}").json() == item
    assert client.get(f"/api/v1/periods?year={period.year + 1}").json()["count"] == 0
