"""Django for a benchmark script: settings from the environment, a temporary SQLite
database and media folder, and (optionally) the tables straight from the models.

    from _django import django_on_sqlite, create_tables
    workdir = django_on_sqlite()       # before importing any model
    create_tables()                    # or migrate, when the benchmark needs the triggers
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def django_on_sqlite(db_file: str | None = None, prefix: str = "chiso-bench-") -> Path:
    """Set Django up on `db_file` (default: a new temporary database); the work folder."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file or workdir / 'bench.sqlite3'}"
    os.environ["CHISO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("CHISO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context, locmem e-mail
    return workdir


def create_tables() -> None:
    """Every managed model's table, whatever state the migration files are in."""
    from django.apps import apps
    from django.db import connection

    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
