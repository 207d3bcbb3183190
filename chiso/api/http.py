"""HTTP conventions of the API and the open-data files: validators, 304, gzip, JSON errors.

Every GET answer under /api/ and /data/ carries an `ETag` (of its body, by Django's
ConditionalGetMiddleware, unless the view set a cheaper one from what the data depends
on, like a published snapshot, with Django's `condition` decorator) and `Last-Modified`
where the data has a time; a matching `If-None-Match` or `If-Modified-Since` gets 304.
Answers are gzipped when the client accepts it.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.middleware.http import ConditionalGetMiddleware

from chiso.api import errors

T = TypeVar("T")
API_PREFIX = "/api/"
SCOPED = (API_PREFIX, "/data/")
# Headers of the original answer that a JSON error answer keeps.
DROPPED = {"content-type", "content-length", "content-encoding"}


def per_request(func: Callable[..., T]) -> Callable[..., T]:
    """`func(request, ...)` computed once a request: the ETag and Last-Modified functions
    of Django's `condition` and the view itself ask for the same snapshot or file."""
    name = f"_chiso_once_{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def once(request: HttpRequest, *args: Any, **kwargs: Any) -> T:
        if name not in request.__dict__:
            request.__dict__[name] = func(request, *args, **kwargs)
        return request.__dict__[name]  # type: ignore[no-any-return]

    return once


def keeping_types(decorator: Callable[[Callable[..., Any]], Any]) -> Any:
    """`decorator` (Django's `condition`, ninja's `paginate`) for an endpoint, with the
    endpoint's annotations resolved in its own module: ninja would read the wrapper's
    string annotations in the decorator's module, where `Id` or `Level` is unknown."""

    def apply(view: Callable[..., Any]) -> Any:
        wrapper = decorator(view)
        wrapper.__signature__ = inspect.signature(view, eval_str=True)
        return wrapper

    return apply


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
