"""Administrative units and provincial departments, each as it was during a span of time.

The 1 July 2025 reform abolished districts and re-formed communes; new communes reuse
old codes (14758 was Phường Đông Thọ and is now Phường Hàm Rồng). So a unit is one row
per code *and* period in force, and `Lineage` records which old units went into which
new ones, so that a time series can cross the reform.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    DEPARTMENT = "department", _("Provincial department")


class Kind(models.TextChoices):
    """The legal kind of a unit; which kinds a level allows is in KINDS_BY_LEVEL."""

    TINH = "tinh", _("Province")
    THANH_PHO_TW = "thanh_pho_tw", _("Centrally governed city")
    HUYEN = "huyen", _("Rural district")
    QUAN = "quan", _("Urban district")
    THI_XA = "thi_xa", _("District-level town")
    THANH_PHO = "thanh_pho", _("Provincial city")
    XA = "xa", _("Commune")
    PHUONG = "phuong", _("Ward")
    THI_TRAN = "thi_tran", _("Township")
    DAC_KHU = "dac_khu", _("Special zone")
    SO = "so", _("Department")
    BAN_NGANH = "ban_nganh", _("Other provincial agency")


KINDS_BY_LEVEL: dict[str, frozenset[str]] = {
    Level.PROVINCE: frozenset({Kind.TINH, Kind.THANH_PHO_TW}),
    Level.DISTRICT: frozenset({Kind.HUYEN, Kind.QUAN, Kind.THI_XA, Kind.THANH_PHO}),
    Level.COMMUNE: frozenset({Kind.XA, Kind.PHUONG, Kind.THI_TRAN, Kind.DAC_KHU}),
    Level.DEPARTMENT: frozenset({Kind.SO, Kind.BAN_NGANH}),
}

# The first day of the two-level local government (no districts, 34 provinces).
REFORM_DATE = dt.date(2025, 7, 1)


class UnitQuerySet(models.QuerySet["Unit"]):
    def on(self, day: dt.date | str) -> Self:
        """Units in force on `day`; an empty valid_from means "since before our records"."""
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current(self) -> Self:
        """Units with no end date: the latest list, independent of the server's clock."""
        return self.filter(valid_to__isnull=True)

    def level(self, level: str) -> Self:
        return self.filter(level=level)

    def in_province(self, code: str) -> Self:
        return self.filter(province_code=code)


class Unit(models.Model):
    """An administrative unit or a provincial department, during the time it was in force."""

    code = models.CharField(
        _("code"),
        max_length=20,
        db_index=True,
        help_text=_("Official GSO code (38, 380, 14758) or, for a department, a short slug."),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    province_code = models.CharField(
        _("province code"),
        max_length=4,
        db_index=True,
        help_text=_("GSO code of the province the unit belongs to (its own code for a province)."),
    )
    valid_from = models.DateField(
        _("valid from"),
        null=True,
        blank=True,
        help_text=_("First day in force; empty when the start date is not known."),
    )
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Last day in force; empty while still in force."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        # Legacy and new units can share a code: the unknown start date sorts first.
        ordering = ["code", F("valid_from").asc(nulls_first=True)]
        indexes = [models.Index(fields=["province_code", "level"], name="units_province_level")]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "level", "valid_from"], name="units_unique_code_level_from"
            ),
            # NULLs are distinct in a UNIQUE index, so the unknown start needs its own rule.
            models.UniqueConstraint(
                fields=["code", "level"],
                condition=Q(valid_from__isnull=True),
                name="units_unique_code_level_no_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
                name="units_valid_from_before_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.kind and self.level and self.kind not in KINDS_BY_LEVEL.get(self.level, ()):
            raise ValidationError({"kind": _("This kind does not belong to the chosen level.")})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("The last day is before the first day.")})

    def predecessors(self) -> UnitQuerySet:
        """The old units, whole or in part, that went into this one."""
        return Unit.objects.filter(successor_links__new=self)


class Lineage(models.Model):
    """An old unit, whole or a part of it, that went into a new one at a reform."""

    new = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="predecessors_links",
        verbose_name=_("new unit"),
    )
    old = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("old unit"),
    )
    whole = models.BooleanField(
        _("whole"),
        default=True,
        help_text=_("The whole old unit went into the new one; unticked when only a part did."),
    )

    class Meta:
        verbose_name = _("lineage link")
        verbose_name_plural = _("lineage links")
        ordering = ["new__code", "old__code"]
        constraints = [
            models.UniqueConstraint(fields=["new", "old"], name="units_lineage_unique"),
            models.CheckConstraint(condition=~Q(new=F("old")), name="units_lineage_not_self"),
        ]

    def __str__(self) -> str:
        share = _("whole") if self.whole else _("part")
        return f"{self.old} → {self.new} ({share})"
