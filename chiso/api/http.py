"""HTTP conventions of the API and the open-data files: validators, 304, gzip, JSON errors.

Every GET answer under /api/ and /data/ carries an `ETag` (of its body unless the
view set a cheaper one from what the data depends on, like a published snapshot) and
`Last-Modified` where the data has a time; a matching `If-None-Match` or
`If-Modified-Since` gets 304. Answers are gzipped when the client accepts it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from chiso.api import errors

API_PREFIX = "/api/"
SCOPED = (API_PREFIX, "/data/")
# Headers of the original answer that a JSON error answer keeps.
DROPPED = {"content-type", "content-length", "content-encoding"}


def validators(response: HttpResponse, etag: str, modified: dt.datetime | None) -> HttpResponse:
    response["ETag"] = quote_etag(etag)
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def not_modified(
    request: HttpRequest, etag: str, modified: dt.datetime | None
) -> HttpResponse | None:
    """A 304 (with its validators) when the client already has this version, else None."""
    response = get_conditional_response(
        request,
        etag=quote_etag(etag),
        last_modified=int(modified.timestamp()) if modified is not None else None,
    )
    return validators(response, etag, modified) if response is not None else None


class ApiMiddleware:
    """Scopes conditional GET and gzip to the API and open data; errors there become JSON;
    every request made with a token is recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.scoped = GZipMiddleware(ConditionalGetMiddleware(get_response))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(SCOPED):
            return self.get_response(request)
        response = self.scoped(request)
        if request.path.startswith(API_PREFIX):
            response = self._json_error(response)
        token = getattr(request, "chiso_token", None)
        if token is not None:
            from chiso.accounts.ratelimit import client_address
            from chiso.api.models import TokenUse

            TokenUse.objects.create(
                token=token,
                method=request.method or "",
                path=request.get_full_path()[:500],
                status=response.status_code,
                address=client_address(request),
            )
        return response

    @staticmethod
    def _json_error(response: HttpResponse) -> HttpResponse:
        # Django's own 404 (unknown path), 405 and 500 pages are HTML: answer JSON instead.
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        status = response.status_code
        replacement = HttpResponse(
            json.dumps(errors.body(status)), status=status, content_type="application/json"
        )
        for header, value in response.items():
            if header.lower() not in DROPPED:
                replacement[header] = value
        return replacement
