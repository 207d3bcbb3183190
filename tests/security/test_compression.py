"""Pages travel gzipped to a phone, except those whose compressed size could give a
secret away to someone who also controls part of the page (BREACH): the back office,
where an API token is shown once next to reflected searches, and the password-reset
link's page, whose form address carries the reset token."""

from __future__ import annotations

import gzip

from django.urls import reverse

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip"}


def test_chi_lans_entry_page_comes_gzipped_and_reads_the_same(client, lan, submission):
    client.force_login(lan)
    plain = client.get(reverse("entry", args=[submission.pk]))
    packed = client.get(reverse("entry", args=[submission.pk]), **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert "Lưu nháp" in gzip.decompress(packed.content).decode()


def test_the_back_office_is_never_compressed(admin_client):
    response = admin_client.get("/admin/", **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_the_password_reset_link_page_is_never_compressed(client, db):
    response = client.get("/accounts/reset/MQ/set-password/", **GZIP, follow=True)
    assert not response.has_header("Content-Encoding")
    response = client.get("/accounts/reset/MQ/abc-123/", **GZIP)
    assert not response.has_header("Content-Encoding")
