"""A reader who switched to English reads the framework's English titles on the report
card, its path to recognition ("lộ trình"), the statistical audit and the sensitivity
page; a reader in Vietnamese reads the Vietnamese ones and no English title. Each page is
read in one language after the other, so a figure kept from the first reading (the
audit is cached, the published inputs are kept in memory) cannot carry its language over.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from chiso.results import services
from tests.results.conftest import HAC_THANH_FIGURES, HAM_RONG_FIGURES, approve

pytestmark = pytest.mark.django_db

# The mini framework's titles (tests/fixtures/mini-commune.yaml), both languages.
TITLES = {
    "CQS": ("Chính quyền số", "Digital government"),
    "XHS": ("Xã hội số", "Digital society"),
    "CQS.1": ("Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến", "Share of dossiers received online"),
    "CQS.2": ("Có cổng thông tin điện tử", "Has a web portal"),
    "XHS.1": ("Tỷ lệ người trưởng thành có chữ ký số", "Adults with a digital signature"),
    "hs_tt": ("Số hồ sơ TTHC tiếp nhận trực tuyến", "Dossiers received online"),
}
VI, EN = 0, 1


@pytest.fixture
def published(period, submission, hac_thanh_submission, lan, minh, hoa, tuan):
    approve(submission, lan, hoa, **HAM_RONG_FIGURES)
    approve(hac_thanh_submission, minh, hoa, **HAC_THANH_FIGURES)
    services.publish(period, "commune", tuan)
    return period


def read(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def pages(period) -> dict[str, tuple[str, list[str]]]:
    """Each page, with the codes whose titles it shows."""
    card = reverse("results:card", args=[period.pk, "commune", "14797"])
    sensitivity = reverse("results:sensitivity", args=[period.pk, "commune"])
    return {
        "card": (card, ["CQS", "XHS", "CQS.1", "CQS.2", "XHS.1"]),
        # Hạc Thành's path to recognition: more dossiers online (hs_tt), more signatures.
        "plan": (card + "?goal=recognition", ["CQS.1", "hs_tt", "XHS.1"]),
        "audit": (reverse("results:audit", args=[period.pk, "commune"]), list(TITLES)[:5]),
        "sensitivity": (sensitivity, ["CQS", "XHS"]),
    }


@pytest.mark.parametrize("first", ["vi", "en"])
@pytest.mark.parametrize("name", ["card", "plan", "audit", "sensitivity"])
def test_each_page_shows_the_titles_of_its_readers_language(client, published, hoa, name, first):
    client.force_login(hoa)  # the audit is the reviewers'
    url, codes = pages(published)[name]
    for language in (first, "en" if first == "vi" else "vi"):
        page = read(client, url, language)
        shown, other = (EN, VI) if language == "en" else (VI, EN)
        assert [c for c in codes if TITLES[c][shown] not in page] == [], language
        assert [c for c in codes if TITLES[c][other] in page] == [], language
