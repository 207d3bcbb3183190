"""The disk fills up or the object storage stops while Chị Lan uploads her evidence, or
while Anh Tuấn's backup runs: each is told what went wrong, and nothing half-written is
left behind: no evidence row pointing to a missing file, no partial file taken later for
the whole one, no partial archive."""

from __future__ import annotations

import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext as _

from chiso.assessments.models import Action, AuditEntry, Evidence
from chiso.core import backup
from tests.deploy.conftest import BUCKET, start_object_store, stop
from tests.faults.small_disk import small_disk

pytestmark = pytest.mark.django_db

# A scanned report of about 200 KB: more than the small disk holds.
BIG_PDF = b"%PDF-1.4\n" + b"% quet bien ban\n" * 13_000 + b"%%EOF\n"


def upload(client, submission, content: bytes, name: str = "bien-ban.pdf"):
    return client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content), "codes": ["XHS.1"]},
        follow=True,
    )


def refused_as_not_stored(response, name: str) -> None:
    said = _(
        "“%(name)s” could not be stored: the file storage is full or does not answer."
        " Try again later."
    ) % {"name": name}
    html = response.content.decode()
    assert said in html.replace("&#x27;", "'")
    assert _("No file was saved.") in html


def nothing_recorded() -> None:
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.EVIDENCE_ADDED).exists()


def test_a_full_disk_refuses_the_upload_and_leaves_no_partial_file(
    client, login, lan, submission, settings
):
    with small_disk(64 * 1024) as disk:
        settings.MEDIA_ROOT = disk.folder
        login(lan)
        response = upload(client, submission, BIG_PDF)
        refused_as_not_stored(response, "bien-ban.pdf")
        nothing_recorded()
        # The first 64 KB were written, then removed: no file is there to be taken later
        # for the whole one (files are found by their hash).
        assert [path for path in disk.files() if path.is_file()] == []


def test_a_stopped_object_store_refuses_the_upload_and_records_nothing(
    client, login, lan, submission, settings
):
    store = start_object_store()
    s3 = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": store.endpoint,
            "access_key": "chiso-test",
            "secret_key": "chiso-test-secret",
            "region_name": "us-east-1",
        },
    }
    try:
        with override_settings(STORAGES={**settings.STORAGES, "default": s3}):
            login(lan)
            assert client.get(reverse("entry", args=[submission.pk])).status_code == 200
            stop(store.process)  # the storage server goes away while she chooses her file
            response = upload(client, submission, BIG_PDF)
    finally:
        stop(store.process)
    refused_as_not_stored(response, "bien-ban.pdf")
    nothing_recorded()


# Outside a test transaction: SQLite's backup waits for a transaction to end first.
@pytest.mark.django_db(transaction=True)
def test_a_full_disk_during_a_backup_leaves_no_archive(submission, lan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # How large the archive is when there is room: the disk gets a bit more than half.
    whole = tmp_path / "whole.tar"
    backup.backup(whole)
    with tarfile.open(whole) as archive:
        database = archive.getmember(backup.SQLITE).size
    with small_disk(database * 3 // 2) as disk:
        archive = disk.folder / "chiso.tar"
        with pytest.raises(backup.BackupError) as refused:
            backup.backup(archive)
        assert f"Writing {archive} failed (" in str(refused.value)
        assert "no archive was written" in str(refused.value)
        # Neither the archive, nor its .partial, nor the dump beside it.
        assert disk.files() == []
