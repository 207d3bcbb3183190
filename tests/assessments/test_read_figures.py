"""The gate's one reader of figures as they arrive: whatever arrives, an answer."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiso.assessments.services import read_figures

pytestmark = pytest.mark.django_db

ARRIVING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**500), 10**500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["không áp dụng", "n/a", "nan", "inf", "1e999", " ", "\x00", "12,5%", "có"]),
    st.dates(),
    st.datetimes(),
)
# Codes of the mini framework, computed ones, unknown ones, and codes written with spaces.
CODES = st.sampled_from(["hs_tt", "hs_tong", "CQS.1", "CQS.2", "XHS.1", "nope", "", " hs_tt"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.dictionaries(CODES, ARRIVING, max_size=6))
def test_any_figures_are_read_or_refused_per_code_never_crash(framework, raw):
    figures, refused = read_figures(framework.engine(), "14758", raw)
    assert all(value is None or math.isfinite(value) for value in figures.values())
    assert all(texts and all(texts) for texts in refused.values())
    assert set(figures).isdisjoint(refused)
    assert set(figures) <= set(raw)


def test_a_code_written_with_spaces_is_refused_without_reading_forever(framework):
    figures, refused = read_figures(framework.engine(), "14758", {" hs_tt": "x", "hs_tong": "5"})
    assert refused and figures == {}
