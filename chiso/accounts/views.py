"""Logging in, with a refusal after too many failures (chiso/accounts/ratelimit.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from chiso.accounts import ratelimit

LOCKED_MESSAGE = _(
    "Too many failed attempts for this user name. Wait %(minutes)d minutes and try again."
)


class LoginForm(AuthenticationForm):
    """The login form; says plainly when a login is refused for too many failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if ratelimit.is_locked(username, self.request):
            raise self._locked()
        try:
            return super().clean()
        except forms.ValidationError:
            if ratelimit.is_locked(username, self.request):
                raise self._locked() from None
            raise

    def _locked(self) -> forms.ValidationError:
        from django.conf import settings

        minutes = max(1, settings.CHISO_LOGIN_WINDOW_SECONDS // 60)
        return forms.ValidationError(LOCKED_MESSAGE, code="locked", params={"minutes": minutes})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["locked"] = bool(form is not None and form.has_error("__all__", "locked"))
        return context
