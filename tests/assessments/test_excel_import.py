"""Uploading a filled template: all figures saved, or none and every problem listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from chiso.assessments.models import Action, AuditEntry, Provenance, Status, Value
from chiso.assessments.services import edit_state_refusal as gate_refusal
from tests.assessments import excel_support as support
from tests.assessments.excel_support import counts, figures, fill, issues, save, upload, workbook


def refusal_in_english(submission) -> str:
    """What the gate says when a submission's figures cannot change now."""
    with translation.override("en"):
        return gate_refusal(submission)


# Fixtures shared by the Excel and CSV import tests.
dung = support.dung
in_english = support.in_english
lans_template = support.lans_template
lan_imports = support.lan_imports


def test_lan_fills_the_template_and_sees_her_figures(
    lans_template, lan_imports, submission, login, lan
):
    filled = fill(lans_template, {"C3": 1240, "D3": 1302, "E3": "Có", "F3": "98,7"})
    response = lan_imports(filled)

    assert response.status_code == 200
    page = response.content.decode()
    assert "4 figures changed in 1 unit." in page
    assert figures(submission) == {"hs_tt": 1240, "hs_tong": 1302, "CQS.2": 1.0, "XHS.1": 98.7}
    assert set(Value.objects.values_list("provenance", flat=True)) == {Provenance.SELF_REPORTED}
    entries = AuditEntry.objects.filter(submission=submission, action=Action.VALUE_SET)
    assert entries.count() == 4
    assert entries.get(code="XHS.1").new == "98.7"
    assert all("so-lieu.xlsx" in entry.reason for entry in entries)
    submission.refresh_from_db()
    assert submission.version == 1
    # The figures are what the next template shows.
    again = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)
    assert [cell.value for cell in again["Số liệu"][3]][2:] == [1240, 1302, "Có", 98.7]


def test_an_untouched_template_changes_nothing(lans_template, lan_imports, submission):
    lan_imports(fill(lans_template, {"C3": 10, "D3": 20}))
    before = counts()
    again = lan_imports(fill(lans_template, {"C3": 10, "D3": 20}))
    assert "0 figures changed in 1 unit." in again.content.decode()
    assert counts() == before


def test_an_emptied_cell_clears_the_figure(lans_template, lan_imports, submission):
    lan_imports(fill(lans_template, {"C3": 10, "D3": 20, "F3": 40}))
    lan_imports(fill(lans_template, {"C3": 10, "D3": 20, "F3": None}))
    assert figures(submission)["XHS.1"] is None
    assert AuditEntry.objects.filter(code="XHS.1").order_by("-id").first().old == "40"


def test_text_in_a_number_cell_names_sheet_row_and_column(lans_template, lan_imports):
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": 10, "D3": 20, "F3": "abc"}))

    assert response.status_code == 400
    assert issues(response) == ["Sheet Số liệu, row 3, column F (XHS.1): “abc” is not a number."]
    assert counts() == before


def test_every_bad_cell_is_listed_and_nothing_is_saved(lans_template, lan_imports):
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": "12,5", "D3": 20, "E3": "maybe", "F3": 7}))
    assert issues(response) == [
        "Sheet Số liệu, row 3, column C (hs_tt): “12,5” is not a whole number.",
        "Sheet Số liệu, row 3, column E (CQS.2): “maybe” is not a yes/no answer (Có/Không).",
    ]
    assert "Nothing was imported" in response.content.decode()
    assert counts() == before


def test_the_admins_file_names_the_row_of_the_second_unit(login, tuan, period, in_english):
    client = login(tuan, in_english)
    content = client.get(f"/periods/{period.pk}/template.xlsx?level=commune").content
    response = upload(client, f"/periods/{period.pk}/import", fill(content, {"C4": -3.5}))
    assert issues(response) == [
        "Sheet Số liệu, row 4, column C (hs_tt): “-3.5” is not a whole number."
    ]


def test_a_broken_validation_rule_is_reported_with_the_row(lans_template, lan_imports):
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": 1500, "D3": 1302}))
    assert issues(response) == [
        "Sheet Số liệu, row 3: unit 14758 (Phường Hàm Rồng): Online dossiers cannot exceed "
        "all dossiers (hs_tt = 1500, hs_tong = 1302)"
    ]
    assert counts() == before


