"""The demo's 2025 annexes come back signed by a TEST certificate authority made when
the demo was built: the public sees them "đã ký số", and anyone holding the TEST
authority's certificate checks each one against the published annex."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from chiso.assessments.models import Period
from chiso.core.management.commands.demo import DEMO_CLOSED, DEMO_OPEN
from chiso.lib import signed_pdf, testca
from chiso.results import annex
from chiso.results.models import SignedAnnex, Snapshot

pytestmark = pytest.mark.django_db


def test_the_demo_signs_each_2025_annex_with_a_test_authority_named_as_a_test(demo_module, client):
    closed = Period.objects.get(name=DEMO_CLOSED)
    snapshots = list(Snapshot.objects.filter(period=closed))
    assert snapshots
    pem = Path(settings.MEDIA_ROOT) / "demo-TEST-ca.pem"
    assert str(pem) in demo_module
    roots = signed_pdf.load_roots(pem.read_bytes())
    for snapshot in snapshots:
        kept = SignedAnnex.objects.get(snapshot=snapshot)
        assert kept.issuer == testca.TEST_AUTHORITY and "TEST" in kept.signer
        verdict = signed_pdf.check(bytes(kept.pdf), annex.annex_bytes(snapshot), roots)
        assert verdict.trusted
    # Only the 2025 period is signed: 2024's annexes wait for their signed copy.
    assert not SignedAnnex.objects.exclude(snapshot__period=closed).exists()
    assert not Snapshot.objects.filter(period__name=DEMO_OPEN).exists()

    page = client.get(reverse("results:ranking", args=[closed.pk, "commune"]))
    text = page.content.decode()
    assert re.search(r'id="signed-note"', text)
    assert "annex-signed.pdf" in text
