"""The analysis on the results pages: the report card's path to recognition, the
rankings page's rank intervals and the period's statistical audit show the engine's
figures, and only to the people allowed to see them."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.urls import reverse

from chiso import engine
from chiso.frameworks.display import figure_of, show_number
from chiso.lib import numbers
from chiso.results import analysis, services
from tests.results.conftest import OLD_FIGURES, approve, approved_2024

pytestmark = pytest.mark.django_db

# Chị Lan's ward is far from recognition: half its dossiers online, no portal, few signatures.
WEAK_FIGURES = {"hs_tt": 500, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 20}
STRONG_FIGURES = {"hs_tt": 950, "hs_tong": 1000, "CQS.2": 1, "XHS.1": 60}


@pytest.fixture
def published(period, submission, hac_thanh_submission, lan, minh, hoa, tuan):
    approve(submission, lan, hoa, **WEAK_FIGURES)
    approve(hac_thanh_submission, minh, hoa, **STRONG_FIGURES)
    return services.publish(period, "commune", tuan)


def engine_inputs(framework_row):
    parsed = framework_row.engine()
    values = engine.Values.from_mapping(parsed, {"14758": WEAK_FIGURES, "14797": STRONG_FIGURES})
    return parsed, values


def card(client, period, code="14758"):
    return client.get(reverse("results:card", args=[period.pk, "commune", code])).content.decode()


def test_lans_report_card_shows_the_engines_path_to_recognition(client, period, published):
    parsed, values = engine_inputs(published.framework)
    plan = engine.plan(parsed, values, "14758", "recognition")
    assert plan.feasible and plan.steps
    page = card(client, period)
    section = page[page.index('id="plan"') : page.index('id="indicators"')]
    shown = re.findall(r'<li data-code="([^"]+)">', section)
    assert shown == [step.code for step in plan.steps]
    for step in plan.steps:
        item = section[section.index(f'data-code="{step.code}"') :]
        to = figure_of(parsed, step.code, step.value_to)  # Có/Không, or with its unit
        assert f'<strong class="plan-to">{to}</strong>' in item
        assert f'<span class="plan-points">+{numbers.points_words(step.points)}</span>' in item
    # The ratio indicator names the element to change.
    ratio = next((s for s in plan.steps if s.code == "CQS.1"), None)
    if ratio is not None:
        assert ratio.elements and f'<span class="code">{ratio.elements[0].code}</span>' in section


def test_a_recognized_ward_is_told_it_has_nothing_to_change(client, period, published):
    page = card(client, period, "14797")
    section = page[page.index('id="plan"') : page.index('id="indicators"')]
    assert "<li data-code" not in section and 'id="plan-reason"' not in section


def test_the_api_function_gives_the_plan_the_page_shows(period, published):
    parsed, values = engine_inputs(published.framework)
    plan = engine.plan(parsed, values, "14758", "value:0.9")
    data = analysis.plan_for_unit(period, "commune", "14758", "value:0.9")
    assert [s["code"] for s in data["steps"]] == [s.code for s in plan.steps]
    assert data["points_now"] == pytest.approx(plan.points_now)
    assert analysis.plan_for_unit(period, "commune", "99999") is None


def test_the_rankings_page_shows_each_units_rank_interval_as_the_engine_computes_it(
    client, period, published
):
    parsed, values = engine_inputs(published.framework)
    seed = int(published.values_sha256[:8], 16)
    expected = engine.rank_uncertainty(parsed, values, runs=200, seed=seed, points_noise=0.2)
    page = client.get(reverse("results:ranking", args=[period.pk, "commune"])).content.decode()
    assert 'id="interval-chart"' in page and 'id="interval-data"' in page
    cells = re.findall(r'<td class="num interval[^"]*" data-key="([^"]*)">([^<]*)<', page)
    records = {r["unit"]: r for r in expected.to_records()}
    # Rows are best first: Hạc Thành, then Hàm Rồng.
    for (key, text), code in zip(cells, ["14797", "14758"], strict=True):
        record = records[code]
        assert float(key) == pytest.approx(record["median_rank"])
        low, high = show_number(record["p05"], 0), show_number(record["p95"], 0)
        assert text.strip() == f"{low}–{high}"
    chances = re.findall(r'<td class="num chance[^"]*" data-key="([^"]*)">', page)
    assert [float(c) for c in chances] == [records[c]["p_recognized"] for c in ["14797", "14758"]]


def test_the_uncertainty_is_seeded_by_the_snapshot_and_computed_once(period, published):
    first = analysis.uncertainty_for_snapshot(published)
    assert first["seed"] == int(published.values_sha256[:8], 16) and first["runs"] == 200
    assert analysis.uncertainty_for_snapshot(published) == first


def test_the_audit_page_is_for_reviewers_only(client, login, period, published, lan, hoa, tuan):
    url = reverse("results:audit", args=[period.pk, "commune"])
    assert client.get(url).status_code == 404
    assert login(lan).get(url).status_code == 404
    for person in (hoa, tuan):
        page = login(person).get(url)
        assert page.status_code == 200
        assert 'id="coverage"' in page.content.decode()
    guessed = reverse("results:audit", args=[period.pk + 999, "commune"])
    assert login(hoa).get(guessed).status_code == 404
    assert login(hoa).get(reverse("results:audit", args=[period.pk, "nowhere"])).status_code == 404


def test_the_audit_page_shows_the_engines_coverage_and_correlations(login, period, published, hoa):
    parsed, values = engine_inputs(published.framework)
    results = engine.score(parsed, values)
    summaries = {s.code: s for s in engine.summarise(results)}
    audit = analysis.audit_for_period(period, "commune")
    for row in audit["indicators"]:
        assert row["reported"] == summaries[row["code"]].reported
        assert row["median"] == pytest.approx(summaries[row["code"]].median)
    page = login(hoa).get(reverse("results:audit", args=[period.pk, "commune"])).content.decode()
    assert "CQS.1" in page and 'id="correlations"' in page


def six_wards_and_ham_rong_at_99(period, framework, submission, lan) -> None:
    """Six other wards report 40 to 45 % adults with a digital signature; Hàm Rồng 99 %."""
    import datetime as dt

    from chiso.assessments.models import Submission, Value
    from chiso.units.models import Unit
    from tests.people import fill, submit

    province = Unit.objects.get(code="38")
    for index in range(6):
        ward = Unit.objects.create(
            code=f"9990{index}",
            name=f"Phường Thử {index}",
            level="commune",
            kind="phuong",
            parent=province,
            province_code="38",
            valid_from=dt.date(2025, 7, 1),
        )
        other = Submission.objects.create(period=period, unit=ward, framework=framework)
        Value.objects.create(submission=other, code="XHS.1", self_value=40 + index)
    submit(fill(submission, lan, **{**WEAK_FIGURES, "XHS.1": 99}), lan)


def test_chi_hoa_sees_lans_implausible_signatures_flagged_unusual_on_the_review_page(
    login, period, framework, submission, lan, hoa
):
    six_wards_and_ham_rong_at_99(period, framework, submission, lan)
    flagged = analysis.outliers_of(period, "commune", "14758")
    assert set(flagged) == {"XHS.1"} and flagged["XHS.1"]["kind"] == "peers"

    page = login(hoa).get(reverse("review-detail", args=[submission.pk])).content.decode()
    row = page[page.index('id="i-XHS.1"') :]
    row = row[: row.index("</tr>")]
    assert "bất thường" in row and "so với các đơn vị cùng loại" in row
    other_row = page[page.index('id="i-CQS.2"') :]
    assert "bất thường" not in other_row[: other_row.index("</tr>")]
    # The flag says how it was found: its z, the median it is compared with, the scale.
    assert "z = 18,9" in row
    hoa_in_english = login(hoa)
    hoa_in_english.cookies["django_language"] = "en"
    page = hoa_in_english.get(reverse("review-detail", args=[submission.pk])).content.decode()
    row = page[page.index('id="i-XHS.1"') :]
    assert "z = 18.9 (median 43, scale 1.4826 × MAD = 2.97)" in row[: row.index("</tr>")]
    # Chị Lan herself is not shown the audit's flags: the review page is not hers to see,
    # and her entry page does not carry them.
    assert login(lan).get(reverse("review-detail", args=[submission.pk])).status_code == 404
    entry = login(lan).get(reverse("entry", args=[submission.pk]))
    assert entry.status_code == 200 and "bất thường" not in entry.content.decode()


def test_each_unusual_figure_of_the_audit_links_to_the_units_review_page(
    login, period, framework, submission, lan, hoa
):
    six_wards_and_ham_rong_at_99(period, framework, submission, lan)
    url = reverse("results:audit", args=[period.pk, "commune"])
    client = login(hoa)
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    section = page[page.index('id="outliers"') : page.index('id="coverage"')]
    rows = re.findall(r'<tr class="outlier">(.*?)</tr>', section, flags=re.S)
    assert len(rows) == 1
    review = reverse("review-detail", args=[submission.pk])
    assert f'href="{review}#i-XHS.1"' in rows[0] and "Phường Hàm Rồng" in rows[0]
    assert "median 43, scale 1.4826 × MAD = 2.97" in rows[0]


def test_ham_rongs_trend_before_the_reform_is_derived_from_the_communes_it_was_formed_from(
    client, period, framework, published, hoang_quy, tuan
):
    """2024: Xã Hoằng Quý and Xã Thử Cũ (both merged into Hàm Rồng in 2025) were assessed;
    Hàm Rồng's 2024 point is the plain mean of their figures, scored, marked "suy ra"."""
    from chiso.units.models import Lineage, Unit

    earlier, old_two = approved_2024(framework, hoang_quy, year=period.year - 2)
    old_figures = OLD_FIGURES
    services.publish(earlier, "commune", tuan)
    ham_rong = Unit.objects.get(code="14758")
    for old in (hoang_quy, old_two):
        Lineage.objects.create(new=ham_rong, old=old, whole=True)

    parsed = framework.engine()
    mean = {code: (old_figures["15916"][code] + old_figures["99911"][code]) / 2 for code in
            old_figures["15916"]}  # fmt: skip
    # The mean of a yes and a no is 0.5: built as a matrix, as the engine derives it.
    row = [[mean.get(code, float("nan")) for code in parsed.input_codes]]
    expected = engine.score(parsed, engine.Values(["14758"], parsed.input_codes, np.array(row)))

    # The card reads the history its snapshot recorded: a correction records it.
    corrected = services.publish(period, "commune", tuan, reason="Hàm Rồng's predecessors recorded")
    history = corrected.rows.get(code="14758").history
    assert [p["derived"] for p in history] == [True, False]
    assert history[0]["value"] == pytest.approx(float(expected.value[0]))
    page = card(client, period)
    trend = page[page.index('id="trend"') : page.index('id="indicators"')]
    assert 'class="derived"' in trend and "suy ra" in trend and 'id="derived-note"' in trend
    # The printed card marks it too, and says out of how many each rank is.
    assert history[0]["units_ranked"] == 1  # ranked in place of its two predecessors, alone
    from chiso.results.models import UnitRow

    assessed = UnitRow.objects.filter(
        snapshot__period=period, snapshot__version=2, assessed=True
    ).count()
    printed = client.get(reverse("results:report_pdf", args=[period.pk, "commune", "14758"]))
    from tests.results.test_pdf import text_of

    whole = " ".join(" ".join(text_of(printed.content)).split())
    assert "suy ra từ các đơn vị trước sáp nhập" in whole
    assert f"{history[0]['rank']}/1" in whole
    assert f"{history[1]['rank']}/{assessed}" in whole