def test_a_workbook_without_the_figures_sheet_is_refused(lans_template, lan_imports):
    book = workbook(lans_template)
    book["Số liệu"].title = "Sheet1"
    response = lan_imports(save(book))
    assert response.status_code == 400
    assert issues(response) == [
        "The workbook has no sheet “Số liệu” (its sheets: Sheet1, Hướng dẫn). Download the "
        "template again and enter the figures in the sheet “Số liệu”."
    ]


def test_an_unknown_code_column_is_named(lans_template, lan_imports):
    response = lan_imports(fill(lans_template, {"G2": "XHS.9", "G3": 4}))
    assert issues(response) == [
        "Sheet Số liệu, row 2, column G: “XHS.9” is not a code of the framework test-commune-mini."
    ]


def test_a_computed_indicator_column_is_refused(lans_template, lan_imports):
    response = lan_imports(fill(lans_template, {"G2": "CQS.1"}))
    assert issues(response) == [
        "Sheet Số liệu, row 2, column G (CQS.1): CQS.1 is computed by the framework from its "
        "elements: remove this column."
    ]


def test_a_missing_code_column_is_named(lans_template, lan_imports):
    book = workbook(lans_template)
    book["Số liệu"].protection.sheet = False
    book["Số liệu"].delete_cols(5)
    response = lan_imports(save(book))
    assert issues(response) == [
        "Sheet Số liệu, row 2: The column for CQS.2 (Has a web portal) is missing."
    ]


def test_a_header_without_unit_code_is_refused(lans_template, lan_imports):
    response = lan_imports(fill(lans_template, {"A2": "Đơn vị hành chính"}))
    assert issues(response) == [
        "Sheet Số liệu: No header row: column A of the header row must read “Mã đơn vị” "
        "(unit code), followed by “Tên đơn vị” and the codes."
    ]


def test_a_unit_twice_is_refused(lans_template, lan_imports):
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": 1, "D3": 2, "A4": "14758", "C4": 3}))
    assert issues(response) == [
        "Sheet Số liệu, row 4, column A: Unit 14758 appears twice (also row 3)."
    ]
    assert counts() == before


def test_a_unit_of_another_page_is_refused(lans_template, lan_imports):
    response = lan_imports(fill(lans_template, {"A3": "14797"}))
    assert issues(response) == [
        "Sheet Số liệu, row 3, column A: Unit 14797 is not the unit of this page "
        "(14758 Phường Hàm Rồng)."
    ]


def test_lan_cannot_import_for_minhs_ward_from_the_period_page(login, lan, period, in_english):
    client = login(lan, in_english)
    content = client.get(f"/periods/{period.pk}/template.xlsx").content
    before = counts()
    response = upload(
        client,
        f"/periods/{period.pk}/import",
        fill(content, {"A4": "14797", "C4": 5, "A5": "99999", "C5": 1}),
    )
    # Minh's ward and a ward that does not exist read the same: nothing to probe.
    assert issues(response) == [
        "Sheet Số liệu, row 4, column A: Unit 14797 is not assessed in this period, or is not "
        "one of yours.",
        "Sheet Số liệu, row 5, column A: Unit 99999 is not assessed in this period, or is not "
        "one of yours.",
    ]
    assert counts() == before


def test_a_unit_the_person_sees_but_does_not_report_for_is_refused(login, dung, period, in_english):
    client = login(dung, in_english)
    content = client.get(f"/periods/{period.pk}/template.xlsx?level=commune").content
    response = upload(client, f"/periods/{period.pk}/import", fill(content, {"C3": 1, "C4": 2}))
    assert issues(response) == [
        "Sheet Số liệu, row 4, column A: You may not import figures for unit 14797 "
        "(Phường Hạc Thành)."
    ]


