"""Tokens in the back office: created here (the secret shown once), revoked, uses read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chiso.api.models import ApiToken, TokenUse
from chiso.api.services import issued, revoke_token
from chiso.assessments.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    fields = ["user", "name", "hint", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = ["hint", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A token's account and name are fixed once issued.
        return self.readonly_fields + (["user", "name"] if obj is not None else [])

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the uses stay readable

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        obj.created_by = request.user
        secret = obj.set_secret()
        obj.save()
        issued(obj, request.user)
        messages.warning(
            request,
            _("The token, shown only now (copy it into the system): %(secret)s")
            % {"secret": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            revoke_token(token, request.user)


@admin.register(TokenUse)
class TokenUseAdmin(ReadOnlyAdmin):
    list_display = ["at", "token", "method", "path", "status", "address"]
    list_filter = ["status", "method"]
    search_fields = ["path", "token__name"]
