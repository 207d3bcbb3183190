"""Two people saving the same submission at once: the second is told, and nobody's
figures are silently lost."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import Status
from chiso.pages import review as review_views
from tests.people import fill, messages_of, submit


def loaded_version(page) -> int:
    found = re.search(r'name="expected_version"\s+value="(\d+)"', page.content.decode())
    if found is None:
        found = re.search(r'value="(\d+)"\s+name="expected_version"', page.content.decode())
    assert found, "the entry form carries the version it was loaded at"
    return int(found.group(1))


def test_at_service_level_the_second_save_on_the_same_version_is_refused(submission, lan, thu):
    version = submission.version
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=version)
    with pytest.raises(services.StaleSubmission):
        services.save_values(submission, {"XHS.1": 40}, user=thu, expected_version=version)
    assert submission.values.get(code="XHS.1").self_value == 35


def test_two_officers_typing_at_once_on_the_entry_page(period, submission, lan, thu):
    lan_browser, thu_browser = Client(), Client()
    lan_browser.force_login(lan)
    thu_browser.force_login(thu)
    url = reverse("entry", args=[submission.pk])
    lan_page, thu_page = lan_browser.get(url), thu_browser.get(url)
    assert loaded_version(lan_page) == loaded_version(thu_page) == submission.version

    first = lan_browser.post(
        url, {"expected_version": loaded_version(lan_page), "v-XHS.1": "35", "v-CQS.2": "1"}
    )
    assert first.status_code == 302
    second = thu_browser.post(
        url, {"expected_version": loaded_version(thu_page), "v-XHS.1": "40", "v-CQS.2": "0"}
    )
    assert second.status_code == 409
    assert "Chị Lan" in " ".join(messages_of(second))
    figures = {v.code: v.self_value for v in submission.values.all()}
    assert figures == {"XHS.1": 35, "CQS.2": 1}


def test_two_reviewers_correcting_at_once(period, submission, lan, hoa, tuan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    hoa_browser, tuan_browser = Client(), Client()
    hoa_browser.force_login(hoa)
    tuan_browser.force_login(tuan)
    url = reverse("review-detail", args=[sent.pk])
    version = hoa_browser.get(url).context["submission"].version
    assert tuan_browser.get(url).context["submission"].version == version
    correct = reverse("review-correct", args=[sent.pk])
    hoa_browser.post(
        correct, {"code": "XHS.1", "value": "28", "reason": "Số liệu Công an", "version": version}
    )
    answer = tuan_browser.post(
        correct,
        {"code": "XHS.1", "value": "20", "reason": "Số liệu Sở Y tế", "version": version},
        follow=True,
    )
    assert review_views._stale_text() in messages_of(answer)
    value = sent.values.get(code="XHS.1")
    assert (value.self_value, value.verified_value) == (35, 28)


def test_a_correction_on_a_page_loaded_before_the_unit_resubmitted_is_refused(
    period, submission, lan, hoa
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    seen = sent.version
    services.add_comment(sent, "XHS.1", "Kiểm tra lại", user=hoa)
    from chiso.assessments import workflow

    returned = workflow.transition(sent, "return", hoa)
    resent = submit(fill(returned, lan, **{"XHS.1": 31}), lan)
    assert resent.status == Status.SUBMITTED
    with pytest.raises(services.StaleSubmission):
        services.verify_value(resent, "XHS.1", 20, user=hoa, reason="x", expected_version=seen)
    assert resent.values.get(code="XHS.1").verified_value is None
