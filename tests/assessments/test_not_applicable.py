"""Indicators that do not apply to some units: the DX office decides, per period, in
bulk, audited; scoring, the entry page, Excel, publication and the report card follow.

In the mini framework here the web portal indicator (CQS.2, 20 points) may not apply.
Anh Tuấn (DX office) marks it as not applying to Phường Hạc Thành; Chị Lan (officer
of Hàm Rồng) and Chị Hoa (a reviewer) may not.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from chiso.assessments import imports, services, workflow
from chiso.assessments.models import Action, AuditEntry, NotApplicable
from chiso.pages import entry
from chiso.results import services as publishing
from chiso.results.scoring import Scored
from tests.conftest import FIXTURES
from tests.people import fill, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini_framework_text() -> str:
    text = (FIXTURES / "mini-commune.yaml").read_text(encoding="utf-8")
    return text.replace(
        "        points: 20\n        score: {method: boolean}",
        "        points: 20\n        may_not_apply: true\n        score: {method: boolean}",
    )


@pytest.fixture
def hac_thanh_sub(period, hac_thanh):
    return period.submissions.get(unit=hac_thanh)


@pytest.fixture
def both(period):
    return list(period.submissions.select_related("unit").order_by("unit__code"))


def test_anh_tuan_marks_the_portal_as_not_applying_to_hac_thanh_and_it_is_audited(
    tuan, both, hac_thanh_sub
):
    changed = services.mark_not_applicable(
        [hac_thanh_sub], "CQS.2", user=tuan, reason="Phường dùng cổng của tỉnh"
    )

    assert changed == 1
    assert list(NotApplicable.objects.values_list("submission__unit__code", "code")) == [
        ("14797", "CQS.2")
    ]
    entry = AuditEntry.objects.get(action=Action.NOT_APPLICABLE)
    assert (entry.actor, entry.submission, entry.code, entry.new, entry.reason) == (
        tuan,
        hac_thanh_sub,
        "CQS.2",
        "không áp dụng",
        "Phường dùng cổng của tỉnh",
    )
    # Marking both wards at once changes only the one not yet marked; then back again.
    assert services.mark_not_applicable(both, "CQS.2", user=tuan) == 1
    assert services.mark_not_applicable(both, "CQS.2", user=tuan, applies=True) == 2
    assert not NotApplicable.objects.exists()
    assert AuditEntry.objects.filter(action=Action.APPLIES_AGAIN).count() == 2


def test_an_officer_or_a_reviewer_cannot_mark_an_indicator_as_not_applying(
    client, login, lan, hoa, period, hac_thanh_sub, submission
):
    for person in (lan, hoa):
        with pytest.raises(services.ServiceError) as refused:
            services.mark_not_applicable([submission], "CQS.2", user=person)
        assert refused.value.code == services.ServiceError.FORBIDDEN
        login(person)
        url = reverse("not-applicable", args=[period.pk])
        response = client.post(url, {"code": "CQS.2", "unit": [submission.pk]})
        assert response.status_code == 403
    assert not NotApplicable.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.NOT_APPLICABLE).exists()


def test_only_an_indicator_that_may_not_apply_can_be_marked(tuan, hac_thanh_sub):
    with pytest.raises(services.ServiceError) as refused:
        services.mark_not_applicable([hac_thanh_sub], "XHS.1", user=tuan)
    assert refused.value.code == services.ServiceError.UNKNOWN_CODE
    assert not NotApplicable.objects.exists()


def test_anh_tuan_ticks_the_units_on_the_page_in_bulk(client, login, tuan, period, both):
    login(tuan)
    url = reverse("not-applicable", args=[period.pk])
    page = client.get(url).content.decode()
    assert "CQS.2" in page and "Phường Hạc Thành" in page

    response = client.post(url, {"code": "CQS.2", "unit": [s.pk for s in both], "reason": "x"})

    assert response.status_code == 302
    assert NotApplicable.objects.filter(code="CQS.2").count() == 2


def test_hac_thanh_s_value_leaves_the_portal_out_of_its_maximum_by_hand(
    tuan, minh, hoa, period, hac_thanh_sub
):
    approved = approve(hac_thanh_sub, minh, hoa)
    services.mark_not_applicable([approved], "CQS.2", user=tuan)

    unit = Scored(period, "commune").results.unit("14797")

    # By hand: CQS.1 = 300 / 1000 = 30 %, linear 0..90 -> 1/3 of 40 = 13.33 points;
    # XHS.1 20 % < 30 % -> 0. CQS.2 does not apply: the maximum is 100 - 20 = 80.
    # Value 13.33 / 80 = 0.1667, points "of 100" 16.67 (not 13.33 / 100 = 0.1333).
    assert unit.unit_max_points == 80
    assert unit.value == pytest.approx((40 / 3) / 80)
    assert unit.points == pytest.approx(100 * (40 / 3) / 80)
    assert unit.not_applicable == ("CQS.2",)


def approve(submission, officer, reviewer):
    submission = fill(submission, officer, **{"hs_tt": 300, "hs_tong": 1000, "XHS.1": 20})
    submission = submit(submission, officer)
    return workflow.transition(submission, "approve", reviewer)


def test_the_published_card_says_what_does_not_apply_and_the_unit_s_maximum(
    client, tuan, minh, hoa, period, hac_thanh_sub
):
    approved = approve(hac_thanh_sub, minh, hoa)
    services.mark_not_applicable([approved], "CQS.2", user=tuan)

    snapshot = publishing.publish(period, "commune", tuan)

    assert "14797,CQS.2,không áp dụng" in snapshot.values_csv.splitlines()
    card = client.get(reverse("results:card", args=[period.pk, "commune", "14797"]))
    html = card.content.decode()
    block = html[html.index('id="card-not-applicable"') :]
    block = block[: block.index("</div>")]
    assert "CQS.2" in block and "Có cổng thông tin điện tử" in block
    assert "80" in block  # the unit's maximum
    row = html[html.index('id="i-CQS.2"') :]
    assert 'class="muted not-applicable"' in row[: row.index("</tr>")]
    assert card.context["points"] == "16,67"


def test_the_entry_page_and_the_excel_template_say_it_does_not_apply(
    client, login, tuan, minh, period, hac_thanh_sub
):
    services.mark_not_applicable([hac_thanh_sub], "CQS.2", user=tuan)
    login(minh)

    page = client.get(reverse("entry", args=[hac_thanh_sub.pk])).content.decode()
    card = page[page.index('id="n-CQS.2"') :]
    card = card[: card.index("</article>")]
    assert 'class="tag not-applicable"' in card
    assert 'name="v-CQS.2"' not in card and "CQS.2" in card

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/submissions/{hac_thanh_sub.pk}/template.xlsx").content)
    )
    sheet = book["Số liệu"]
    codes = [cell.value for cell in sheet[2]]
    assert sheet.cell(row=3, column=codes.index("CQS.2") + 1).value == "không áp dụng"


def test_each_ward_s_page_follows_its_own_marks_from_one_request_to_the_next(
    client, login, tuan, hoa, period, submission, hac_thanh_sub
):
    # The pages' layouts are kept per set of marks: Hàm Rồng's must not take Hạc
    # Thành's, and Hạc Thành's must follow the mark once it is lifted.
    def portal_card(sub) -> str:
        page = client.get(reverse("entry", args=[sub.pk])).content.decode()
        card = page[page.index('id="n-CQS.2"') :]
        return card[: card.index("</article>")]

    services.mark_not_applicable([hac_thanh_sub], "CQS.2", user=tuan)
    login(hoa)

    assert 'class="tag not-applicable"' in portal_card(hac_thanh_sub)
    assert 'class="tag not-applicable"' not in portal_card(submission)
    assert 'class="tag not-applicable"' in portal_card(hac_thanh_sub)
    services.mark_not_applicable([hac_thanh_sub], "CQS.2", user=tuan, applies=True)
    assert 'class="tag not-applicable"' not in portal_card(hac_thanh_sub)


def test_the_layouts_kept_for_sets_of_marks_are_bounded(framework):
    # However many sets of marks the province's units have, a server process keeps the
    # layouts of the most recent few, not one per set.
    parsed = framework.engine()
    first = entry.entry_plan(parsed, {"CQS.2", "mark 0"})
    assert entry.entry_plan(parsed, {"CQS.2", "mark 0"}) is first
    for number in range(1, entry.MARKED_LAYOUTS + 1):
        latest = entry.entry_plan(parsed, {"CQS.2", f"mark {number}"})

    assert entry.entry_plan(parsed, {"CQS.2", f"mark {entry.MARKED_LAYOUTS}"}) is latest
    assert entry.entry_plan(parsed, {"CQS.2", "mark 0"}) is not first


def test_an_officer_cannot_mark_it_through_an_excel_file_either(
    client, login, lan, period, submission
):
    login(lan)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/submissions/{submission.pk}/template.xlsx").content)
    )
    sheet = book["Số liệu"]
    codes = [cell.value for cell in sheet[2]]
    sheet.cell(row=3, column=codes.index("CQS.2") + 1).value = "Không áp dụng"
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_values(buffer.getvalue(), "so-lieu.xlsx", user=lan, period=period)

    assert any("CQS.2" in issue.message for issue in refused.value.issues)
    assert not NotApplicable.objects.exists()


def test_the_api_gives_the_same_figures_as_the_card(client, tuan, minh, hoa, period, hac_thanh_sub):
    approved = approve(hac_thanh_sub, minh, hoa)
    services.mark_not_applicable([approved], "CQS.2", user=tuan)
    publishing.publish(period, "commune", tuan)

    data = client.get(f"/api/v1/results/{period.pk}/commune").json()

    row = next(item for item in data["items"] if item["unit"]["code"] == "14797")
    assert row["not_applicable"] == ["CQS.2"]
    assert row["unit_max_points"] == 80
    assert row["points"] == pytest.approx(100 * (40 / 3) / 80)
    portal = next(item for item in row["indicators"] if item["code"] == "CQS.2")
    assert portal["applies"] is False and portal["score"] is None
