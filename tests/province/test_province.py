"""The province view: Thanh Hóa's DTI over the years, entered or imported, and its own estimate."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chiso.assessments.models import Action, AuditEntry
from chiso.leadership.models import DtiYear


def test_the_2020_to_2024_history_of_domain_md_ships_with_the_database(db):
    rows = {d.year: d for d in DtiYear.objects.all()}
    assert [(y, rows[y].rank, rows[y].of) for y in sorted(rows)] == [
        (2020, 15, 63),
        (2021, 12, 63),
        (2022, 15, 63),
        (2023, 11, 63),
        (2024, 5, 34),
    ]
    assert (rows[2021].value, rows[2021].rank_cqs, rows[2021].rank_kts) == (0.488, 12, 22)
    assert (rows[2023].value, rows[2023].rank_cqs, rows[2023].rank_xhs) == (0.7314, 9, 8)


def test_a_leader_reads_the_history_with_vietnamese_numbers_and_the_goal(login, mai, db):
    from chiso.core import demo

    demo.create_targets()
    page = login(mai).get("/province/").content.decode()
    assert "0,7314" in page and "0,4880" in page
    assert "11/63" in page and "5/34" in page
    assert "Thanh Hóa trong top 10 DTI năm 2025" in page
    chart = login(mai).get("/province/data.json").json()
    assert chart["target_rank"] == 10
    # Projected through the ranks out of 34 only: 2024's.
    assert chart["target"]["projected"] == pytest.approx(5)


def test_the_admin_records_a_new_years_publication_and_it_is_audited(login, tuan, thanh_hoa):
    response = login(tuan).post(
        "/province/record/",
        {
            "year": "2025",
            "value": "0,8123",
            "rank": "4",
            "of": "34",
            "rank_cqs": "3",
            "note": "ước",
        },
    )
    assert response.status_code == 302
    row = DtiYear.objects.get(year=2025)
    assert (row.value, row.rank, row.of, row.rank_cqs, row.rank_kts) == (0.8123, 4, 34, 3, None)
    entry = AuditEntry.objects.get(code="DTI 2025")
    assert entry.actor == tuan and entry.action == Action.VALUE_SET
    assert entry.unit.code == "38" and entry.old == ""
    assert json.loads(entry.new)["value"] == 0.8123
    page = login(tuan).get("/province/").content.decode()
    assert "0,8123" in page and "4/34" in page


def test_correcting_a_year_keeps_the_old_figures_in_the_audit_trail(login, tuan, db):
    login(tuan).post(
        "/province/record/", {"year": "2024", "rank": "5", "of": "34", "value": "0,74"}
    )
    entry = AuditEntry.objects.get(code="DTI 2024")
    assert json.loads(entry.old)["value"] is None and json.loads(entry.new)["value"] == 0.74
    assert DtiYear.objects.filter(year=2024).count() == 1


def test_a_rank_outside_the_ranking_is_refused_with_its_field_named(login, tuan, db):
    response = login(tuan).post(
        "/province/record/", {"year": "2025", "rank": "40", "of": "34"}, follow=True
    )
    assert "rank" in response.content.decode()
    assert not DtiYear.objects.filter(year=2025).exists()
    assert not AuditEntry.objects.filter(code="DTI 2025").exists()


def test_a_leader_reads_but_cannot_record(login, mai, db):
    assert login(mai).post("/province/record/", {"year": "2025", "rank": "4"}).status_code == 403
    assert not DtiYear.objects.filter(year=2025).exists()


def test_the_admin_imports_years_from_a_csv_file(login, tuan, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "year,rank,of,value,rank_cqs,rank_kts,rank_xhs,note\n"
        "2025,4,34,0.8012,3,6,5,\n"
        "2026,3,34,,,,,\n"
    )
    upload = SimpleUploadedFile("dti.csv", text.encode(), content_type="text/csv")
    response = login(tuan).post("/province/import/", {"file": upload}, follow=True)
    assert "2 " in response.content.decode()
    assert DtiYear.objects.get(year=2025).value == 0.8012
    assert DtiYear.objects.get(year=2026).rank == 3
    actions = set(
        AuditEntry.objects.filter(code__in=["DTI 2025", "DTI 2026"]).values_list(
            "action", flat=True
        )
    )
    assert actions == {Action.VALUE_IMPORTED}


def test_a_csv_with_one_bad_line_imports_nothing_and_names_line_and_column(login, tuan, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "year,rank,value\n2025,4,0.80\n2026,ba,0.81\n"
    upload = SimpleUploadedFile("dti.csv", text.encode(), content_type="text/csv")
    response = login(tuan).post("/province/import/", {"file": upload}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["dti.csv, dòng 3, cột rank: 'ba' không phải là số"]
    assert not DtiYear.objects.filter(year__in=[2025, 2026]).exists()


def test_the_provinces_own_assessment_gives_its_estimated_dti_before_the_ministry(
    login, mai, thanh_hoa
):
    from chiso import engine
    from chiso.core import demo
    from chiso.units.models import Unit
    from tests.dashboard.conftest import assess, make_period

    period = make_period("Tự đánh giá DTI 2025", 2025, dt.date(2025, 7, 1), thanh_hoa, "province")
    province = Unit.objects.on(dt.date(2025, 7, 1)).get(level="province", code="38")
    assess(period, [province], thanh_hoa, salt="dti", status_of=lambda i: "submitted")
    parsed = thanh_hoa.engine()
    figures = demo.plausible_figures(parsed, "38", demo.readiness("38", province.kind), salt="dti")
    expected = engine.score(parsed, engine.Values.from_mapping(parsed, {"38": figures})).unit("38")
    data = login(mai).get("/province/data.json").json()["self_assessment"]
    assert data["value"] == pytest.approx(expected.value)
    assert data["final"] is False
    assert {i["code"] for i in data["indices"]} >= {"NTS", "TCS", "HTS", "NLS", "ATTTM"}
    page = login(mai).get("/province/").content.decode()
    assert f"{expected.value:.4f}".replace(".", ",") in page


@pytest.fixture
def tuan_in_english(login, tuan):
    """Anh Tuấn's client, reading pages in English."""
    from django.conf import settings

    client = login(tuan)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _posted_dti(client, content: bytes) -> list[str]:
    """The messages the province page shows after an import of `content`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("dti.csv", content, content_type="text/csv")
    response = client.post("/province/import/", {"file": upload}, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_a_dti_csv_saved_by_excel_on_vietnamese_windows_is_read(tuan_in_english):
    # Windows-1258 writes "Hồ" as "Ho" + a circumflex letter + a combining grave accent.
    content = "year,rank,of,note\n2025,4,34,Thanh Hóa\n".encode("cp1258")
    content += b"2026,3,34,Nguy\xean H\xf4\xcc\n"
    assert _posted_dti(tuan_in_english, content) == ["2 years imported from dti.csv."]
    notes = dict(DtiYear.objects.filter(year__gte=2025).values_list("year", "note"))
    assert notes == {2025: "Thanh Hóa", 2026: "Nguyên Hồ"}


def test_a_dti_csv_not_in_utf8_names_its_line_and_imports_nothing(tuan_in_english):
    client = tuan_in_english
    content = "year,rank,note\n2025,4,Hóa\n".encode() + "2026,3,Thanh Hóa\n".encode("cp1258")
    assert _posted_dti(client, content) == [
        "dti.csv, line 3: dti.csv is a text file in an encoding chiso does not recognise "
        "(not UTF-8): in Excel, save it as “CSV UTF-8”."
    ]
    assert not DtiYear.objects.filter(year__in=[2025, 2026]).exists()


def test_a_dti_csv_full_of_errors_shows_fifty_and_counts_the_rest(tuan_in_english):
    client = tuan_in_english
    content = b"year,rank\n" + b"2025,x\n" * 120
    shown = _posted_dti(client, content)
    assert len(shown) == 51
    assert shown[0] == "dti.csv, line 2, column rank: 'x' is not a number"
    assert shown[-1] == (
        "… and 70 more problems, not shown: correct these and upload the file again."
    )
    assert not DtiYear.objects.filter(year=2025).exists()


def test_a_dti_csv_over_the_size_limit_is_refused_unread(tuan_in_english, settings):
    settings.CHISO_MAX_UPLOAD_MB = 1
    client = tuan_in_english
    content = b"year,rank\n" + b"2025,4\n" * 200_000
    assert _posted_dti(client, content) == ["dti.csv is 1,3 MB; files up to 1 MB are accepted."]
    assert not DtiYear.objects.filter(year=2025).exists()


def test_a_dti_csv_with_semicolons_and_decimal_commas_is_read(tuan_in_english):
    content = "year;rank;of;value;note\r\n2025;4;34;0,8123;ước\r\n2026;;;;\r\n".encode()
    assert _posted_dti(tuan_in_english, content) == ["2 years imported from dti.csv."]
    row = DtiYear.objects.get(year=2025)
    assert (row.rank, row.of, row.value, row.note) == (4, 34, 0.8123, "ước")


def test_a_dti_csv_without_the_columns_says_which_columns_it_expects(tuan_in_english):
    content = "Năm,Xếp hạng,Điểm\n2025,4,0.81\n".encode()
    assert _posted_dti(tuan_in_english, content) == [
        "dti.csv: the first line must name the columns, year first, among "
        "year, published, rank, of, value, rank_cqs, rank_kts, rank_xhs, note (separated by "
        "commas or "
        "semicolons); this one reads “Năm,Xếp hạng,Điểm”."
    ]
