"""Each role's home: Chị Hoa (reviewer) lands on her review queue, whose links open
review pages; Bà Mai (leader) lands on the read-only progress view, labelled so;
Chị Lan (officer) keeps her own submissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from chiso.assessments.models import Submission
from chiso.units.models import Unit
from tests.people import fill, submit

pytestmark = pytest.mark.django_db


def test_chi_hoa_s_home_is_her_review_queue_and_its_links_open_review_pages(
    client, login, hoa, lan, submission
):
    submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)

    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == reverse("review-queue")
    html = client.get(home.url).content.decode()
    assert reverse("review-detail", args=[submission.pk]) in html
    assert reverse("entry", args=[submission.pk]) not in html


def test_ba_mai_s_home_is_the_read_only_progress_view(client, login, mai, lan, submission):
    submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(mai)

    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == reverse("review-queue")
    html = client.get(home.url).content.decode()
    assert _("Progress (read only)") in html
    assert 'type="checkbox"' not in html
    assert reverse("review-detail", args=[submission.pk]) in html


def test_chi_lan_s_home_is_still_her_submissions(client, login, lan, submission):
    login(lan)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("entry", args=[submission.pk]) in response.content.decode()


def test_the_queue_has_select_all_for_bulk_approval(client, login, hoa, lan, submission):
    submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)
    html = client.get(reverse("review-queue")).content.decode()
    assert 'id="select-all"' in html
    assert "chiso/queue.js" in html


def test_the_period_picker_shows_the_year(client, login, hoa, period, period_2024):
    period_2024.name = "Đợt đánh giá"
    period_2024.save()
    login(hoa)
    html = client.get(reverse("review-queue")).content.decode()
    assert f'<option value="{period_2024.pk}">2024 · Đợt đánh giá</option>' in html


def test_a_long_queue_is_paginated(client, login, hoa, period, framework, province):
    for number in range(60):
        unit = Unit.objects.create(
            code=f"9{number:04d}",
            name=f"Xã Thử {number:02d}",
            level="commune",
            kind="xa",
            parent=province,
            province_code="38",
            valid_from=dt.date(2025, 7, 1),
        )
        Submission.objects.create(period=period, unit=unit, framework=framework)
    login(hoa)

    first = client.get(reverse("review-queue"))
    second = client.get(reverse("review-queue"), {"page": "2"})

    assert first.content.decode().count('<tr id="s-') == 50
    assert second.content.decode().count('<tr id="s-') == 12
    assert "page=2" in first.content.decode()
