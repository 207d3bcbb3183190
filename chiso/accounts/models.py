"""Roles: who works on which units, and the notices already sent to them.

A person may hold several memberships (an officer of two communes, a reviewer of
one level). Whether a person may see or change something is decided in one place:
chiso/accounts/access.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiso.units.models import Level


class Role(models.TextChoices):
    ADMIN = "admin", _("Province administrator")
    REVIEWER = "reviewer", _("Reviewer")
    OFFICER = "officer", _("Unit officer")
    LEADER = "leader", _("Leader")


class Membership(models.Model):
    """One role of one person, optionally limited to a unit (and what lies under it) or a level.

    - officer: `unit` is the unit they report for (one membership per unit);
    - reviewer: `unit` empty or the province reviews the whole province, a district
      reviews the communes of that district; `level` limits the levels reviewed;
    - admin and leader: the whole province, `unit` and `level` empty.
    """

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
    level = models.CharField(_("level"), max_length=20, blank=True, choices=Level.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "level"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        where = str(self.unit) if self.unit_id else (self.level or "*")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role == Role.OFFICER and self.unit_id is None:
            raise ValidationError({"unit": _("An officer reports for a unit: choose it.")})
        if self.role in (Role.ADMIN, Role.LEADER) and (self.unit_id or self.level):
            raise ValidationError(
                _(
                    "Administrators and leaders work on the whole province: "
                    "leave unit and level empty."
                )
            )
        if (
            self.role == Role.REVIEWER
            and self.unit_id is not None
            and self.unit.level not in (Level.PROVINCE, Level.DISTRICT)
        ):
            raise ValidationError({"unit": _("A reviewer's area is the province or one district.")})


class SentNotice(models.Model):
    """A notice already sent, remembered so that a job run twice never sends it twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")

    def __str__(self) -> str:
        return self.key
