"""Each figure is read once, by the gate, with the engine's reader (issue #21, item 4).

The entry page, the CSV import and the API hand the figures as they arrived (typed
text, a file's field, a JSON number) to the gate; the gate reads them with the
engine's reader once and checks the framework's rules once. Counted here by wrapping
the engine's two functions: the text reader behind `Values.from_mapping` and
`check_rules`.
"""

from __future__ import annotations

import pytest
from django.utils.html import escape
from django.utils.translation import gettext as _

from tests.assessments import excel_support as support
from tests.assessments.excel_support import upload
from tests.assessments.test_entry import entry_url, figures, form_data

pytestmark = pytest.mark.django_db
in_english = support.in_english


def test_a_save_on_the_page_reads_the_typed_figures_once_and_checks_the_rules_once(
    client, login, lan, submission, engine_readings
):
    login(lan)
    typed = form_data(submission, hs_tt="1240", hs_tong="1302", CQS_2="có", XHS_1="98,7")
    response = client.post(entry_url(submission), typed)
    assert response.status_code == 302
    assert figures(submission) == {"hs_tt": 1240, "hs_tong": 1302, "CQS.2": 1, "XHS.1": 98.7}
    assert engine_readings["read"] == 1
    assert engine_readings["rules"] == 1


def test_a_refused_figure_on_the_page_is_named_by_the_gate_s_one_reading(
    client, login, lan, submission, engine_readings
):
    login(lan)
    response = client.post(entry_url(submission), form_data(submission, hs_tt="12,5"))
    assert response.status_code == 400
    refusal = escape(_("“%(text)s” is not a whole number.") % {"text": "12,5"})
    assert refusal in response.content.decode()
    assert figures(submission) == {}


def test_an_imported_csv_is_read_by_the_gate_not_by_the_import(
    login, lan, submission, in_english, engine_readings
):
    client = login(lan, in_english)
    content = 'unit,code,value\n14758,hs_tt,1240\n14758,hs_tong,1302\n14758,XHS.1,"98,7"\n'
    response = upload(
        client, f"/submissions/{submission.pk}/import", content.encode(), "so-lieu.csv"
    )
    assert response.status_code == 200
    assert "3 figures changed in 1 unit." in response.content.decode()
    assert figures(submission) == {"hs_tt": 1240, "hs_tong": 1302, "XHS.1": 98.7}
    # One reading of the unit's fields by the engine, one check of the rules; the
    # import itself reads no figure (`coerce_value` is the engine's one-at-a-time reader).
    assert engine_readings["read"] == 1
    assert engine_readings["rules"] == 1
