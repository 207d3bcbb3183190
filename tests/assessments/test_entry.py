"""The data-entry page of a (unit, period): /submissions/<id>/.

Chị Lan, officer of Phường Hàm Rồng, enters her ward's figures; Anh Minh, officer of
Phường Hạc Thành, must not even learn that her page exists; Chị Hoa (reviewer) and
Bà Mai (leader) read it; the public is sent to log in.
"""

from __future__ import annotations

import datetime as dt
import re

import markupsafe
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from chiso.assessments import services, workflow
from chiso.assessments.models import Action, AuditEntry, Comment, Status, Value
from chiso.results import scoring

pytestmark = pytest.mark.django_db

MINI_RULE_VI = "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ"


def page_of(response) -> str:
    return response.content.decode()


def entry_url(submission) -> str:
    return reverse("entry", args=[submission.pk])


def figures(submission) -> dict[str, float | None]:
    return dict(Value.objects.filter(submission=submission).values_list("code", "self_value"))


def form_data(submission, action: str = "save", **typed: str) -> dict[str, str]:
    """What the browser posts: every input of the framework, as typed."""
    data = {"expected_version": str(submission.version), "action": action}
    for code in submission.framework.engine().input_codes:
        data[f"v-{code}"] = typed.get(code.replace(".", "_"), "")
    return data


def test_chi_lan_saves_a_draft_and_sees_her_figures_again(client, login, lan, submission):
    login(lan)

    response = client.post(
        entry_url(submission),
        form_data(submission, hs_tt="1240", hs_tong="1302", CQS_2="1", XHS_1="45"),
    )

    assert response.status_code == 302
    assert response.url == entry_url(submission)
    assert figures(submission) == {"hs_tt": 1240, "hs_tong": 1302, "CQS.2": 1, "XHS.1": 45}
    again = client.get(response.url)
    html = page_of(again)
    assert _("Draft saved: %(count)s figures changed.") % {"count": 4} in html
    assert 'name="v-hs_tt" id="f-hs_tt" value="1240"' in html
    assert 'name="v-hs_tong" id="f-hs_tong" value="1302"' in html
    assert '<option value="1" selected>' in html
    submission.refresh_from_db()
    assert submission.version == 1
    assert submission.status == Status.DRAFT
    assert AuditEntry.objects.filter(submission=submission, action=Action.VALUE_SET).count() == 4


def test_a_vietnamese_decimal_comma_is_read_and_written_back_the_same_way(
    client, login, lan, submission
):
    login(lan)

    client.post(entry_url(submission), form_data(submission, XHS_1="98,7"))

    assert figures(submission)["XHS.1"] == pytest.approx(98.7)
    assert 'id="f-XHS.1" value="98,7"' in page_of(client.get(entry_url(submission)))


def test_the_page_shows_the_tree_the_points_and_how_each_indicator_is_scored(
    client, login, lan, submission
):
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    for code in ("CQS", "CQS.1", "CQS.2", "XHS", "XHS.1"):
        assert f'id="n-{code}"' in html
    assert "Chính quyền số" in html and "Xã hội số" in html
    # The formula's elements are entered under the indicator that uses them.
    assert html.index('id="in-hs_tt"') > html.index('id="n-CQS.1"')
    assert html.index('id="in-hs_tt"') < html.index('id="n-CQS.2"')
    assert 'inputmode="decimal"' in html
    assert 'select name="v-CQS.2"' in html
    assert _("mandatory") in html
    assert escape(_("Full points at %(x)s or more, otherwise none.") % {"x": "30%"}) in html
    assert 'id="entry-config" type="application/json"' in html
    assert "chiso/entry.js" in html
    assert " onclick=" not in html and " style=" not in html


def test_the_framework_s_help_and_evidence_texts_are_shown_when_present(
    client, login, lan, submission, mini_framework_text
):
    from chiso.assessments.services import store_framework

    text = mini_framework_text.replace(
        "        score: {method: boolean}\n",
        "        score: {method: boolean}\n"
        '        help: {vi: "Chọn Có khi cổng đang hoạt động", en: "Yes when the portal is live"}\n'
        '        evidence: {vi: "Ảnh chụp trang chủ của cổng", en: "A screenshot of the portal"}\n',
    )
    submission.framework = store_framework(text)
    submission.save()
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    assert "Chọn Có khi cổng đang hoạt động" in html
    assert "Ảnh chụp trang chủ của cổng" in html


