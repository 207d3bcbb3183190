"""Who sees the dashboard and the map, and what the pages and their JSON say."""

from __future__ import annotations

import json

import pytest


def test_a_leader_a_reviewer_and_the_admin_open_the_dashboard(campaign, login, mai, hoa, tuan):
    for person in (mai, hoa, tuan):
        response = login(person).get("/dashboard/", {"period": campaign.closed.pk})
        assert response.status_code == 200, person
        assert "Đánh giá năm 2025" in response.content.decode()


def test_a_units_officer_is_refused_the_dashboard_and_its_figures(campaign, login, lan):
    c = login(lan)
    assert c.get("/dashboard/").status_code == 403
    assert c.get("/dashboard/data.json").status_code == 403
    assert c.get(f"/results/{campaign.open.pk}/commune/map/").status_code == 404


def test_the_public_is_sent_to_log_in(campaign, client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/results/{campaign.closed.pk}/commune/map/").status_code == 404


def test_the_json_view_gives_the_dashboards_own_figures(campaign, login, mai):
    from chiso.leadership import dashboard

    response = login(mai).get(
        "/dashboard/data.json", {"period": campaign.closed.pk, "level": "commune"}
    )
    assert response.status_code == 200
    expected = json.loads(json.dumps(dashboard.dashboard(campaign.closed, "commune")))
    assert response.json() == expected


def test_the_page_writes_figures_the_vietnamese_way(campaign, login, mai):
    from chiso.leadership import dashboard

    median = dashboard.dashboard(campaign.closed, "commune")["distribution"]["median"]
    page = login(mai).get("/dashboard/", {"period": campaign.closed.pk}).content.decode()
    assert f"{median:.4f}".replace(".", ",") in page
    assert 'id="dashboard-data" type="application/json"' in page
    assert "<script>" not in page  # no inline script: CSP 'self'


def test_departments_get_the_same_dashboard(campaign, login, mai):
    from chiso.assessments.services import load_shipped
    from chiso.units.models import Unit
    from tests.dashboard.conftest import assess, make_period

    framework = next(f for f in load_shipped() if f.level == "department")
    period = make_period(
        "Đánh giá sở, ban, ngành 2025",
        2025,
        campaign.closed.reference_date,
        framework,
        "department",
    )
    departments = list(Unit.objects.filter(level="department").order_by("code"))
    assess(period, departments, framework, salt="2025")
    response = login(mai).get("/dashboard/data.json", {"period": period.pk, "level": "department"})
    figures = response.json()
    assert figures["progress"]["total"] == len(departments) == 15
    assert figures["recognition"]["rule"] is False  # departments have no recognition rule
    assert len(figures["lagging"]) == 10
    page = login(mai).get("/dashboard/", {"period": period.pk, "level": "department"})
    assert page.status_code == 200
    assert figures["lagging"][0]["name"] in page.content.decode()


@pytest.mark.parametrize("level", ["department", "district"])
def test_the_map_is_for_communes_only(campaign, login, mai, level):
    assert login(mai).get(f"/results/{campaign.closed.pk}/{level}/map/").status_code == 404


def test_the_map_data_gives_every_commune_its_value_rank_and_recognition(campaign, login, mai):
    from tests.dashboard.test_dashboard import engine_results

    data = login(mai).get(f"/results/{campaign.closed.pk}/commune/map.json").json()
    results = engine_results(campaign.closed)
    assert len(data["units"]) == 166
    for code, value, rank, recognized in zip(
        results.units, results.value, results.rank, results.recognized, strict=True
    ):
        unit = data["units"][code]
        assert (unit["value"], unit["rank"], unit["recognized"]) == (
            pytest.approx(value),
            rank,
            recognized,
        )
