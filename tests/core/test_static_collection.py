"""`chiso serve` collects the static files (hashed names, compressed copies) only when
they changed since the last collection: compressing them all again took 18 s on an idle
machine, over a minute on a busy one, at every start."""

from __future__ import annotations

import json
import os
import time

import pytest
from django.test import override_settings

from chiso.core import staticfiles

# Long enough for WhiteNoise to keep a compressed copy (it drops one not smaller).
CSS = "".join(f".unit-{i} {{ color: #123; }}\n" for i in range(200))


@pytest.fixture
def sources(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "app.css").write_text(CSS, "utf-8")
    (source / "chart.js").write_text("console.log('chiso');\n", "utf-8")
    root = tmp_path / "collected"
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        yield source, root


def hashed(root, name):
    return json.loads((root / "staticfiles.json").read_text("utf-8"))["paths"][name]


def test_the_first_start_collects(sources):
    source, root = sources
    assert staticfiles.collect() is True
    name = hashed(root, "app.css")
    assert (root / name).read_text("utf-8") == CSS
    assert (root / f"{name}.gz").exists()


def test_a_start_with_nothing_changed_does_not_collect_again(sources):
    source, root = sources
    assert staticfiles.collect() is True
    before = (root / "staticfiles.json").stat().st_mtime_ns
    assert staticfiles.collect() is False
    assert (root / "staticfiles.json").stat().st_mtime_ns == before


def test_a_changed_file_is_collected_under_its_new_name(sources):
    source, root = sources
    staticfiles.collect()
    old = hashed(root, "app.css")
    (source / "app.css").write_text("body { color: #456; }\n", "utf-8")
    # Another second, for file systems that keep whole seconds.
    later = time.time() + 2
    os.utime(source / "app.css", (later, later))
    assert staticfiles.collect() is True
    new = hashed(root, "app.css")
    assert new != old
    assert (root / new).read_text("utf-8") == "body { color: #456; }\n"


def test_a_new_file_is_collected(sources):
    source, root = sources
    staticfiles.collect()
    (source / "map.js").write_text("var map;\n", "utf-8")
    assert staticfiles.collect() is True
    assert (root / hashed(root, "map.js")).exists()


def test_a_collection_removed_is_made_again(sources):
    source, root = sources
    staticfiles.collect()
    (root / "staticfiles.json").unlink()
    assert staticfiles.collect() is True
    assert (root / "staticfiles.json").exists()
