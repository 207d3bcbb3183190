"""`chiso backup [ARCHIVE]`: the database and the evidence files in one archive with a
manifest of checksums (chiso/core/backup.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chiso.core import backup


class Command(BaseCommand):
    help = "Write the database and the evidence files to one archive (ARCHIVE, a .tar file)."

    def add_arguments(self, parser: Any) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        parser.add_argument("archive", nargs="?", default=f"chiso-backup-{stamp}.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            manifest = backup.backup(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        files = manifest["files"]
        size = sum(entry["size"] for entry in files.values())
        self.stdout.write(
            f"{path}: the {manifest['database']} database and {len(files) - 1} evidence "
            f"files, {size} bytes, checksums in {backup.MANIFEST}."
        )
