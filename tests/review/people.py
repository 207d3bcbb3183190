"""More people and places for the review, audit, security and account tests.

Beside the shared ones (tests/conftest.py: Chị Lan and Anh Minh, officers of two
wards, Chị Hoa the province's reviewer, Anh Tuấn the admin, Bà Mai a leader):

- Chị Thu, a second officer of Phường Hàm Rồng (two people typing at once);
- the 2024 campaign, before the 2025 reform, when Huyện Hoằng Hóa still existed and
  reviewed its communes before the province (two-step review);
- Anh Bình, officer of Xã Hoằng Quý in Huyện Hoằng Hóa;
- Chị Dung, reviewer of Huyện Hoằng Hóa (its communes only);
- Anh Khoa, reviewer of Thị xã Bỉm Sơn (another district).

Each conftest of these folders imports this module, so the fixtures are the same.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import _person


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Hashing a password properly takes a tenth of a second; the tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def thu(ham_rong):
    """Chị Thu, a second officer of Phường Hàm Rồng."""
    return _person("thu", "Chị Thu", "officer", ham_rong)


@pytest.fixture
def hoang_hoa(province):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="399",
        name="Huyện Hoằng Hóa",
        level="district",
        kind="huyen",
        parent=province,
        province_code="38",
        valid_to=dt.date(2025, 6, 30),
    )


@pytest.fixture
def bim_son(province):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="381",
        name="Thị xã Bỉm Sơn",
        level="district",
        kind="thi_xa",
        parent=province,
        province_code="38",
        valid_to=dt.date(2025, 6, 30),
    )


@pytest.fixture
def hoang_quy(hoang_hoa):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="15916",
        name="Xã Hoằng Quý",
        level="commune",
        kind="xa",
        parent=hoang_hoa,
        province_code="38",
        valid_to=dt.date(2025, 6, 30),
    )


@pytest.fixture
def period_2024(framework, hoang_quy):
    """The 2024 campaign, still open, with district review before the province."""
    from django.utils import timezone

    from chiso.assessments.models import Period, PeriodFramework, Submission

    today = timezone.localdate()
    p = Period.objects.create(
        year=2024,
        name="Đánh giá chuyển đổi số năm 2024",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        reference_date=dt.date(2024, 11, 1),
        two_step_review=True,
    )
    PeriodFramework.objects.create(period=p, level="commune", framework=framework)
    Submission.objects.create(period=p, unit=hoang_quy, framework=framework)
    return p


@pytest.fixture
def hoang_quy_2024(period_2024, hoang_quy):
    return period_2024.submissions.get(unit=hoang_quy)


@pytest.fixture
def binh(hoang_quy):
    """Anh Bình, officer of Xã Hoằng Quý."""
    return _person("binh", "Anh Bình", "officer", hoang_quy)


@pytest.fixture
def dung(hoang_hoa):
    """Chị Dung, reviewer of Huyện Hoằng Hóa's communes."""
    return _person("dung", "Chị Dung", "reviewer", hoang_hoa)


@pytest.fixture
def khoa(bim_son):
    """Anh Khoa, reviewer of Thị xã Bỉm Sơn's communes."""
    return _person("khoa", "Anh Khoa", "reviewer", bim_son)


@pytest.fixture
def public():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def fill(submission, officer, **figures):
    """The officer enters figures (as on the entry page); returns the fresh submission."""
    from chiso.assessments import services

    saved, _count = services.save_values(
        submission, figures, user=officer, expected_version=submission.version
    )
    return saved


def put(submission, status, **fields):
    """Set a submission's state directly, for tests that start from a given state."""
    from chiso.assessments.models import Submission

    Submission.objects.filter(pk=submission.pk).update(status=status, **fields)
    submission.refresh_from_db()
    return submission


def submit(submission, officer):
    from chiso.assessments import workflow

    return workflow.transition(submission, "submit", officer)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
