"""The CLI tests need no Django either (see tests/engine/conftest.py)."""

from __future__ import annotations

import contextlib

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    # pyproject's addopts carry --nomigrations, an option of pytest-django. These
    # tests need no Django and must also run with `-p no:django`: then accept the
    # option and ignore it. With pytest-django loaded, the option is its own.
    with contextlib.suppress(ValueError):
        parser.addoption("--nomigrations", action="store_true", help="(ignored without Django)")
