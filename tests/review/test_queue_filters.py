"""Chị Hoa finds a commune in the queue by its old district or its name, sees which have
unusual figures, and reads what the queue's counts include."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessments import workflow
from chiso.units.models import Lineage
from tests.people import fill, submit
from tests.results.test_analysis_pages import six_wards_and_ham_rong_at_99


@pytest.fixture
def hoa_in_english(login, hoa):
    client = login(hoa)
    client.cookies["django_language"] = "en"
    return client


def listed(response) -> list[str]:
    return [s.unit.name for s in response.context["rows"]]


def test_chi_hoa_finds_the_communes_of_an_old_district(
    hoa_in_english, period, submission, hoang_quy, hoang_hoa
):
    # Phường Hàm Rồng was formed in 2025 from, among others, Xã Hoằng Quý of Huyện Hoằng Hóa.
    Lineage.objects.create(new=submission.unit, old=hoang_quy)
    url = reverse("review-queue")

    page = hoa_in_english.get(url, {"period": period.pk, "district": hoang_hoa.pk})

    assert listed(page) == ["Phường Hàm Rồng"]
    html = page.content.decode()
    assert '<label for="f-district">Old district</label>' in html
    assert f'<option value="{hoang_hoa.pk}" selected>Huyện Hoằng Hóa</option>' in html
    everyone = hoa_in_english.get(url, {"period": period.pk})
    assert listed(everyone) == ["Phường Hạc Thành", "Phường Hàm Rồng"]


def test_chi_hoa_finds_a_commune_by_its_name_typed_without_accents(hoa_in_english, period):
    page = hoa_in_english.get(reverse("review-queue"), {"period": period.pk, "q": "ham rong"})
    assert listed(page) == ["Phường Hàm Rồng"]
    assert 'value="ham rong"' in page.content.decode()
    by_code = hoa_in_english.get(reverse("review-queue"), {"period": period.pk, "q": "14797"})
    assert listed(by_code) == ["Phường Hạc Thành"]


def test_the_counts_say_the_returned_ones_are_not_among_those_sent(
    hoa_in_english, period, submission, hac_thanh, lan, minh, hoa
):
    submit(fill(submission, lan, **{"XHS.1": 40}), lan)
    hac_thanh_submission = period.submissions.get(unit=hac_thanh)
    sent = submit(fill(hac_thanh_submission, minh, **{"XHS.1": 40}), minh)
    workflow.transition(sent, "return", hoa, reason="Thiếu minh chứng")

    html = hoa_in_english.get(reverse("review-queue"), {"period": period.pk}).content.decode()

    assert (
        "1 of 2 units have sent their figures (submitted, approved or published). "
        "1 was returned to its unit for changes and 0 have not sent theirs yet."
    ) in " ".join(html.split())


def test_the_queue_shows_which_submissions_have_unusual_figures(
    hoa_in_english, period, framework, submission, lan
):
    six_wards_and_ham_rong_at_99(period, framework, submission, lan)
    page = hoa_in_english.get(reverse("review-queue"), {"period": period.pk, "q": "rong"})
    row = page.content.decode().split(f'id="s-{submission.pk}"', 1)[1].split("</tr>", 1)[0]
    review = reverse("review-detail", args=[submission.pk])
    assert f'<a class="badge returned" href="{review}#i-XHS.1">1 unusual</a>' in row
