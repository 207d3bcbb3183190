"""WSGI entry point: `chiso serve` and any production WSGI server load this."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
application = get_wsgi_application()
