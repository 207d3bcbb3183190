"""The report card's and the sensitivity page's charts have their figures beside them in
text (tests/dashboard/test_chart_text.py: the dashboard's and the province's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.lib import numbers
from tests.dashboard.test_chart_text import chart_text, data_of
from tests.results.test_page_language import published  # noqa: F401 - a fixture
from tests.results.test_sensitivity_page import close  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_the_report_cards_pillar_chart_has_its_values_in_a_table(client, published):  # noqa: F811
    page = client.get(reverse("results:card", args=[published.pk, "commune", "14797"]))
    page = page.content.decode()
    chart = data_of(page, "card-data")
    text = chart_text(page, "pillar-chart")
    for i, title in enumerate(chart["pillars"]):
        assert title in text
        for series in chart["series"]:
            assert numbers.index(series["values"][i]) in text


def test_the_sensitivity_chart_has_its_indices_in_a_table(client, period, close):  # noqa: F811
    # Two wards close enough for the pillars' points to swap them: the indices are defined.
    page = client.get(reverse("results:sensitivity", args=[period.pk, "commune"]))
    page = page.content.decode()
    chart = data_of(page, "sensitivity-data")
    text = chart_text(page, "sensitivity-chart")
    for i, code in enumerate(chart["pillars"]):
        assert code in text and chart["titles"][i] in text
        assert numbers.number(chart["first"][i], 2) in text
        assert numbers.number(chart["total"][i], 2) in text


def test_the_rank_interval_chart_has_its_figures_in_a_table(client, published):  # noqa: F811
    page = client.get(reverse("results:ranking", args=[published.pk, "commune"]))
    page = page.content.decode()
    chart = data_of(page, "interval-data")
    assert chart["names"]
    text = chart_text(page, "interval-chart")
    for i, name in enumerate(chart["names"]):
        low, high = numbers.number(chart["p05"][i], 0), numbers.number(chart["p95"][i], 0)
        median = numbers.number(chart["median"][i], 1)
        assert f" {name} {chart['rank'][i]} {low}–{high} {median} " in text, name
