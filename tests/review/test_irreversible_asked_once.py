"""Approving many submissions and publishing ask once, in the page, saying what will
happen; nothing changes until the person confirms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chiso.assessments.models import Status
from chiso.results.models import Snapshot
from tests.people import put, submit


def english(client):
    client.cookies["django_language"] = "en"
    return client


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_bulk_approval_names_the_units_and_the_level_before_approving(
    client, login, period, submission, hac_thanh, lan, minh, hoa
):
    other = period.submissions.get(unit=hac_thanh)
    sent = [submit(submission, lan), submit(other, minh)]
    english(login(hoa))
    chosen = [f"{s.pk}:{s.version}" for s in sent]

    asked = client.post(reverse("review-bulk"), {"action": "approve", "submission": chosen})

    assert asked.status_code == 200
    said = text(asked)
    assert "Approve 2 submissions of the level Commune, period Đánh giá" in said
    assert "Phường Hàm Rồng" in said and "Phường Hạc Thành" in said
    assert [s.status for s in period.submissions.all()] == [Status.SUBMITTED] * 2
    assert 'name="confirmed" value="1"' in asked.content.decode()
    assert "confirm(" not in asked.content.decode()

    client.post(
        reverse("review-bulk"), {"action": "approve", "submission": chosen, "confirmed": "1"}
    )
    assert [s.status for s in period.submissions.all()] == [Status.APPROVED] * 2


def test_publishing_says_it_cannot_be_changed_but_by_a_correction_and_asks_once(
    client, login, period, submission, hac_thanh, tuan
):
    for s in period.submissions.all():
        put(s, Status.APPROVED)
    english(login(tuan))
    url = reverse("results:publish", args=[period.pk])

    asked = client.post(url, {"level": "commune"})

    assert asked.status_code == 200 and not Snapshot.objects.exists()
    said = text(asked)
    assert (
        "Publish the results of 2 units, level Commune? A publication cannot be changed: "
        "only a correction, published as a new version with its reason, replaces it."
    ) in said
    section = asked.content.decode().split('id="level-commune"', 1)[1]
    assert 'name="confirmed" value="1"' in section

    done = client.post(url, {"level": "commune", "confirmed": "1"})
    assert done.status_code == 302 and Snapshot.objects.count() == 1


@pytest.mark.parametrize("bulk", ["approve", "publish"])
def test_the_queue_has_no_browser_confirm(client, login, period, submission, lan, tuan, bulk):
    put(submission, Status.APPROVED if bulk == "publish" else Status.SUBMITTED)
    login(tuan)
    page = client.get(reverse("review-queue"), {"period": period.pk}).content.decode()
    assert f'value="{bulk}"' in page and "confirm(" not in page


def test_on_the_review_page_the_decision_comes_after_the_figures(
    client, login, submission, lan, hoa
):
    sent = submit(submission, lan)
    page = login(hoa).get(reverse("review-detail", args=[sent.pk])).content.decode()
    assert page.index('id="decide-title"') > page.index('id="v-XHS.1"')
