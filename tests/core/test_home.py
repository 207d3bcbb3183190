"""The home page: what chiso is for the public, "my submissions" for everyone logged in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from chiso.assessments import services

pytestmark = pytest.mark.django_db


def test_the_public_reads_what_chiso_is_and_finds_the_login(client, submission):
    response = client.get(reverse("home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert f'href="{reverse("login")}?next=/"' in html
    assert reverse("framework_list") in html
    assert "Phường Hàm Rồng" not in html


def test_chi_lan_sees_her_submission_with_its_progress(client, login, lan, submission):
    services.save_values(submission, {"hs_tt": 12, "hs_tong": 20}, user=lan, expected_version=0)
    login(lan)

    html = client.get(reverse("home")).content.decode()

    assert f'<a href="{reverse("entry", args=[submission.pk])}">Phường Hàm Rồng</a>' in html
    assert submission.period.name in html
    assert f'<span class="badge draft">{_("Draft")}</span>' in html
    assert submission.period.closes_on.strftime("%d/%m/%Y") in html
    assert "2 / 4" in html
    assert "Phường Hạc Thành" not in html
    # On a phone the column headings are hidden: each cell carries its own label.
    assert f'data-label="{_("Deadline")}"' in html
    assert f'data-label="{_("Figures entered")}"' in html


def test_a_figure_cleared_again_does_not_count_as_entered(client, login, lan, submission):
    saved, _count = services.save_values(
        submission, {"hs_tt": 12, "hs_tong": 20}, user=lan, expected_version=0
    )
    services.save_values(saved, {"hs_tt": None}, user=lan, expected_version=saved.version)
    login(lan)

    assert "1 / 4" in client.get(reverse("home")).content.decode()


def test_the_reviewer_lands_on_her_queue_with_every_ward_she_reviews(client, login, hoa, period):
    login(hoa)

    response = client.get(reverse("home"), follow=True)
    html = response.content.decode()

    assert response.redirect_chain == [(reverse("review-queue"), 302)]
    assert "Phường Hàm Rồng" in html and "Phường Hạc Thành" in html


def test_someone_without_a_role_is_told_what_to_expect(client, login, db):
    from tests.people import person as _person

    login(_person("nam", "Anh Nam"))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Phường" not in response.content.decode()


def test_the_home_page_reads_the_database_a_fixed_number_of_times(
    client, login, lan, submission, django_assert_max_num_queries
):
    login(lan)

    with django_assert_max_num_queries(8):
        client.get(reverse("home"))
