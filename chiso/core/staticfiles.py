"""Static files under hashed names, compressed, cached for a year (WhiteNoise).

`collectstatic` (which `chiso serve` runs first, through `collect`) writes each file
under a name carrying a hash of its content (echarts.min.4f1c….js) with a gzip copy
beside it; WhiteNoise then serves the compressed copy to browsers that accept it, marked
immutable for a year, and a new version of a file is a new name. Before any
`collectstatic` (the tests, a fresh checkout) pages name the plain files, which
WhiteNoise serves from the app folders.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Beside the collected files: the sources they were collected from (`_sources`).
SOURCES_FILE = ".chiso-sources"
MANIFEST = "staticfiles.json"


def collect() -> bool:
    """Collect the static files unless the last collection was of these very files
    (names, sizes, times) with these settings; True when it collected.

    `collectstatic` compresses every file again (Django's admin, the API's documentation
    page, ECharts, Leaflet), whether or not it changed: 18 s on an idle machine, over a
    minute on a busy one, at every start of `chiso serve`."""
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    seen = _sources()
    marker = root / SOURCES_FILE
    try:
        if (root / MANIFEST).is_file() and marker.read_text("utf-8") == seen:
            return False
    except OSError:
        pass
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(seen, "utf-8")
    return True


def _sources() -> str:
    """A fingerprint of what `collectstatic` would collect, and how."""
    # The files collectstatic itself leaves out (its default ignore patterns).
    ignored = apps.get_app_config("staticfiles").ignore_patterns
    rows = []
    for finder in get_finders():
        for path, storage in finder.list(ignored):
            found = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            rows.append(f"{prefix}/{path}\0{found.st_size}\0{found.st_mtime_ns}")
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    head = f"{settings.STATIC_URL}\0{storage}"
    return hashlib.sha256("\n".join([head, *sorted(rows)]).encode()).hexdigest()


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    # CSS url()s are rewritten to the hashed names; scripts are left as they are (the
    # vendored Leaflet names a source map that is not shipped).
    patterns = tuple(
        (kind, found)
        for kind, found in CompressedManifestStaticFilesStorage.patterns
        if kind != "*.js"
    )

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected: the plain name
            return name
