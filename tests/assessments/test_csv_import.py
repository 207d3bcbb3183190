"""Uploading the long CSV (unit,code,value) on the same pages as the Excel template."""

from __future__ import annotations

import pytest

from chiso.assessments.models import AuditEntry, Value
from tests.assessments import excel_support as support
from tests.assessments.excel_support import counts, figures, issues, upload

# Fixtures shared by the Excel and CSV import tests.
in_english = support.in_english
vietnamese = support.vietnamese


@pytest.fixture
def lan_uploads(login, lan, submission, in_english):
    client = login(lan, in_english)

    def post(text: str | bytes, name: str = "so-lieu.csv"):
        content = text.encode("utf-8") if isinstance(text, str) else text
        return upload(client, f"/submissions/{submission.pk}/import", content, name)

    return post


def test_lan_uploads_figures_with_a_decimal_comma_and_co(lan_uploads, submission):
    response = lan_uploads(
        "unit,code,value\n14758,hs_tt,1240\n14758,hs_tong,1302\n14758,CQS.2,có\n"
        '14758,XHS.1,"98,7"\n'
    )
    assert response.status_code == 200
    assert "4 figures changed in 1 unit." in response.content.decode()
    assert figures(submission) == {"hs_tt": 1240, "hs_tong": 1302, "CQS.2": 1.0, "XHS.1": 98.7}
    # The page leads back to the figures, to check them and submit: no dead end.
    entry = f'href="/submissions/{submission.pk}/"'
    assert response.content.decode().count(entry) == 2


def test_a_byte_order_mark_and_semicolons_from_excel_are_read(lan_uploads, submission):
    text = "\ufeffunit;code;value\r\n14758;XHS.1;35,5\r\n14758;CQS.2;Không\r\n"
    assert lan_uploads(text).status_code == 200
    assert figures(submission) == {"XHS.1": 35.5, "CQS.2": 0.0}


def test_only_the_codes_listed_change(lan_uploads, submission):
    lan_uploads("unit,code,value\n14758,hs_tt,10\n14758,hs_tong,20\n")
    lan_uploads("unit,code,value\n14758,XHS.1,40\n")
    assert figures(submission) == {"hs_tt": 10, "hs_tong": 20, "XHS.1": 40}


def test_an_empty_value_clears_the_figure(lan_uploads, submission):
    lan_uploads("unit,code,value\n14758,XHS.1,40\n")
    lan_uploads("unit,code,value\n14758,XHS.1,\n")
    assert figures(submission) == {"XHS.1": None}


def test_errors_name_the_line_and_nothing_is_saved(lan_uploads):
    before = counts()
    response = lan_uploads(
        "unit,code,value\n14758,hs_tt,12\n14758,XHS.1,abc\n14758,KTS.9,1\n"
        "14758,CQS.1,50\n14758,hs_tt,13\n14758,CQS.2,chắc chắn\n"
    )
    assert response.status_code == 400
    assert issues(response) == [
        "Line 3 (XHS.1): “abc” is not a number.",
        "Line 4 (KTS.9): Unknown code KTS.9 for framework test-commune-mini.",
        "Line 5 (CQS.1): CQS.1 is computed by the framework: enter its elements instead.",
        "Line 6 (hs_tt): Unit 14758: the value is given twice (also line 2).",
        "Line 7 (CQS.2): “chắc chắn” is not a yes/no answer (Có/Không).",
    ]
    assert counts() == before


def test_a_whole_number_with_thousands_separators_is_refused(lan_uploads, submission):
    # Read as a decimal point, "1.000" would be saved as 1 instead of one thousand.
    response = lan_uploads('unit,code,value\n14758,hs_tt,1.000\n14758,hs_tong,"2,500"\n')
    assert response.status_code == 400
    assert issues(response) == [
        "Line 2 (hs_tt): “1.000” is not a whole number (do not separate thousands).",
        "Line 3 (hs_tong): “2,500” is not a whole number (do not separate thousands).",
    ]
    assert figures(submission) == {}


def test_a_wrong_header_is_refused(lan_uploads):
    response = lan_uploads("don_vi,ma,gia_tri\n14758,hs_tt,1\n")
    assert issues(response) == [
        "Line 1: The header must be unit,code,value, not “don_vi,ma,gia_tri”."
    ]


def test_a_line_with_too_many_fields_is_refused(lan_uploads):
    response = lan_uploads("unit,code,value\n14758,XHS.1,98,7\n")
    assert issues(response) == ["Line 2: 4 fields instead of 3 (unit,code,value)."]


def test_a_broken_rule_names_the_first_line_of_the_unit(lan_uploads):
    response = lan_uploads("unit,code,value\n14758,hs_tt,50\n14758,hs_tong,20\n")
    assert issues(response) == [
        "Line 2: unit 14758 (Phường Hàm Rồng): Online dossiers cannot exceed all dossiers "
        "(hs_tt = 50, hs_tong = 20)"
    ]


def test_rules_see_the_figures_already_saved(lan_uploads):
    lan_uploads("unit,code,value\n14758,hs_tong,20\n")
    response = lan_uploads("unit,code,value\n14758,hs_tt,21\n")
    assert "Online dossiers cannot exceed all dossiers (hs_tt = 21, hs_tong = 20)" in (
        response.content.decode()
    )


