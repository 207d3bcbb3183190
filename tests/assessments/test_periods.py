"""Assessment periods: a year, a framework per level, dates, and the units assessed.

Anh Tuấn, the province admin, opens periods; the demo command opens them through
the same `create_period` service.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chiso.assessments.models import Period, PeriodFramework, Status, Submission
from chiso.assessments.periods import add_submissions, create_period, units_in_force

pytestmark = pytest.mark.django_db

NOV_1 = dt.date(2026, 11, 1)
NOV_30 = dt.date(2026, 11, 30)
REFORM = dt.date(2025, 7, 1)


@pytest.fixture
def department_framework(mini_framework_text):
    from chiso.assessments.services import store_framework

    text = mini_framework_text.replace("code: test-commune-mini", "code: test-department-mini")
    return store_framework(text.replace("level: commune", "level: department"))


@pytest.fixture
def so_khcn(province):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="sokhcn",
        name="Sở Khoa học và Công nghệ",
        level="department",
        kind="so",
        province_code="38",
        valid_from=REFORM,
    )


def test_a_period_gets_its_frameworks_and_one_draft_per_unit(
    framework, department_framework, ham_rong, hac_thanh, so_khcn
):
    period = create_period(
        2026,
        "Đánh giá chuyển đổi số năm 2026",
        NOV_1,
        NOV_30,
        REFORM,
        frameworks={"commune": framework, "department": department_framework},
        units=[ham_rong, hac_thanh, so_khcn],
    )

    assert period.framework_for("commune") == framework
    assert period.framework_for("department") == department_framework
    subs = {s.unit.code: s for s in period.submissions.select_related("unit", "framework")}
    assert set(subs) == {"14758", "14797", "sokhcn"}
    assert subs["14758"].framework == framework
    assert subs["sokhcn"].framework == department_framework
    assert all(s.status == Status.DRAFT and s.version == 0 for s in subs.values())
    assert framework.in_use


def test_a_unit_whose_level_has_no_framework_stops_everything(framework, ham_rong, so_khcn):
    with pytest.raises(ValidationError):
        create_period(
            2026, "Kỳ lỗi", NOV_1, NOV_30, REFORM, {"commune": framework}, [ham_rong, so_khcn]
        )

    assert not Period.objects.exists()
    assert not Submission.objects.exists()


def test_a_framework_must_be_given_for_its_own_level(framework, so_khcn):
    with pytest.raises(ValidationError):
        create_period(2026, "Kỳ lỗi", NOV_1, NOV_30, REFORM, {"department": framework}, [so_khcn])

    assert not Period.objects.exists()


def test_entry_cannot_close_before_it_opens(framework):
    with pytest.raises(ValidationError):
        create_period(2026, "Kỳ lỗi", NOV_30, NOV_1, REFORM, {"commune": framework})


def test_adding_the_units_twice_changes_nothing(framework, ham_rong, hac_thanh):
    period = create_period(2026, "Kỳ 2026", NOV_1, NOV_30, REFORM, {"commune": framework})

    first = add_submissions(period, [ham_rong, hac_thanh])
    second = add_submissions(period, [ham_rong, hac_thanh])

    assert (first, second) == (2, 0)
    assert period.submissions.count() == 2


def test_the_units_in_force_are_those_of_the_reference_date(framework, ham_rong, province):
    from chiso.units.models import Unit

    Unit.objects.create(
        code="14758",
        name="Phường Đông Thọ",
        level="commune",
        kind="phuong",
        parent=province,
        province_code="38",
        valid_from=dt.date(2008, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    period = create_period(2026, "Kỳ 2026", NOV_1, NOV_30, REFORM, {"commune": framework})

    assert [unit.name for unit in units_in_force(period)] == ["Phường Hàm Rồng"]


@pytest.fixture
def tuan_staff(tuan):
    """Anh Tuấn works in the Django admin too."""
    tuan.is_staff = True
    tuan.is_superuser = True
    tuan.save()
    return tuan


def test_anh_tuan_manages_periods_in_the_admin(client, login, tuan_staff, period):
    login(tuan_staff)

    listing = client.get(reverse("admin:assessments_period_changelist"))
    change = client.get(reverse("admin:assessments_period_change", args=[period.pk]))

    assert listing.status_code == 200
    assert period.name in listing.content.decode()
    assert change.status_code == 200
    # The framework of each level is shown inline, fixed once units have submissions.
    assert "test-commune-mini" in change.content.decode()
    assert 'name="frameworks-0-framework"' not in change.content.decode()


def test_the_admin_action_adds_every_unit_in_force(client, login, tuan_staff, framework, ham_rong):
    period = Period.objects.create(
        year=2026, name="Kỳ 2026", opens_on=NOV_1, closes_on=NOV_30, reference_date=REFORM
    )
    PeriodFramework.objects.create(period=period, level="commune", framework=framework)
    login(tuan_staff)

    client.post(
        reverse("admin:assessments_period_changelist"),
        {"action": "add_units_in_force", "_selected_action": [period.pk]},
    )

    assert [s.unit for s in period.submissions.all()] == [ham_rong]


def _new_period(client, framework, **extra):
    """Anh Tuấn fills the admin's "add period" form with the commune framework."""
    data = {
        "name": "Đánh giá chuyển đổi số năm 2027",
        "year": "2027",
        "opens_on": "2027-11-01",
        "closes_on": "2027-11-30",
        "reference_date": "2027-11-01",
        "frameworks-TOTAL_FORMS": "1",
        "frameworks-INITIAL_FORMS": "0",
        "frameworks-MIN_NUM_FORMS": "0",
        "frameworks-MAX_NUM_FORMS": "1000",
        "frameworks-0-level": "commune",
        "frameworks-0-framework": str(framework.pk),
        **extra,
    }
    return client.post(reverse("admin:assessments_period_add"), data, follow=True)


def test_creating_a_period_adds_every_unit_in_force_in_the_same_step_and_says_so(
    client, login, tuan_staff, framework, ham_rong, hac_thanh
):
    login(tuan_staff)
    form = client.get(reverse("admin:assessments_period_add")).content.decode()
    assert (
        'name="add_units"' in form
        and "checked" in form[form.index('name="add_units"') - 200 :][:400]
    )
    response = _new_period(client, framework, add_units="on")
    period = Period.objects.get(year=2027)
    assert {s.unit for s in period.submissions.all()} == {ham_rong, hac_thanh}
    shown = [str(m) for m in response.context["messages"]]
    assert any("2" in m and period.name in m for m in shown), shown


def test_a_period_created_without_the_units_stays_empty(
    client, login, tuan_staff, framework, ham_rong
):
    login(tuan_staff)
    _new_period(client, framework)
    assert not Period.objects.get(year=2027).submissions.exists()
