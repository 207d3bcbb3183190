"""Roles: who works on which units.

A person may hold several memberships (an officer of two communes, a reviewer of
one level). Whether a person may see or change something is decided in one place:
chiso/accounts/access.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Province administrator")
    REVIEWER = "reviewer", _("Reviewer")
    OFFICER = "officer", _("Unit officer")
    LEADER = "leader", _("Leader")


class Membership(models.Model):
    """One role of one person, optionally limited to a unit (and what lies under it) or a level."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # For an officer: the unit they report for. For a reviewer: the area they review
    # (a district reviews its communes); empty means the whole province.
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    # For a reviewer: the level of units reviewed (empty means every level).
    level = models.CharField(_("level"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit", "level"], name="membership_unique")
        ]

    def __str__(self) -> str:
        where = str(self.unit) if self.unit_id else (self.level or "*")
        return f"{self.user} · {self.get_role_display()} · {where}"
