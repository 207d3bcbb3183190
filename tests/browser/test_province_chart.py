"""The province's DTI chart, as anyone reads it on a phone: ranks out of 63 and out of 34
are separate lines, and the target is a rank, drawn on the rank axis."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from chiso.leadership.models import Target, TargetKind
from tests.browser.conftest import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_reads_the_dti_chart_with_ranks_apart_and_the_target_on_their_axis(
    phone, live_server
):
    from django.apps import apps

    from chiso.leadership.models import DtiYear

    if not DtiYear.objects.exists():  # a transactional test starts from a flushed database
        import importlib

        importlib.import_module("chiso.leadership.migrations.0002_history").ship(apps, None)
    Target.objects.create(
        kind=TargetKind.DTI_RANK,
        name="Thanh Hóa trong top 10 DTI năm 2025",
        level="province",
        number=10,
        by_date=dt.date(2025, 12, 31),
    )
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto("/province/")
    expect(phone.locator("#dti-chart svg")).to_have_count(1)
    assert horizontal_overflow(phone) == 0
    series = phone.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('dti-chart')).getOption()"
        ".series.map(s => [s.name, s.yAxisIndex, s.data.filter(x => x !== null).length])"
    )
    names = [s[0] for s in series]
    ranks = [s for s in series if s[0].startswith("Hạng")]
    assert [(s[0], s[2]) for s in ranks] == [("Hạng trên 63 tỉnh", 4), ("Hạng trên 34 tỉnh", 1)]
    target = next(s for s in series if "10" in s[0] and s not in ranks)
    assert target[1] == 1 and all(s[1] == 1 for s in ranks)  # the rank axis, not the value's
    assert len(names) == 4 and errors == []
