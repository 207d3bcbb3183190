"""Static files under hashed names, compressed, cached for a year (WhiteNoise).

`collectstatic` (which `chiso serve` runs first) writes each file under a name carrying
a hash of its content (echarts.min.4f1c….js) with a gzip copy beside it; WhiteNoise then
serves the compressed copy to browsers that accept it, marked immutable for a year, and a
new version of a file is a new name. Before any `collectstatic` (the tests, a fresh
checkout) pages name the plain files, which WhiteNoise serves from the app folders.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


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