def test_the_preview_endpoint_returns_her_value(client, login, lan, submission):
    login(lan)

    response = client.post(
        reverse("entry_preview", args=[submission.pk]),
        form_data(submission, hs_tt="45", hs_tong="100", CQS_2="có", XHS_1="31,5"),
    )

    assert response.status_code == 200
    payload = response.json()
    expected = scoring.preview(submission, {"hs_tt": 45, "hs_tong": 100, "CQS.2": 1, "XHS.1": 31.5})
    assert payload["value"] == f"{expected.value:.4f}".replace(".", ",")
    assert payload["points"] == "80"
    assert payload["nodes"]["CQS.1"] == {"earned": "20", "possible": "40", "raw": "45%"}
    assert payload["nodes"]["XHS.1"]["earned"] == "40"
    assert payload["errors"] == {}
    # A preview never saves anything.
    assert figures(submission) == {}


def test_the_preview_writes_points_as_the_report_card_does(client, login, lan, submission):
    # 369 of 800 dossiers online: 46,125 %, so 40 x 46,125 / 90 = 20,5 points.
    login(lan)
    response = client.post(
        reverse("entry_preview", args=[submission.pk]),
        form_data(submission, hs_tt="369", hs_tong="800", CQS_2="có", XHS_1="31,5"),
    )
    payload = response.json()
    assert payload["nodes"]["CQS.1"]["earned"] == "20,50"  # as on the card, not "20,5"
    assert payload["points"] == "80,50"
    assert payload["nodes"]["CQS.1"]["possible"] == "40"


def test_the_preview_reports_unreadable_figures_and_broken_rules(client, login, lan, submission):
    login(lan)

    payload = client.post(
        reverse("entry_preview", args=[submission.pk]),
        form_data(submission, hs_tt="200", hs_tong="100", XHS_1="abc"),
    ).json()

    assert list(payload["errors"]) == ["XHS.1"]
    assert MINI_RULE_VI not in str(payload["errors"])
    assert payload["rules"] == []  # rules are checked once every figure can be read


def test_the_page_opens_with_the_preview_of_the_saved_figures(client, login, lan, submission):
    services.save_values(
        submission, {"hs_tt": 90, "hs_tong": 100, "CQS.2": 1}, user=lan, expected_version=0
    )
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    assert '<span class="kpi" id="pv-value">0,6000</span>' in html
    assert '<span id="pv-points">60</span>' in html


def test_anh_minh_gets_404_on_lan_s_page_and_cannot_post_to_it(client, login, minh, submission):
    login(minh)
    url = entry_url(submission)

    assert client.get(url).status_code == 404
    assert client.post(url, form_data(submission, hs_tt="1")).status_code == 404
    assert client.post(reverse("entry_preview", args=[submission.pk]), {}).status_code == 404
    assert figures(submission) == {}


def test_a_guessed_submission_id_is_a_404_like_any_other(client, login, minh, submission):
    login(minh)

    assert client.get(reverse("entry", args=[submission.pk + 1000])).status_code == 404


def test_anh_minh_sees_his_own_ward(client, login, minh, period, hac_thanh):
    login(minh)
    his = period.submissions.get(unit=hac_thanh)

    response = client.get(entry_url(his))

    assert response.status_code == 200
    assert "Phường Hạc Thành" in page_of(response)


@pytest.mark.parametrize("person", ["hoa", "mai"])
def test_the_reviewer_and_the_leader_read_it_but_cannot_post_figures(
    client, login, lan, submission, person, request
):
    services.save_values(submission, {"hs_tt": 12}, user=lan, expected_version=0)
    reader = request.getfixturevalue(person)
    login(reader)

    response = client.get(entry_url(submission))
    html = page_of(response)

    assert response.status_code == 200
    assert 'id="entry-form"' not in html
    assert 'name="v-hs_tt"' not in html
    assert 'id="f-hs_tt">12</p>' in html
    assert escape(_("Read only: you may see this unit's figures but not change them.")) in html
    refused = client.post(entry_url(submission), form_data(submission, hs_tt="999"))
    assert refused.status_code == 403
    assert figures(submission) == {"hs_tt": 12}