def test_a_file_in_an_unknown_encoding_is_named_as_such_at_its_first_bad_line(lan_uploads):
    # UTF-8 up to line 2, then a byte that is not: neither one encoding nor the other.
    content = "unit,code,value\n14758,CQS.2,có\n".encode() + "14758,XHS.1,có\n".encode("cp1258")
    response = lan_uploads(content, "a.csv")
    assert issues(response) == [
        "Line 3: a.csv is a text file in an encoding chiso does not recognise (not UTF-8): "
        "in Excel, save it as “CSV UTF-8”."
    ]


def test_a_csv_saved_as_unicode_text_by_excel_is_read(lan_uploads, submission):
    text = "unit\tcode\tvalue\r\n14758\tXHS.1\t35,5\r\n"
    assert lan_uploads(text.encode("utf-16")).status_code == 200
    assert figures(submission) == {"XHS.1": 35.5}


def test_an_unterminated_quote_is_refused_naming_its_line(lan_uploads, submission):
    before = counts()
    response = lan_uploads('unit,code,value\n14758,hs_tt,5\n14758,XHS.1,"35,5\n14758,CQS.2,có\n')
    assert response.status_code == 400
    assert issues(response) == ["Line 3: A quotation mark opened on this line is never closed."]
    assert counts() == before


def test_an_over_long_line_is_refused_naming_it(lan_uploads, submission):
    # The line limit (10,000 characters) comes before the csv module's field limit.
    response = lan_uploads("unit,code,value\n14758,XHS.1," + "9" * 200_000 + "\n", "dai.csv")
    assert response.status_code == 400
    assert issues(response) == [
        "Line 2: The line is longer than 10000 characters: it is not a line of figures."
    ]


def test_the_admin_imports_a_csv_for_the_period(login, tuan, period, in_english):
    client = login(tuan, in_english)
    text = "unit,code,value\n14758,XHS.1,31\n14797,XHS.1,29,5\n"
    response = upload(client, f"/periods/{period.pk}/import", text.encode(), "ds.csv")
    assert issues(response) == ["Line 3: 4 fields instead of 3 (unit,code,value)."]
    text = 'unit,code,value\n14758,XHS.1,31\n14797,XHS.1,"29,5"\n'
    response = upload(client, f"/periods/{period.pk}/import", text.encode(), "ds.csv")
    assert "2 figures changed in 2 units." in response.content.decode()
    assert sorted(Value.objects.values_list("self_value", flat=True)) == [29.5, 31.0]
    assert AuditEntry.objects.filter(submission__isnull=False).count() == 2


def test_the_downloaded_csv_goes_back_in_unchanged(login, lan, submission, in_english):
    client = login(lan, in_english)
    client_upload = upload(
        client,
        f"/submissions/{submission.pk}/import",
        b"unit,code,value\n14758,hs_tt,5\n14758,hs_tong,9\n",
        "a.csv",
    )
    assert client_upload.status_code == 200
    downloaded = client.get(f"/submissions/{submission.pk}/values.csv").content
    before = counts()
    again = upload(client, f"/submissions/{submission.pk}/import", downloaded, "b.csv")
    assert "0 figures changed in 1 unit." in again.content.decode()
    assert counts() == before


def test_tuan_loads_figures_from_a_system_with_the_command(tuan, period, tmp_path):
    from django.core.management import call_command

    from chiso.assessments.models import Action, Provenance

    path = tmp_path / "he-thong-mot-cua.csv"
    path.write_text("unit,code,value\n14758,hs_tt,1240\n14758,hs_tong,1302\n", encoding="utf-8")
    call_command("import_values", str(period.pk), str(path), user="tuan")
    assert set(Value.objects.values_list("provenance", flat=True)) == {Provenance.IMPORTED}
    assert AuditEntry.objects.filter(action=Action.VALUE_IMPORTED, actor=tuan).count() == 2


def test_the_command_refuses_a_bad_file_and_a_non_admin(lan, tuan, period, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.utils import translation

    path = tmp_path / "sai.csv"
    path.write_text("unit,code,value\n14758,hs_tt,nhiều\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_values", str(period.pk), str(path), user="tuan")
    assert str(caught.value) == "Nothing was imported:\nLine 2 (hs_tt): “nhiều” is not a number."
    with pytest.raises(CommandError, match="lan is not an administrator"):
        call_command("import_values", str(period.pk), str(path), user="lan")
    assert not Value.objects.exists()


@pytest.mark.parametrize("typed", ["-10", "1e308", "99999999999999999999"])
def test_negative_and_absurd_counts_are_refused_naming_the_line(lan_uploads, submission, typed):
    response = lan_uploads(f"unit,code,value\n14758,hs_tong,100\n14758,hs_tt,{typed}\n")
    assert response.status_code == 400
    assert issues(response) == [
        f"Line 3 (hs_tt): “{typed}” is outside the allowed range (0 to 9007199254740992)."
    ]
    assert figures(submission) == {}


@pytest.mark.parametrize(
    "ending",
    [b"\x41", "unit".encode("utf-16-le")[:2] + b"\x00\xd8\x41\x00"],
    ids=["an odd last byte", "a lone surrogate"],
)
def test_broken_unicode_text_is_refused_not_a_crash(lan_uploads, submission, ending):
    text = "unit\tcode\tvalue\r\n14758\tXHS.1\t35,5\r\n".encode("utf-16")
    response = lan_uploads(text + ending, "u.csv")
    assert response.status_code == 400
    [refusal] = issues(response)
    assert refusal.endswith("u.csv is a text file in an encoding chiso does not recognise "
                            "(not UTF-8): in Excel, save it as “CSV UTF-8”.")  # fmt: skip
    assert figures(submission) == {}
