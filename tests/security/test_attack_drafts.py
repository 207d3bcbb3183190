"""Reading a draft framework: next year's criteria, stored (say, kept from the what-if
page) but used by no period yet, are for admins and reviewers only. The public and
the communes' officers neither see it listed nor open its page, its YAML file or its
criteria workbook: 404, as the API answers. A framework a period uses stays public.
"""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def draft(period, mini_framework_text):
    """Version 2 of the mini framework, for 2027, that no period uses yet."""
    from chiso.assessments.services import store_framework

    return store_framework(mini_framework_text.replace("year: 2025", "year: 2027"))


def draft_urls(draft) -> list[str]:
    return [
        reverse("framework_detail", args=[draft.code, draft.version]),
        reverse("framework_yaml", args=[draft.code, draft.version]),
        reverse("framework_excel:export", args=[draft.pk]),
    ]


def listed_versions(client) -> list[str]:
    html = client.get(reverse("framework_list")).content.decode()
    return [
        version
        for version in ("1", "2")
        if reverse("framework_detail", args=["test-commune-mini", version]) in html
    ]


def test_the_public_does_not_see_the_draft_listed(client, draft):
    assert listed_versions(client) == ["1"]


def test_the_public_gets_404_for_the_drafts_page_and_files(client, draft):
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404, url


def test_chi_lan_a_commune_officer_gets_404_for_every_draft_address(client, login, lan, draft):
    login(lan)
    assert listed_versions(client) == ["1"]
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404, url


def test_ba_mai_a_leader_gets_404_as_well(client, login, mai, draft):
    login(mai)
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404, url


def test_the_api_agrees(client, draft):
    assert client.get(f"/api/v1/frameworks/{draft.code}/{draft.version}").status_code == 404


@pytest.mark.parametrize("person", ["hoa", "tuan"])
def test_a_reviewer_and_the_admin_read_the_draft(client, login, draft, person, request):
    login(request.getfixturevalue(person))
    assert listed_versions(client) == ["1", "2"]
    for url in draft_urls(draft):
        assert client.get(url).status_code == 200, url


def test_the_framework_a_period_uses_stays_public(client, login, lan, framework, draft):
    used = [
        reverse("framework_detail", args=[framework.code, framework.version]),
        reverse("framework_yaml", args=[framework.code, framework.version]),
    ]
    # Its criteria table too: what the page shows, in Excel, for anyone.
    used.append(reverse("framework_excel:export", args=[framework.pk]))
    for url in used:
        assert client.get(url).status_code == 200, url
    assert used[2] in client.get(used[0]).content.decode()  # the page links to it
    login(lan)
    for url in used:
        assert client.get(url).status_code == 200, url
