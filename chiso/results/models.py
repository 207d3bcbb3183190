"""Published results: one immutable snapshot per (period, level, version).

A snapshot keeps everything needed to show and to recompute a published ranking
without looking at the (changeable) submissions again: the framework it was scored
with (code, version, SHA-256; the YAML text itself is the framework row's, which
cannot change once a period uses it), the values it scored as the long CSV of the
format doc with its SHA-256, the chiso version, who published and when, and why
(a correction). One `UnitRow` per unit holds that unit's figures, so a report card
reads one row and the rankings page one query of rows.

Node-wise figures are lists lined up with the snapshot's `node_codes` (and
`leaf_codes`), NaN stored as null, so 3,321 rows are written with one bulk insert.
A correction is a new version; earlier versions are never changed or deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.models import Level


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    def current(self) -> SnapshotQuerySet:
        """The latest version of each (period, level)."""
        newer = Snapshot.objects.filter(
            period_id=models.OuterRef("period_id"),
            level=models.OuterRef("level"),
            version__gt=models.OuterRef("version"),
        )
        return self.filter(~models.Exists(newer))


class SnapshotManager(models.Manager.from_queryset(SnapshotQuerySet)):  # type: ignore[misc]
    """Snapshots without their large columns: the values scored (a CSV of every
    figure), the analysis (3,321 units' rank intervals) and the dashboard's overview.
    Every page about a snapshot loads the row, and decoding that JSON cost more than the
    rest of a report card; their readers ask for them by name (`read.analysis`,
    `read.dashboard`, `read.ranking(with_values=)`), and touching the attribute still
    loads it."""

    def get_queryset(self) -> SnapshotQuerySet:
        return super().get_queryset().defer("values_csv", "analysis", "dashboard")


class Snapshot(models.Model):
    """The published results of one level in one period, as one version."""

    period = models.ForeignKey(
        "assessments.Period",
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    version = models.PositiveIntegerField(_("results version"))
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    framework_code = models.CharField(_("framework code"), max_length=100)
    framework_version = models.PositiveIntegerField(_("framework version"))
    framework_sha256 = models.CharField(_("SHA-256 of the framework file"), max_length=64)
    values_csv = models.TextField(_("values scored (CSV)"))
    values_sha256 = models.CharField(_("SHA-256 of the values scored"), max_length=64)
    chiso_version = models.CharField(_("chiso version"), max_length=40)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    node_codes = models.JSONField(_("nodes"), default=list)
    leaf_codes = models.JSONField(_("indicators"), default=list)
    max_points = models.FloatField(_("maximum points"))
    has_recognition = models.BooleanField(_("has a recognition rule"), default=False)
    # Per pillar (top-level branch) code: the median and the best value of the units
    # assessed, and how many were ranked, so a report card reads one unit's row only;
    # their mean value and how many were recognized (None without a rule), which the
    # dashboard's change and targets read (not in snapshots published before).
    summary = models.JSONField(_("summary"), default=dict)
    # What publishing computes once so that no reader scores again
    # (`analysis.published_analysis`): "uncertainty", "sensitivity" and "previous" (the
    # previous period's figures of every unit, derived across the 2025 reform).
    analysis = models.JSONField(_("analysis"), default=dict)
    # The leadership dashboard's overview of the level (`overview.of_snapshot`): outline,
    # histogram, pillar medians, lagging and nearest units, the change from the latest
    # earlier published year and that snapshot's id. Empty in snapshots published
    # before chiso stored it (then worked out on reading).
    dashboard = models.JSONField(_("Dashboard"), default=dict)

    objects = SnapshotManager()

    class Meta:
        verbose_name = _("published results")
        verbose_name_plural = _("published results")
        ordering = ["-period__year", "level", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "version"], name="snapshot_period_level_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.level} · v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Published results never change: publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Published results are kept: publish a new version.")

    @property
    def corrected(self) -> bool:
        return self.version > 1


class UnitRow(models.Model):
    """One unit in a snapshot: its figures, or `assessed` False when it was not approved."""

    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("results"), on_delete=models.PROTECT, related_name="rows"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("unit code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    assessed = models.BooleanField(_("assessed"), default=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    value = models.FloatField(_("value"), null=True)
    points = models.FloatField(_("points"), null=True)
    recognized = models.BooleanField(_("recognized"), null=True)
    completeness = models.FloatField(_("data completeness"), null=True)
    # {"nv": node values, "nr": node ranks, "lv": raw indicator values,
    #  "lp": indicator points, "unmet": [mandatory codes not met],
    #  "districts": [old districts' names], "lineage": [predecessor unit ids]}
    data = models.JSONField(_("figures"), default=dict)
    # What the rankings page reads for each of 3,321 rows, small so it decodes fast:
    # {"p": [[pillar value, pillar rank], ...] in the framework's pillar order,
    #  "u": [mandatory codes not met] (the dashboard), "districts": [...], "lineage": [...]}
    brief = models.JSONField(_("summary"), default=dict)
    # Read by one unit's readers only (the report card, the plan, the unit's history), so
    # the readers of every row never decode them: its plan to recognition
    # (`analysis.plans_of`) and its history (`analysis.histories`, its own point last).
    # Null in rows published before chiso stored them there (then in `data`, or none).
    plan = models.JSONField(_("plan to recognition"), null=True)
    history = models.JSONField(_("history"), null=True)
    # The row as GET /api/v1/results/P/LEVEL writes it (compact JSON), rendered once
    # when publishing; "" in rows published before.
    api = models.TextField(_("API row"), blank=True, default="")

    class Meta:
        verbose_name = _("unit result")
        verbose_name_plural = _("unit results")
        ordering = ["snapshot", "rank", "code"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "code"], name="unitrow_snapshot_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.rank}"


class _Kept(models.Model):
    """A stored file that never changes once written (a PDF of a published version)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("A published version's annex never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("A published version's annex is kept.")


class Annex(_Kept):
    """The annex PDF of a published version, made once when it was published.

    Every download of the version's annex.pdf is these bytes, so a copy signed in the
    e-office system can be matched against them byte for byte.
    """

    snapshot = models.OneToOneField(
        Snapshot, verbose_name=_("results"), on_delete=models.PROTECT, related_name="annex"
    )
    pdf = models.BinaryField(_("annex (PDF)"))
    sha256 = models.CharField(_("SHA-256 of the annex"), max_length=64)

    class Meta:
        verbose_name = _("annex of the decision")
        verbose_name_plural = _("annexes of the decision")

    def __str__(self) -> str:
        return f"{self.snapshot} · annex.pdf"


class SignedAnnex(_Kept):
    """The copy of a version's annex signed in the e-office system, checked on upload."""

    snapshot = models.OneToOneField(
        Snapshot,
        verbose_name=_("results"),
        on_delete=models.PROTECT,
        related_name="signed_annex",
    )
    pdf = models.BinaryField(_("signed annex (PDF)"))
    sha256 = models.CharField(_("SHA-256 of the signed annex"), max_length=64)
    signer = models.CharField(_("signer"), max_length=200)
    organisation = models.CharField(_("signer's organisation"), max_length=200, blank=True)
    issuer = models.CharField(_("certificate issuer"), max_length=200)
    serial = models.CharField(_("certificate serial number"), max_length=80)
    signed_at = models.DateTimeField(_("signed at"), null=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signed annex")
        verbose_name_plural = _("signed annexes")

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.signer}"
