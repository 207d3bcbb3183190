"""A goal no change of figures can reach says why on the report card (here the
signatures indicator needs 120 % for its full score, which a percentage never gives)."""

from __future__ import annotations

import pytest

from tests.results.test_card_goal import card, engine_plan, published  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini_framework_text(mini_framework_text):
    return mini_framework_text.replace(
        "score: {method: threshold, at_least: 30}",
        "type: percent\n        score: {method: linear, zero: 0, full: 120}",
    )


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("", "mandatory XHS.1 cannot be met"),
        ("?goal=value&target=1", "at most"),
    ],
)
def test_an_unreachable_goal_says_why(client, period, published, query, why):  # noqa: F811
    plan = engine_plan(published, "value:1" if query else "recognition")
    assert not plan.feasible and plan.reason == "unreachable" and why in plan.message
    section = card(client, period, query)
    assert 'id="plan-reason"' in section and plan.message in section
    assert "Không thể đạt" in section or "không thể đạt" in section
    assert "<li data-code" not in section


def test_a_reachable_value_is_still_planned(client, period, published):  # noqa: F811
    plan = engine_plan(published, "value:0.5")
    section = card(client, period, "?goal=value&target=0,5")
    assert plan.feasible and 'id="plan-reason"' not in section
    assert [s.code for s in plan.steps] and all(
        f'data-code="{s.code}"' in section for s in plan.steps
    )
