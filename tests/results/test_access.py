"""Who sees what: the public sees published results only; provisional ones are for staff
and, for its own report card, the unit's officers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from chiso.results import services

pytestmark = pytest.mark.django_db

DOWNLOADS = ("csv", "xlsx", "values", "framework")


def urls(period, level="commune"):
    args = [period.pk, level]
    return [reverse("results:ranking", args=args)] + [
        reverse(f"results:{name}", args=args) for name in DOWNLOADS
    ]


def card_url(period, code="14758"):
    return reverse("results:card", args=[period.pk, "commune", code])


def test_before_publication_the_public_sees_no_ranking_no_file_and_no_report_card(
    client, period, ham_rong_approved
):
    for url in [*urls(period), card_url(period), card_url(period) + "?provisional=1"]:
        assert client.get(url).status_code == 404, url
    assert "Phường Hàm Rồng" not in client.get(reverse("results:index")).content.decode()


@pytest.mark.parametrize("where", ["page", "api"])
def test_before_publication_the_map_of_a_period_is_not_found_rather_than_forbidden(
    client, login, minh, period, ham_rong_approved, where
):
    # A 403 would tell a stranger that the period exists: guessed ids give 404.
    url = (
        reverse("results-map", args=[period.pk, "commune"])
        if where == "page"
        else f"/api/v1/results/{period.pk}/commune/map"
    )
    assert client.get(url).status_code == 404
    assert login(minh).get(url).status_code == 404


def test_another_units_officer_sees_nothing_provisional(login, minh, period, ham_rong_approved):
    client = login(minh)
    for url in [*urls(period), card_url(period)]:
        assert client.get(url).status_code == 404, url


def test_after_publication_the_public_still_gets_no_provisional_ranking(
    client, tuan, period, ham_rong_approved
):
    services.publish(period, "commune", tuan)
    assert client.get(urls(period)[0]).status_code == 200
    assert client.get(urls(period)[0] + "?provisional=1").status_code == 404
    assert client.get(card_url(period) + "?provisional=1").status_code == 404


@pytest.mark.parametrize("person", ["hoa", "mai", "tuan"])
def test_staff_see_the_provisional_ranking_marked_as_such_on_screen_and_in_files(
    request, login, person, period, ham_rong_approved
):
    client = login(request.getfixturevalue(person))
    page = client.get(urls(period)[0]).content.decode()
    assert 'id="provisional-note"' in page and "Phường Hàm Rồng" in page
    for url in urls(period)[1:]:
        response = client.get(url)
        assert response.status_code == 200
        assert "tam-tinh-provisional" in response["Content-Disposition"]
        assert response["X-Chiso-Provisional"] == "true"
    rows = list(csv.DictReader(io.StringIO(client.get(urls(period)[1]).content.decode())))
    assert [(r["unit"], r["provisional"]) for r in rows] == [("14758", "true")]


def test_a_units_officer_sees_its_own_provisional_report_card_but_not_the_ranking(
    login, lan, period, ham_rong_approved
):
    client = login(lan)
    page = client.get(card_url(period))
    assert page.status_code == 200
    assert 'id="provisional-note"' in page.content.decode()
    assert client.get(urls(period)[0]).status_code == 404


def test_a_units_officer_is_not_offered_a_link_to_the_provisional_ranking_she_cannot_open(
    login, lan, period, ham_rong_approved
):
    page = login(lan).get(card_url(period)).content.decode()
    assert 'href="' + urls(period)[0] not in page


def test_evidence_links_show_only_to_those_who_may_read_the_submission(
    client, login, lan, tuan, period, ham_rong_approved
):
    from tests.people import stored_evidence

    evidence = stored_evidence(ham_rong_approved, lan, "bao-cao-tthc.pdf")
    services.publish(period, "commune", tuan)
    public = client.get(card_url(period)).content.decode()
    assert "bao-cao-tthc.pdf" not in public
    mine = login(lan).get(card_url(period)).content.decode()
    assert "bao-cao-tthc.pdf" in mine
    assert reverse("evidence_file", args=[evidence.pk]) in mine


def test_a_guessed_level_unit_or_period_gives_404(client, tuan, period, ham_rong_approved):
    services.publish(period, "commune", tuan)
    assert client.get(f"/results/{period.pk}/nowhere/").status_code == 404
    assert client.get(f"/results/{period.pk + 99}/commune/").status_code == 404
    assert client.get(card_url(period, "99999")).status_code == 404


def test_the_pdfs_of_a_provisional_ranking_are_for_staff_only_and_say_provisional(
    client, login, hoa, period, ham_rong_approved
):
    annex = reverse("results:annex", args=[period.pk, "commune"])
    card = reverse("results:report_pdf", args=[period.pk, "commune", "14758"])
    assert client.get(annex).status_code == 404
    assert client.get(card).status_code == 404
    staff = login(hoa)
    for url in (annex, card):
        response = staff.get(url)
        assert response.status_code == 200
        assert "tam-tinh-provisional" in response["Content-Disposition"]
