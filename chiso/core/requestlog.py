"""One JSON line per request: what the province's log collector reads.

    {"time": "2026-11-23T08:15:02.114Z", "level": "INFO", "logger": "chiso.requests",
     "request_id": "5f0c...", "method": "POST", "path": "/submissions/12/",
     "status": 302, "duration_ms": 41.7, "user_id": 7}

The request id is the one the proxy sent (nginx's $request_id in X-Request-ID) when it
looks like one, a new one otherwise; it goes back in the answer's X-Request-ID header, so
a person's report of an error can be found in every server's log. The path is logged
without its query (tokens and search words stay out of the log).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

log = logging.getLogger("chiso.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The attributes every log record has; anything else was passed in `extra`.
STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        if message:
            line["message"] = message
        line.update({k: v for k, v in vars(record).items() if k not in STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _user_id(request: HttpRequest) -> int | None:
    try:
        user = getattr(request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # the database went away: the line is still written
        return None


class RequestLogMiddleware:
    """Logs every request on `chiso.requests` (see the module) and tags its answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "",
                    extra={
                        "request_id": request_id,
                        "method": request.method,
                        "path": request.path[:500],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": _user_id(request),
                    },
                )
