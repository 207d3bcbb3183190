"""Shared fixtures: the people of the tests and a small open period.

Chị Lan is the officer of Phường Hàm Rồng, Anh Minh the officer of Phường Hạc
Thành, Chị Hoa a reviewer of the DX office, Anh Tuấn the province admin, Bà Mai a
leader; the public is an anonymous client.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    # The live server answers from short-lived threads; a connection kept open for
    # reuse would outlive its thread and keep PostgreSQL from dropping the test database.
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


PASSWORD = "chiso-test-Password-1"


@pytest.fixture
def mini_framework_text() -> str:
    return (FIXTURES / "mini-commune.yaml").read_text(encoding="utf-8")


@pytest.fixture
def province(db):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="38",
        name="Tỉnh Thanh Hóa",
        level="province",
        kind="tinh",
        province_code="38",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def ham_rong(province):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="14758",
        name="Phường Hàm Rồng",
        level="commune",
        kind="phuong",
        parent=province,
        province_code="38",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def hac_thanh(province):
    from chiso.units.models import Unit

    return Unit.objects.create(
        code="14797",
        name="Phường Hạc Thành",
        level="commune",
        kind="phuong",
        parent=province,
        province_code="38",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def framework(db, mini_framework_text):
    from chiso.frameworks.services import store_framework

    return store_framework(mini_framework_text, source="shipped")


@pytest.fixture
def period(db, framework, ham_rong, hac_thanh):
    """An open period with the mini framework for communes and both wards assessed."""
    from django.utils import timezone

    from chiso.assessments.models import Period, PeriodFramework, Submission

    today = timezone.localdate()
    p = Period.objects.create(
        year=today.year,
        name=f"Đánh giá chuyển đổi số {today.year}",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        reference_date=dt.date(2025, 7, 1),
    )
    PeriodFramework.objects.create(period=p, level="commune", framework=framework)
    for unit in (ham_rong, hac_thanh):
        Submission.objects.create(period=p, unit=unit, framework=framework)
    return p


def _person(username: str, full_name: str, role: str | None = None, unit=None, level: str = ""):
    from django.contrib.auth import get_user_model

    from chiso.accounts.models import Membership

    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
    )
    if role:
        Membership.objects.create(user=user, role=role, unit=unit, level=level)
    return user


@pytest.fixture
def lan(ham_rong):
    """Chị Lan, officer of Phường Hàm Rồng."""
    return _person("lan", "Chị Lan", "officer", ham_rong)


@pytest.fixture
def minh(hac_thanh):
    """Anh Minh, officer of Phường Hạc Thành."""
    return _person("minh", "Anh Minh", "officer", hac_thanh)


@pytest.fixture
def hoa(db):
    """Chị Hoa, reviewer of the provincial DX office (every commune)."""
    return _person("hoa", "Chị Hoa", "reviewer")


@pytest.fixture
def tuan(db):
    """Anh Tuấn, province administrator."""
    return _person("tuan", "Anh Tuấn", "admin")


@pytest.fixture
def mai(db):
    """Bà Mai, a leader of the province: reads everything, changes nothing."""
    return _person("mai", "Bà Mai", "leader")


@pytest.fixture
def login(client):
    """Log a person in on the test client: `login(lan)`."""

    def _login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def submission(period, ham_rong):
    return period.submissions.get(unit=ham_rong)
