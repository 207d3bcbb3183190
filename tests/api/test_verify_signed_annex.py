"""`chiso verify` on a dataset whose annex came back signed from the e-office system:
anyone with the dataset (and the province's trust roots) checks that the signed copy
is exactly the published annex, signed and unchanged since."""

from __future__ import annotations

import hashlib

import pytest

from chiso.results import annex
from tests.api.test_open_data import run_verify
from tests.signing import CHAIRMAN, changed_after_signing

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(published, chairman, roots_file):
    annex.upload_signed(published, chairman.sign(annex.annex_bytes(published)), None)
    return published


def download(client, snapshot, folder):
    """Every file SHA256SUMS lists, as a reader would fetch them."""
    base = f"/data/{snapshot.period_id}/commune/"
    sums = client.get(base + "SHA256SUMS").content
    (folder / "SHA256SUMS").write_bytes(sums)
    for line in sums.decode().splitlines():
        name = line.split("  ")[1]
        (folder / name).write_bytes(client.get(base + name).content)
    return folder


def verify_with_roots(folder, roots):
    return run_verify(folder, "--trust-roots", roots)


def test_verify_checks_the_signed_annex_against_the_trust_roots(
    client, signed, roots_file, tmp_path
):
    folder = download(client, signed, tmp_path)
    assert (folder / "annex-signed.pdf").is_file()
    result = verify_with_roots(folder, roots_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"annex-signed.pdf: exactly annex.pdf, signed by {CHAIRMAN}" in result.stdout
    assert "certificate trusted" in result.stdout
    assert "OK: 10 checksums match" in result.stdout


def test_without_trust_roots_verify_says_the_certificate_was_not_checked(client, signed, tmp_path):
    result = run_verify(download(client, signed, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "certificate not checked (no --trust-roots)" in result.stdout


def test_verify_finds_a_signed_annex_changed_after_signing_even_with_fresh_checksums(
    client, signed, roots_file, tmp_path
):
    folder = download(client, signed, tmp_path)
    changed = changed_after_signing((folder / "annex-signed.pdf").read_bytes())
    (folder / "annex-signed.pdf").write_bytes(changed)
    sums = (folder / "SHA256SUMS").read_text("ascii").splitlines()
    (folder / "SHA256SUMS").write_text(
        "".join(
            f"{hashlib.sha256(changed).hexdigest()}  annex-signed.pdf\n"
            if line.endswith("  annex-signed.pdf")
            else line + "\n"
            for line in sums
        ),
        "ascii",
    )
    result = verify_with_roots(folder, roots_file)
    assert result.returncode == 1
    assert "annex-signed.pdf: refused (changed)" in result.stdout


def test_verify_refuses_a_signed_annex_from_an_unknown_authority(client, signed, tmp_path):
    from chiso.lib import testca

    other = tmp_path / "other-roots.pem"
    other.write_bytes(testca.make_authority("Một CA khác (TEST)").pem())
    (tmp_path / "dataset").mkdir()
    folder = download(client, signed, tmp_path / "dataset")
    result = verify_with_roots(folder, other)
    assert result.returncode == 1
    assert "annex-signed.pdf: refused (untrusted)" in result.stdout