def test_the_public_is_sent_to_log_in(client, submission):
    url = entry_url(submission)

    for response in (client.get(url), client.post(url, form_data(submission, hs_tt="1"))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert figures(submission) == {}


def test_a_broken_rule_shows_the_vietnamese_message_and_saves_nothing(
    client, login, lan, submission
):
    login(lan)

    response = client.post(
        entry_url(submission), form_data(submission, hs_tt="1500", hs_tong="1302", XHS_1="40")
    )
    html = page_of(response)

    assert response.status_code == 400
    assert MINI_RULE_VI in html
    # The message sits next to both fields of the rule, and the typed figures stay.
    assert html.count(MINI_RULE_VI) >= 3
    assert 'id="f-hs_tt" value="1500"' in html
    assert 'id="f-XHS.1" value="40"' in html
    assert figures(submission) == {}
    submission.refresh_from_db()
    assert submission.version == 0


def test_an_unreadable_figure_is_named_next_to_its_field_and_nothing_is_saved(
    client, login, lan, submission
):
    login(lan)

    response = client.post(
        entry_url(submission), form_data(submission, hs_tt="12,5", hs_tong="abc", XHS_1="40")
    )
    html = page_of(response)

    assert response.status_code == 400
    assert escape(_("“%(text)s” is not a number.") % {"text": "abc"}) in html
    assert escape(_("“%(text)s” is not a whole number.") % {"text": "12,5"}) in html
    assert figures(submission) == {}


def test_markup_typed_in_a_field_comes_back_as_text_with_its_message_beside_it(
    client, login, lan, submission
):
    login(lan)
    typed = '"><script>alert(1)</script>'

    html = page_of(client.post(entry_url(submission), form_data(submission, hs_tong=typed)))

    assert "<script>alert(1)" not in html
    field = html[html.index('id="in-hs_tong"') :]
    field = field[: field.index("</ul>")]
    # What she typed stays in her field and its message beside it, both as text.
    assert f'value="{markupsafe.escape(typed)}"' in field
    assert 'aria-invalid="true"' in field
    assert markupsafe.escape(_("“%(text)s” is not a number.") % {"text": typed}) in field


@pytest.mark.parametrize("typed", ["1.000", "12,500", "1.000.000"])
def test_a_whole_number_with_thousands_separators_is_refused_not_read_as_a_decimal(
    client, login, lan, submission, typed
):
    # "1.000" is one thousand to a Vietnamese officer; read as 1 it would be 1000 times off.
    login(lan)

    response = client.post(entry_url(submission), form_data(submission, hs_tt=typed))
    html = page_of(response)

    assert response.status_code == 400
    message = _("“%(text)s” is not a whole number (do not separate thousands).") % {"text": typed}
    assert escape(message) in html
    assert figures(submission) == {}


def test_a_stale_version_is_refused_and_nothing_she_typed_is_lost(
    client, login, lan, submission, ham_rong
):
    from tests.people import person as _person

    huong = _person("huong", "Chị Hương", "officer", ham_rong)
    login(lan)
    loaded = form_data(submission, hs_tt="1240", hs_tong="1302", XHS_1="45")
    # Chị Hương, the ward's other officer, saves while Chị Lan is still typing.
    services.save_values(submission, {"hs_tong": 1400}, user=huong, expected_version=0)

    response = client.post(entry_url(submission), loaded)
    html = page_of(response)

    assert response.status_code == 409
    assert "Chị Hương" in html
    assert 'id="f-hs_tt" value="1240"' in html
    assert 'id="f-hs_tong" value="1302"' in html
    assert _("Saved meanwhile by someone else") in html
    assert "<strong>1400</strong>" in html
    assert figures(submission) == {"hs_tong": 1400}
    # The form now carries the new version: saving again, knowingly, goes through.
    assert 'name="expected_version" value="1"' in html
    loaded["expected_version"] = "1"
    assert client.post(entry_url(submission), loaded).status_code == 302
    assert figures(submission)["hs_tong"] == 1302


def test_submitting_saves_the_figures_first_then_submits(client, login, lan, submission):
    login(lan)

    response = client.post(
        entry_url(submission),
        form_data(submission, "submit", hs_tt="90", hs_tong="100", CQS_2="1", XHS_1="40"),
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert figures(submission)["hs_tt"] == 90
    html = page_of(client.get(entry_url(submission)))
    assert _("Your figures were saved and submitted for review.") in html
    assert 'id="entry-form"' not in html
    assert f'<span class="badge submitted" id="status">{_("Submitted")}</span>' in html


def test_submitting_with_a_broken_rule_neither_saves_nor_submits(client, login, lan, submission):
    login(lan)

    response = client.post(
        entry_url(submission), form_data(submission, "submit", hs_tt="200", hs_tong="100")
    )

    assert response.status_code == 400
    assert MINI_RULE_VI in page_of(response)
    submission.refresh_from_db()
    assert submission.status == Status.DRAFT
    assert figures(submission) == {}


def test_entry_locks_after_the_close_date(client, login, lan, submission, period):
    period.closes_on = timezone.localdate() - dt.timedelta(days=1)
    period.save()
    login(lan)

    html = page_of(client.get(entry_url(submission)))
    saved = client.post(entry_url(submission), form_data(submission, hs_tt="5"))
    submitted = client.post(entry_url(submission), form_data(submission, "submit", hs_tt="5"))

    assert 'id="entry-form"' not in html
    assert 'id="lock"' in html
    assert period.closes_on.strftime("%d/%m/%Y") in html
    assert saved.status_code == 302 and submitted.status_code == 302
    assert figures(submission) == {}
    submission.refresh_from_db()
    assert submission.status == Status.DRAFT


def test_entry_is_locked_before_the_period_opens(client, login, lan, submission, period):
    period.opens_on = timezone.localdate() + dt.timedelta(days=1)
    period.closes_on = timezone.localdate() + dt.timedelta(days=30)
    period.save()
    login(lan)

    client.post(entry_url(submission), form_data(submission, hs_tt="5"))

    assert figures(submission) == {}


def test_a_returned_submission_shows_the_reviewer_s_comments_and_corrections(
    client, login, lan, hoa, submission
):
    services.save_values(submission, {"hs_tt": 90, "hs_tong": 100}, user=lan, expected_version=0)
    submission.refresh_from_db()
    sent = workflow.transition(submission, "submit", lan)
    services.verify_value(
        sent, "hs_tt", 80, user=hoa, reason="Theo báo cáo", expected_version=sent.version
    )
    Comment.objects.create(submission=submission, code="CQS.1", author=hoa, text="Bổ sung báo cáo")
    Comment.objects.create(submission=submission, code="", author=hoa, text="Nhìn chung tốt")
    Submission = type(submission)
    Submission.objects.filter(pk=submission.pk).update(status=Status.RETURNED)
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    assert "Bổ sung báo cáo" in html
    assert "Nhìn chung tốt" in html
    assert html.index("Bổ sung báo cáo") > html.index('id="n-CQS.1"')
    assert _("Verified") in html
    assert "<strong>80</strong>" in html
    assert "-10" in html
    # Returned: Chị Lan may edit again.
    assert 'id="entry-form"' in html


def test_the_top_of_a_returned_submission_links_to_each_commented_indicator(
    client, login, lan, hoa, submission
):
    Comment.objects.create(submission=submission, code="CQS.1", author=hoa, text="Bổ sung báo cáo")
    Comment.objects.create(submission=submission, code="hs_tong", author=hoa, text="Kiểm tra lại")
    type(submission).objects.filter(pk=submission.pk).update(status=Status.RETURNED)
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    # The comments sit next to their indicator far down the page; the top names them.
    top = html[html.index('id="comments"') : html.index('id="entry-form"')]
    assert _("Comments on these indicators and figures:") in top
    assert 'href="#n-CQS.1"' in top and "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến" in top
    assert 'href="#in-hs_tong"' in top and "Tổng số hồ sơ TTHC" in top
    assert 'id="in-hs_tong"' in html and 'id="n-CQS.1"' in html


def test_relative_indicators_are_explained(client, login, lan, submission, mini_framework_text):
    from chiso.assessments.services import store_framework

    text = mini_framework_text.replace(
        "score: {method: threshold, at_least: 30}", "score: {method: relative}"
    )
    submission.framework = store_framework(text)
    submission.save()
    login(lan)

    html = page_of(client.get(entry_url(submission)))

    assert 'id="relative-note"' in html
    assert _("relative") in html


def test_the_page_is_in_english_when_she_asks_for_it(client, login, lan, submission):
    login(lan)
    client.cookies["django_language"] = "en"

    html = page_of(client.get(entry_url(submission)))

    assert "Digital government" in html
    assert "Save draft" in html


def test_the_page_follows_her_language_from_one_request_to_the_next(client, login, lan, submission):
    # The page's layout is worked out once per framework version and language.
    login(lan)

    vietnamese = page_of(client.get(entry_url(submission)))
    client.cookies["django_language"] = "en"
    english = page_of(client.get(entry_url(submission)))
    client.cookies["django_language"] = "vi"
    again = page_of(client.get(entry_url(submission)))

    assert "Chính quyền số" in vietnamese and "Digital government" not in vietnamese
    assert "Digital government" in english and "Chính quyền số" not in english
    assert "Full points when the answer is Yes." in english
    assert "Full points when the answer is Yes." not in again
    assert without_tokens(again) == without_tokens(vietnamese)


def test_the_officer_and_the_reviewer_each_get_their_own_page_whoever_comes_first(
    client, login, lan, hoa, submission
):
    # The layout of the figures is kept per framework version, language and editable
    # or not: the reviewer's read-only page must not take the officer's form, nor the
    # other way round.
    services.save_values(submission, {"hs_tt": 12}, user=lan, expected_version=0)
    login(lan)
    first = page_of(client.get(entry_url(submission)))
    login(hoa)
    read = page_of(client.get(entry_url(submission)))
    login(lan)
    again = page_of(client.get(entry_url(submission)))

    assert 'name="v-hs_tt" id="f-hs_tt" value="12"' in first
    assert 'name="v-hs_tt"' not in read and 'id="f-hs_tt">12</p>' in read
    assert 'id="upload-form"' not in read
    assert without_tokens(again) == without_tokens(first)


def test_the_evidence_form_states_the_upload_limit_of_the_moment(
    client, login, lan, submission, settings
):
    login(lan)
    settings.CHISO_MAX_UPLOAD_MB = 20
    before = page_of(client.get(entry_url(submission)))
    settings.CHISO_MAX_UPLOAD_MB = 5
    after = page_of(client.get(entry_url(submission)))

    assert "tối đa 20 MB" in before
    assert "tối đa 5 MB" in after and "tối đa 20 MB" not in after


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (new on every request)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


OUT_OF_RANGE = "“%(text)s” is outside the allowed range (%(minimum)s to %(maximum)s)."


@pytest.mark.parametrize("typed", ["-10", "1e308", "99999999999999999999"])
def test_a_count_below_zero_or_absurdly_large_is_refused_next_to_its_field(
    client, login, lan, submission, typed
):
    # hs_tt counts dossiers (min: 0): -10 of them used to save and show a share of 200 %.
    login(lan)

    response = client.post(entry_url(submission), form_data(submission, hs_tt=typed, hs_tong="100"))
    html = page_of(response)

    assert response.status_code == 400
    message = _(OUT_OF_RANGE) % {"text": typed, "minimum": "0", "maximum": "9007199254740992"}
    assert message != OUT_OF_RANGE % {"text": typed, "minimum": "0", "maximum": "9007199254740992"}
    assert escape(message) in html
    assert figures(submission) == {}
