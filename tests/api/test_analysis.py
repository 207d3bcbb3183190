"""Contract tests of the analysis endpoints: a unit's plan, rank uncertainty, the audit."""

from __future__ import annotations

import pytest

from chiso import engine
from chiso.results import analysis

pytestmark = pytest.mark.django_db


def base(period) -> str:
    return f"/api/v1/results/{period.pk}/commune"


def test_a_published_units_plan_is_the_engines(client, published, ham_rong):
    body = client.get(f"{base(published.period)}/units/{ham_rong.code}/plan").json()
    inputs = analysis.snapshot_inputs(published)
    expected = engine.plan(
        inputs.framework, inputs.values, ham_rong.code, engine.Goal.parse("recognition"),
        results=inputs.results,
    )  # fmt: skip
    assert body["unit"] == ham_rong.code
    assert body["feasible"] == expected.feasible
    assert [s["code"] for s in body["steps"]] == [s.code for s in expected.steps]
    assert [s["to"] for s in body["steps"]] == pytest.approx([s.value_to for s in expected.steps])


def test_a_plan_to_a_rank_is_asked_with_a_goal(client, published, ham_rong):
    body = client.get(f"{base(published.period)}/units/{ham_rong.code}/plan?goal=rank:1").json()
    assert body["goal"].startswith("rank")


@pytest.mark.parametrize("goal", ["eval()", "value:", "rank:-1", "x" * 40])
def test_a_goal_that_is_not_one_is_refused(client, published, ham_rong, goal):
    response = client.get(f"{base(published.period)}/units/{ham_rong.code}/plan?goal={goal}")
    assert response.status_code == 422 and response.json()["code"]


def test_a_unit_not_published_has_no_plan(client, approved, ham_rong):
    response = client.get(f"{base(approved)}/units/{ham_rong.code}/plan")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_rank_uncertainty_is_what_was_published_with_the_snapshot(client, published):
    body = client.get(f"{base(published.period)}/uncertainty").json()
    published.refresh_from_db()
    assert body == published.analysis["uncertainty"]
    # Hàm Rồng leads Hạc Thành by far more than the noise: its rank never moves, and
    # only Hàm Rồng (900 of 1,000 dossiers online, a portal) is recognized.
    assert [
        (u["unit"], u["rank"], u["p05"], u["p95"], u["p_recognized"]) for u in body["units"]
    ] == [
        ("14758", 1, 1.0, 1.0, 1.0),
        ("14797", 2, 2.0, 2.0, 0.0),
    ]
    again = client.get(f"{base(published.period)}/uncertainty").json()
    assert again == body  # seeded from the snapshot


def test_the_audit_is_for_reviewers(client, login, published, hoa, lan):
    assert client.get(f"{base(published.period)}/audit").status_code == 401
    login(lan)
    assert client.get(f"{base(published.period)}/audit").status_code == 403
    login(hoa)
    body = client.get(f"{base(published.period)}/audit").json()
    # The two wards' figures (conftest): 90 % and 30 % of dossiers online, a portal and
    # none, 45 % and 20 % of adults with a digital signature.
    stats = {row["code"]: row for row in body["indicators"]}
    assert body["units"] == 2 and body["outliers"] == []
    assert (stats["CQS.1"]["min"], stats["CQS.1"]["median"], stats["CQS.1"]["max"]) == (30, 60, 90)
    assert stats["CQS.1"]["std"] == pytest.approx(60 / 2**0.5, abs=1e-6)
    assert (stats["CQS.2"]["mean"], stats["XHS.1"]["mean"]) == (0.5, 32.5)


@pytest.fixture
def close(period, lan, minh, hoa, tuan):
    """Hàm Rồng's points all in digital government, Hạc Thành's in digital society."""
    from chiso.results.services import publish
    from tests.results.conftest import approve
    from tests.results.test_sensitivity_page import CQS_ONLY, XHS_ONLY

    approve(period.submissions.get(unit__code="14758"), lan, hoa, **CQS_ONLY)
    approve(period.submissions.get(unit__code="14797"), minh, hoa, **XHS_ONLY)
    return publish(period, "commune", tuan)


def test_the_sensitivity_is_the_engines_and_the_pages_for_everyone(client, close):
    body = client.get(f"{base(close.period)}/sensitivity").json()
    assert body == analysis.sensitivity_for_snapshot(close)
    inputs = analysis.snapshot_inputs(close)
    expected = engine.sensitivity(
        inputs.framework,
        inputs.values,
        samples=analysis.SENSITIVITY_SAMPLES,
        seed=int(close.values_sha256[:8], 16),
        points_noise=0.2,
    )
    assert [p["code"] for p in body["pillars"]] == list(expected.pillars)
    assert [p["first_order"] for p in body["pillars"]] == pytest.approx(
        expected.first_order.tolist(), abs=1e-6
    )
    assert [p["total"] for p in body["pillars"]] == pytest.approx(expected.total.tolist(), abs=1e-6)
    assert (
        body["runs"] == analysis.SENSITIVITY_SAMPLES * 4
        and body["points_noise"] == 0.2
        and body["variance"] > 0
    )
    assert client.get(f"{base(close.period)}/sensitivity").json() == body  # seeded


def test_a_ranking_no_noise_moves_has_null_indices(client, published):
    body = client.get(f"{base(published.period)}/sensitivity").json()
    assert body["variance"] == 0
    assert all(p["first_order"] is None and p["total"] is None for p in body["pillars"])


def test_unpublished_results_have_no_sensitivity(client, approved):
    response = client.get(f"{base(approved)}/sensitivity")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
