"""Pages that belong to no single domain app: home, health, metrics."""

import hmac
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.core import health
from chiso.frameworks.models import Framework

# The home page lists at most this many submissions (an admin sees every unit).
HOME_LIMIT = 200
LOOPBACK = frozenset({"127.0.0.1", "::1"})


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the process answers at all (for the process supervisor); asks nothing else."""
    return JsonResponse({"status": "alive"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and the storage answer; 503 naming those that do
    not (a load balancer sends no requests to a server that is not ready)."""
    down = health.problems()
    if down:
        return JsonResponse({"status": "unavailable", "down": down}, status=503)
    return JsonResponse({"status": "ready", "database": connection.vendor})


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a scraper on the machine itself or one sending the token
    of CHISO_METRICS_TOKEN (Authorization: Bearer); 404 to everyone else."""
    token = settings.CHISO_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    by_token = bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    # Through a proxy (which adds X-Forwarded-For) every request comes from loopback.
    local = (
        request.META.get("REMOTE_ADDR") in LOOPBACK
        and "HTTP_X_FORWARDED_FOR" not in request.META
        and not sent
    )
    if not (by_token or local):
        raise Http404("No metrics here.")
    return ExportToDjangoView(request)  # type: ignore[no-any-return]


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except while the database is down or restarting: then 503 with
    a page asking to try again in a few minutes (Vietnamese first), which asks nothing of
    the database. The next request connects afresh (CONN_HEALTH_CHECKS): chiso recovers
    without a restart."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponseRedirect(static("chiso/favicon.svg"))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What chiso is, for the public; a person's own submissions once logged in."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html", {"submissions": None})
    # A reviewer's home is the review queue; a leader's the same list, read only.
    if access.home_of(request.user) in ("review", "progress"):
        return HttpResponseRedirect(reverse("review-queue"))
    filled = Q(values__self_value__isnull=False) | Q(values__verified_value__isnull=False)
    visible = access.submissions_for(request.user)
    total = visible.count()
    rows = list(
        visible.select_related("period", "unit")
        .annotate(filled=Count("values", filter=filled))
        .order_by("-period__year", "-period__opens_on", "unit__code")[:HOME_LIMIT]
    )
    # Each framework is parsed once (and cached) to know how many figures it asks for.
    framework_ids = {row.framework_id for row in rows}
    inputs = {
        framework.pk: len(framework.engine().input_codes)
        for framework in Framework.objects.filter(pk__in=framework_ids)
    }
    for row in rows:
        row.inputs = inputs[row.framework_id]
        row.percent = round(100 * row.filled / row.inputs) if row.inputs else 0
    return render(
        request,
        "core/home.html",
        {
            "submissions": rows,
            "total": total,
            "more": total - len(rows),
            "is_admin": access.can(request.user, Perm.ADMINISTER),
            "is_reviewer": access.can(request.user, Perm.ACT_ON_QUEUE),
        },
    )
