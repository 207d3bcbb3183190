"""Refusals and missing pages are chiso pages in Vietnamese, saying why."""

from django.urls import reverse
from django.utils.translation import gettext, override


def test_a_reviewer_posting_figures_sees_why_on_a_chiso_page(submission, hoa, login):
    client = login(hoa)
    response = client.post(reverse("entry", args=[submission.pk]), {"XHS.1": "35"})
    assert response.status_code == 403
    page = response.content.decode()
    with override("vi"):
        assert gettext("Only the unit's officers change its figures.") in page
    assert '<html lang="vi">' in page
    assert not submission.values.exists()


def test_a_missing_page_is_a_chiso_page_in_vietnamese(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    with override("vi"):
        assert gettext("Page not found") in response.content.decode()
