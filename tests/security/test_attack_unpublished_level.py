"""Attack: read a level that is not published through another level's publication.

Once one level of a period is published (say the departments), a stranger walks every
public URL of another level of the same period (the communes): pages, files, the map,
open data and the API. Each must answer 404, as if the level did not exist. The public
map of a published level shows the snapshot, never a review state: a unit reopened
after publication still shows its published figures.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.dashboard.conftest import assess, make_period
from tests.people import person

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
HAM_RONG = "14758"
# The files of a dataset and of a ranking a stranger might guess.
FILE_NAMES = (
    "ranking.csv",
    "ranking.xlsx",
    "values.csv",
    "framework.yaml",
    "annex.pdf",
    "SHA256SUMS",
    "datapackage.json",
    "results.json",
)


@pytest.fixture
def half_published(db):
    """The 2025 period with communes and departments all approved, and only the
    departments published."""
    from chiso.assessments.models import PeriodFramework
    from chiso.assessments.services import load_shipped
    from chiso.results import services
    from chiso.units.models import Unit
    from chiso.units.services import load_units

    load_units()
    shipped = {f.level: f for f in load_shipped()}
    period = make_period("Đánh giá năm 2025", 2025, REFORM, shipped["commune"])
    PeriodFramework.objects.create(
        period=period, level="department", framework=shipped["department"]
    )
    communes = list(Unit.objects.on(REFORM).filter(province_code="38", level="commune"))
    departments = list(Unit.objects.filter(level="department").order_by("code"))
    assess(period, communes, shipped["commune"], salt="2025")
    assess(period, departments, shipped["department"], salt="2025")
    admin = person("tuan", "Anh Tuấn", "admin")
    services.publish(period, "department", admin)
    return period, admin, departments[0]


def _patterns(resolver=None, prefix=""):
    """Every URL pattern of the site as (route, pattern), routes joined."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _level_urls(period_id: int, level: str, unit_code: str) -> list[str]:
    """Every page and file URL of the site about one level of one period."""
    urls = []
    for route, _ in _patterns():
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if not {"period_id", "level"} <= names or route.startswith(("admin/", "api/")):
            continue
        fills = [{"period_id": period_id, "level": level, "unit_code": unit_code, "version": 1}]
        if "name" in names:
            fills = [{**fills[0], "name": name} for name in FILE_NAMES]
        for fill in fills:
            urls.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, f=fill: str(f[m[1]]), route))
    return urls


def _api_urls(client, period_id: int, level: str, unit_id: int) -> list[str]:
    """Every GET operation of the API's OpenAPI document about a (period, level)."""
    document = client.get("/api/v1/openapi.json").json()
    fill = {"period_id": period_id, "level": level, "unit_id": unit_id}
    urls = []
    for path, operations in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        if "get" in operations and {"period_id", "level"} <= names and names <= fill.keys():
            urls.append(re.sub(r"{(\w+)}", lambda m: str(fill[m[1]]), path))
    return urls


def test_no_public_url_of_an_unpublished_level_answers(client, half_published):
    from chiso.results import services
    from chiso.units.models import Unit

    period, admin, department = half_published
    ham_rong = Unit.objects.on(REFORM).get(code=HAM_RONG)
    urls = _level_urls(period.pk, "commune", HAM_RONG)
    urls += _api_urls(client, period.pk, "commune", ham_rong.pk)
    before = {url: client.get(url).status_code for url in urls}
    # Nothing answers the public with content while the communes are unpublished; pages
    # for staff send to the login page (302) or ask for a token (401).
    assert {url: code for url, code in before.items() if code < 300} == {}
    # The public URLs are those that answer once the communes are published: before
    # that, each was 404, as if the level did not exist.
    services.publish(period, "commune", admin)
    public = [url for url in urls if client.get(url).status_code == 200]
    assert {url: before[url] for url in public if before[url] != 404} == {}
    # The walk covered the map, the ranking, a report card, open data and the API.
    for part in ("/commune/map", "/map/", f"/commune/{HAM_RONG}/", "/data/", "/api/v1/results/"):
        assert any(part in url for url in public), part
    # The department level, published first, answered the public all along.
    assert client.get(f"/results/{period.pk}/department/").status_code == 200
    assert client.get(f"/results/{period.pk}/department/{department.code}/").status_code == 200


def test_staff_still_see_the_unpublished_communes_on_the_map(login, half_published):
    period, admin, _ = half_published
    data = login(admin).get(f"/api/v1/results/{period.pk}/commune/map").json()
    assert data["version"] is None and data["counts"]["scored"] == 166


def test_the_public_map_shows_the_snapshot_and_no_review_state(client, half_published):
    from chiso.assessments import workflow
    from chiso.results import services
    from chiso.results.models import UnitRow

    period, admin, _ = half_published
    snapshot = services.publish(period, "commune", admin)
    submission = period.submissions.get(unit__code=HAM_RONG)
    workflow.transition(submission, "reopen", admin, reason="Sửa số liệu hồ sơ")
    response = client.get(f"/api/v1/results/{period.pk}/commune/map")
    assert response.status_code == 200
    text = response.content.decode()
    for state in ("status", "returned", "approved", "published", "draft"):
        assert f'"{state}"' not in text
    data = response.json()
    row = UnitRow.objects.get(snapshot=snapshot, code=HAM_RONG)
    assert data["version"] == snapshot.version
    assert data["units"][HAM_RONG] == {
        "name": row.name,
        "value": row.value,
        "rank": row.rank,
        "recognized": row.recognized,
    }
    assert data["counts"]["scored"] == UnitRow.objects.filter(snapshot=snapshot).count() == 166
