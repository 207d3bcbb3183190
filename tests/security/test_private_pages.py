"""What a browser or a proxy may keep: logged-in pages and every downloaded file are
sent `Cache-Control: private, no-store`, so the next person at a shared computer, or a
caching proxy, never sees them. Public pages may still be cached."""

from __future__ import annotations

from django.urls import reverse


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


PRIVATE = {"private", "no-store"}


def test_the_review_queue_is_not_stored(client, login, period, hoa):
    login(hoa)
    assert directives(client.get(reverse("review-queue"))) >= PRIVATE


def test_chi_lans_entry_page_is_not_stored(client, login, submission, lan):
    login(lan)
    assert directives(client.get(reverse("entry", args=[submission.pk]))) >= PRIVATE


def test_the_exports_are_not_stored(client, login, submission, hoa, lan):
    login(lan)
    for url in (
        f"/submissions/{submission.pk}/template.xlsx",
        f"/submissions/{submission.pk}/values.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response) >= PRIVATE, url
    login(hoa)
    response = client.get(reverse("audit-period-csv", args=[submission.period_id]))
    assert response.status_code == 200
    assert directives(response) >= PRIVATE


def test_a_file_downloaded_without_logging_in_is_not_stored_either(client, framework, period):
    url = reverse("framework_yaml", args=[framework.code, framework.version])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert directives(response) >= PRIVATE


def test_a_public_page_seen_without_logging_in_is_not_marked_private(client, framework):
    response = client.get(reverse("framework_list"))
    assert response.status_code == 200
    assert "no-store" not in directives(response)
