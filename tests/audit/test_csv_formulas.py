"""The audit trail's CSV never carries a live formula, in any column."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from chiso.assessments import services
from tests.people import fill, submit


def test_a_period_named_like_a_formula_is_text_in_the_csv(
    client, login, period, submission, lan, hoa
):
    period.name = '=HYPERLINK("http://evil.example","2026")'
    period.save()
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    services.verify_value(sent, "XHS.1", 28, user=hoa, reason="@SUM(1+1)", expected_version=None)
    submission.unit.name = "+Phường Hàm Rồng"
    submission.unit.save()
    login(hoa)
    response = client.get(reverse("audit-period-csv", args=[period.pk]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows
    for row in rows:
        for column, value in row.items():
            assert not value or value[0] not in "=+-@\t\r", (column, value)
    assert {row["kỳ đánh giá"] for row in rows} == {'\'=HYPERLINK("http://evil.example","2026")'}
    assert "'@SUM(1+1)" in {row["lý do"] for row in rows}
    assert {row["đơn vị"] for row in rows} == {"'+Phường Hàm Rồng"}
