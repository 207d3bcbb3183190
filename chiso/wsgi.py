"""WSGI entry point: `chiso serve` and any production WSGI server load this."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
application = get_wsgi_application()
# Each worker loads its routes as it starts (the API's schemas and operations take about
# 0.2 s to build), not while its first visitor waits.
get_resolver().url_patterns  # noqa: B018
