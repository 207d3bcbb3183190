"""Back office for framework files: browse versions; add or fix one not yet in use.

A framework a period uses is shown read-only: its file scored real units, so a change
is made by storing a new version (here or on the upload page), never by editing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chiso import engine
from chiso.assessments.models import PeriodFramework
from chiso.frameworks.models import Framework, sha256_text
from chiso.frameworks.services import problems_as_messages

COMPUTED = (
    "code",
    "version",
    "level",
    "year",
    "title_vi",
    "title_en",
    "sha256",
    "created_at",
    "created_by",
)


class FrameworkForm(forms.ModelForm):  # type: ignore[type-arg]
    """The YAML text, checked by the engine; everything else is read from it."""

    # Kept exactly as typed (no stripping): the text is hashed and published as is.
    text = forms.CharField(
        label=_("framework file (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        strip=False,
    )

    class Meta:
        model = Framework
        fields = ("text", "source")

    parsed: engine.Framework | None = None

    def clean_text(self) -> str:
        # Browsers send a textarea with CRLF line ends; files are stored with LF.
        text = str(self.cleaned_data["text"]).replace("\r\n", "\n")
        try:
            self.parsed = engine.parse_framework(text, source="admin")
        except engine.EngineError as error:
            raise ValidationError(problems_as_messages(error)) from error
        instance = self.instance
        if instance.pk is not None and self.parsed.code != instance.code:
            raise ValidationError(
                gettext("The file's code is %(new)s, not %(old)s: store it as a new framework.")
                % {"new": self.parsed.code, "old": instance.code}
            )
        same = Framework.objects.filter(code=self.parsed.code, sha256=sha256_text(text))
        if instance.pk is not None:
            same = same.exclude(pk=instance.pk)
        existing = same.first()
        if existing is not None:
            raise ValidationError(
                gettext("This file is already stored as %(code)s version %(version)s.")
                % {"code": existing.code, "version": existing.version}
            )
        return text


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = FrameworkForm
    list_display = ("code", "version", "level", "year", "title_vi", "short_sha", "used", "source")
    list_filter = ("level", "year", "source")
    search_fields = ("code", "title_vi", "title_en", "sha256")
    ordering = ("-year", "level", "code", "-version")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Framework]:
        used = PeriodFramework.objects.filter(framework=OuterRef("pk"))
        return super().get_queryset(request).annotate(used_by_period=Exists(used))

    @admin.display(description=_("SHA-256"))
    def short_sha(self, obj: Framework) -> str:
        return obj.sha256[:12]

    @admin.display(description=_("in use"), boolean=True, ordering="used_by_period")
    def used(self, obj: Framework) -> bool:
        return bool(getattr(obj, "used_by_period", obj.in_use))

    @admin.display(description=_("note"))
    def frozen_note(self, obj: Framework) -> str:
        if obj.pk is not None and obj.in_use:
            return gettext(
                "A period uses this framework, so it cannot change: store a new version instead."
            )
        return gettext("Not used by any period yet: it may still be corrected.")

    def get_fields(self, request: HttpRequest, obj: Framework | None = None) -> Any:
        if obj is None:
            return ("text", "source")
        return ("frozen_note", *COMPUTED, "source", "text")

    def get_readonly_fields(self, request: HttpRequest, obj: Framework | None = None) -> Any:
        if obj is None:
            return ()
        if obj.in_use:
            return ("frozen_note", *COMPUTED, "source", "text")
        return ("frozen_note", *COMPUTED)

    def has_delete_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        if obj is not None and (obj.in_use or obj.submissions.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def view_on_site(self, obj: Framework) -> str:
        return reverse("framework_detail", args=[obj.code, obj.version])

    def save_model(self, request: HttpRequest, obj: Framework, form: Any, change: bool) -> None:
        parsed = form.parsed
        if parsed is not None:
            obj.code = parsed.code
            obj.level = parsed.level
            obj.year = parsed.year
            obj.title_vi = parsed.title.get("vi", parsed.code)
            obj.title_en = parsed.title.get("en", "")
            obj.sha256 = sha256_text(obj.text)
        if not change:
            latest = (
                Framework.objects.filter(code=obj.code)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            obj.version = (latest or 0) + 1
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