def test_the_admin_imports_for_every_commune(login, tuan, period, in_english):
    client = login(tuan, in_english)
    content = client.get(f"/periods/{period.pk}/template.xlsx?level=commune").content
    response = upload(
        client,
        f"/periods/{period.pk}/import",
        fill(content, {"C3": 1, "D3": 2, "C4": 3, "D4": 4, "E4": "không"}),
    )
    assert response.status_code == 200
    assert "5 figures changed in 2 units." in response.content.decode()
    assert Value.objects.get(submission__unit__code="14797", code="CQS.2").self_value == 0.0
    assert AuditEntry.objects.filter(actor=tuan, action=Action.VALUE_SET).count() == 5


def test_a_submitted_submission_is_not_changed(lans_template, lan_imports, submission):
    submission.status = Status.SUBMITTED
    submission.save()
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": 1}))
    # The gate's own refusal, at the unit's cell.
    assert issues(response) == [
        f"Sheet Số liệu, row 3, column A: unit 14758 (Phường Hàm Rồng): "
        f"{refusal_in_english(submission)}"
    ]
    assert "“Submitted”" in refusal_in_english(submission)
    assert counts() == before


def test_an_approved_submission_is_not_changed_by_the_admin(login, tuan, period, in_english):
    period.submissions.filter(unit__code="14797").update(status=Status.APPROVED)
    client = login(tuan, in_english)
    content = client.get(f"/periods/{period.pk}/template.xlsx?level=commune").content
    response = upload(client, f"/periods/{period.pk}/import", fill(content, {"C3": 1, "C4": 2}))
    approved = period.submissions.get(unit__code="14797")
    assert issues(response) == [
        f"Sheet Số liệu, row 4, column A: unit 14797 (Phường Hạc Thành): "
        f"{refusal_in_english(approved)}"
    ]
    # Row 3 was fine, but nothing is written unless the whole file is.
    assert not Value.objects.exists()


def test_a_closed_period_refuses_the_file(lans_template, lan_imports, period, submission):
    today = timezone.localdate()
    period.opens_on = today - dt.timedelta(days=30)
    period.closes_on = today - dt.timedelta(days=1)
    period.save()
    before = counts()
    response = lan_imports(fill(lans_template, {"C3": 1}))
    submission.refresh_from_db()
    refusal = refusal_in_english(submission)
    assert issues(response) == [
        f"Sheet Số liệu, row 3, column A: unit 14758 (Phường Hàm Rồng): {refusal}"
    ]
    assert refusal.startswith("Entry closed on")
    assert counts() == before


@override_settings(CHISO_MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_refused(lan_imports):
    response = lan_imports(b"x" * (1024 * 1024 + 200_000), "lon.xlsx")
    assert issues(response) == ["lon.xlsx is 1,2 MB; files up to 1 MB are accepted."]


def test_a_pdf_renamed_xlsx_is_refused(lan_imports):
    response = lan_imports(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "so-lieu.xlsx")
    assert issues(response) == [
        "so-lieu.xlsx is a PDF file (application/pdf), not an Excel workbook (.xlsx) or a CSV file."
    ]


def test_a_text_file_renamed_xlsx_is_refused(lan_imports):
    response = lan_imports("Số liệu của phường\n".encode(), "so-lieu.xlsx")
    assert issues(response) == [
        "so-lieu.xlsx is a text file, not an Excel workbook (.xlsx) or a CSV file."
    ]


def test_a_word_document_is_refused(lan_imports):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    response = lan_imports(buffer.getvalue(), "so-lieu.xlsx")
    assert issues(response) == [
        "so-lieu.xlsx is a ZIP archive or another document, not an Excel workbook (.xlsx) or a "
        "CSV file."
    ]


def test_an_empty_file_is_refused(lan_imports):
    response = lan_imports(b"", "trong.xlsx")
    assert issues(response) == ["The file trong.xlsx is empty."]


def test_a_template_without_any_unit_row_is_refused(lans_template, lan_imports):
    response = lan_imports(fill(lans_template, {"A3": None, "B3": None}))
    assert issues(response) == [
        "Sheet Số liệu, row 2: The file has no figures: no row names a unit."
    ]


def test_minh_cannot_import_into_lans_submission(login, minh, submission, lans_template):
    client = login(minh)
    assert client.get(f"/submissions/{submission.pk}/import").status_code == 404
    before = counts()
    response = upload(client, f"/submissions/{submission.pk}/import", lans_template)
    assert response.status_code == 404
    assert counts() == before


def test_hoa_reviews_but_does_not_import(login, hoa, submission, period, lans_template):
    client = login(hoa)
    assert client.get(f"/submissions/{submission.pk}/import").status_code == 403
    assert upload(client, f"/submissions/{submission.pk}/import", lans_template).status_code == 403
    assert client.get(f"/periods/{period.pk}/import").status_code == 403


def test_mai_the_leader_reads_but_does_not_import(login, mai, period):
    assert login(mai).get(f"/periods/{period.pk}/import").status_code == 403
    assert login(mai).get(f"/periods/{period.pk}/template.xlsx").status_code == 200


def test_the_import_page_has_a_protected_form(login, lan, submission):
    response = login(lan).get(f"/submissions/{submission.pk}/import")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert f"/submissions/{submission.pk}/template.xlsx" in page


def test_the_form_needs_a_csrf_token(lan, submission, lans_template):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lan)
    response = client.post(
        f"/submissions/{submission.pk}/import",
        {"file": SimpleUploadedFile("a.xlsx", fill(lans_template, {"C3": 1}))},
    )
    assert response.status_code == 403
    assert not Value.objects.exists()


