"""Every app follows the skeleton docs/architecture.md draws ("The skeleton of an app")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

CHISO = Path(__file__).resolve().parents[2] / "chiso"
APPS = sorted(name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("chiso."))
# The apps that change state other than through the admin: their writes are services.py.
WRITING = {"units", "frameworks", "assessments", "results", "leadership", "api"}
# The top layers, whose views are named by page.
TOP = {"pages", "api"}


def test_the_apps_are_the_ones_the_skeleton_names():
    assert APPS == [
        "accounts",
        "api",
        "assessments",
        "core",
        "frameworks",
        "leadership",
        "results",
        "units",
    ]


@pytest.mark.parametrize("app", APPS)
def test_an_app_has_its_config_its_models_with_their_migrations_and_its_admin(app):
    folder = CHISO / app
    assert (folder / "apps.py").is_file()
    assert (folder / "migrations" / "__init__.py").is_file()
    if app != "core":  # core puts the apps together and has no state of its own
        assert (folder / "models.py").is_file()
        assert (folder / "admin.py").is_file()


@pytest.mark.parametrize("app", sorted(WRITING))
def test_an_app_that_writes_does_it_in_services(app):
    assert (CHISO / app / "services.py").is_file()


@pytest.mark.parametrize("app", [app for app in APPS if app not in TOP])
def test_an_app_s_pages_are_views_py_with_urls_py(app):
    folder = CHISO / app
    assert (folder / "views.py").is_file() == (folder / "urls.py").is_file()
    named = sorted(p.name for p in folder.glob("*.py") if p.stem.endswith(("_views", "_urls")))
    assert named == [], f"{app}: pages named by page belong in chiso/pages/"


def test_each_page_of_the_pages_layer_has_its_routes_beside_it():
    folder = CHISO / "pages"
    routes = {p.name.removesuffix("_urls.py") for p in folder.glob("*_urls.py")}
    pages = {p.stem for p in folder.glob("*.py")} - {"__init__"} - {f"{r}_urls" for r in routes}
    assert pages == routes
