"""CSV files read record by record in bounded memory, for uploads and `chiso score` alike
(a values file through chiso.lib.values_csv).

A CSV is never read whole and then checked: each physical line is read with a length
limit, each record is counted and its fields counted as it comes, and reading stops at
the first line beyond a limit with `CsvLimit`, which says which limit and at which line.
The callers word it: chiso/lib/uploads.py in the person's language, the CLI in English.

The bytes are decoded as UTF-8 (a byte order mark is dropped), after a UTF-16 byte
order mark as UTF-16 (Excel's "Unicode text"), or as Windows-1258 when the first byte
beyond ASCII does not start a UTF-8 character (Excel's "CSV (Comma delimited)" on a
Vietnamese Windows; its letters are recomposed, NFC). A line that is not text in the
encoding chosen stops reading at that line. Lines may end in LF, CRLF or CR (Excel for
Mac).

`fold` reduces a heading for matching (a values file's header, a sheet's headings).

No Django here: the `chiso score` command runs without it.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import IO

# A line of a values file is a few dozen characters; of the DTI history, a few hundred.
MAX_LINE_CHARS = 10_000
# The most fields a record may have (an entry sheet's column limit).
MAX_FIELDS = 1_000
# What a message quotes of a file's text: enough to recognise it, never the file back.
QUOTE_CHARS = 80

TOO_LONG = "too_long"
TOO_MANY_FIELDS = "too_many_fields"
TOO_MANY_LINES = "too_many_lines"
NOT_TEXT = "not_text"
BROKEN = "broken"


class CsvLimit(Exception):
    """Reading stopped at `line` (1-based): `kind` is one of TOO_LONG, TOO_MANY_FIELDS,
    TOO_MANY_LINES, NOT_TEXT (not text in the encoding chosen) or BROKEN (the csv
    module's `detail`); `limit` is the limit passed."""

    def __init__(self, kind: str, line: int, limit: int = 0, detail: str = "") -> None:
        self.kind = kind
        self.line = line
        self.limit = limit
        self.detail = detail
        super().__init__(f"line {line}: {kind} {detail or limit}")


def shorten(text: object, limit: int = QUOTE_CHARS) -> str:
    """Text from a file as a message may quote it: its first `limit` characters and "…"."""
    value = str(text)
    return value if len(value) <= limit else value[:limit] + "…"


def fold(text: object) -> str:
    """A heading reduced for matching: no diacritics, đ -> d, lower case, words only.

    "Điểm tối đa" and "DIEM TOI DA" both fold to "diem toi da".
    """
    value = unicodedata.normalize("NFKD", str(text or ""))
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = value.replace("đ", "d").replace("Đ", "D").casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def sniff_delimiter(first: str) -> str:
    """The delimiter of a CSV, from its first line: a comma, or the semicolon Excel writes
    where the comma is the decimal mark (Vietnamese Windows), or a tab ("Unicode text")."""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if "\t" in first and delimiter not in first:
        delimiter = "\t"
    return delimiter


def _lines(
    stream: IO[str], limit: int, record: list[int], *, recompose: bool = False
) -> Iterator[str]:
    """The physical lines of a text stream. `record` is [the line the record being read
    starts on, its characters so far], which may not pass `limit` (a record spans lines
    only inside quotes); the reader of records resets it after each record."""
    readline = stream.readline
    number = 0
    while True:
        try:
            line = readline(limit + 2)
        except UnicodeDecodeError:
            # UTF-16 that surrogateescape cannot keep (an odd byte, a lone surrogate):
            # decoded a block ahead, so the line is where reading stood.
            raise CsvLimit(NOT_TEXT, number + 1) from None
        if not line:
            return
        number += 1
        size = len(line)
        if size > limit:
            size = len(line.rstrip("\r\n"))
        record[1] += size
        if record[1] > limit:
            raise CsvLimit(TOO_LONG, record[0], limit)
        # Bytes that are not text were kept as lone surrogates (surrogateescape), so
        # the line that holds them is known exactly.
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                raise CsvLimit(NOT_TEXT, number) from None
            if recompose:
                line = unicodedata.normalize("NFC", line)
        yield line


# How much of a stream is looked at, at a time, for its first byte beyond ASCII.
_SCAN_BYTES = 65_536
WINDOWS_1258 = "cp1258"


def _first_beyond_ascii(source: IO[bytes]) -> bytes:
    """The first byte of the stream beyond ASCII and the three after it (b"" when it is
    all ASCII); the stream is read a block at a time and left at its start."""
    found = b""
    while True:
        block = source.read(_SCAN_BYTES)
        if not block:
            break
        if not block.isascii():
            start = next(index for index, byte in enumerate(block) if byte >= 0x80)
            found = block[start : start + 4]
            found += source.read(4 - len(found))
            break
    source.seek(0)
    return found


def _encoding(source: IO[bytes]) -> str:
    head = source.read(3)
    source.seek(0)
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if head == codecs.BOM_UTF8:
        return "utf-8-sig"
    first = _first_beyond_ascii(source)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
    except UnicodeDecodeError as error:
        if error.start == 0:
            return WINDOWS_1258
    return "utf-8-sig"


def _text(source: IO[bytes] | IO[str]) -> tuple[IO[str], str]:
    if isinstance(source, io.TextIOBase):
        return source, "text"  # type: ignore[return-value]
    encoding = _encoding(source)  # type: ignore[arg-type]
    return io.TextIOWrapper(
        source,  # type: ignore[arg-type]
        encoding=encoding,
        errors="surrogateescape",
        newline="",
    ), encoding


def records(
    source: IO[bytes] | IO[str],
    *,
    max_lines: int,
    max_fields: int = MAX_FIELDS,
    max_chars: int = MAX_LINE_CHARS,
    delimiter: str | Callable[[str], str] = ",",
) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its fields) for each record of a CSV stream, blank ones
    included (as []); CsvLimit at the first line beyond a limit.

    `max_lines` counts records, the header and blank lines included; `delimiter` may be
    a function choosing it from the first line. A binary stream must be seekable; it is
    left open.
    """
    stream, encoding = _text(source)
    record = [1, 0]
    lines = _lines(stream, max_chars, record, recompose=encoding == WINDOWS_1258)
    count = 0
    try:
        first = next(lines, "")
        chosen = delimiter(first) if callable(delimiter) else delimiter
        # strict: an unterminated quote is an error, not a field that swallows the file.
        reader = csv.reader(itertools.chain([first], lines), delimiter=chosen, strict=True)
        for fields in reader:
            count += 1
            if count > max_lines:
                raise CsvLimit(TOO_MANY_LINES, record[0], max_lines)
            if len(fields) > max_fields:
                raise CsvLimit(TOO_MANY_FIELDS, record[0], max_fields)
            yield record[0], fields
            record[0], record[1] = reader.line_num + 1, 0
    except csv.Error as error:
        raise CsvLimit(BROKEN, record[0], detail=str(error)) from None
    finally:
        # Left open for the caller (a wrapper closes its stream when collected); a
        # stream the caller closed already cannot be detached, nor needs to be.
        if stream is not source and not source.closed:
            stream.detach()
