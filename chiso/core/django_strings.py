"""Strings of Django's own pages that its Vietnamese catalogue leaves in English.

Marked here so that `makemessages` keeps them in chiso's catalogue, which comes
before Django's (LOCALE_PATHS), and the untranslated check covers them. Nothing
imports this module: it is read by makemessages only.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # django.contrib.admin
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Skip to main content"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django.contrib.auth
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
)
