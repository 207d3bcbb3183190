"""Logging in (locked after too many failures, by django-axes) and resetting a password.

The other account pages are Django's views with chiso's templates
(chiso/templates/registration/).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from chiso.accounts import hashers, lockout, ratelimit

LOCKED_MESSAGE = _(
    "Too many failed attempts for this user name. Wait %(minutes)d minutes and try again."
)
BUSY_MESSAGE = _(
    "Many people are logging in at once. This page tries again by itself in %(seconds)d s."
)
TOO_MANY_RESETS = _(
    "Too many password reset requests. Wait an hour and try again, or ask the administrator."
)
# A form page is shown (GET, HEAD) and sent (POST); Django's form views would take PUT as
# a POST, and a DELETE could reach a redirect or a page before any method is checked.
form_methods_only = method_decorator(require_http_methods(["GET", "HEAD", "POST"]), "dispatch")


def login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The user name a failure is counted for: names differing only in case count as one."""
    source = credentials if credentials is not None else request.POST
    return str(source.get("username") or "").strip().lower()


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked login gets, on the site's and the admin's form: the login page, saying so."""
    minutes = max(1, settings.CHISO_LOGIN_WINDOW_SECONDS // 60)
    username = str((credentials or request.POST).get("username") or "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_message": LOCKED_MESSAGE % {"minutes": minutes},
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def _label_new_password(form: forms.Form) -> None:
    form.fields["new_password1"].label = _("New password")
    form.fields["new_password2"].label = _("New password, once more")


class ResetForm(PasswordResetForm):
    """Django's reset form, working alike for a known and an unknown address, and only
    once the answer has been sent (see PasswordResetView)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def save(self, **options: Any) -> None:  # type: ignore[override]
        """Called by Django's view while it answers: only notes what `deliver` will do."""
        self.options = options

    def deliver(self) -> None:
        super().save(**self.options)

    def get_users(self, email: str) -> Any:
        # Nobody with that address: a stand-in, so that the same token is made and the
        # same email rendered as for a person (send_mail then sends it to nobody).
        return list(super().get_users(email)) or [get_user_model()(email=email)]

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        if context["user"].pk is None:
            to_email = ""  # the stand-in: a message without recipients is not sent
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _label_new_password(self)


class ChangePasswordForm(PasswordChangeForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        _label_new_password(self)


@form_methods_only
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A storm of logins: beyond the queue, come back later rather than hold a thread
        # the pages need (chiso/accounts/hashers.py). Nothing is checked or counted yet.
        wait = hashers.admit(settings.CHISO_LOGIN_QUEUE)
        if wait:
            typed = str(request.POST.get("username") or "")
            context = self.get_context_data(
                form=AuthenticationForm(request, initial={"username": typed}),
                busy_message=BUSY_MESSAGE % {"seconds": wait},
            )
            response = render(request, "registration/login.html", context, status=503)
            response["Retry-After"] = str(wait)
            return response
        try:
            return super().post(request, *args, **kwargs)
        finally:
            hashers.leave()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # For the page's script: where to go once logged in (the checked `next`, or home),
        # and what to say when turned away, "%(seconds)d" left for it to fill in.
        return {
            **super().get_context_data(**kwargs),
            "success_url": self.get_success_url(),
            "busy_text": str(BUSY_MESSAGE),
        }

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # From now on nobody else's failures lock this person out of this browser.
        lockout.remember_browser(self.request, response, login_name(self.request))
        return response


class AnswerFirst(HttpResponseRedirect):
    """A redirect that runs `then` once the server has sent it: WSGI and ASGI servers
    (and Django's test client) close a response after writing it."""

    def __init__(self, url: str, then: Callable[[], None]) -> None:
        super().__init__(url)
        self.then = then

    def close(self) -> None:
        try:
            self.then()
        finally:
            super().close()


@form_methods_only
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, rate-limited, with emails linking to CHISO_SITE_URL.

    Whether an account has the address must not show in the answer or its time: the
    answer is the same redirect, sent before any work on the address (the email, and a
    slow mail server, come after), and that work is the same for an unknown address.
    """

    form_class = ResetForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form: forms.Form) -> HttpResponse:
        if not ratelimit.allow_reset(self.request, form.cleaned_data["email"]):
            form.add_error(None, forms.ValidationError(TOO_MANY_RESETS, code="throttled"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        self.extra_email_context = {"site_url": settings.CHISO_SITE_URL}
        answer = super().form_valid(form)
        return AnswerFirst(answer["Location"], form.deliver)  # type: ignore[attr-defined]


@form_methods_only
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm


@form_methods_only
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
