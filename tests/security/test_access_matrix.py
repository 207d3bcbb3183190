"""Who gets what: every page of the site and every API operation, as five people.

The urlconf and the OpenAPI document are walked (not a list made by hand), and each
GET address is asked by the public, Anh Minh (the officer of another ward, Phường Hạc
Thành), Chị Hoa (the province's reviewer), Chị Mai (a leader), Anh Tuấn (the admin)
and Chị Lan (Hàm Rồng's own officer), about Phường Hàm Rồng: its submission
(approved), its evidence, the period's published commune results, the framework. Each
route has its expected answers in EXPECTED_GET below; a route without one fails the
test, so a new page or operation must say who may read it.

The answers: 200 it is shown; "login" the person is sent to log in; 401 the API asks
for credentials; 403 refused (the API, or a page that says so); 404 not found (or not
theirs: the same answer, so ids cannot be probed); 405 the route takes no GET. A route
that changes something is also sent an empty POST (EXPECTED_POST): the people it is
not for are refused before the form is read (login, 403, 404); the others get the
form's own answer (200, 302 back to the page with the gate's message, 400, 422).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.people import stored_evidence

pytestmark = pytest.mark.django_db

PEOPLE = ("public", "minh", "hoa", "mai", "tuan", "lan")


def _routes(patterns=None, prefix=""):
    for item in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(item, URLResolver):
            yield from _routes(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern)


# Not chiso's pages: Django's back office and its language switch (a POST), the API's
# catch-all and root (404 to anything).
SKIPPED = ("admin/", "i18n/", "^api/", "api/v1/")


def routes() -> list[str]:
    found = dict.fromkeys(
        r
        for r in _routes()
        if not r.startswith(SKIPPED) or r.startswith("api/v1/") and r != "api/v1/"
    )
    return list(found)


@pytest.fixture
def world(published, lan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submission = published.period.submissions.get(unit__code="14758")
    item = stored_evidence(submission, lan)
    framework = submission.framework
    return {
        "pk": submission.pk,
        "submission_id": submission.pk,
        "period_id": published.period.pk,
        "level": "commune",
        "unit_code": "14758",
        "unit_id": submission.unit_id,
        "code": framework.code,
        "version": framework.version,
        "framework_id": framework.pk,
        "name": "ranking.csv",
        "uidb64": "MQ",
        "token": "set-password",
        "evidence": item.pk,
    }


def address(route: str, fill: dict) -> str:
    if route.startswith("evidence/"):
        fill = {**fill, "pk": fill["evidence"]}
    if route.startswith(("audit/periods/", "review/periods/")):
        fill = {**fill, "pk": fill["period_id"]}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(fill[m[1]]), route)


def answer(response) -> str | int:
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return "login"
    return response.status_code


OPEN = (200, 200, 200, 200, 200, 200)  # public pages, files and API answers
NO_GET = (405, 405, 405, 405, 405, 405)  # routes that only change something
LOGGED_IN = ("login", 200, 200, 200, 200, 200)

# (public, Anh Minh, Chị Hoa, Chị Mai, Anh Tuấn, Chị Lan) asking GET. /metrics answers
# here because the test client asks from loopback (tests/deploy check the refusals).
EXPECTED_GET = {
    "healthz": OPEN,
    "readyz": OPEN,
    "metrics": OPEN,
    "favicon.ico": (302, 302, 302, 302, 302, 302),
    "api/v1/openapi.json": OPEN,
    "api/v1/docs": OPEN,
    "api/v1/units": OPEN,
    "api/v1/units/<unit_id>": OPEN,
    "api/v1/frameworks": OPEN,
    "api/v1/frameworks/<code>/<version>": OPEN,
    "api/v1/frameworks/<code>/<version>/file": OPEN,
    "api/v1/periods": OPEN,
    "api/v1/periods/<period_id>": OPEN,
    "api/v1/submissions/<submission_id>/values": NO_GET,
    "api/v1/submissions/<submission_id>/evidence": NO_GET,
    # Officers and systems read their own units' submissions; staff every one.
    "api/v1/periods/<period_id>/submissions": (401, 200, 200, 200, 200, 200),
    "api/v1/results/<period_id>/<level>": OPEN,
    "api/v1/units/<unit_id>/results": OPEN,
    "api/v1/results/<period_id>/<level>/units/<unit_code>/plan": OPEN,
    "api/v1/results/<period_id>/<level>/uncertainty": OPEN,
    "api/v1/results/<period_id>/<level>/sensitivity": OPEN,
    "api/v1/results/<period_id>/<level>/changes": OPEN,
    "api/v1/results/<period_id>/<level>/provisional": (401, 403, 200, 200, 200, 403),
    "api/v1/results/<period_id>/<level>/audit": (401, 403, 200, 403, 200, 403),
    "api/v1/results/<period_id>/<level>/provisional/changes": (401, 403, 200, 200, 200, 403),
    "data/": OPEN,
    "data/catalog.jsonld": OPEN,
    "data/<int:period_id>/<str:level>/": OPEN,
    "data/<int:period_id>/<str:level>/<str:name>": OPEN,
    "accounts/login/": (200, 302, 302, 302, 302, 302),
    "accounts/password_reset/": OPEN,
    "accounts/reset/<uidb64>/<token>/": OPEN,
    "accounts/password_change/": LOGGED_IN,
    "accounts/logout/": NO_GET,
    "accounts/password_change/done/": LOGGED_IN,
    "accounts/password_reset/done/": OPEN,
    "accounts/reset/done/": OPEN,
    "review/": ("login", 404, 200, 200, 200, 404),
    "review/bulk/": ("login", 405, 405, 405, 405, 405),
    "review/<int:pk>/": ("login", 404, 200, 200, 200, 404),
    "review/<int:pk>/comment/": ("login", 405, 405, 405, 405, 405),
    "review/<int:pk>/correct/": ("login", 405, 405, 405, 405, 405),
    "review/<int:pk>/status/": ("login", 405, 405, 405, 405, 405),
    "audit/submissions/<int:pk>/": ("login", 404, 200, 200, 200, 200),
    "audit/submissions/<int:pk>/csv/": ("login", 404, 200, 200, 200, 200),
    "audit/periods/<int:pk>/": LOGGED_IN,
    # Which units an indicator does not apply to: the DX office's (admins) only.
    "review/periods/<int:pk>/not-applicable/": ("login", 403, 403, 403, 200, 403),
    "audit/periods/<int:pk>/csv/": LOGGED_IN,
    "submissions/<int:submission_id>/template.xlsx": ("login", 404, 200, 200, 200, 200),
    "submissions/<int:submission_id>/values.csv": ("login", 404, 200, 200, 200, 200),
    "submissions/<int:submission_id>/import": ("login", 404, 403, 403, 200, 200),
    "periods/<int:period_id>/template.xlsx": LOGGED_IN,
    "periods/<int:period_id>/values.csv": LOGGED_IN,
    "periods/<int:period_id>/import": ("login", 200, 403, 403, 200, 200),
    "submissions/<int:pk>/": ("login", 404, 200, 200, 200, 200),
    "submissions/<int:pk>/preview/": ("login", 405, 405, 405, 405, 405),
    "submissions/<int:pk>/evidence/": ("login", 405, 405, 405, 405, 405),
    "evidence/<int:pk>/": ("login", 404, 200, 200, 200, 200),
    "evidence/<int:pk>/remove/": ("login", 405, 405, 405, 405, 405),
    "frameworks/import-excel": ("login", 403, 403, 403, 200, 403),
    "frameworks/import-excel/template.xlsx": ("login", 403, 403, 403, 200, 403),
    "frameworks/<int:framework_id>/criteria.xlsx": OPEN,
    "frameworks/": OPEN,
    "frameworks/upload/": ("login", 403, 403, 403, 200, 403),
    "frameworks/<slug:code>/v<int:version>/": OPEN,
    "frameworks/<slug:code>/v<int:version>/yaml/": OPEN,
    "dashboard/": ("login", 403, 200, 200, 200, 403),
    "results/<int:period_id>/<str:level>/map/": OPEN,
    "province/": OPEN,
    "province/record/": ("login", 405, 405, 405, 405, 405),
    "province/import/": ("login", 405, 405, 405, 405, 405),
    "results/<int:period_id>/<slug:level>/what-if/": ("login", 403, 403, 403, 200, 403),
    "results/<int:period_id>/<slug:level>/what-if/keep/": ("login", 405, 405, 405, 405, 405),
    "results/": OPEN,
    "results/<int:period_id>/publish/": (404, 404, 404, 404, 200, 404),
    "results/<int:period_id>/<str:level>/": OPEN,
    "results/<int:period_id>/<str:level>/ranking.csv": OPEN,
    "results/<int:period_id>/<str:level>/ranking.xlsx": OPEN,
    "results/<int:period_id>/<str:level>/values.csv": OPEN,
    "results/<int:period_id>/<str:level>/framework.yaml": OPEN,
    "results/<int:period_id>/<str:level>/annex.pdf": OPEN,
    "results/<int:period_id>/<str:level>/annex-signed.pdf": (404, 404, 404, 404, 404, 404),
    "results/<int:period_id>/<str:level>/annex/sign/": NO_GET,
    "results/<int:period_id>/<str:level>/audit/": (404, 404, 200, 404, 200, 404),
    "results/<int:period_id>/<str:level>/sensitivity/": OPEN,
    "results/<int:period_id>/<str:level>/<str:unit_code>/report.pdf": (
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    "results/<int:period_id>/<str:level>/<str:unit_code>/": OPEN,
    "": (200, 200, 302, 302, 302, 200),
    "api/v1/submissions/<submission_id>": (401, 404, 200, 200, 200, 200),
    "api/v1/results/<period_id>/<level>/map": OPEN,
    "api/v1/province/dti": OPEN,
    "api/v1/results/<period_id>/<level>/units/<unit_code>/card": OPEN,
    "api/v1/dashboard/<period_id>/<level>": (401, 403, 200, 200, 200, 403),
    # No estimate recorded in this world: staff get 404, the others are refused first.
    "api/v1/province/estimate": (401, 403, 404, 404, 404, 403),
    "data/<int:period_id>/<str:level>/v<int:version>/": OPEN,
    "data/<int:period_id>/<str:level>/v<int:version>/<str:name>": OPEN,
}

EXPECTED_POST = {
    "api/v1/submissions/<submission_id>/values": NO_GET,
    "api/v1/submissions/<submission_id>/evidence": (401, 422, 422, 422, 422, 422),
    "accounts/logout/": (302, 302, 302, 302, 302, 302),
    "review/bulk/": ("login", 404, 302, 404, 302, 404),
    "review/<int:pk>/comment/": ("login", 404, 400, 404, 400, 404),
    "review/<int:pk>/correct/": ("login", 404, 400, 404, 400, 404),
    "review/<int:pk>/status/": ("login", 404, 302, 302, 302, 404),
    "submissions/<int:pk>/preview/": ("login", 404, 200, 200, 200, 200),
    "submissions/<int:pk>/evidence/": ("login", 404, 403, 403, 403, 302),
    "evidence/<int:pk>/remove/": ("login", 404, 403, 403, 403, 302),
    "province/record/": ("login", 403, 403, 403, 400, 403),
    "province/import/": ("login", 403, 403, 403, 302, 403),
    "results/<int:period_id>/<slug:level>/what-if/keep/": ("login", 403, 403, 403, 302, 403),
    "results/<int:period_id>/<str:level>/annex/sign/": (404, 404, 404, 404, 302, 404),
}


def test_every_route_says_who_may_read_it_and_every_write_who_may_make_it():
    found = routes()
    assert len(found) > 80
    assert [r for r in found if r not in EXPECTED_GET] == []
    assert [r for r in EXPECTED_GET if r not in found] == []
    writes = [r for r in found if 405 in EXPECTED_GET[r]]
    assert sorted(writes) == sorted(EXPECTED_POST)


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_gets_the_expected_answer_from_every_route(client, world, request, who):
    person = None if who == "public" else request.getfixturevalue(who)

    def as_them():  # logging out is one of the routes: each request starts logged in
        if person is not None:
            client.force_login(person)
        return client

    column = PEOPLE.index(who)
    wrong = {}
    for route in routes():
        got = answer(as_them().get(address(route, world)))
        if got != EXPECTED_GET[route][column]:
            wrong[("GET", route)] = (got, EXPECTED_GET[route][column])
        if route in EXPECTED_POST:
            got = answer(as_them().post(address(route, world), {}))
            if got != EXPECTED_POST[route][column]:
                wrong[("POST", route)] = (got, EXPECTED_POST[route][column])
    assert wrong == {}
