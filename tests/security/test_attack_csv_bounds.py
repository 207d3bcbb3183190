"""Attack: a CSV file built to exhaust the server (issue #19, items 2 and 9).

What is tried: an officer uploads a values CSV of a million lines, of a million columns,
of one endless line or quoted field, of millions of blank lines, or one full of errors;
the admin does the same on the province's DTI import; `chiso score` is given a values
file of millions of lines. Each must be refused at the first line beyond a limit, in
bounded time and memory, write nothing, and answer without quoting the file back.

Memory is the process's real peak (the kernel's VmHWM, reset just before through
/proc/self/clear_refs), above its size just before the upload.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, encode_multipart

from chiso.assessments.models import AuditEntry
from chiso.leadership.models import DtiYear
from tests.assessments import excel_support as support
from tests.assessments.excel_support import counts, issues

in_english = support.in_english

MB = 1024 * 1024
# Before the fix a 16 MB CSV of a million lines took 45.8 s and 1.33 GB.
MEMORY_LIMIT_MB = 100
SECONDS_LIMIT = 30


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def measured(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """What `action` returns, the peak of the process's memory above its size before (MB),
    and the seconds it took."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _kb("VmRSS")
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    return result, (_kb("VmHWM") - before) / 1024, seconds


def posted(client, url: str, content: bytes, name: str) -> Callable[[], Any]:
    """A multipart upload built before measuring, so that only the server's work counts."""
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, content)})
    # An equal string, not the constant itself: the client then sends the body as it is.
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    return lambda: client.post(url, body, content_type=content_type)


@pytest.fixture
def lan_posts(login, lan, submission, in_english):
    client = login(lan, in_english)

    def post(content: bytes, name: str = "so-lieu.csv") -> tuple[Any, float, float]:
        return measured(posted(client, f"/submissions/{submission.pk}/import", content, name))

    return post


def million_lines() -> bytes:
    """16 MB: a million well-formed lines for the officer's own unit."""
    rows = (b"14758,XHS.1,%d.5\n" % (number % 100) for number in range(1_000_000))
    return b"unit,code,value\n" + b"".join(rows)


def test_an_officers_million_line_csv_is_refused_at_the_first_line_over_the_limit(lan_posts):
    before = counts()
    content = million_lines()
    assert 15 * MB < len(content) <= 20 * MB
    response, peak, seconds = lan_posts(content)
    assert response.status_code == 400
    assert issues(response) == [
        "Line 100001: The file goes on beyond 100000 lines: it was not read further."
    ]
    assert counts() == before
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"


HOSTILE = {
    # 1,000,000 columns in the header: the line is refused, not split into a million fields.
    "a header of a million columns": (
        b",".join(b"c%06d" % number for number in range(1_000_000)) + b"\n",
        "Line 1: The line is longer than 10000 characters: it is not a line of figures.",
    ),
    "one endless line": (
        b"unit,code,value\n14758,XHS.1," + b"9" * (19 * MB),
        "Line 2: The line is longer than 10000 characters: it is not a line of figures.",
    ),
    "a quoted field that runs over millions of lines": (
        b'unit,code,value\n14758,XHS.1,"' + b"9\n" * (9 * MB),
        "Line 2: The line is longer than 10000 characters: it is not a line of figures.",
    ),
    "twenty million blank lines": (
        b"unit,code,value\n" + b"\n" * (19 * MB),
        "Line 100001: The file goes on beyond 100000 lines: it was not read further.",
    ),
    "lines that end in CR only (Excel for Mac), a million of them": (
        b"unit,code,value\r" + b"14758,XHS.1,5\r" * 1_000_000,
        "Line 100001: The file goes on beyond 100000 lines: it was not read further.",
    ),
    "a record of thousands of short fields": (
        b"unit,code,value\n" + b",".join([b"1"] * 4_000) + b"\n",
        "Line 2: The line has more than 1000 fields.",
    ),
}


@pytest.mark.parametrize("attack", list(HOSTILE))
def test_a_hostile_csv_is_refused_naming_its_line_without_quoting_it(lan_posts, attack):
    content, refusal = HOSTILE[attack]
    assert len(content) <= 20 * MB
    before = counts()
    response, peak, seconds = lan_posts(content)
    assert response.status_code == 400
    assert issues(response) == [refusal]
    assert counts() == before
    # The page is the import page with one message, not the file back.
    assert len(response.content) < 30_000
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"


