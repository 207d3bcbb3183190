"""The entry page's Jinja2 parts print values exactly as the DTL pages do.

Dates and numbers are written by chiso/lib/jinja.py's own quick paths (the page prints
hundreds of them); whatever the language, they read as Django's `date` filter and
`{{ value }}` read them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template, defaultfilters, engines
from django.utils import timezone
from django.utils.translation import override

from chiso.lib import jinja

# Just after midnight in Thanh Hóa is still the day before in UTC; a one-digit day and month.
UTC_EVENING = dt.datetime(2026, 3, 4, 17, 5, tzinfo=dt.UTC)
MOMENTS = [
    UTC_EVENING,
    dt.datetime(2026, 11, 23, 9, 41, 7, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 2, 3, 4),  # naive: written as it is
]
FORMATS = ["SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT", "DATE_FORMAT", "DATETIME_FORMAT"]


def dtl_date(value: object, format_name: str) -> str:
    return Template("{{ value|date:name }}").render(Context({"value": value, "name": format_name}))


def jinja_print(value: object) -> str:
    return engines["jinja2"].from_string("{{ value }}").render({"value": value})


def dtl_print(value: object) -> str:
    return Template("{{ value }}").render(Context({"value": value}))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("format_name", FORMATS)
def test_a_date_reads_the_same_in_jinja_as_in_the_other_pages(language, format_name):
    with override(language), timezone.override("Asia/Ho_Chi_Minh"):
        for moment in MOMENTS:
            assert jinja.date(moment, format_name) == dtl_date(moment, format_name)


def test_a_comment_written_at_midnight_shows_the_local_day():
    with override("vi"), timezone.override("Asia/Ho_Chi_Minh"):
        assert jinja.date(UTC_EVENING, "SHORT_DATETIME_FORMAT") == "05/03/2026 00:05"
    with override("en"), timezone.override("Asia/Ho_Chi_Minh"):
        assert jinja.date(UTC_EVENING, "SHORT_DATETIME_FORMAT") == "5 Mar 2026 00:05"


def test_a_plain_date_and_nothing():
    with override("vi"):
        assert jinja.date(dt.date(2026, 11, 23), "SHORT_DATE_FORMAT") == "23/11/2026"
        assert jinja.date(None, "SHORT_DATE_FORMAT") == ""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_and_words_print_as_in_the_other_pages(language):
    with override(language), timezone.override("Asia/Ho_Chi_Minh"):
        for value in (0, 7, -12, 1234567, 0.7314, 57.75, True, False, "Phường <Hàm> Rồng"):
            assert jinja_print(value) == dtl_print(value), value


def test_a_comment_s_lines_read_the_same_in_jinja_as_in_the_other_pages():
    texts = [
        "Bổ sung tài liệu",
        "Dòng 1\nDòng 2\r\nDòng 3\rDòng 4",
        "<script>alert('x')</script> & \"trích dẫn\"",
        "",
    ]
    for text in texts:
        assert str(jinja.linebreaksbr(text)) == defaultfilters.linebreaksbr(text, autoescape=True)
