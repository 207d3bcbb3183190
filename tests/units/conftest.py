"""Fixtures for the units tests: the shipped lists, loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.units.services import load_units

BEFORE = dt.date(2025, 1, 1)  # a day under the 63-province, three-tier system
LAST_OLD_DAY = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)

# Thanh Hóa's extent, with a little margin: 19°18'-20°40' N, 104°22'-106°05' E.
THANH_HOA_BOX = ((19.2, 20.8), (104.3, 106.2))


@pytest.fixture
def loaded(db) -> dict[str, int]:
    """Every shipped unit and lineage link, loaded; returns the loader's counts."""
    return load_units()


def inside_thanh_hoa(latitude: float | None, longitude: float | None) -> bool:
    (south, north), (west, east) = THANH_HOA_BOX
    return (
        latitude is not None
        and longitude is not None
        and south <= latitude <= north
        and west <= longitude <= east
    )
