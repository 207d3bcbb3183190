"""Periods, submissions, values with provenance, evidence, comments and the audit trail.

Results are computed from approved submissions only, from each value's effective
figure: the verified one where a reviewer set it, else the self-reported one.
Every change of a value is written to the append-only audit trail with who, when,
the old and the new figure and the reason, so a value's history is never lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.models import Level


class Period(models.Model):
    """One year's assessment campaign (kỳ đánh giá)."""

    year = models.PositiveIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("entry opens on"))
    closes_on = models.DateField(_("entry closes on"))
    # The day whose administrative units are assessed (before or after 1 July 2025).
    reference_date = models.DateField(_("units in force on"))
    # Before 1 July 2025 a district may review its communes before the province does.
    two_step_review = models.BooleanField(_("district review before the province"), default=False)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-year", "-opens_on"]

    def __str__(self) -> str:
        return self.name

    def framework_for(self, level: str) -> Any:
        link = self.frameworks.select_related("framework").filter(level=level).first()
        return link.framework if link else None


class PeriodFramework(models.Model):
    """The framework a period uses for one level of units."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="frameworks"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="period_levels",
    )

    class Meta:
        verbose_name = _("framework of a period")
        verbose_name_plural = _("frameworks of periods")
        constraints = [
            models.UniqueConstraint(fields=["period", "level"], name="period_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.get_level_display()}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    DISTRICT_APPROVED = "district_approved", _("Approved by the district")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Submission(models.Model):
    """The assessment of one unit in one period: its values, evidence and review state."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="submissions"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped on every change; a save based on an older version is refused, so two
    # people editing at once never silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=0)
    round = models.PositiveIntegerField(_("submission round"), default=0)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["period", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="submission_period_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"

    @property
    def effective_deadline(self) -> dt.date:
        return self.deadline or self.period.closes_on

    def values_by_code(self) -> dict[str, Value]:
        return {value.code: value for value in self.values.all()}


class Provenance(models.TextChoices):
    SELF_REPORTED = "self", _("Self-reported")
    VERIFIED = "verified", _("Verified by a reviewer")
    IMPORTED = "imported", _("Imported from a file")
    # Sent by another information system through the API (a system account).
    SYSTEM = "system", _("Imported from a system")


class Value(models.Model):
    """The current figure of one input (element or indicator) of a submission.

    `self_value` is what the unit reported (tự đánh giá), `verified_value` what the
    reviewer set (thẩm định); both are kept so their difference can be shown.
    """

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="values"
    )
    code = models.CharField(_("code"), max_length=100)
    self_value = models.FloatField(_("self-reported value"), null=True, blank=True)
    verified_value = models.FloatField(_("verified value"), null=True, blank=True)
    provenance = models.CharField(
        _("provenance"), max_length=20, choices=Provenance.choices, default=Provenance.SELF_REPORTED
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            models.UniqueConstraint(fields=["submission", "code"], name="value_submission_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.effective}"

    @property
    def effective(self) -> float | None:
        """The figure results use: the verified one when a reviewer set it."""
        return self.verified_value if self.verified_value is not None else self.self_value

    @property
    def difference(self) -> float | None:
        if self.verified_value is None or self.self_value is None:
            return None
        return self.verified_value - self.self_value


def evidence_path(instance: Evidence, filename: str) -> str:
    # Files are stored under their hash, never under a name the user chose.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """A supporting document (tài liệu kiểm chứng) for one or more indicators."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    codes = models.JSONField(_("indicators"), default=list)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Removal hides the file from the submission; the row stays for the audit trail.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    """A reviewer's (or officer's) remark on a submission, or on one indicator of it."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="comments"
    )
    code = models.CharField(_("indicator"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    round = models.PositiveIntegerField(_("submission round"), default=0)
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class NotApplicable(models.Model):
    """An indicator (`may_not_apply` in the framework) that does not apply to the unit of a
    submission in its period: left out of the unit's maxima. Only the DX office marks it
    (`services.mark_not_applicable`, audited)."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="not_applicable",
    )
    code = models.CharField(_("indicator"), max_length=100)
    marked_at = models.DateTimeField(_("marked at"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("indicator not applying")
        verbose_name_plural = _("indicators not applying")
        constraints = [
            models.UniqueConstraint(fields=["submission", "code"], name="one_mark_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.code}"


class Action(models.TextChoices):
    VALUE_SET = "value_set", _("Value entered")
    VALUE_VERIFIED = "value_verified", _("Value corrected by the reviewer")
    VALUE_IMPORTED = "value_imported", _("Value imported")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
    SUBMITTED = "submitted", _("Submitted")
    DISTRICT_APPROVED = "district_approved", _("Approved by the district")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Reopened")
    PUBLISHED = "published", _("Published")
    COMMENTED = "commented", _("Commented")
    ANNEX_SIGNED = "annex_signed", _("Signed annex uploaded")
    PERIOD_CREATED = "period_created", _("Period created")
    PERIOD_CHANGED = "period_changed", _("Period changed")
    UNITS_ADDED = "units_added", _("Units added to the period")
    FRAMEWORK_STORED = "framework_stored", _("Framework version stored")
    RESULTS_PUBLISHED = "results_published", _("Results published")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    NOT_APPLICABLE = "not_applicable", _("Marked as not applying")
    APPLIES_AGAIN = "applies_again", _("Marked as applying again")


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    """The audit trail can be added to, never changed or emptied."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One thing that happened: who, when, what, the old and new figure, why."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        null=True,
        on_delete=models.PROTECT,
        related_name="audit",
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    code = models.CharField(_("indicator"), max_length=100, blank=True)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "id"]
        # Django reaches rows through the base manager too (related objects, saves):
        # the append-only one, or `_base_manager` would update and delete freely.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")
