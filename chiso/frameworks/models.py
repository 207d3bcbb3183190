"""Framework files stored and versioned.

A framework is kept as the YAML text it was issued as, with its SHA-256, so anyone
can recompute a published ranking from the very file that scored it. Once a period
uses a framework it is frozen: a change means a new version.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso import engine
from chiso.units.models import Level  # one list of levels, shared by units and frameworks


class Source(models.TextChoices):
    SHIPPED = "shipped", _("Shipped with chiso")
    UPLOAD = "upload", _("Uploaded YAML file")
    EXCEL = "excel", _("Imported from an Excel criteria table")
    WHAT_IF = "what-if", _("Kept from a what-if of the criteria")


@lru_cache(maxsize=64)
def _parse(sha256: str, text: str) -> engine.Framework:
    # Keyed by the hash too so a cache hit never depends on comparing long texts.
    return engine.parse_framework(text)


class Framework(models.Model):
    """One version of one criteria set (a framework file of format chiso-framework/1)."""

    code = models.CharField(_("code"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    year = models.PositiveIntegerField(_("year"))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    text = models.TextField(_("framework file (YAML)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["-year", "level", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.code} v{self.version})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = Framework.objects.filter(pk=self.pk).values_list("sha256", flat=True).first()
            if stored is not None and stored != self.sha256 and self.in_use:
                raise ValidationError(
                    _("This framework is used by a period and cannot change: issue a new version.")
                )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi

    def engine(self) -> engine.Framework:
        """The parsed, validated framework the scoring engine works with (cached)."""
        return _parse(self.sha256, self.text)

    @property
    def in_use(self) -> bool:
        return self.pk is not None and self.period_levels.exists()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
