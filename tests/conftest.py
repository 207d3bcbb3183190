"""The one set of fixtures of the suite: the people and places of tests/people.py,
a small framework and an open period (2026) and, before the 2025 reform, the 2024
campaign with district review. The fast password hasher applies to every test.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.people import PASSWORD, named, unit  # noqa: F401 - PASSWORD for the tests

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    # The live server answers from short-lived threads; a connection kept open for
    # reuse would outlive its thread and keep PostgreSQL from dropping the test database.
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Pages name the plain static files, whatever `chiso serve` collected into var/static
    # (hashed names); tests that want the collected files collect into a folder of their own.
    settings.STATIC_ROOT = Path(tempfile.mkdtemp(prefix="chiso-test-static-"))


# A flush (after each transactional test, and the demo's module) empties what the
# migrations ship (the province's DTI history). With several workers (pytest-xdist) other
# tests run after a flush on the same database, so the rows are put back after each one.
def _ship_again() -> None:
    import importlib

    from django.apps import apps

    importlib.import_module("chiso.leadership.migrations.0002_history").ship(apps, None)


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transaction = bool(marker and marker.kwargs.get("transaction"))
    names = getattr(item, "fixturenames", ())
    return transaction or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Every test has a node id of its own. schemathesis gives each API operation's test
    the same one (the function's), and pytest-xdist schedules by node id: all but one
    operation would silently not run. Those take their name ("...[GET /api/v1/units]")."""
    for item in items:
        if not item.nodeid.endswith(item.name):
            item._id = item.parent.id.child(item.name)  # what pytest gives any other test
    seen: set[str] = set()
    twice = {item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)}
    if twice:
        raise pytest.UsageError(f"tests sharing a node id (pytest-xdist would run one): {twice}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is not None and _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _ship_again()
    return result


@pytest.fixture(autouse=True)
def language_of_the_settings():
    """Each test starts in the settings' language: a request in English leaves English
    active in the thread (Django's locale middleware does not undo it), and the next test
    on the same worker would read English where it expects Vietnamese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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
def engine_readings(monkeypatch) -> dict[str, int]:
    """How often the engine reads figures as they arrived (its reader of texts and cells,
    and `coerce_value`, its one-at-a-time reader) and checks the framework's rules."""
    from chiso import engine
    from chiso.engine import values

    calls = {"read": 0, "rules": 0, "coerce": 0}

    def counting(name: str, function: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return counted

    monkeypatch.setattr(values._LongTable, "values", counting("read", values._LongTable.values))
    monkeypatch.setattr(engine, "check_rules", counting("rules", engine.check_rules))
    monkeypatch.setattr(values, "coerce_value", counting("coerce", values.coerce_value))
    return calls


@pytest.fixture
def mini_framework_text() -> str:
    return (FIXTURES / "mini-commune.yaml").read_text(encoding="utf-8")


@pytest.fixture
def province(db):
    return unit("38")


@pytest.fixture
def ham_rong(province):
    return unit("14758")


@pytest.fixture
def hac_thanh(province):
    return unit("14797")


@pytest.fixture
def hoang_hoa(province):
    return unit("399")


@pytest.fixture
def bim_son(province):
    return unit("381")


@pytest.fixture
def hoang_quy(hoang_hoa):
    return unit("15916")


@pytest.fixture
def framework(db, mini_framework_text):
    from chiso.assessments.services import store_framework

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
    for ward in (ham_rong, hac_thanh):
        Submission.objects.create(period=p, unit=ward, framework=framework)
    return p


@pytest.fixture
def lan(ham_rong):
    """Chị Lan, officer of Phường Hàm Rồng."""
    return named("lan")


@pytest.fixture
def thu(ham_rong):
    """Chị Thu, a second officer of Phường Hàm Rồng (two people typing at once)."""
    return named("thu")


@pytest.fixture
def minh(hac_thanh):
    """Anh Minh, officer of Phường Hạc Thành."""
    return named("minh")


@pytest.fixture
def binh(hoang_quy):
    """Anh Bình, officer of Xã Hoằng Quý."""
    return named("binh")


@pytest.fixture
def hoa(db):
    """Chị Hoa, reviewer of the provincial DX office (every commune)."""
    return named("hoa")


@pytest.fixture
def dung(hoang_hoa):
    """Chị Dung, reviewer of Huyện Hoằng Hóa's communes."""
    return named("dung")


@pytest.fixture
def khoa(bim_son):
    """Anh Khoa, reviewer of Thị xã Bỉm Sơn's communes."""
    return named("khoa")


@pytest.fixture
def tuan(db):
    """Anh Tuấn, province administrator."""
    return named("tuan")


@pytest.fixture
def mai(db):
    """Bà Mai, a leader of the province: reads everything, changes nothing."""
    return named("mai")


@pytest.fixture
def public():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


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


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """`chiso demo` built once for a whole test module (it takes 20-60 s), then flushed.

    Each test still runs in its own transaction, rolled back after it, so a test that
    changes the demo's data does not change it for the next one."""
    import io

    from django.core.management import call_command

    with django_db_blocker.unblock():
        output = io.StringIO()
        call_command("demo", stdout=output)
    yield output.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        _ship_again()
