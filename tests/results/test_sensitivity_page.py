"""The "Độ nhạy" page: how much each pillar's points move the published ranks, as the
engine's Sobol' indices, seen by whoever sees the rankings page."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse

from chiso import engine
from chiso.frameworks.display import show_number
from chiso.results import analysis, services
from tests.results.conftest import approve

SAMPLES = analysis.SENSITIVITY_SAMPLES

pytestmark = pytest.mark.django_db

# Hàm Rồng earns its points in digital government only, Hạc Thành in digital society
# only, and nearly as many: which pillar's points weigh more decides who is first.
CQS_ONLY = {"hs_tt": 800, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 20}
XHS_ONLY = {"hs_tt": 0, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 45}
# Far apart: no noise of ±20 % swaps them.
WEAK = {"hs_tt": 500, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 20}
STRONG = {"hs_tt": 950, "hs_tong": 1000, "CQS.2": 1, "XHS.1": 60}


def publish_with(period, submission, other, lan, minh, hoa, tuan, mine, theirs):
    approve(submission, lan, hoa, **mine)
    approve(other, minh, hoa, **theirs)
    return services.publish(period, "commune", tuan)


@pytest.fixture
def close(period, submission, hac_thanh_submission, lan, minh, hoa, tuan):
    return publish_with(period, submission, hac_thanh_submission, lan, minh, hoa, tuan,
                        CQS_ONLY, XHS_ONLY)  # fmt: skip


@pytest.fixture
def apart(period, submission, hac_thanh_submission, lan, minh, hoa, tuan):
    return publish_with(period, submission, hac_thanh_submission, lan, minh, hoa, tuan,
                        WEAK, STRONG)  # fmt: skip


def expected(snapshot, mine, theirs, points_noise=0.2):
    parsed = snapshot.framework.engine()
    values = engine.Values.from_mapping(parsed, {"14758": mine, "14797": theirs})
    seed = int(snapshot.values_sha256[:8], 16)
    return engine.sensitivity(parsed, values, samples=SAMPLES, seed=seed, points_noise=points_noise)


def page_of(client, period, query=""):
    url = reverse("results:sensitivity", args=[period.pk, "commune"]) + query
    return client.get(url)


def shown(page):
    """{pillar: (first-order text, total text)} of the page's table."""
    rows = re.findall(
        r'<tr data-code="([^"]+)">.*?<td class="num first">([^<]*)</td>'
        r'<td class="num total">([^<]*)</td>',
        page,
    )
    return {code: (first, total) for code, first, total in rows}


def test_the_public_reads_each_pillars_indices_as_the_engine_computes_them(client, period, close):
    sobol = expected(close, CQS_ONLY, XHS_ONLY)
    assert sobol.variance > 0 and sobol.pillars == ("CQS", "XHS")
    response = page_of(client, period)
    assert response.status_code == 200
    page = response.content.decode()
    table = shown(page)
    assert list(table) == ["CQS", "XHS"]
    for j, code in enumerate(sobol.pillars):
        first, total = sobol.first_order[j], sobol.total[j]
        assert table[code] == (show_number(first, 2), show_number(total, 2))
        assert "," in table[code][1] or table[code][1] in ("0", "1")  # 0,42 the Vietnamese way
    # The chart's data are the same figures, unrounded.
    assert 'id="sensitivity-chart"' in page and 'id="sensitivity-data"' in page
    data = analysis.sensitivity_for_snapshot(close)
    assert [p["first_order"] for p in data["pillars"]] == pytest.approx(
        sobol.first_order.tolist(), abs=1e-6
    )
    assert [p["total"] for p in data["pillars"]] == pytest.approx(sobol.total.tolist(), abs=1e-6)
    # The method is told: Monte Carlo, the seed, the runs (N x (2 pillars + 2)), the noise.
    method = page[page.index('id="sensitivity-method"') :]
    method = method[: method.index("</p>")]
    assert str(data["seed"]) in method and str(SAMPLES * 4) in method and "20 %" in method
    assert "Monte Carlo" in method and "Độ nhạy" in page


def test_the_rankings_page_links_to_the_sensitivity(client, period, close):
    page = client.get(reverse("results:ranking", args=[period.pk, "commune"])).content.decode()
    assert 'id="sensitivity-link"' in page and 'href="sensitivity/"' in page


def test_the_indices_are_seeded_by_the_snapshot_and_stored_with_it(period, close):
    first = analysis.sensitivity_for_snapshot(close)
    assert first["seed"] == int(close.values_sha256[:8], 16) and first["samples"] == SAMPLES
    close.refresh_from_db()
    stored = close.analysis["sensitivity"]
    assert [p["first_order"] for p in stored["pillars"]] == [
        p["first_order"] for p in first["pillars"]
    ]
    cache.clear()
    assert analysis.sensitivity_for_snapshot(close) == first


def test_without_noise_no_rank_moves_and_the_indices_are_not_defined(period, close):
    sobol = expected(close, CQS_ONLY, XHS_ONLY, points_noise=0.0)
    assert sobol.variance == 0 and np.isnan(sobol.first_order).all()
    data = analysis.sensitivity_of(
        analysis.snapshot_inputs(close), {}, analysis.seed_of(close), points_noise=0.0
    )
    assert data["variance"] == 0 and data["points_noise"] == 0.0
    assert all(p["first_order"] is None and p["total"] is None for p in data["pillars"])


def test_a_ranking_no_noise_moves_shows_dashes_and_says_why(client, period, apart):
    sobol = expected(apart, WEAK, STRONG)
    assert sobol.variance == 0 and all(math.isnan(x) for x in sobol.total)
    page = page_of(client, period).content.decode()
    assert set(shown(page).values()) == {("—", "—")}
    assert 'id="sensitivity-undefined"' in page and 'id="sensitivity-chart"' not in page


def test_who_sees_it_is_who_sees_the_rankings_page(
    client, login, period, submission, hac_thanh_submission, lan, minh, hoa
):
    approve(submission, lan, hoa, **CQS_ONLY)
    approve(hac_thanh_submission, minh, hoa, **XHS_ONLY)
    # Nothing published: the public and a unit's officer get 404, as on the rankings page.
    ranking = reverse("results:ranking", args=[period.pk, "commune"])
    assert client.get(ranking).status_code == 404
    assert page_of(client, period).status_code == 404
    assert page_of(login(lan), period).status_code == 404
    # A reviewer sees the provisional ranking; its sensitivity waits for publication.
    response = page_of(login(hoa), period)
    assert response.status_code == 200
    assert 'id="no-sensitivity"' in response.content.decode()
    assert page_of(login(hoa), period, "?version=9").status_code == 404  # no such version
    guessed = reverse("results:sensitivity", args=[period.pk + 999, "commune"])
    assert client.get(guessed).status_code == 404
    assert client.get(reverse("results:sensitivity", args=[period.pk, "x"])).status_code == 404
