"""Security headers that Django's own middleware does not set, and quiet refusals."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views import defaults

log = logging.getLogger("chiso.security")


class ContentSecurityPolicyMiddleware:
    """Adds the content security policy (settings.CHISO_CSP) to every response.

    Pages load only chiso's own scripts, styles and images, so an injected
    `<script>` or a foreign frame has nothing to run. A view that needs a different
    policy sets the header itself and is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CHISO_CSP

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class PageGZipMiddleware(GZipMiddleware):
    """Pages gzipped for slow phone connections (243 KB of entry page: 14 KB), but not
    those that carry a secret an attacker could guess by the compressed size (BREACH):
    the back office (an API token shown once, reflected searches) and the password-reset
    link's page (its token in the form's address). Other pages carry only the CSRF
    token, which Django masks afresh on every response, and Django's gzip pads each
    response by a random length too. The API and /data/ are compressed by
    chiso.api.http.ApiMiddleware, static files by WhiteNoise.
    """

    UNCOMPRESSED = ("/admin/", "/accounts/reset/")

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(self.UNCOMPRESSED):
            return response
        return super().process_response(request, response)  # type: ignore[no-any-return]


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose English with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an officer
    whose phone is set to English would get English pages. Here only the language
    cookie (set by the switch in the page header) changes the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every page of a logged-in person and every file.

    A browser's back button on a shared computer, or a caching proxy, must not show
    one person's figures or exports to the next. A downloaded file (Content-Disposition)
    is kept out of caches even when it needs no login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "Content-Disposition" in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ForbiddenMiddleware:
    """A refused request (PermissionDenied) logs one line and gets chiso's 403 page.

    Django logs a refusal with its traceback; a refusal is expected, and tracebacks
    would bury the real errors in the log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PermissionDenied):
            return None
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "-"
        log.warning(
            "Forbidden (403): %s %s by %s: %s",
            request.method,
            request.path,
            who,
            str(exception).replace("\n", " ") or "permission denied",
        )
        response = defaults.permission_denied(request, exception)
        response._has_been_logged = True  # type: ignore[attr-defined] # Django's own line
        return response
