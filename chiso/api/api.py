"""The REST API at /api/v1 (django-ninja): OpenAPI 3 at /api/v1/openapi.json, docs at
/api/v1/docs (Swagger UI from chiso's own static files: "ninja" is an installed app)."""

from __future__ import annotations

from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Swagger

from chiso.api import errors, leadership, private, public, results
from chiso.api.throttling import AnonymousPerMinute

DESCRIPTION = """Published results of the digital-transformation assessment of Thanh Hóa
province, the units, frameworks and periods behind them; and writes for systems.

Reading is open to all (anonymous clients: a limited number of requests a minute per
address, then 429 with Retry-After). Query parameters an endpoint does not know are
ignored. Lists are paginated: follow `next`. Every GET
answer has an ETag (and Last-Modified where the data has a time): send If-None-Match to
get 304. Errors are `{"code", "message", "details", "omitted"}` with a stable `code`;
`details` lists at most 50 problems and `omitted` counts the others.
Systems authenticate with `Authorization: Bearer <token>`; the token belongs to a
system account scoped to some units. Numbers are plain decimals, dates ISO 8601."""


class ChisoSwagger(Swagger):
    """Swagger UI in chiso's page: the page's language, a viewport, a link back."""

    template = "api/docs.html"


api = NinjaAPI(
    title="chiso API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=ChisoSwagger(settings={"persistAuthorization": False}),
    # The document and its page only read: a write to either is 405.
    docs_decorator=require_safe,
    throttle=[AnonymousPerMinute()],
)
errors.install(api)
api.add_router("", public.router)
api.add_router("", private.router)
api.add_router("", results.router)
api.add_router("", results.staff_router)
api.add_router("", leadership.router)
api.add_router("", leadership.staff_router)