def test_a_file_full_of_errors_lists_fifty_problems_and_counts_the_rest(lan_posts):
    # 20 MB within every limit, every line wrong: a long unreadable figure, then the
    # same figure again and again.
    content = b"unit,code,value\n" + b"14758,XHS.1," + b"x" * 190 + b"\n" * 1
    content += (b"14758,XHS.1," + b"x" * 190 + b"\n") * 99_998
    assert 19 * MB < len(content) <= 20 * MB
    before = counts()
    response, peak, seconds = lan_posts(content)
    assert response.status_code == 400
    shown = issues(response)
    assert shown[:2] == [
        "Line 2 (XHS.1): “" + "x" * 80 + "…” is not a number.",
        "Line 3 (XHS.1): Unit 14758: the value is given twice (also line 2).",
    ]
    assert len(shown) == 51
    assert shown[-1] == (
        "… and 99949 more problems, not shown: correct these and upload the file again."
    )
    assert counts() == before
    assert len(response.content) < 60_000
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"


def test_a_csv_naming_more_units_than_a_sheet_has_rows_is_refused_at_the_first_beyond(
    lan_posts,
):
    # 16 MB: 100,000 long unit codes, one line each.
    rows = (b"%s%06d,XHS.1,5\n" % (b"u" * 150, number) for number in range(99_999))
    content = b"unit,code,value\n" + b"".join(rows)
    assert 15 * MB < len(content) <= 20 * MB
    before = counts()
    response, peak, seconds = lan_posts(content)
    assert response.status_code == 400
    assert issues(response) == [
        "Line 10002: The file names more than 10000 units or 1000 codes: an entry file is far "
        "smaller. It was not read further."
    ]
    assert counts() == before
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"


def test_a_wrong_header_is_quoted_only_in_part(lan_posts):
    header = b";".join(b"cot%d" % number for number in range(900))
    response, _peak, _seconds = lan_posts(header + b"\n14758;XHS.1;5\n")
    [refusal] = issues(response)
    assert refusal.startswith("Line 1: The header must be unit,code,value, not “cot0;cot1;")
    assert refusal.endswith("…”.") and len(refusal) < 200


# ---------------------------------------------------------------------------
# The province's DTI history, imported by the admin


def test_the_admins_million_line_dti_csv_is_refused_at_the_first_line_over_the_limit(
    login, tuan, in_english
):
    client = login(tuan, in_english)
    rows = (b"%d,4,34,0.8,,,,\n" % (2000 + number % 100) for number in range(1_000_000))
    content = b"year,rank,of,value,rank_cqs,rank_kts,rank_xhs,note\n" + b"".join(rows)
    assert len(content) <= 20 * MB
    years, audit = DtiYear.objects.count(), AuditEntry.objects.count()
    response, peak, seconds = measured(posted(client, "/province/import/", content, "dti.csv"))
    assert response.status_code == 302
    shown = [str(message) for message in client.get(response.url).context["messages"]]
    assert shown == [
        "dti.csv, line 1001: The file goes on beyond 1000 lines: it was not read further."
    ]
    assert (DtiYear.objects.count(), AuditEntry.objects.count()) == (years, audit)
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"


# ---------------------------------------------------------------------------
# chiso score


def test_chiso_score_refuses_a_values_file_at_the_first_line_over_the_limit(tmp_path, capsys):
    from chiso import cli

    framework = Path(__file__).parents[1] / "fixtures" / "mini-commune.yaml"
    values, output = tmp_path / "values.csv", tmp_path / "results.csv"
    # 17 MB, 2.5 million lines: beyond the 2,000,000 lines a values file may have.
    values.write_bytes(b"unit,code,value\n" + b"14758,XHS.1,5\n" * 2_500_000)
    command = ["score", str(framework), str(values), "-o", str(output)]
    status, peak, seconds = measured(lambda: cli.main(command))
    assert status == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.splitlines() == [
        f"{values}:2000001: more than 2000000 lines: the file was not read further"
    ]
    # What the lines read so far take (about 45 bytes a line here), never the file.
    assert peak < 150, f"{peak:.0f} MB"
    assert not output.exists()
    assert seconds < SECONDS_LIMIT, f"{seconds:.1f} s"
