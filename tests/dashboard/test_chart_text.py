"""Every chart has its text equivalent beside it, named by the chart's aria-describedby,
with the chart's own figures: a screen reader (or a phone that never loads ECharts)
reads the same numbers as the picture shows."""

from __future__ import annotations

import json
import re

from chiso.lib import numbers


def chart_text(page: str, chart: str) -> str:
    """The element the chart `chart` names as its description, as plain text."""
    tag = re.search(rf'<div[^>]*id="{chart}"[^>]*>', page)
    assert tag, chart
    described = re.search(r'aria-describedby="([^"]+)"', tag[0])
    assert described, f"{chart} names no text equivalent"
    start = page.rindex("<", 0, page.index(f'id="{described[1]}"'))
    name = re.match(r"<(\w+)", page[start:])[1]
    end = page.index(f"</{name}>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:end]))


def data_of(page: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found[1])


def test_the_dashboards_histogram_has_its_counts_in_a_table(campaign, login, mai):
    page = login(mai).get("/dashboard/", {"period": campaign.closed.pk}).content.decode()
    histogram = data_of(page, "dashboard-data")["histogram"]
    assert sum(histogram["counts"]) > 0
    text = chart_text(page, "histogram")
    edges = histogram["edges"]
    for i, count in enumerate(histogram["counts"]):
        low, high = numbers.number(edges[i], 1), numbers.number(edges[i + 1], 1)
        assert f" {low}–{high} {count} " in text, (low, high, count)


def test_the_province_chart_has_its_history_in_a_table(campaign, client):
    page = client.get("/province/").content.decode()
    history = data_of(page, "province-data")["history"]
    text = chart_text(page, "dti-chart")
    for year in history:
        assert f" {year['year']} " in text
        if year["value"] is not None:
            assert numbers.index(year["value"]) in text
        if year["rank"]:
            assert f"{year['rank']}/{year['of']}" in text
