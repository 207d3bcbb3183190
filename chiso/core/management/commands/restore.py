"""`chiso restore ARCHIVE`: an archive of `chiso backup`, checked whole against its
manifest first, into an empty database and storage (chiso/core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chiso.core import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty instance; refuses a damaged archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            manifest = backup.restore(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {path} (made {manifest['created_at']}): the {manifest['database']} "
            f"database and {len(manifest['files']) - 1} evidence files, every checksum matching."
        )
