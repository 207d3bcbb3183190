"""What the leadership steers by: targets set by the DX office and the province's DTI history.

A target is one of three kinds: a number of units recognized by a date (QĐ 969's
yearly quotas), a minimum value of one pillar (a branch of the framework) by a date,
or the province's rank in the national DTI by a year. `DtiYear` is one year's
national publication for Thanh Hóa (value, rank, pillar ranks), shipped for
2020-2024 and entered or imported by an admin afterwards (chiso/leadership/services.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.models import Level


class TargetKind(models.TextChoices):
    RECOGNIZED = "recognized", _("Units recognized by a date")
    PILLAR = "pillar", _("Minimum value of a pillar")
    DTI_RANK = "dti_rank", _("The province's DTI rank")


class Target(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.COMMUNE, blank=True
    )
    # RECOGNIZED: units (cumulative when `cumulative`); PILLAR: value 0..1; DTI_RANK: a rank.
    number = models.FloatField(_("target figure"))
    pillar = models.CharField(_("pillar code"), max_length=100, blank=True)
    by_date = models.DateField(_("by"))
    # A running target ("240 by 31/12/2024") counts every unit recognized since `since_year`.
    cumulative = models.BooleanField(_("counts earlier years too"), default=False)
    since_year = models.PositiveIntegerField(_("counted from year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["by_date", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class DtiYear(models.Model):
    """Thanh Hóa in one year's national DTI ranking (published by the ministry).

    `year` is the year assessed, `published` the year the ministry published it
    (usually the next), `of` how many provinces were ranked (63 before the 2025
    merger, 34 since): a rank means nothing without the three."""

    year = models.PositiveIntegerField(_("year assessed"), unique=True)
    published = models.PositiveIntegerField(_("year published"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    of = models.PositiveIntegerField(_("provinces ranked"), null=True, blank=True)
    value = models.FloatField(_("DTI value"), null=True, blank=True)
    rank_cqs = models.PositiveIntegerField(_("digital government rank"), null=True, blank=True)
    rank_kts = models.PositiveIntegerField(_("digital economy rank"), null=True, blank=True)
    rank_xhs = models.PositiveIntegerField(_("digital society rank"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("DTI publication")
        verbose_name_plural = _("DTI publications")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"DTI {self.year}"
