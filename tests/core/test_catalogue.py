"""The Vietnamese catalogue is made by Django's makemessages from chiso's code and
templates: every string a user may see is translated, none is fuzzy, the committed
catalogue is the one makemessages makes, and django.mo is compiled from it.

makemessages runs into a temporary copy of the catalogue (with the options of
`make messages`), so the check sees strings added since the last `make messages`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
CATALOGUE = ROOT / "chiso" / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]|\{\w*\}")


def makemessages_options() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return re.search(r"^MAKEMESSAGES_OPTIONS := (.+)$", makefile, re.M).group(1).split()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> polib.POFile:
    """The catalogue as `make messages` would make it now."""
    work = tmp_path_factory.mktemp("catalogue")
    copy = work / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    (work / "catalogue_settings.py").write_text(
        f"from chiso.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(work / 'locale')!r}]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "catalogue_settings", "PYTHONPATH": str(work)}
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "makemessages", *makemessages_options()],
        cwd=ROOT / "chiso",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return polib.pofile(str(copy))


def where(entry: polib.POEntry) -> str:
    return f"{entry.msgid!r} ({', '.join(path for path, _ in entry.occurrences)})"


def test_every_string_is_translated(fresh):
    assert [where(e) for e in fresh.untranslated_entries()] == []


def test_no_translation_is_fuzzy(fresh):
    assert [where(e) for e in fresh.fuzzy_entries()] == []


def test_the_committed_catalogue_is_what_makemessages_makes(fresh):
    committed = polib.pofile(str(CATALOGUE))
    assert {e.msgid for e in committed} == {e.msgid for e in fresh}, "run `make messages`"
    assert all(e.occurrences for e in committed), "every entry names where it comes from"


def test_the_compiled_catalogue_is_the_committed_one():
    po = {(e.msgid, e.msgstr) for e in polib.pofile(str(CATALOGUE)).translated_entries()}
    mo = {(e.msgid, e.msgstr) for e in polib.mofile(str(CATALOGUE.with_suffix(".mo")))}
    assert po <= mo, "run `make messages`"


def test_every_translation_keeps_the_placeholders_of_its_english_text():
    for entry in polib.pofile(str(CATALOGUE)):
        english = sorted(PLACEHOLDER.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == english, entry.msgid


def test_no_hand_written_parts_are_left():
    assert not list((ROOT / "chiso" / "locale").glob("*/parts/*.po")), "run `make merge-parts`"
