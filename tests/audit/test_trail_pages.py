"""The audit trail pages, per submission and per period, and their CSV for Excel."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from chiso.assessments import services, workflow
from tests.people import fill, submit


@pytest.fixture
def history(period, submission, lan, minh, hoa):
    """Hàm Rồng entered, submitted and was corrected; Hạc Thành entered a figure."""
    sent = submit(fill(submission, lan, **{"XHS.1": 35.5}), lan)
    services.verify_value(
        sent, "XHS.1", 28.25, user=hoa, reason="Theo Công an tỉnh", expected_version=None
    )
    other = period.submissions.exclude(pk=submission.pk).get()
    fill(other, minh, **{"CQS.2": 1})
    return sent, other


def test_the_officer_reads_the_trail_of_her_unit_with_vietnamese_numbers(
    client, login, history, lan
):
    sent, _other = history
    login(lan)
    page = client.get(reverse("audit-submission", args=[sent.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "35,5" in html
    assert "28,25" in html
    assert "Theo Công an tỉnh" in html
    assert "Chị Lan" in html
    assert "Tỷ lệ người trưởng thành có chữ ký số" in html


def test_an_officer_cannot_read_another_units_trail(client, login, history, minh):
    sent, _other = history
    login(minh)
    assert client.get(reverse("audit-submission", args=[sent.pk])).status_code == 404
    assert client.get(reverse("audit-submission-csv", args=[sent.pk])).status_code == 404


def test_the_period_trail_of_an_officer_holds_only_her_unit(client, login, history, period, minh):
    login(minh)
    page = client.get(reverse("audit-period", args=[period.pk]))
    units = {row[0].unit.name for row in page.context["rows"]}
    assert units == {"Phường Hạc Thành"}


def test_reviewers_and_leaders_read_the_whole_period(client, login, history, period, hoa, mai):
    for person in (hoa, mai):
        login(person)
        page = client.get(reverse("audit-period", args=[period.pk]))
        units = {row[0].unit.name for row in page.context["rows"]}
        assert units == {"Phường Hàm Rồng", "Phường Hạc Thành"}, person


def test_a_district_reviewer_reads_only_her_communes_in_a_period(
    client, login, history, period, period_2024, dung
):
    login(dung)
    assert client.get(reverse("audit-period", args=[period.pk])).status_code == 404
    assert client.get(reverse("audit-period", args=[period_2024.pk])).status_code == 200


def test_the_period_trail_filters_by_action_and_unit(client, login, history, period, hoa):
    login(hoa)
    url = reverse("audit-period", args=[period.pk])
    corrected = client.get(url, {"action": "value_verified"})
    assert [row[0].code for row in corrected.context["rows"]] == ["XHS.1"]
    one_unit = client.get(url, {"unit": "14797"})
    assert {row[0].unit.code for row in one_unit.context["rows"]} == {"14797"}


def test_the_public_and_people_without_a_role_see_no_trail(client, history, period):
    from tests.people import person as _person

    assert client.get(reverse("audit-period", args=[period.pk])).status_code == 302
    client.force_login(_person("khach", "Anh Khách"))
    assert client.get(reverse("audit-period", args=[period.pk])).status_code == 404


def test_the_csv_opens_in_excel_with_iso_times_and_plain_decimals(client, login, history, hoa):
    sent, _other = history
    login(hoa)
    response = client.get(reverse("audit-submission-csv", args=[sent.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    # Chị Hoa reads Vietnamese: the columns and the actions are in Vietnamese, the
    # action's code stays in the last column for machines.
    corrected = [r for r in rows if r["mã hành động"] == "value_verified"]
    assert len(corrected) == 1
    row = corrected[0]
    assert (row["giá trị cũ"], row["giá trị mới"], row["lý do"]) == (
        "35.5",
        "28.25",
        "Theo Công an tỉnh",
    )
    assert (row["tài khoản"], row["mã đơn vị"], row["đơn vị"]) == (
        "hoa",
        "14758",
        "Phường Hàm Rồng",
    )
    assert row["thời điểm"][:10].count("-") == 2 and "T" in row["thời điểm"]
    assert [r["mã hành động"] for r in rows] == ["value_set", "submitted", "value_verified"]
    assert row["hành động"] == "Thẩm định điều chỉnh số liệu"


def test_a_formula_looking_reason_is_kept_as_text_in_the_csv(client, login, submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    services.verify_value(
        sent, "XHS.1", -1, user=hoa, reason='=HYPERLINK("x")', expected_version=None
    )
    login(hoa)
    raw = client.get(reverse("audit-submission-csv", args=[sent.pk])).content.decode("utf-8-sig")
    row = [r for r in csv.DictReader(io.StringIO(raw)) if r["mã hành động"] == "value_verified"][0]
    assert row["lý do"] == '\'=HYPERLINK("x")'
    assert row["giá trị mới"] == "-1"


def test_a_transition_shows_its_status_by_name_and_the_deadline_vietnamese_style(
    client, login, history, hoa
):
    sent, _other = history
    services.add_comment(sent, "", "Bổ sung", user=hoa)
    returned = workflow.transition(sent, "return", hoa)
    login(hoa)
    page = client.get(reverse("audit-submission", args=[sent.pk]))
    shown = [new for entry, _title, _old, new in page.context["rows"] if entry.action == "returned"]
    assert len(shown) == 1
    assert returned.deadline.strftime("%d/%m/%Y") in shown[0]
    assert "returned;" not in shown[0]
