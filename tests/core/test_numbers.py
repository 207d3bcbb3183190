"""One way of writing numbers on pages: the same score reads the same on every page."""

from __future__ import annotations

import math

import pytest
from django.template import Context, Template
from django.utils.translation import override

from chiso.lib import numbers


def test_points_read_57_75_in_vietnamese_and_57_75_in_english():
    with override("vi"):
        assert numbers.points(57.7518) == "57,75"
    with override("en"):
        assert numbers.points(57.7518) == "57.75"


def test_a_column_of_points_lines_up_whole_numbers_stay_whole():
    with override("vi"):
        shown = [numbers.points(x) for x in (95.3, 93.41, 91.1, 60.0, 3.0, 2.999, 0.004)]
    assert shown == ["95,30", "93,41", "91,10", "60", "3", "3", "0"]


def test_a_missing_number_is_a_dash_everywhere():
    for write in (numbers.points, numbers.figure, numbers.index):
        assert write(None) == "—"
        assert write(math.nan) == "—"


def test_figures_keep_four_decimals_and_drop_trailing_zeros():
    with override("vi"):
        assert numbers.figure(98.7) == "98,7"
        assert numbers.figure(1240.0) == "1240"
        assert numbers.index(0.73141) == "0,7314"


@pytest.mark.parametrize("name", ["points", "figure", "index"])
def test_templates_use_the_same_functions(name):
    with override("vi"):
        shown = Template("{% load numbers %}{{ x|" + name + " }}").render(Context({"x": 57.7518}))
        assert shown == getattr(numbers, name)(57.7518)


def test_a_whole_number_written_without_decimals_keeps_its_zeros():
    # 100 % data completeness once read "1 %": the zeros of 100 were taken for decimals.
    assert numbers.number(100, 0) == "100"
    assert numbers.number(20.0, 0) == "20"
    assert numbers.number(1500, 2) == "1500"


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [(100, 0, "100"), (20.0, 0, "20"), (10, 2, "10"), (0, 0, "0"), (1500.50, 2, "1500,5")],
)
def test_whole_numbers_keep_their_zeros(value, places, shown):
    # A data completeness of 100 % once read "1 %": zeros of the integer part were stripped.
    with override("vi"):
        assert numbers.number(value, places) == shown
