"""Back office of the DX office: periods (with their frameworks), submissions, evidence.

Periods are created and edited here. Submissions and evidence are read-only: their
figures change only through the entry and review pages (services.save_values and
verify_value), which check versions and write the audit trail. The audit trail's
own admin is read-only too: entries are only ever appended by the application.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chiso.assessments import audit, periods
from chiso.assessments.models import (
    Action,
    AuditEntry,
    Comment,
    Evidence,
    Period,
    PeriodFramework,
    Submission,
    Value,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows that only the application's own paths write (and audit): the admin reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PeriodFrameworkInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PeriodFramework
    extra = 1
    autocomplete_fields = ("framework",)

    def _has_submissions(self, obj: Period | None) -> bool:
        return obj is not None and obj.submissions.exists()

    # Once units have submissions, each one is tied to its level's framework.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("level", "framework") if self._has_submissions(obj) else ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._has_submissions(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._has_submissions(obj) and super().has_delete_permission(request, obj)


class PeriodForm(forms.ModelForm):  # type: ignore[type-arg]
    """The period, and in the same step its submissions: one per unit in force."""

    add_units = forms.BooleanField(
        label=_("Add a submission for every unit in force at its level on the reference date"),
        help_text=_(
            "Each unit of a level given a framework below gets its submission when the period"
            " is saved; units that have one already are left as they are."
        ),
        required=False,
        initial=True,
    )

    class Meta:
        model = Period
        fields = ("name", "year", "opens_on", "closes_on", "reference_date", "two_step_review")


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "year",
        "opens_on",
        "closes_on",
        "reference_date",
        "two_step_review",
        "submission_count",
        "published_at",
    )
    list_filter = ("year", "two_step_review")
    search_fields = ("name",)
    date_hierarchy = "opens_on"
    inlines = (PeriodFrameworkInline,)
    readonly_fields = ("published_at", "created_at")
    actions = ("add_units_in_force",)
    form = PeriodForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        # Offered ticked when a period is created; unticked when one is changed.
        form.base_fields["add_units"].initial = obj is None
        return form

    def _add_units(self, request: HttpRequest, period: Period) -> None:
        try:
            added = periods.add_submissions(
                period, periods.units_in_force(period), actor=request.user
            )
        except ValidationError as error:  # a unit whose level has no framework
            self.message_user(request, f"{period}: {' '.join(error.messages)}", messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(period)s: %(count)s submissions added.")
            % {"period": period, "count": added},
            messages.SUCCESS,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Period]:
        return super().get_queryset(request).annotate(submission_total=Count("submissions"))

    def save_model(self, request: HttpRequest, obj: Period, form: Any, change: bool) -> None:
        """Through the gate: a new period and a change of its dates are audited."""
        obj._frameworks_before = _frameworks_of(obj) if change else {}  # type: ignore[attr-defined]
        if not change:
            super().save_model(request, obj, form, change)
            audit.write(Action.PERIOD_CREATED, request.user, period=obj, new=str(obj))
            return
        fields = [name for name in form.changed_data if name in periods.AUDITED_FIELDS]
        others = [
            name
            for name in form.changed_data
            if name not in periods.AUDITED_FIELDS and name != "add_units"  # not a field
        ]
        saved = periods.change_period(
            Period.objects.get(pk=obj.pk),
            request.user,
            **{name: form.cleaned_data[name] for name in fields},
        )
        if others:
            for name in others:
                setattr(saved, name, getattr(obj, name))
            saved.save(update_fields=others)
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The framework of each level, changed in the form: audited as the period's."""
        super().save_related(request, form, formsets, change)
        period = form.instance
        before, after = getattr(period, "_frameworks_before", {}), _frameworks_of(period)
        if change and before != after:
            audit.write(
                Action.PERIOD_CHANGED,
                request.user,
                period=period,
                code="frameworks",
                old=_frameworks_text(before),
                new=_frameworks_text(after),
            )
        # The frameworks are saved: now, if asked, a submission for every unit in force.
        if form.cleaned_data.get("add_units"):
            self._add_units(request, period)

    @admin.display(description=_("submissions"), ordering="submission_total")
    def submission_count(self, obj: Period) -> int:
        return int(getattr(obj, "submission_total", 0))

    @admin.action(description=_("Add a submission for every unit in force on the reference date"))
    def add_units_in_force(self, request: HttpRequest, queryset: QuerySet[Period]) -> None:
        for period in queryset:
            self._add_units(request, period)


