"""Every error of the API as JSON `{"code", "message", "details", "omitted"}` with a stable
code.

Clients switch on `code` (the message is English prose and may change). When `details`
is a list of problems it lists the first MAX_DETAILS of them, and `omitted` counts the
rest (0 when every problem is listed), so a body naming 100,000 unknown codes stays
small. The codes:

- `not_found` (404): no such thing, or not one the caller may see (the two look alike);
- `validation_error` (422): the request does not fit the schema or the framework;
  `details` lists the fields and why;
- `unauthorized` (401): no valid credentials; `forbidden` (403): not allowed;
- `conflict` (409): the submission changed meanwhile, or is not open for changes;
- `evidence_rejected` (422): an upload refused, the message says why;
- `rate_limited` (429): too many anonymous requests, see the `Retry-After` header;
- `too_large` (413): the body is over the upload limit;
- `bad_request` (400): a body Django cannot read (a broken multipart body, a part's
  headers over 1 KB, too many fields or files, a form not in UTF-8);
- `method_not_allowed` (405), `server_error` (500);
- `unavailable` (503): the database is down or restarting; try again after `Retry-After`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestAborted,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
MESSAGES = {
    400: "The request could not be read.",
    401: "Send a valid token: Authorization: Bearer <token>.",
    403: "You may not do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request is too large.",
    429: "Too many requests: wait and try again.",
    500: "Something went wrong on our side.",
    503: "The service is briefly unavailable (its database is restarting): try again soon.",
}


# The problems an error lists at most; the others are counted in `omitted`.
MAX_DETAILS = 50


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None
    omitted: int = Field(0, description=f"Problems not listed (details lists {MAX_DETAILS}).")


class ApiError(Exception):
    """An error with its own code, raised by the endpoints."""

    def __init__(
        self, status: int, code: str, message: str, details: Any = None, *, unlisted: int = 0
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        # Problems found but not even put in `details` (counted in `omitted`).
        self.unlisted = unlisted


def body(
    status: int,
    message: str | None = None,
    details: Any = None,
    code: str | None = None,
    unlisted: int = 0,
) -> dict[str, Any]:
    omitted = unlisted
    if isinstance(details, list) and len(details) > MAX_DETAILS:
        omitted += len(details) - MAX_DETAILS
        details = details[:MAX_DETAILS]
    return {
        "code": code or CODES.get(status, "error"),
        "message": message or MESSAGES.get(status, "Error."),
        "details": details,
        "omitted": omitted,
    }


def json_error(status: int, message: str | None = None, **kw: Any) -> HttpResponse:
    return JsonResponse(body(status, message, **kw), status=status)


# The error answers every endpoint may give; listed in the OpenAPI document.
COMMON = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
AUTHED = {**COMMON, 401: ErrorOut, 403: ErrorOut}
# What a write may also answer: a conflict with the submission, a body over the limit.
WRITE = {**AUTHED, 409: ErrorOut, 413: ErrorOut}

# Django's refusals of a request it cannot read (raised when the body is first read):
# the client's mistake, never a 500. Suspicious operations cover the limits (too many
# fields or files, a body too large) and a multipart body that is not one.
UNREADABLE = (
    MultiPartParserError,
    SuspiciousOperation,
    BadRequest,
    UnreadablePostError,
    RequestAborted,
)


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, message: str | None = None, **kw: Any):
        return api.create_response(request, body(status, message, **kw), status=status)

    @api.exception_handler(ApiError)
    def _own(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(
            request,
            exc.status,
            exc.message,
            details=exc.details,
            code=exc.code,
            unlisted=exc.unlisted,
        )

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # Only the listed problems are written out: a body can hold 100,000 bad fields.
        details = [
            {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))}
            for error in exc.errors[:MAX_DETAILS]
        ]
        unlisted = max(0, len(exc.errors) - MAX_DETAILS)
        message = "The request does not fit the schema."
        return respond(request, 422, message, details=details, unlisted=unlisted)

    @api.exception_handler(Http404)
    def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404)

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or None)

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, details={"retry_after": exc.wait})

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, str(exc))

    def _unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.warning("Unreadable request %s %s: %s", request.method, request.path, exc)
        if isinstance(exc, RequestDataTooBig):
            return respond(request, 413, "The body is over the upload limit.")
        return respond(request, 400)

    for unreadable in UNREADABLE:
        api.add_exception_handler(unreadable, _unreadable)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def _database_down(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.warning("Database unavailable on %s %s: %s", request.method, request.path, exc)
        response = respond(request, 503)
        response["Retry-After"] = "30"
        return response

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s", request.path)
        return respond(request, 500)
