"""The report card's "Lộ trình" plans to the goal Chị Lan picks: recognition, a value
(typed "0,8" or "0.8") or a rank; a number that is not one is said so next to the field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chiso import engine
from chiso.lib import numbers
from chiso.results import analysis, services
from tests.results.conftest import approve
from tests.results.test_analysis_pages import STRONG_FIGURES, WEAK_FIGURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(period, submission, hac_thanh_submission, lan, minh, hoa, tuan):
    approve(submission, lan, hoa, **WEAK_FIGURES)
    approve(hac_thanh_submission, minh, hoa, **STRONG_FIGURES)
    return services.publish(period, "commune", tuan)


def card(client, period, query="", code="14758"):
    url = reverse("results:card", args=[period.pk, "commune", code]) + query
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="plan"') : page.index('id="indicators"')]


def engine_plan(snapshot, goal):
    inputs = analysis.snapshot_inputs(snapshot)
    return engine.plan(inputs.framework, inputs.values, "14758", goal, results=inputs.results)


def shown(code, value):
    """A plan's figure as the page writes it (Có/Không, or the number and its unit)."""
    from chiso.frameworks.display import figure_of
    from chiso.frameworks.models import Framework

    return figure_of(Framework.objects.get(code="test-commune-mini").engine(), code, value)


def assert_shows(section, plan):
    assert plan.feasible and plan.steps
    assert re.findall(r'<li data-code="([^"]+)">', section) == [s.code for s in plan.steps]
    for step in plan.steps:
        item = section[section.index(f'data-code="{step.code}"') :]
        assert f'<strong class="plan-to">{shown(step.code, step.value_to)}</strong>' in item
        assert f'<span class="plan-points">+{numbers.points_words(step.points)}</span>' in item
    assert 'id="goal-error"' not in section


@pytest.mark.parametrize("typed", ["0,9", "0.9", " 0,9 "])
def test_a_value_goal_typed_either_way_shows_the_engines_plan(client, period, published, typed):
    plan = engine_plan(published, "value:0.9")
    section = card(client, period, f"?goal=value&target={typed}")
    assert_shows(section, plan)
    assert "<h2>Lộ trình đạt giá trị 0,9</h2>" in section
    # What was typed stays in the field; the goal stays chosen.
    assert f'value="{typed}"' in section and '<option value="value" selected>' in section


def test_the_page_plan_is_the_apis(client, period, published):
    section = card(client, period, "?goal=value&target=0,9")
    api = client.get(f"/api/v1/results/{period.pk}/commune/units/14758/plan?goal=value:0.9").json()
    assert re.findall(r'<li data-code="([^"]+)">', section) == [s["code"] for s in api["steps"]]
    for step in api["steps"]:
        assert f'<strong class="plan-to">{shown(step["code"], step["to"])}</strong>' in section


def test_a_rank_goal_shows_the_engines_plan(client, period, published):
    # Hàm Rồng is second of two: to be first it must pass Hạc Thành.
    plan = engine_plan(published, "rank:1")
    section = card(client, period, "?goal=rank&target=1")
    assert_shows(section, plan)
    assert "<h2>Lộ trình đạt hạng 1</h2>" in section
    # Second is where it stands: nothing to change.
    reached = card(client, period, "?goal=rank&target=2")
    assert 'id="plan-reached"' in reached and "<li data-code" not in reached


def test_recognition_is_the_default_and_the_form_offers_the_three_goals(client, period, published):
    section = card(client, period)
    assert "<h2>Lộ trình đạt chuẩn</h2>" in section
    assert re.findall(r'<option value="([a-z]+)"', section) == ["recognition", "value", "rank"]
    assert_shows(section, engine_plan(published, "recognition"))


@pytest.mark.parametrize(
    ("goal", "typed", "message"),
    [
        ("value", "abc", "Không phải là số"),
        ("value", "-0,5", "từ 0 đến 1"),
        ("value", "1,5", "từ 0 đến 1"),
        ("value", "²", "Không phải là số"),
        ("value", "1e5", "Không phải là số"),
        ("value", "9" * 400, "từ 0 đến 1"),
        ("value", "0,8,1", "Không phải là số"),
        ("value", "", "nhập một số"),
        ("rank", "0", "từ 1 đến 2"),
        ("rank", "3", "từ 1 đến 2"),
        ("rank", "-1", "từ 1 đến 2"),
        ("rank", "1,5", "từ 1 đến 2"),
        ("rank", "²", "từ 1 đến 2"),
        ("rank", "mười", "từ 1 đến 2"),
        ("rank", "9" * 5000, "từ 1 đến 2"),
    ],
)
def test_a_bad_number_is_said_so_next_to_the_field_and_kept(
    client, period, published, goal, typed, message
):
    section = card(client, period, f"?goal={goal}&target={typed}")
    field = section[section.index('id="goal-target"') :]
    field = field[: field.index("</label>")]
    assert 'aria-invalid="true"' in field and 'id="goal-error"' in field and message in field
    assert f'value="{typed[:100]}"' in section
    assert "<li data-code" not in section


def test_a_goal_that_is_not_offered_falls_back_to_recognition(client, period, published):
    section = card(client, period, "?goal=eval()&target=1")
    assert "<h2>Lộ trình đạt chuẩn</h2>" in section and 'id="goal-error"' not in section


def _indicator_row(client, period, code, query=""):
    url = reverse("results:card", args=[period.pk, "commune", "14758"]) + query
    page = client.get(url).content.decode()
    table = page[page.index('id="indicators"') :]
    row = table[table.index(f">{code}<") :]
    return row[: row.index("</tr>")]


def test_a_yes_no_indicator_reads_co_khong_on_the_card_and_in_the_plan(client, period, published):
    # Hàm Rồng has no web portal (CQS.2 is a yes/no indicator).
    assert ">Không<" in _indicator_row(client, period, "CQS.2")
    section = card(client, period, "?goal=rank&target=1")
    step = section[section.index('data-code="CQS.2"') :]
    step = step[: step.index("</li>")]
    assert '<span class="plan-from">Không</span>' in step
    assert '<strong class="plan-to">Có</strong>' in step


def test_plan_targets_carry_their_unit(client, period, published):
    section = card(client, period, "?goal=rank&target=1")
    step = section[section.index('data-code="XHS.1"') :]
    step = step[: step.index("</li>")]
    assert re.search(r'<strong class="plan-to">[\d,]+\s?%</strong>', step), step


def test_english_pages_show_the_frameworks_english_titles_in_the_card_and_plan(
    client, period, published
):
    client.cookies["django_language"] = "en"
    assert "Has a web portal" in _indicator_row(client, period, "CQS.2")
    section = card(client, period, "?goal=rank&target=1")
    assert "Has a web portal" in section and "Có cổng thông tin điện tử" not in section
    assert '<strong class="plan-to">Yes</strong>' in section
