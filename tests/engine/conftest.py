"""Fixtures of the engine tests: the small commune framework in fixtures/."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from chiso.engine import Framework, parse_framework

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def commune_text() -> str:
    return (FIXTURES / "commune.yaml").read_text(encoding="utf-8")


@pytest.fixture
def commune(commune_text: str) -> Framework:
    return parse_framework(commune_text, source="commune.yaml")


def pytest_addoption(parser: pytest.Parser) -> None:
    # pyproject's addopts carry --nomigrations, an option of pytest-django. These
    # tests need no Django and must also run with `-p no:django`: then accept the
    # option and ignore it. With pytest-django loaded, the option is its own.
    with contextlib.suppress(ValueError):
        parser.addoption("--nomigrations", action="store_true", help="(ignored without Django)")
