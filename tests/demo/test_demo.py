"""The README's first command: `chiso demo` builds a working demo, the same every time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.models import Action, AuditEntry, Period, Status, Submission, Value
from chiso.core.management.commands.demo import DEMO_CLOSED, DEMO_OPEN
from chiso.lib.numbers import plain as format_number
from chiso.results.scoring import score_period


@pytest.fixture
def demo(demo_module, db):
    return demo_module


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


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def trail(sub: Submission) -> list[tuple[str, str, str, str, dt.datetime]]:
    """(action, actor, code, new, at) of a submission's audit entries, in order."""
    return [
        (e.action, e.actor.username if e.actor else "", e.code, e.new, e.at)
        for e in AuditEntry.objects.filter(submission=sub).select_related("actor")
    ]


def test_the_demo_writes_through_the_gate_as_of_the_days_it_happened(demo):
    """Each demo submission's audit trail is what the gate writes: the unit's officer sets
    every figure on the fifth day of entry and submits an hour later, the reviewer Chị Hoa
    (thamdinh) corrects with a reason two days after and approves or returns the day
    after; the publication in December of the period's own year."""
    closed = Period.objects.get(name=DEMO_CLOSED)
    day = closed.opens_on + dt.timedelta(days=5)
    corrected = AuditEntry.objects.filter(period=closed, action=Action.VALUE_VERIFIED)
    for sub in (
        Submission.objects.get(period=closed, unit__code="14758"),
        Submission.objects.get(pk=corrected.values_list("submission", flat=True).first()),
    ):
        officer = AuditEntry.objects.filter(submission=sub).first().actor
        assert access.can(officer, Perm.EDIT, sub.unit)
        values = {v.code: v for v in sub.values.all()}
        steps = trail(sub)
        sets = sorted(s for s in steps if s[0] == Action.VALUE_SET)
        assert sets == [
            (Action.VALUE_SET, officer.username, code, format_number(v.self_value), moment(day, 9))
            for code, v in sorted(values.items())
        ]
        rest = [s for s in steps if s[0] != Action.VALUE_SET]
        fixes = [
            (Action.VALUE_VERIFIED, "thamdinh", code, format_number(v.verified_value))
            for code, v in values.items()
            if v.verified_value is not None
        ]
        assert [s[:4] for s in rest] == [
            (Action.SUBMITTED, officer.username, "", Status.SUBMITTED),
            *fixes,
            (Action.APPROVED, "thamdinh", "", Status.APPROVED),
            (Action.PUBLISHED, "", "", Status.PUBLISHED),
        ]
        assert [s[4] for s in rest[:-1]] == [
            moment(day, 10),
            *[moment(day + dt.timedelta(days=2), 9)] * len(fixes),
            moment(day + dt.timedelta(days=3), 9),
        ]
        assert rest[-1][4].date() == closed.published_at.date()
        assert (sub.submitted_at, sub.approved_at) == (
            moment(day, 10),
            moment(day + dt.timedelta(days=3), 9),
        )
    assert corrected.exclude(actor__username="thamdinh").count() == 0
    assert all(e.reason for e in corrected)

    opened = Period.objects.get(name=DEMO_OPEN)
    day = opened.opens_on + dt.timedelta(days=5)
    returned = Submission.objects.filter(period=opened, status=Status.RETURNED).first()
    officer = AuditEntry.objects.filter(submission=returned).first().actor
    leaf = next(leaf for leaf in returned.framework.engine().leaves if leaf.points)
    assert [s for s in trail(returned) if s[0] != Action.VALUE_SET] == [
        (Action.SUBMITTED, officer.username, "", Status.SUBMITTED, moment(day, 10)),
        (
            Action.COMMENTED,
            "thamdinh",
            leaf.code,
            "Đề nghị bổ sung tài liệu kiểm chứng (báo cáo có ký số của UBND).",
            moment(day + dt.timedelta(days=3), 8, 50),
        ),
        (
            Action.RETURNED,
            "thamdinh",
            "",
            f"{Status.RETURNED}; deadline={returned.deadline.isoformat()}",
            moment(day + dt.timedelta(days=3), 9),
        ),
    ]
    assert set(returned.comments.values_list("code", "round")) == {(leaf.code, 1), ("", 1)}
    # Chị Lan's draft is hers alone: every figure set by her, nothing submitted.
    draft = Submission.objects.get(period=opened, unit__code="14758")
    assert {s[:2] for s in trail(draft)} == {(Action.VALUE_SET, "hamrong")}


def test_the_2024_and_2025_publications_are_dated_in_their_own_years(demo, client):
    from chiso.core.management.commands.demo import DEMO_BEFORE
    from chiso.results.models import Snapshot
    from tests.results.test_pdf import text_of

    for name, year in ((DEMO_BEFORE, 2024), (DEMO_CLOSED, 2025)):
        period = Period.objects.get(name=name)
        assert timezone.localtime(period.published_at).year == year
        snapshots = Snapshot.objects.filter(period=period)
        assert {timezone.localtime(s.published_at).year for s in snapshots} == {year}
        annex = client.get(f"/results/{period.pk}/commune/annex.pdf")
        footer = " ".join(text_of(annex.content)[0].split())
        assert f"/12/{year}" in footer
        page = client.get(f"/results/{period.pk}/commune/").content.decode()
        assert f"/12/{year}" in page


def test_the_2026_period_uses_today_s_frameworks_and_the_dx_office_s_marks(demo):
    from chiso.assessments.models import NotApplicable
    from chiso.core import demo as data

    period = Period.objects.get(name=DEMO_OPEN)
    used = {link.level: link.framework.code for link in period.frameworks.all()}
    assert used == data.FRAMEWORKS_2026
    closed = Period.objects.get(name=DEMO_CLOSED)
    assert {link.framework.code for link in closed.frameworks.all()} == {
        "thanhhoa-commune-2024",
        "thanhhoa-department-2022",
    }
    # KTS.01 does not apply to the 7 departments not in charge of the digital economy,
    # marked by the admin through the gate (audited), and they entered no figure for it.
    marked = NotApplicable.objects.filter(submission__period=period, code="KTS.01")
    assert marked.count() == 7
    assert not {m.submission.unit.code for m in marked} & data.APPLIES_TO["KTS.01"]
    entries = AuditEntry.objects.filter(period=period, action=Action.NOT_APPLICABLE)
    assert entries.count() == 7 and {e.actor.username for e in entries} == {"admin"}
    assert not Value.objects.filter(submission__in=[m.submission for m in marked], code="KTS.01")


def test_the_demo_s_targets_reach_2030(demo):
    from chiso.leadership.models import Target

    names = set(Target.objects.values_list("name", flat=True))
    assert "Thanh Hóa trong top 10 DTI năm 2030 (NQ 06-NQ/TU)" in names
    assert "Thanh Hóa trong top 5 về chính quyền số năm 2030 (NQ 06-NQ/TU)" in names
    quota = Target.objects.get(by_date__year=2026, kind="recognized")
    assert "tái dựng" in quota.name and "275/KH-UBND" in quota.source
