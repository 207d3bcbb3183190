from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "chiso.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Connects the login-failure counters before the first login attempt.
        from chiso.accounts import ratelimit  # noqa: F401

        self._register_audit_admin()

    @staticmethod
    def _register_audit_admin() -> None:
        # The audit trail belongs to assessments. Registered here, after the admin's
        # autodiscovery, only if chiso/assessments/admin.py has not done it, so the two
        # never clash: read-only either way (AuditEntryAdmin).
        from django.contrib import admin

        from chiso.assessments.audit import AuditEntryAdmin
        from chiso.assessments.models import AuditEntry

        if not admin.site.is_registered(AuditEntry):
            admin.site.register(AuditEntry, AuditEntryAdmin)
