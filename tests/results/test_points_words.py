"""Points are written one way on every page (chiso.lib.numbers.points: whole, or two
decimals) and with the right word: "1 point", "2 points", "26.67 points" in English,
"điểm" in Vietnamese. Here the web portal (CQS.2) is worth a single point."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from chiso.lib import numbers
from chiso.results import services
from tests.results.conftest import HAC_THANH_FIGURES, HAM_RONG_FIGURES, approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini_framework_text(mini_framework_text):
    # The portal worth 1 point (81 in all) and the signatures scored in steps.
    one_point = mini_framework_text.replace("points: 20\n", "points: 1\n")
    return one_point.replace(
        "score: {method: threshold, at_least: 30}",
        "score: {method: steps, steps: [[10, 0.5], [30, 1]]}",
    )


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
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_word_follows_the_number_in_english_and_is_always_diem_in_vietnamese():
    from django.utils import translation

    with translation.override("en"):
        written = [numbers.points_words(x) for x in (1, 2, 0.5, 26.666, 1.004, 0)]
    assert written == [
        "1 point",
        "2 points",
        "0.50 points",
        "26.67 points",
        "1 point",
        "0 points",
    ]
    with translation.override("vi"):
        assert [numbers.points_words(x) for x in (1, 26.666)] == ["1 điểm", "26,67 điểm"]


def test_the_report_card_says_1_point_still_to_earn(client, published):
    card = reverse("results:card", args=[published.pk, "commune", "14797"])
    # Hạc Thành has no portal: its one point is still to earn.
    english = read(client, card, "en")
    fix_first = english[english.index('id="fix-first"') :]
    assert "Has a web portal · 1 point still to earn" in fix_first
    assert "13.33 / 40" in english  # its dossiers: two decimals, like every points figure
    assert "1 points" not in english
    vietnamese = read(client, card, "vi")
    assert "Có cổng thông tin điện tử · còn 1 điểm có thể đạt" in vietnamese
    assert " point" not in vietnamese


def test_the_plan_gives_each_step_its_points_with_their_word(client, published):
    card = reverse("results:card", args=[published.pk, "commune", "14797"])
    english = read(client, card + "?goal=recognition", "en")
    plan = english[english.index('id="plan"') : english.index('id="indicators"')]
    gains = re.findall(r'class="plan-points">\+([^<]+)<', plan)
    assert gains and all(re.fullmatch(r"\d+(\.\d\d)? points?", g) for g in gains), gains
    assert re.search(r"Change \d+ indicators? to gain \d+(\.\d\d)? points?:", plan)
    vietnamese = read(client, card + "?goal=recognition", "vi")
    plan = vietnamese[vietnamese.index('id="plan"') : vietnamese.index('id="indicators"')]
    assert re.search(r"Thay đổi \d+ chỉ tiêu để được thêm \d+(,\d\d)? điểm:", plan)
    assert " point" not in plan


def test_the_framework_page_writes_its_points_like_the_report_card(client, period, framework):
    url = reverse("framework_detail", args=[framework.code, framework.version])
    english = read(client, url, "en")
    assert "81 points in all" in english
    assert "at least 60 points" in english
    # The signatures' steps: half of 40 points from 10 %, all of them from 30 %.
    assert "from 10%: 20 points; from 30%: 40 points" in english
    vietnamese = read(client, url, "vi")
    assert "tổng cộng 81 điểm" in vietnamese and "từ 60 điểm trở lên" in vietnamese
    assert "từ 10%: 20 điểm; từ 30%: 40 điểm" in vietnamese
    assert " points" not in vietnamese


def test_a_difference_of_one_point_is_singular_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert numbers.points_words(-1) == "-1 point"
        assert numbers.points_words(1) == "1 point"
        assert numbers.points_words(-2.5) == "-2.50 points"
