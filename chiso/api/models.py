"""Tokens of system accounts, and the record of every request made with one.

A system account is an ordinary user whose officer memberships are the units it may
write for (chiso.accounts.access decides, as for people). Its tokens are stored as a
SHA-256 of the secret: the secret itself is shown once, when the token is created,
and cannot be read back. A token is revoked, never deleted, so its uses stay readable.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Tokens read "chiso_" + 43 URL-safe characters (32 random bytes): the prefix lets a
# secret scanner recognise a leaked one.
PREFIX = "chiso_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A revocable credential of a system account (LGSP, the public-service portal...)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("system account"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    # The first characters of the secret, so a person can tell tokens apart.
    hint = models.CharField(_("starts with"), max_length=16, editable=False)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: object, name: str, *, created_by: object = None) -> tuple[ApiToken, str]:
        """A new token and its secret; the secret is not stored and must be shown now."""
        token = cls(user=user, name=name, created_by=created_by)
        secret = token.set_secret()
        token.save()
        return token, secret

    def set_secret(self) -> str:
        """A fresh secret for this (unsaved) token; returned, never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        self.hint = secret[: len(PREFIX) + 4]
        self.digest = hash_token(secret)
        return secret

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class TokenUse(models.Model):
    """One request made with a token: when, from where, what, and the answer's status."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("token"), on_delete=models.PROTECT, related_name="uses"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))
    address = models.CharField(_("client address"), max_length=64)

    class Meta:
        verbose_name = _("token use")
        verbose_name_plural = _("token uses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
