"""The README's first command: `chiso demo` builds a working demo, the same every time."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from chiso import engine
from chiso.assessments.models import Period, Status, Submission, Value
from chiso.core.management.commands.demo import DEMO_CLOSED, DEMO_OPEN
from chiso.results.scoring import score_period


@pytest.fixture
def demo(db, capsys):
    call_command("demo")
    return capsys.readouterr().out


def figures() -> list[tuple[str, str, str, float | None]]:
    return list(
        Value.objects.order_by(
            "submission__period__year", "submission__unit__code", "code"
        ).values_list("submission__period__name", "submission__unit__code", "code", "self_value")
    )


def test_the_demo_assesses_every_commune_of_thanh_hoa_in_both_periods(demo):
    for name in (DEMO_OPEN, DEMO_CLOSED):
        period = Period.objects.get(name=name)
        communes = period.submissions.filter(unit__level="commune")
        assert communes.count() == 166
        assert period.submissions.filter(unit__level="department").exists()
    assert "hamrong" in demo and "chiso-demo-2026" in demo


def test_the_open_period_is_open_today_and_has_work_in_every_state(demo):
    period = Period.objects.get(name=DEMO_OPEN)
    assert period.opens_on <= timezone.localdate() <= period.closes_on
    states = set(period.submissions.values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED} <= states
    lan_unit = period.submissions.get(unit__code="14758", unit__level="commune")
    assert lan_unit.status == Status.DRAFT


def test_the_closed_period_ranks_all_166_communes_with_a_spread_of_values(demo):
    period = Period.objects.get(name=DEMO_CLOSED)
    results = score_period(period, "commune")
    assert isinstance(results, engine.Results)
    assert len(results.units) == 166
    assert 0.0 <= results.value.min() < results.value.max() <= 1.0
    assert results.value.max() - results.value.min() > 0.2
    assert results.recognized is not None and 0 < results.recognized.sum() < 166
    assert int(results.rank.min()) == 1


def test_demo_figures_respect_the_framework_rules(demo):
    sub = Submission.objects.filter(period__name=DEMO_CLOSED).select_related("unit").first()
    parsed = sub.framework.engine()
    mine = {v.code: v.self_value for v in sub.values.all()}
    values = engine.Values.from_mapping(parsed, {sub.unit.code: mine})
    assert engine.check_rules(parsed, values) == []


def test_running_the_demo_again_changes_nothing(demo):
    before = figures()
    call_command("demo")
    assert figures() == before


@pytest.mark.django_db(transaction=True)
def test_the_demo_is_deterministic():
    # --reset flushes the database, which PostgreSQL refuses inside a test transaction.
    call_command("demo")
    first = figures()
    call_command("demo", reset=True)
    assert figures() == first
