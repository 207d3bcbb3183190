"""Chị Hoa, the reviewer, sees what changed since she returned a submission, and what
each correction changed and why, without opening the change log."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chiso.assessments import services, workflow
from tests.people import fill, submit


@pytest.fixture
def hoa_in_english(login, hoa):
    client = login(hoa)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sent(submission, lan):
    filled = fill(submission, lan, hs_tt=900, hs_tong=1000, **{"CQS.2": 1, "XHS.1": 35})
    return submit(filled, lan)


def row(page: str, anchor: str) -> str:
    found = page[page.index(f'id="{anchor}"') :]
    return found[: found.index("</tr>")]


def review_page(client, submission) -> str:
    return client.get(reverse("review-detail", args=[submission.pk])).content.decode()


def test_a_resubmitted_submission_shows_the_figures_changed_since_the_return(
    hoa_in_english, sent, lan, hoa
):
    returned = workflow.transition(sent, "return", hoa, reason="XHS.1 thiếu minh chứng")
    # Chị Lan changes two figures (one of them twice) and sends it again.
    again = fill(returned, lan, **{"XHS.1": 31})
    again = fill(again, lan, **{"XHS.1": 32, "hs_tt": 950})
    submit(again, lan)

    page = review_page(hoa_in_english, sent)

    assert "2 figures changed since you returned it" in page
    assert re.search(r'class="previous"[^>]*>\s*before: 35<', row(page, "v-XHS.1"))
    assert re.search(r'class="previous"[^>]*>\s*before: 900<', row(page, "v-hs_tt"))
    assert 'class="previous"' not in row(page, "v-hs_tong")
    assert 'class="previous"' not in row(page, "v-CQS.2")


def test_a_first_submission_shows_no_previous_values(hoa_in_english, sent):
    page = review_page(hoa_in_english, sent)
    assert 'class="previous"' not in page and "changed since you returned it" not in page


def test_a_figure_changed_and_changed_back_is_not_shown_as_changed(hoa_in_english, sent, lan, hoa):
    returned = workflow.transition(sent, "return", hoa, reason="Xem lại")
    back = fill(fill(returned, lan, **{"XHS.1": 50}), lan, **{"XHS.1": 35})
    submit(back, lan)
    page = review_page(hoa_in_english, sent)
    assert 'class="previous"' not in page


def test_a_correction_says_the_difference_is_in_value_and_gives_its_reason(
    hoa_in_english, sent, hoa
):
    services.verify_value(
        sent, "XHS.1", 25, user=hoa, reason="Số liệu Công an tỉnh", expected_version=sent.version
    )
    page = review_page(hoa_in_english, sent)

    figure = row(page, "v-XHS.1")
    assert re.search(r'class="diff down">-10</span>\s*<span class="help">in value</span>', figure)
    assert "Reason: Số liệu Công an tỉnh" in figure
    indicator = row(page, "i-XHS.1")
    assert re.search(r'class="diff down">-40 points</span>', indicator)
    assert "Reason: Số liệu Công an tỉnh" in indicator
