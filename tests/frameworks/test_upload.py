"""Framework files: the upload page, the list, one framework's tree, its YAML file.

Anh Tuấn (province admin) uploads criteria files; Chị Lan (an officer) may read them
but not upload; a stored version never changes once a period uses it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override
from django.utils.translation import gettext as _

from chiso.assessments.services import store_framework
from chiso.frameworks.models import Framework
from tests.engine.builders import branch, framework_text, leaf

pytestmark = pytest.mark.django_db

BROKEN = """\
format: chiso-framework/1
code: broken-commune
title: {vi: "Bộ lỗi", en: "Broken"}
level: commune
year: 2026
tree:
  - code: A
    title: {vi: "Nhóm A", en: "Group A"}
    children:
      - code: A.1
        title: {vi: "Chỉ tiêu 1", en: "Indicator 1"}
        points: -5
        score: {method: linear, zero: 0, full: 90}
      - code: A.2
        title: {vi: "Chỉ tiêu 2", en: "Indicator 2"}
        points: 10
        score: {method: sideways}
"""


def upload(client, name: str, content: bytes, follow: bool = False):
    return client.post(
        reverse("framework_upload"), {"file": SimpleUploadedFile(name, content)}, follow=follow
    )


def test_anh_tuan_uploads_a_framework_and_lands_on_its_tree(
    client, login, tuan, mini_framework_text
):
    login(tuan)

    response = upload(client, "mini.yaml", mini_framework_text.encode(), follow=True)

    stored = Framework.objects.get(code="test-commune-mini")
    assert stored.version == 1
    assert stored.text == mini_framework_text
    assert stored.created_by == tuan
    assert response.redirect_chain[-1][0] == reverse(
        "framework_detail", args=["test-commune-mini", 1]
    )
    html = response.content.decode()
    assert (
        _("Stored as %(code)s version %(version)s.")
        % {
            "code": "test-commune-mini",
            "version": 1,
        }
        in html
    )
    assert stored.sha256 in html


def test_the_same_file_twice_returns_the_stored_version(client, login, tuan, mini_framework_text):
    login(tuan)

    upload(client, "mini.yaml", mini_framework_text.encode())
    response = upload(client, "mini-copy.yaml", mini_framework_text.encode(), follow=True)

    assert Framework.objects.count() == 1
    expected = _("This file is already stored as %(code)s version %(version)s.") % {
        "code": "test-commune-mini",
        "version": 1,
    }
    assert expected in response.content.decode()


def test_every_problem_is_listed_with_its_line_and_nothing_is_stored(client, login, tuan):
    login(tuan)

    response = upload(client, "broken.yaml", BROKEN.encode())

    assert response.status_code == 400
    assert not Framework.objects.exists()
    html = response.content.decode()
    problems = html.split('<ul class="problems">')[1].split("</ul>")[0].split("<li>")[1:]
    assert len(problems) == 2
    with override("vi"):
        line = gettext("line %(line)s")
    assert line != "line %(line)s"  # the Vietnamese page says "dòng", not "line"
    assert f"broken.yaml: {line % {'line': 12}}: A.1:" in problems[0] and "-5" in problems[0]
    assert f"broken.yaml: {line % {'line': 17}}: A.2:" in problems[1] and "sideways" in problems[1]


def test_a_file_that_is_not_yaml_is_refused_with_its_line(client, login, tuan):
    login(tuan)

    response = upload(client, "oops.yaml", b"format: chiso-framework/1\ncode: [unclosed\n")

    assert response.status_code == 400
    assert "oops.yaml:" in response.content.decode()
    assert not Framework.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(client, login, tuan, mini_framework_text):
    login(tuan)

    response = upload(client, "cp1258.yaml", mini_framework_text.encode("utf-16"))

    assert response.status_code == 400
    assert not Framework.objects.exists()


def test_officers_cannot_upload_and_the_public_is_sent_to_log_in(
    client, login, lan, mini_framework_text
):
    assert client.get(reverse("framework_upload")).status_code == 302
    login(lan)

    assert client.get(reverse("framework_upload")).status_code == 403
    assert upload(client, "mini.yaml", mini_framework_text.encode()).status_code == 403
    assert not Framework.objects.exists()


def test_the_list_shows_code_version_level_year_hash_and_use(client, login, hoa, framework, period):
    unused = store_framework(framework.text.replace("year: 2025", "year: 2026"))

    login(hoa)  # a draft is listed for reviewers and admins only
    html = client.get(reverse("framework_list")).content.decode()

    assert "test-commune-mini" in html
    assert framework.sha256[:12] in html and unused.sha256[:12] in html
    assert framework.sha256 not in html.replace(f'title="{framework.sha256}"', "")
    assert html.count(_("in use")) == 1
    assert _("not used") in html
    assert ">2025<" in html and ">2026<" in html


def test_the_detail_page_shows_the_tree(client, framework, period):
    html = client.get(reverse("framework_detail", args=[framework.code, 1])).content.decode()

    for code in ("CQS", "CQS.1", "CQS.2", "XHS", "XHS.1", "hs_tt", "hs_tong"):
        assert f"<code>{code}</code>" in html
    assert "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến" in html
    assert "100 * hs_tt / hs_tong" in html
    assert escape(_("Full points at %(x)s or more, otherwise none.") % {"x": "30%"}) in html
    assert html.count(f'<span class="tag mandatory">{_("mandatory")}</span>') == 2
    assert "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ" in html


def test_the_detail_page_speaks_english_on_request(client, framework, period):
    client.cookies["django_language"] = "en"

    html = client.get(reverse("framework_detail", args=[framework.code, 1])).content.decode()

    assert "Share of dossiers received online" in html


def test_the_exact_yaml_file_can_be_downloaded(client, login, tuan, mini_framework_text):
    # Windows line ends and a comment: the download must give back these very bytes.
    text = "# Bộ tiêu chí thử\r\n" + mini_framework_text.replace("\n", "\r\n")
    login(tuan)
    upload(client, "windows.yaml", text.encode())

    response = client.get(reverse("framework_yaml", args=["test-commune-mini", 1]))

    assert response.status_code == 200
    assert response.content == text.encode()
    assert response["Content-Disposition"] == 'attachment; filename="test-commune-mini-v1.yaml"'


def test_an_unknown_framework_is_a_404(client):
    assert client.get(reverse("framework_detail", args=["nothing", 1])).status_code == 404
    assert client.get(reverse("framework_yaml", args=["nothing", 1])).status_code == 404


def test_a_changed_file_becomes_version_2_and_v1_in_use_never_changes(
    framework, period, mini_framework_text
):
    changed = mini_framework_text.replace("min_points: 60", "min_points: 70")

    second = store_framework(changed)

    assert (second.code, second.version) == (framework.code, 2)
    framework.refresh_from_db()
    framework.text = changed
    framework.sha256 = second.sha256
    with pytest.raises(ValidationError):
        framework.save()
    framework.refresh_from_db()
    assert framework.text == mini_framework_text


@pytest.fixture
def tuan_staff(tuan):
    tuan.is_staff = True
    tuan.is_superuser = True
    tuan.save()
    return tuan


def test_in_the_admin_a_framework_in_use_is_read_only(client, login, tuan_staff, framework, period):
    login(tuan_staff)
    url = reverse("admin:frameworks_framework_change", args=[framework.pk])

    html = client.get(url).content.decode()
    client.post(url, {"text": "changed", "source": "upload"})

    assert 'name="text"' not in html
    framework.refresh_from_db()
    assert framework.text.startswith("format: chiso-framework/1")


def test_in_the_admin_a_new_file_is_checked_and_versioned(
    client, login, tuan_staff, framework, mini_framework_text
):
    login(tuan_staff)
    url = reverse("admin:frameworks_framework_add")

    refused = client.post(url, {"text": BROKEN, "source": "upload"})
    added = client.post(
        url,
        {
            "text": mini_framework_text.replace("min_points: 60", "min_points: 65"),
            "source": "upload",
        },
    )

    assert refused.status_code == 200 and "sideways" in refused.content.decode()
    assert added.status_code == 302
    newest = Framework.objects.get(code="test-commune-mini", version=2)
    assert newest.level == "commune" and newest.year == 2025
    assert newest.created_by == tuan_staff


def test_in_the_admin_an_unused_framework_may_still_be_corrected(
    client, login, tuan_staff, framework, mini_framework_text
):
    login(tuan_staff)
    corrected = mini_framework_text.replace("min_points: 60", "min_points: 55")

    client.post(
        reverse("admin:frameworks_framework_change", args=[framework.pk]),
        {"text": corrected, "source": "upload"},
    )

    framework.refresh_from_db()
    assert framework.text == corrected
    assert framework.version == 1


# -- hostile files and the engine's problems in Vietnamese (issue 7) ------------


def listed_problems(response) -> list[str]:
    html = response.content.decode()
    return html.split('<ul class="problems">')[1].split("</ul>")[0].split("<li>")[1:]


def test_anh_tuan_reads_the_engine_s_problems_in_vietnamese(client, login, tuan):
    login(tuan)

    problems = listed_problems(upload(client, "broken.yaml", BROKEN.encode()))

    with override("vi"):
        points = gettext("%(key)s must be %(minimum)s or more, not %(found)s.") % {
            "key": "points", "minimum": "0", "found": "-5",
        }  # fmt: skip
        method = gettext("%(key)s must be one of %(choices)s, not %(found)s.") % {
            "key": "method",
            "choices": "linear, threshold, steps, boolean, relative",
            "found": "&#x27;sideways&#x27;",
        }
    assert points != "points must be 0 or more, not -5."  # translated, not the engine's English
    assert points in problems[0]
    assert method in problems[1]
    assert "must be 0 or more" not in "".join(problems)


def test_a_file_of_yaml_aliases_is_refused_before_it_expands(
    client, login, tuan, mini_framework_text
):
    login(tuan)
    laughs = 'lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in "bcdefghi":
        laughs += f"{level}: &{level} [" + ", ".join([f"*{chr(ord(level) - 1)}"] * 8) + "]\n"
    text = mini_framework_text + laughs.replace("&a", "&a", 1)

    response = upload(client, "laughs.yaml", text.encode())

    assert response.status_code == 400
    assert not Framework.objects.exists()
    with override("vi"):
        refused = gettext(
            "YAML anchors and aliases (& and *) are not allowed: write the text out in full."
        )
    assert escape(refused) in response.content.decode()
    assert len(response.content) < 100_000


def test_a_nul_byte_gives_a_message_not_a_server_error(client, login, tuan, mini_framework_text):
    login(tuan)

    response = upload(
        client, "nul.yaml", mini_framework_text.replace("title", "ti\x00tle", 1).encode()
    )

    assert response.status_code == 400
    with override("vi"):
        refused = gettext(
            "The file contains a character that is not allowed in a text file (%(character)s)."
        ) % {"character": "U+0000"}
    assert escape(refused) in response.content.decode()


def test_a_year_of_a_hundred_thousand_digits_gives_a_message(
    client, login, tuan, mini_framework_text
):
    login(tuan)
    text = mini_framework_text.replace("year: 2025", "year: " + "9" * 100_000)
    assert text != mini_framework_text

    response = upload(client, "year.yaml", text.encode())

    assert response.status_code == 400
    with override("vi"):
        refused = gettext("The line is longer than %(limit)s characters.") % {"limit": 10000}
    assert escape(refused) in response.content.decode()


def test_framework_uploads_have_their_own_size_limit(
    client, login, tuan, settings, mini_framework_text
):
    settings.CHISO_MAX_FRAMEWORK_KB = 1
    login(tuan)
    text = mini_framework_text + "# " + "x" * 1100 + "\n"

    response = upload(client, "big.yaml", text.encode())

    assert response.status_code == 400
    assert not Framework.objects.exists()
    with override("vi"):
        refused = gettext("“%(name)s” is larger than %(limit)s KB.") % {
            "name": "big.yaml",
            "limit": 1,
        }
    assert escape(refused) in response.content.decode()
    settings.CHISO_MAX_FRAMEWORK_KB = 1024
    assert upload(client, "big.yaml", text.encode()).status_code == 302


PRACTICE = framework_text(
    branch(
        "KTS",
        leaf(
            "KTS.1",
            10,
            {"method": "relative", "better": "lower"},
            may_not_apply=True,
        ),
    ),
    code="department-practice",
    level="department",
    missing="exclude",
)


def test_the_detail_page_says_lower_is_better_missing_left_out_and_may_not_apply(
    client, login, tuan
):
    login(tuan)
    store_framework(PRACTICE, source="upload")

    html = client.get(reverse("framework_detail", args=["department-practice", 1])).content.decode()

    assert (
        escape(
            _(
                "Scored against the other units, lower is better: the lowest figure gets full "
                "points, the highest none."
            )
        )
        in html
    )
    # ({% translate %} does not escape.)
    assert _("left out: the indicator's points leave the unit's maxima") in html
    assert f'<span class="tag">{escape(_("may not apply"))}</span>' in html
