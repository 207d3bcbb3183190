"""Reading a published result never scores: publishing computed everything once.

Xã Hoằng Quý and Xã Thử Cũ were assessed in 2024 and published; both merged into
Phường Hàm Rồng, which is published with Phường Hạc Thành in the current period, so
Hàm Rồng's report card has a 2024 point derived from theirs ("suy ra"). A stranger
walks every public page, download and API answer of both published levels twice:
once as they are, once with every scoring entry point of the engine made to raise.
Each answers 200 both times, with the same bytes.
"""

from __future__ import annotations

import re

import pytest

from chiso import engine
from tests.results.conftest import approve, approved_2024
from tests.security.test_attack_unpublished_level import _level_urls

pytestmark = pytest.mark.django_db

HAM_RONG, HAC_THANH = "14758", "14797"
# What the engine computes from values: none of it may run when a published level is read.
SCORING = ("score", "plan", "rank_uncertainty", "sensitivity", "derive_values", "what_if")


@pytest.fixture
def two_years(period, framework, submission, hac_thanh_submission, hoang_quy, lan, minh, hoa, tuan):
    """2024 (two old communes) and the current period (the ward they formed, and
    another) published."""
    from chiso.results import services
    from chiso.units.models import Lineage

    earlier, old_two = approved_2024(framework, hoang_quy)
    for old in (hoang_quy, old_two):
        Lineage.objects.create(new=submission.unit, old=old, whole=True)
    services.publish(earlier, "commune", tuan)
    approve(submission, lan, hoa, hs_tt=500, hs_tong=1000, **{"CQS.2": 0, "XHS.1": 20})
    approve(hac_thanh_submission, minh, hoa, hs_tt=950, hs_tong=1000, **{"CQS.2": 1, "XHS.1": 60})
    services.publish(period, "commune", tuan)
    return earlier, period, submission.unit, hoang_quy


def _api_urls(client, fills: list[dict[str, object]]) -> list[str]:
    """Every GET operation of the OpenAPI document that `fills` can fill, once per fill."""
    document = client.get("/api/v1/openapi.json").json()
    urls = []
    for path, operations in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        if "get" not in operations:
            continue
        for fill in fills:
            if names <= fill.keys():
                urls.append(re.sub(r"{(\w+)}", lambda m, f=fill: str(f[m[1]]), path))
    return sorted(set(urls))


def _public_urls(client, years) -> list[str]:
    earlier, current, ham_rong, hoang_quy = years
    urls = ["/", "/results/", "/data/", "/data/catalog.jsonld"]
    fills: list[dict[str, object]] = []
    for period, unit in ((earlier, hoang_quy), (current, ham_rong)):
        urls += _level_urls(period.pk, "commune", unit.code)
        fills.append(
            {"period_id": period.pk, "level": "commune", "unit_id": unit.pk, "unit_code": unit.code}
        )
    return [*urls, *_api_urls(client, fills)]


def _shown(response) -> bytes:
    """What a reader gets, without what changes on every request (the CSRF token)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _walk(client, urls: list[str]) -> dict[str, tuple[int, bytes]]:
    from django.core.cache import cache

    from chiso.results import analysis

    # Nothing read the first time may be kept for the second.
    cache.clear()
    analysis._SNAPSHOT_INPUTS.clear()
    client.raise_request_exception = False  # a reader that scores answers 500
    return {url: (r.status_code, _shown(r)) for url in urls if (r := client.get(url))}


def test_every_public_answer_about_a_published_level_reads_what_publishing_stored(
    client, two_years, monkeypatch
):
    urls = _public_urls(client, two_years)
    before = _walk(client, urls)
    answered = [url for url, (status, _) in before.items() if status == 200]
    # The walk covers the rankings, a report card and its PDF, the files, the map, open
    # data and the API (results, changes, the unit's history, plan, intervals).
    for part in (
        "/commune/",
        f"/commune/{HAM_RONG}/",
        "/report.pdf",
        "/ranking.xlsx",
        "/annex.pdf",
        "/commune/map",
        "/data/",
        "/api/v1/results/",
        "/changes",
        "/uncertainty",
        "/sensitivity",
        "/plan",
        f"/api/v1/units/{two_years[2].pk}/results",
    ):
        assert any(part in url for url in answered), part

    def refuse(*args, **kwargs):
        raise AssertionError("a published result was scored again on reading")

    for name in SCORING:
        monkeypatch.setattr(engine, name, refuse)
    monkeypatch.setattr(engine.scoring, "score", refuse)
    after = _walk(client, answered)
    assert {url: status for url, (status, _) in after.items() if status != 200} == {}
    changed = [url for url in answered if after[url][1] != before[url][1]]
    assert changed == [], changed


def test_ham_rongs_derived_2024_point_is_the_same_on_its_card_its_pdf_and_the_api(
    client, two_years
):
    from chiso.results.models import UnitRow

    earlier, current, ham_rong, _ = two_years
    row = UnitRow.objects.get(snapshot__period=current, code=HAM_RONG)
    stored = row.history
    assert [(p["year"], p["derived"]) for p in stored] == [(2024, True), (current.year, False)]
    api = client.get(f"/api/v1/units/{ham_rong.pk}/results").json()
    assert [(p["year"], p["value"], p["rank"], p["units_ranked"], p["derived"]) for p in api] == [
        (p["year"], p["value"], p["rank"], p["units_ranked"], p["derived"]) for p in stored
    ]
    page = client.get(f"/results/{current.pk}/commune/{HAM_RONG}/").content.decode()
    trend = page[page.index('id="trend"') : page.index('id="indicators"')]
    assert trend.count('class="derived"') == 1 and f"{earlier.name}:" in trend
    # Each rank with what it is out of. In 2024 the ward stands in place of the two old
    # communes it was formed from, which were all that year ranked: 1 of 1.
    assert (stored[0]["rank"], stored[0]["units_ranked"]) == (1, 1)
    assert "1/1" in trend and f"{stored[1]['rank']}/2" in trend
