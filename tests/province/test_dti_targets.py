"""Targets say what happened: a deadline passed is met or not met, a DTI target waits for
the DTI of its own year, the DTI history says which year was assessed, when it was
published and out of how many, and the public reads it (the estimate stays for staff)."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.leadership import projection
from chiso.leadership.models import DtiYear, Target, TargetKind


def test_a_quota_whose_deadline_passed_is_met_or_not_met_never_off_track():
    short = projection.project([(2023, 10), (2024, 100)], 133, 2024, this_year=2026)
    reached = projection.project([(2024, 140)], 133, 2024, this_year=2026)
    assert short.status == projection.MISSED
    assert reached.status == projection.MET
    # Before its deadline the same figures are a forecast.
    assert projection.project([(2024, 100)], 133, 2025, this_year=2024).status == "off_track"


@pytest.fixture
def top_10_by_2025(db):
    """Nghị quyết 06-NQ/TU: Thanh Hóa in the top 10 of the DTI 2025."""
    return Target.objects.create(
        kind=TargetKind.DTI_RANK,
        name="Thanh Hóa trong top 10 DTI năm 2025",
        level="province",
        number=10,
        by_date=dt.date(2025, 12, 31),
    )


def _status(target, today):
    from chiso.leadership import dashboard

    return dashboard.target_status(target, today)


def test_the_2024_rank_does_not_achieve_the_2025_dti_target(top_10_by_2025):
    during = _status(top_10_by_2025, dt.date(2025, 6, 1))
    assert during["status"] == "on_track"
    after = _status(top_10_by_2025, dt.date(2026, 3, 1))
    assert after["status"] == "awaiting"
    # What it is read from: the latest rank, its year and out of how many.
    assert (after["current"], after["current_year"], after["current_of"]) == (5, 2024, 34)


def test_the_dti_of_the_targets_year_decides_it(top_10_by_2025):
    DtiYear.objects.create(year=2025, published=2026, rank=4, of=34)
    assert _status(top_10_by_2025, dt.date(2026, 11, 1))["status"] == "met"
    DtiYear.objects.filter(year=2025).update(rank=12)
    assert _status(top_10_by_2025, dt.date(2026, 11, 1))["status"] == "missed"


def test_a_rank_target_is_projected_only_through_ranks_among_as_many_provinces(top_10_by_2025):
    # 2020-2023 are out of 63, 2024 out of 34: one comparable year, projected as it is.
    found = _status(top_10_by_2025, dt.date(2025, 6, 1))
    assert found["series"] == [{"year": 2024, "figure": 5.0}]
    assert found["projected"] == 5


def test_each_shipped_rank_says_its_year_its_publication_and_out_of_how_many(db):
    rows = [(d.year, d.published, d.of) for d in DtiYear.objects.order_by("year")]
    assert rows == [
        (2020, 2021, 63),
        (2021, 2022, 63),
        (2022, 2023, 63),
        (2023, 2024, 63),
        (2024, 2025, 34),
    ]


def test_the_admin_records_the_year_of_publication(login, tuan, db):
    login(tuan).post(
        "/province/record/", {"year": "2025", "published": "2026", "rank": "4", "of": "34"}
    )
    assert DtiYear.objects.get(year=2025).published == 2026


def test_the_public_reads_the_published_history_but_not_the_estimate(client, top_10_by_2025):
    page = client.get("/province/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "11/63" in text and "5/34" in text
    assert 'id="self-title"' not in text and 'id="record"' not in text
    data = client.get("/api/v1/province/dti").json()
    assert [y["published"] for y in data["history"]] == [2021, 2022, 2023, 2024, 2025]
    assert "self_assessment" not in data
    assert client.get("/api/v1/province/estimate").status_code == 401
    assert client.post("/province/record/", {"year": "2025"}).status_code in (302, 403)
    assert not DtiYear.objects.filter(year=2025).exists()


def test_a_leader_still_reads_the_estimate(login, mai, top_10_by_2025):
    text = login(mai).get("/province/").content.decode()
    assert 'id="self-title"' in text
    # She may read it (no self-assessment is recorded here: 404, not a refusal).
    answer = login(mai).get("/api/v1/province/estimate")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_the_chart_keeps_ranks_out_of_63_apart_from_ranks_out_of_34(client, top_10_by_2025):
    import json
    import re

    page = client.get("/province/").content.decode()
    found = re.search(r'<script id="province-data" type="application/json">(.*?)</script>', page)
    chart = json.loads(found.group(1))
    assert [(s["of"], [p["year"] for p in s["points"]]) for s in chart["ranks"]] == [
        (63, [2020, 2021, 2022, 2023]),
        (34, [2024]),
    ]