def test_the_import_is_one_transaction(lans_template, tuan, period, monkeypatch):
    """A failure while saving the second unit leaves the first unit untouched."""
    from chiso.assessments import imports

    saved = []
    real = imports.save_values

    def fails_on_the_second_unit(target, *args, **kwargs):
        saved.append(target.unit.code)
        if len(saved) == 2:
            raise RuntimeError("disk full")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(imports, "save_values", fails_on_the_second_unit)
    content = fill(lans_template, {"C3": 3, "A4": "14797", "C4": 7})
    with pytest.raises(RuntimeError):
        imports.import_values(content, "a.xlsx", user=tuan, period=period)
    assert saved == ["14758", "14797"]
    assert not Value.objects.exists()
    assert not AuditEntry.objects.filter(submission__isnull=False).exists()


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused(
    lans_template, lan_imports, monkeypatch
):
    from chiso.lib import uploads

    monkeypatch.setattr(uploads, "MAX_UNPACKED_MB", 1)
    bloated = fill(
        lans_template, {f"A{row}": "x" * 30_000 for row in range(10, 60)}, sheet="Hướng dẫn"
    )
    assert len(bloated) < 100_000
    response = lan_imports(bloated, "to.xlsx")
    assert issues(response) == [
        "“to.xlsx” unpacks to far more than its size (over 1 MB): it is refused."
    ]


def test_cells_of_thousands_of_characters_are_quoted_only_in_part(lans_template, lan_imports):
    # Excel holds 32,767 characters a cell: an error page quotes the first 80 of each.
    long_code, long_unit, long_figure = "X" * 32_000, "1" * 32_000, "a" * 32_000
    content = fill(lans_template, {"G2": long_code, "F3": long_figure, "A4": long_unit, "F4": 1})
    response = lan_imports(content)
    assert response.status_code == 400
    assert issues(response) == [
        f"Sheet Số liệu, row 2, column G: “{'X' * 80}…” is not a code of the framework "
        "test-commune-mini.",
        f"Sheet Số liệu, row 3, column F (XHS.1): “{'a' * 80}…” is not a number.",
        f"Sheet Số liệu, row 4, column A: Unit {'1' * 80}… is not the unit of this page "
        "(14758 Phường Hàm Rồng).",
    ]
    assert len(response.content) < 30_000


def test_a_workbook_of_many_sheets_names_only_some_of_them(lans_template, lan_imports):
    book = workbook(lans_template)
    for number in range(300):
        book.create_sheet(f"Trang {number}")
    del book["Số liệu"]
    [refusal] = issues(lan_imports(save(book)))
    assert refusal.startswith("The workbook has no sheet “Số liệu” (its sheets: Hướng dẫn, Trang")
    assert "Trang 299" not in refusal and len(refusal) < 600
