"""The province itself: its DTI history (shipped), Anh Tuấn the admin, Bà Mai a leader."""

from __future__ import annotations

import pytest


@pytest.fixture
def thanh_hoa(db):
    """The real units and frameworks; the province's DTI framework."""
    from chiso.assessments.services import load_shipped
    from chiso.units.services import load_units

    load_units()
    return next(f for f in load_shipped() if f.level == "province")
