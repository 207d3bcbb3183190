"""The what-if page: Anh Tuấn (admin) tries other criteria on the approved figures."""

from __future__ import annotations

import json

import pytest

from chiso.assessments.models import Status
from chiso.frameworks.models import Framework
from tests.people import fill, put


@pytest.fixture
def approved(period, ham_rong, hac_thanh, lan, minh):
    """Hàm Rồng has everything; Hạc Thành misses the signature threshold (25 % < 30 %)."""
    for unit, officer, share in ((ham_rong, lan, 40), (hac_thanh, minh, 25)):
        sub = period.submissions.get(unit=unit)
        sub = fill(sub, officer, hs_tt=95, hs_tong=100, **{"CQS.2": 1, "XHS.1": share})
        put(sub, Status.APPROVED)
    return period


def url(period, end=""):
    return f"/results/{period.pk}/commune/what-if/{end}"


def post(client, period, changes):
    return client.post(url(period), data=json.dumps(changes), content_type="application/json")


def test_the_admin_sees_the_criteria_and_the_current_ranking(client, login, tuan, approved):
    login(tuan)
    response = client.get(url(approved))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-points="CQS.1"' in page and 'data-key="at_least"' in page
    start = response.context["start"]
    assert [r["name"] for r in start["rows"]] == ["Phường Hàm Rồng", "Phường Hạc Thành"]
    assert start["recognized_before"] == 1


def test_a_lower_threshold_recognizes_hac_thanh_and_saves_nothing(client, login, tuan, approved):
    login(tuan)
    before = Framework.objects.count()
    response = post(client, approved, {"score": {"XHS.1": {"at_least": 20}}})
    assert response.status_code == 200
    answer = response.json()
    assert [g["name"] for g in answer["gained"]] == ["Phường Hạc Thành"]
    assert answer["lost"] == []
    assert answer["recognized_after"] == 2
    assert Framework.objects.count() == before


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", json.dumps({"points": {"NOPE": 1}}), json.dumps({"points": {"CQS.1": -3}})],
)
def test_changes_that_make_no_sense_are_refused_with_a_reason(client, login, tuan, approved, body):
    login(tuan)
    response = client.post(url(approved), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["problems"]


def test_keeping_the_change_stores_next_years_draft(client, login, tuan, approved, framework):
    login(tuan)
    changes = json.dumps({"points": {"CQS.2": 10}, "recognition": {"min_points": 50}})
    response = client.post(url(approved, "keep/"), {"changes": changes})
    draft = Framework.objects.get(code=framework.code, version=framework.version + 1)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/frameworks/{draft.code}/v{draft.version}/")
    assert draft.year == approved.year + 1
    assert draft.engine().node("CQS.2").points == 10
    assert draft.engine().recognition.min_points == 50
    assert approved.framework_for("commune") == framework  # the period keeps its criteria


def test_keeping_nothing_changed_is_refused(client, login, tuan, approved, framework):
    login(tuan)
    response = client.post(url(approved, "keep/"), {"changes": "{}"}, follow=True)
    assert Framework.objects.filter(code=framework.code).count() == 1
    assert "Không thể lưu các thay đổi này" in response.content.decode()


@pytest.mark.parametrize("who", ["lan", "hoa", "mai"])
def test_only_admins_try_changes(client, login, approved, who, request):
    login(request.getfixturevalue(who))
    assert client.get(url(approved)).status_code == 403
    assert post(client, approved, {}).status_code == 403


def test_the_public_is_sent_to_log_in(client, approved):
    response = client.get(url(approved))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_level_without_a_framework_is_not_found(client, login, tuan, approved):
    login(tuan)
    assert client.get(f"/results/{approved.pk}/department/what-if/").status_code == 404
    assert client.get("/results/999999/commune/what-if/").status_code == 404


def test_a_draft_kept_from_a_later_period_is_for_the_year_after_that_period(
    client, login, tuan, approved, framework
):
    # The 2026 campaign still scores with the 2025 criteria.
    approved.year = framework.year + 1
    approved.save()
    login(tuan)
    changes = json.dumps({"recognition": {"min_points": 50}})
    client.post(url(approved, "keep/"), {"changes": changes})
    draft = Framework.objects.get(code=framework.code, version=framework.version + 1)
    assert draft.year == approved.year + 1


def test_changing_the_total_states_it_and_warns_about_the_threshold(
    client, login, tuan, approved, framework
):
    login(tuan)
    parsed = framework.engine()
    before = parsed.max_points
    added = parsed.node("CQS.2").points + 10
    answer = post(client, approved, {"points": {"CQS.2": added}}).json()
    assert answer["scale_changed"]["after"] == before + 10
    assert str(int(parsed.recognition.min_points)) in answer["scale_text"]
    assert "thang cũ" in answer["scale_text"]
    response = client.post(
        url(approved, "keep/"), {"changes": json.dumps({"points": {"CQS.2": added}})}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"{int(before + 10)} điểm" in m and "thang cũ" in m for m in shown)
    # Points only moved between indicators: the total and the threshold stand.
    same = post(client, approved, {"points": {"CQS.2": parsed.node("CQS.2").points}}).json()
    assert same["scale_changed"] is None and same["scale_text"] == ""


def test_the_scoring_numbers_are_named_in_vietnamese(client, login, tuan, approved):
    login(tuan)
    page = client.get(url(approved)).content.decode()
    labels = page[page.index('class="what-if-criteria"') :]
    for key in ("zero", "full", "at_least", "at_most"):
        assert f'class="inline">{key} ' not in labels
    assert 'class="inline">tối thiểu <input' in labels
