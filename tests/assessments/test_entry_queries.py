"""The entry page reads the database a fixed number of times, however big the framework.

Chị Lan's page for a 10-indicator framework and for a 100-indicator one must make
the same number of queries: nothing is fetched per indicator, figure, comment or file.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chiso.assessments import services
from chiso.assessments.models import Comment, Evidence
from chiso.assessments.periods import create_period

pytestmark = pytest.mark.django_db


def framework_text(indicators: int) -> str:
    """A framework of `indicators` indicators in pillars of ten: every other one computed
    from two elements of its own, the rest entered (yes/no or a number)."""
    lines = [
        "format: chiso-framework/1",
        f"code: generated-{indicators}",
        f'title: {{vi: "Bộ sinh tự động {indicators}", en: "Generated {indicators}"}}',
        "level: commune",
        "year: 2026",
        "elements:",
    ]
    for i in range(0, indicators, 2):
        lines += [
            f"  - {{code: a{i}, title: {{vi: 'Tử số {i}', en: 'a{i}'}}, type: integer}}",
            f"  - {{code: b{i}, title: {{vi: 'Mẫu số {i}', en: 'b{i}'}}, type: integer}}",
        ]
    lines += ["validation:", "  - {rule: a0 <= b0, message: {vi: 'a0 ≤ b0', en: 'a0 ≤ b0'}}"]
    lines.append("tree:")
    for pillar in range(0, indicators, 10):
        lines += [f"  - code: P{pillar}", f"    title: {{vi: 'Nhóm {pillar}', en: 'Group'}}"]
        lines.append("    children:")
        for i in range(pillar, min(pillar + 10, indicators)):
            lines += [f"      - code: I{i}", f"        title: {{vi: 'Chỉ tiêu {i}', en: 'I{i}'}}"]
            lines.append("        points: 1")
            if i % 2 == 0:
                lines += [f"        formula: 100 * a{i} / b{i}", "        unit: '%'"]
                lines.append("        score: {method: linear, zero: 0, full: 100}")
            elif i % 4 == 1:
                lines.append("        score: {method: boolean}")
            else:
                lines.append("        score: {method: threshold, at_least: 5}")
    return "\n".join(lines) + "\n"


def entry_page_queries(client, unit, officer, indicators: int) -> int:
    from chiso.assessments.services import store_framework

    framework = store_framework(framework_text(indicators))
    today = timezone.localdate()
    period = create_period(
        today.year,
        f"Kỳ thử {indicators}",
        today - dt.timedelta(days=1),
        today + dt.timedelta(days=1),
        today,
        {"commune": framework},
        [unit],
    )
    submission = period.submissions.get()
    parsed = framework.engine()
    assert len(parsed.leaves) == indicators
    figures = {code: 1.0 for code in parsed.input_codes}
    services.save_values(submission, figures, user=officer, expected_version=0)
    for leaf in parsed.leaves:
        Comment.objects.create(submission=submission, code=leaf.code, text="Bổ sung")
        Evidence.objects.create(
            submission=submission,
            file=f"evidence/00/{leaf.code}",
            original_name=f"{leaf.code}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            codes=[leaf.code],
        )
    url = reverse("entry", args=[submission.pk])
    client.get(url)  # the framework is parsed and cached once, like on a running server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card indicator"') == indicators
    return len(queries)


def test_ten_or_a_hundred_indicators_take_the_same_queries(client, login, lan, ham_rong):
    login(lan)

    small = entry_page_queries(client, ham_rong, lan, 10)
    large = entry_page_queries(client, ham_rong, lan, 100)

    assert small == large
    assert large <= 10
