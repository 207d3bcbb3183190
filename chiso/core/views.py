"""Pages that belong to no single domain app: home, health."""

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from chiso.accounts import access
from chiso.frameworks.models import Framework

# The home page lists at most this many submissions (an admin sees every unit).
HOME_LIMIT = 200


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


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
            "is_admin": access.is_admin(request.user),
            "is_reviewer": access.is_reviewer(request.user),
        },
    )
