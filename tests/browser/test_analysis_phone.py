"""On a 360-pixel phone the public reads how sure the ranking is and a ward's path to
recognition, and a reviewer reads the period's statistical audit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chiso.results import services
from tests.browser.conftest import horizontal_overflow
from tests.results.conftest import HAC_THANH_FIGURES, HAM_RONG_FIGURES, approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(period, hac_thanh, lan, minh, hoa, tuan):
    for unit, officer, figures in (
        ("14758", lan, HAM_RONG_FIGURES),
        ("14797", minh, HAC_THANH_FIGURES),
    ):
        approve(period.submissions.get(unit__code=unit), officer, hoa, **figures)
    services.publish(period, "commune", tuan)
    return period


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_public_sees_the_rank_interval_column_and_chart_on_a_phone(phone, published):
    errors = watch(phone)
    phone.goto(reverse("results:ranking", args=[published.pk, "commune"]))
    assert horizontal_overflow(phone) == 0
    expect(phone.locator("#ranking th", has_text="Khoảng xếp hạng")).to_have_count(1)
    # Two units that never swap places: each rank interval is its rank alone.
    assert phone.locator("#ranking tbody tr td.interval").all_inner_texts()[0].startswith("1–1")
    expect(phone.locator("#interval-chart svg")).to_have_count(1)
    assert errors == []


def test_hac_thanh_reads_its_path_to_recognition_on_a_phone(phone, published):
    errors = watch(phone)
    phone.goto(reverse("results:card", args=[published.pk, "commune", "14797"]))
    assert horizontal_overflow(phone) == 0
    plan = phone.locator("#plan")
    expect(plan.locator("h2")).to_have_text("Lộ trình đạt chuẩn")
    # The mandatory signatures, and the online dossiers with the element to raise.
    expect(plan.locator("ol.plan > li[data-code='XHS.1']")).to_contain_text("→")
    expect(plan.locator("ol.plan > li[data-code='CQS.1'] li")).to_contain_text("hs_tt")
    assert errors == []


def test_hoa_reads_the_audit_on_a_phone(phone, log_in, published, hoa):
    errors = watch(phone)
    log_in(phone, hoa)
    phone.goto(reverse("results:audit", args=[published.pk, "commune"]))
    assert horizontal_overflow(phone) == 0
    expect(phone.locator("#coverage tbody tr")).to_have_count(3)
    assert errors == []


@pytest.fixture
def close(period, hac_thanh, lan, minh, hoa, tuan):
    """Two wards whose order depends on which pillar's points weigh more."""
    from tests.results.test_sensitivity_page import CQS_ONLY, XHS_ONLY

    for unit, officer, figures in (("14758", lan, CQS_ONLY), ("14797", minh, XHS_ONLY)):
        approve(period.submissions.get(unit__code=unit), officer, hoa, **figures)
    services.publish(period, "commune", tuan)
    return period


def test_the_public_reads_the_sensitivity_of_the_ranking_on_a_phone(phone, close):
    errors = watch(phone)
    phone.goto(reverse("results:ranking", args=[close.pk, "commune"]))
    phone.locator("#sensitivity-link").click()
    phone.wait_for_url("**/sensitivity/")
    expect(phone.locator("h1")).to_contain_text("Độ nhạy")
    expect(phone.locator("#sensitivity-table tbody tr")).to_have_count(2)
    # Two decimals with a comma, as everywhere on the pages.
    expect(phone.locator("#sensitivity-table tr[data-code='CQS'] td.total")).to_have_text(
        re.compile(r"^0,\d\d?$")
    )
    expect(phone.locator("#sensitivity-chart svg")).to_have_count(1)
    # A bar per pillar for the first-order series (and its legend's mark).
    assert phone.locator("#sensitivity-chart svg path[fill='#7aa6d6']").count() >= 2
    assert horizontal_overflow(phone) == 0
    assert errors == []


def test_lan_plans_to_a_rank_then_mistypes_a_value_on_a_phone(phone, published):
    errors = watch(phone)
    phone.goto(reverse("results:card", args=[published.pk, "commune", "14797"]))
    plan = phone.locator("#plan")
    plan.locator("#goal-kind").select_option("rank")
    plan.locator("#goal-target").fill("1")
    plan.locator("button[type=submit]").click()
    expect(plan.locator("h2")).to_have_text("Lộ trình đạt hạng 1")
    expect(plan.locator("ol.plan > li").first).to_contain_text("→")
    assert horizontal_overflow(phone) == 0
    plan = phone.locator("#plan")
    plan.locator("#goal-kind").select_option("value")
    plan.locator("#goal-target").fill("0,8x")
    plan.locator("button[type=submit]").click()
    expect(phone.locator("#goal-error")).to_contain_text("Không phải là số")
    expect(phone.locator("#goal-target")).to_have_value("0,8x")
    assert horizontal_overflow(phone) == 0
    assert errors == []
