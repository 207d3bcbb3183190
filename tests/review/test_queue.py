"""The review queue: what a reviewer has to review, who has submitted and who has not."""

from __future__ import annotations

from django.urls import reverse

from chiso.assessments.models import Status
from tests.people import put, submit


def test_the_province_reviewer_sees_every_ward_with_counts_per_status(
    client, login, period, submission, lan, hoa
):
    submit(submission, lan)
    login(hoa)
    page = client.get(reverse("review-queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phường Hàm Rồng" in html
    assert "Phường Hạc Thành" in html
    assert '<strong data-status="submitted">1</strong>' in html
    assert '<strong data-status="draft">1</strong>' in html
    # Hạc Thành has not submitted yet: it is listed among those still to submit.
    assert [s.unit.name for s in page.context["waiting"]] == ["Phường Hạc Thành"]
    assert page.context["submitted_total"] == 1


def test_filtering_by_status_lists_only_those(client, login, period, submission, lan, hoa):
    submit(submission, lan)
    login(hoa)
    page = client.get(reverse("review-queue"), {"period": period.pk, "status": "submitted"})
    assert [s.unit.name for s in page.context["rows"]] == ["Phường Hàm Rồng"]


def test_filtering_by_level_and_area(client, login, period_2024, hoang_quy, hoang_hoa, hoa):
    login(hoa)
    url = reverse("review-queue")
    by_area = client.get(url, {"period": period_2024.pk, "area": hoang_hoa.pk})
    assert [s.unit.name for s in by_area.context["rows"]] == ["Xã Hoằng Quý"]
    assert "Huyện Hoằng Hóa" in by_area.content.decode()
    by_level = client.get(url, {"period": period_2024.pk, "level": "district"})
    assert by_level.context["rows"] == []


def test_a_district_reviewer_sees_only_the_communes_of_her_district(
    client, login, period, period_2024, dung
):
    login(dung)
    page = client.get(reverse("review-queue"), {"period": period_2024.pk})
    assert [s.unit.name for s in page.context["rows"]] == ["Xã Hoằng Quý"]
    other = client.get(reverse("review-queue"), {"period": period.pk})
    assert other.context["rows"] == []


def test_a_submission_ready_for_approval_has_a_checkbox_for_bulk_approval(
    client, login, period, submission, lan, hoa
):
    submit(submission, lan)
    login(hoa)
    html = client.get(reverse("review-queue")).content.decode()
    submission.refresh_from_db()
    assert f'name="submission" value="{submission.pk}:{submission.version}"' in html
    draft = period.submissions.exclude(pk=submission.pk).get()
    assert f'name="submission" value="{draft.pk}:' not in html


def test_a_leader_reads_the_queue_without_acting(client, login, period, submission, lan, mai):
    submit(submission, lan)
    login(mai)
    page = client.get(reverse("review-queue"))
    assert page.status_code == 200
    assert 'name="submission"' not in page.content.decode()


def test_the_navigation_leads_a_leader_to_the_queue_and_not_an_officer(
    client, login, period, mai, lan
):
    link = f'<a href="{reverse("review-queue")}">'
    login(mai)
    assert link in client.get(reverse("home"), follow=True).content.decode()
    login(lan)
    assert link not in client.get(reverse("home")).content.decode()


def test_an_officer_has_no_review_queue(client, login, period, lan):
    login(lan)
    assert client.get(reverse("review-queue")).status_code == 404


def test_the_public_is_sent_to_the_login_page(client, period):
    page = client.get(reverse("review-queue"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_the_deadline_is_shown_the_vietnamese_way(client, login, period, submission, hoa):
    put(submission, Status.DRAFT)
    login(hoa)
    html = client.get(reverse("review-queue")).content.decode()
    assert period.closes_on.strftime("%d/%m/%Y") in html


def test_units_are_listed_in_vietnamese_alphabetical_order(client, login, period, hoa):
    # By code points "Hàm" (à, U+00E0) sorts before "Hạc" (ạ, U+1EA1); a Vietnamese
    # reader compares letters first: h-a-c before h-a-m.
    page = login(hoa).get(reverse("review-queue"), {"period": period.pk}).content.decode()
    assert page.index("Phường Hạc Thành") < page.index("Phường Hàm Rồng")
