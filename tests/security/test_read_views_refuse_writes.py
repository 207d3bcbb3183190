"""Writing to a page that only reads is refused with 405, whoever asks.

Every URL pattern of the site is walked (the urlconf resolved, not a list made by hand),
and each is sent POST, PUT and DELETE. A view answers only the methods it takes: the
pages that take a form are listed with their methods below, every other view is one
that only reads and must answer 405 to the three, before anything else (a public page
must not answer 200, 403 or 404 to a write). Anonymous people may instead be sent to
the login page by a view that is not public.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PUT", "DELETE"}

# Views that change something, by route, with the write methods each takes.
WRITERS = {
    "review/bulk/": {"POST"},
    "results/<int:period_id>/<str:level>/annex/sign/": {"POST"},
    "review/<int:pk>/comment/": {"POST"},
    "review/<int:pk>/correct/": {"POST"},
    "review/<int:pk>/status/": {"POST"},
    "review/periods/<int:pk>/not-applicable/": {"POST"},
    "submissions/<int:submission_id>/import": {"POST"},
    "periods/<int:period_id>/import": {"POST"},
    "submissions/<int:pk>/": {"POST"},
    "submissions/<int:pk>/preview/": {"POST"},
    "submissions/<int:pk>/evidence/": {"POST"},
    "evidence/<int:pk>/remove/": {"POST"},
    "frameworks/import-excel": {"POST"},
    "frameworks/upload/": {"POST"},
    "province/record/": {"POST"},
    "province/import/": {"POST"},
    "results/<int:period_id>/<slug:level>/what-if/": {"POST"},
    "results/<int:period_id>/<slug:level>/what-if/keep/": {"POST"},
    "results/<int:period_id>/publish/": {"POST"},
    "api/v1/submissions/<submission_id>/values": {"PUT"},
    "api/v1/submissions/<submission_id>/evidence": {"POST"},
    "accounts/login/": {"POST"},
    "accounts/logout/": {"POST"},
    "accounts/password_change/": {"POST"},
    "accounts/password_reset/": {"POST"},
    "accounts/reset/<uidb64>/<token>/": {"POST"},
}

# Routes that are not chiso's pages: Django's back office and language switch, and the
# API's root (a 404 to every method, where ninja finds its own address).
NOT_PAGES = ("admin/", "i18n/")
API_ROOT = "api/v1/"


def routes(patterns=None, prefix: str = ""):
    """Every route of the urlconf, includes followed, with the view's pattern."""
    for item in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(item, URLResolver):
            yield from routes(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def page_routes() -> list[str]:
    found = []
    for route, pattern in routes():
        if route.startswith(NOT_PAGES) or route == API_ROOT:
            continue
        if not isinstance(pattern.pattern, RoutePattern):
            # The one regular expression: /api/... that is no endpoint, 404 to anything.
            assert route.startswith("^api/"), route
            continue
        found.append(route)
    return found


def address(route: str) -> str:
    """The route with every parameter 1 (the method is refused before it is read)."""
    return "/" + re.sub(r"<[^>]+>", "1", route)


ROUTES = page_routes()


def test_the_walk_finds_the_pages_it_should():
    assert len(ROUTES) > 60
    for route in ("results/", "frameworks/<slug:code>/v<int:version>/", "api/v1/docs", ""):
        assert route in ROUTES, route
    assert set(WRITERS) <= set(ROUTES), set(WRITERS) - set(ROUTES)


@pytest.mark.parametrize("route", ROUTES)
def test_a_view_refuses_the_writes_it_does_not_take(client, tuan, route):
    client.force_login(tuan)
    for method in sorted(WRITES - WRITERS.get(route, set())):
        response = client.generic(method, address(route))
        assert response.status_code == 405, (method, route, response.status_code)


@pytest.mark.parametrize("route", [r for r in ROUTES if r not in WRITERS])
def test_the_public_gets_405_from_a_view_that_only_reads(client, route):
    for method in sorted(WRITES):
        response = client.generic(method, address(route))
        if response.status_code == 302:
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), route
            continue
        assert response.status_code == 405, (method, route, response.status_code)