def _frameworks_of(period: Period) -> dict[str, int]:
    return dict(PeriodFramework.objects.filter(period=period).values_list("level", "framework_id"))


def _frameworks_text(links: dict[str, int]) -> str:
    return "; ".join(f"{level}={framework}" for level, framework in sorted(links.items()))


class ValueInline(ReadOnlyInline):
    model = Value
    fields = ("code", "self_value", "verified_value", "provenance", "updated_at", "updated_by")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("original_name", "codes", "size", "content_type", "uploaded_at", "removed_at")
    readonly_fields = fields


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ("code", "text", "author", "round", "resolved", "created_at")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """Read-only: figures change on the entry and review pages, which keep the audit trail."""

    list_display = (
        "unit",
        "period",
        "status",
        "round",
        "version",
        "effective_deadline",
        "submitted_at",
        "updated_at",
    )
    list_filter = ("status", "period", "unit__level", "framework")
    search_fields = ("unit__name", "unit__code", "period__name")
    list_select_related = ("unit", "period")
    inlines = (ValueInline, EvidenceInline, CommentInline)
    readonly_fields = (
        "period",
        "unit",
        "framework",
        "status",
        "version",
        "round",
        "deadline",
        "submitted_at",
        "approved_at",
        "updated_at",
        "entry_link",
    )
    fields = readonly_fields

    @admin.display(description=_("deadline"))
    def effective_deadline(self, obj: Submission) -> Any:
        return obj.effective_deadline

    @admin.display(description=_("entry page"))
    def entry_link(self, obj: Submission) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("entry", args=[obj.pk]), gettext("Open the entry page")
        )

    def view_on_site(self, obj: Submission) -> str:
        return reverse("entry", args=[obj.pk])


class RemovedFilter(admin.SimpleListFilter):
    title = _("removed")
    parameter_name = "removed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Current files")), ("yes", _("Removed files"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(removed_at__isnull=False)
        return queryset


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Read-only: evidence is added and removed by the unit's officers, with an audit entry."""

    list_display = (
        "original_name",
        "submission",
        "content_type",
        "size",
        "short_sha",
        "uploaded_at",
        "uploaded_by",
        "removed_at",
    )
    list_filter = (RemovedFilter, "content_type", "submission__period")
    search_fields = ("original_name", "sha256", "submission__unit__name", "submission__unit__code")
    list_select_related = ("submission__unit", "submission__period", "uploaded_by")
    date_hierarchy = "uploaded_at"
    fields = (
        "submission",
        "original_name",
        "download",
        "content_type",
        "size",
        "sha256",
        "codes",
        "uploaded_at",
        "uploaded_by",
        "removed_at",
        "removed_by",
    )
    readonly_fields = fields

    @admin.display(description=_("SHA-256"))
    def short_sha(self, obj: Evidence) -> str:
        return obj.sha256[:12]

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence_file", args=[obj.pk]), gettext("Download")
        )

    def view_on_site(self, obj: Evidence) -> str:
        return reverse("evidence_file", args=[obj.pk])


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The trail in the admin: to read and search, never to add, change or delete."""

    list_display = ("at", "actor", "unit", "action", "code", "old", "new", "reason")
    list_filter = ("action", "period")
    search_fields = ("code", "reason", "unit__name", "unit__code", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor", "unit")

    def get_actions(self, request: Any) -> dict[str, Any]:
        return {}
