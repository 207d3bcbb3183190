"""What the fuzzing feeds and what it expects: each reader of outside input, given any
bytes or text, ends in a result or in its own clear error, within a time and memory
bound. Anything else (an IndexError, a UnicodeDecodeError, a RecursionError, a hang) is
a defect.

Used by tests/fuzz/test_fuzz.py (a short run in the suite) and scripts/fuzz.py (a long
run: CHISO_FUZZ_EXAMPLES examples a reader, under a memory limit).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from chiso.engine import EngineError, FormulaError, parse_formula, parse_framework
from chiso.lib.csv_lines import CsvLimit

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "chiso" / "frameworks" / "shipped"
SMALL_FRAMEWORK = ROOT / "tests" / "engine" / "fixtures" / "commune.yaml"
# CPU seconds one input may take: far above any real file's, far below a hang. (CPU,
# not wall time: the suite shares its machine.)
SECONDS = 5.0

EXAMPLES = int(os.environ.get("CHISO_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timed by `bounded` below, which names the input
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 100,  # the suite's short run is the same every time
)


# A workbook is written and read whole by openpyxl: a tenth of a second each.
FUZZ_WORKBOOKS = settings(FUZZ, max_examples=max(5, EXAMPLES // 3))


class TooSlow(AssertionError):
    pass


def bounded(what: str, call: Any, *args: Any) -> Any:
    started = time.process_time()
    result = call(*args)
    took = time.process_time() - started
    if took > SECONDS:
        raise TooSlow(f"{what} took {took:.1f} s on {shorten(args[0])!r}")
    return result


def shorten(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


# ---------------------------------------------------------------------------
# Inputs: unstructured, and mutations of real files (deeper paths).


def mutated(original: str) -> st.SearchStrategy[str]:
    """`original` with a few characters, lines or fragments deleted, repeated or replaced."""
    lines = original.splitlines(keepends=True)
    fragments = st.sampled_from(
        [
            "",
            ":",
            "- ",
            "  ",
            "\n",
            "{",
            "}",
            "[",
            "]",
            "'",
            '"',
            "&a",
            "*a",
            "!!python/name:os.system",
            "1e309",
            "-1",
            "nan",
            ".inf",
            "null",
            "~",
            "\t",
            "\x00",
            "é",
            "<<: *a",
            "%",
            "?",
        ]
    )

    @st.composite
    def build(draw: Any) -> str:
        work = list(lines)
        for _ in range(draw(st.integers(1, 6))):
            if not work:
                break
            at = draw(st.integers(0, len(work) - 1))
            action = draw(st.sampled_from(["drop", "twice", "cut", "insert", "swap"]))
            if action == "drop":
                del work[at]
            elif action == "twice":
                work.insert(at, work[at])
            elif action == "swap":
                other = draw(st.integers(0, len(work) - 1))
                work[at], work[other] = work[other], work[at]
            else:
                line = work[at]
                cut = draw(st.integers(0, len(line)))
                extra = draw(fragments | st.text(max_size=8))
                keep = line[cut:] if action == "insert" else line[cut + 1 :]
                work[at] = line[:cut] + extra + keep
        return "".join(work)

    return build()


def framework_texts() -> st.SearchStrategy[str]:
    real = [path.read_text(encoding="utf-8") for path in sorted(SHIPPED.glob("*.yaml"))]
    real.append(SMALL_FRAMEWORK.read_text(encoding="utf-8"))
    return st.one_of(st.text(max_size=2000), *(mutated(text) for text in real))


FORMULA_TOKENS = [
    "a",
    "b",
    "x1",
    "c_2",
    "0",
    "1",
    "2.5",
    "1e308",
    "1e999",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "(",
    ")",
    ",",
    " ",
    "min",
    "max",
    "abs",
    "if",
    "sum",
    "avg",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "?",
    ":",
    ".",
    "__import__",
    "'",
    "\n",
    "é",
    "∞",
]


def formula_texts() -> st.SearchStrategy[str]:
    tokens = st.lists(st.sampled_from(FORMULA_TOKENS), max_size=60).map("".join)
    nested = st.integers(1, 5000).map(lambda depth: "(" * depth + "a" + ")" * depth)
    unary = st.integers(1, 5000).map(lambda depth: "-" * depth + "a")
    return st.one_of(tokens, st.text(max_size=200), nested, unary)


def csv_bytes() -> st.SearchStrategy[bytes]:
    field = st.one_of(
        st.sampled_from(["14758", "14797", "X1", "X2", "A1", "unit", "code", "value", ""]),
        st.sampled_from(["1", "0", "98,7", "1.234,5", "1e309", "-0", "nan", "=1+1", "12 %"]),
        st.text(max_size=12),
    )
    row = st.lists(field, max_size=5)
    separator = st.sampled_from([",", ";", "\t"])
    encoding = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"])

    @st.composite
    def build(draw: Any) -> bytes:
        rows = [["unit", "code", "value"]] if draw(st.booleans()) else []
        rows += draw(st.lists(row, max_size=30))
        sep = draw(separator)
        quote = draw(st.booleans())
        lines = [sep.join(f'"{cell}"' if quote else cell for cell in cells) for cells in rows]
        text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
        return text.encode(draw(encoding), errors="replace")

    return st.one_of(build(), st.binary(max_size=2000))


# ---------------------------------------------------------------------------
# The readers, and what each may answer.


def read_framework(text: str) -> str:
    try:
        parse_framework(text, source="fuzz.yaml")
    except EngineError as error:
        assert error.problems, "an EngineError names its problems"
        assert all(problem.message for problem in error.problems)
        return "refused"
    return "read"


def read_formula(text: str) -> str:
    try:
        parse_formula(text)
    except FormulaError as error:
        assert str(error), "a FormulaError says what is wrong"
        return "refused"
    return "read"


def read_values_csv(data: bytes) -> str:
    """As `chiso score --values FILE` reads it: csv_lines, then engine's values."""
    from chiso import cli

    framework = parse_framework(SMALL_FRAMEWORK.read_text(encoding="utf-8"))
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(data)
        file.flush()
        try:
            cli.load_values(framework, file.name)
        except cli._Stop as stop:
            assert stop.problems and all(problem.message for problem in stop.problems)
            return "refused"
        except EngineError as error:
            assert error.problems and all(problem.message for problem in error.problems)
            return "refused"
        except CsvLimit as limit:
            assert str(limit)
            return "refused"
    return "read"


def read_values_workbook(data: bytes, name: str = "so-lieu.xlsx") -> str:
    """As an upload is read: the file, its header against the framework, each cell."""
    from chiso.assessments import excel
    from chiso.lib.uploads import TableError

    framework = parse_framework(SMALL_FRAMEWORK.read_text(encoding="utf-8"))
    try:
        values_file = excel.read_values_file(io.BytesIO(data), name)
    except TableError as error:
        assert error.issues and all(issue.message for issue in error.issues)
        return "refused"
    from chiso.assessments.services import read_figures

    excel.header_issues(values_file, framework)
    known = set(framework.input_codes)
    for unit in values_file.units:
        # Each unit's cells as the gate reads them: figures, or a message per code.
        shown = {
            code: excel.shown_figure(cell.raw) for code, cell in unit.cells.items() if code in known
        }
        figures, refused = read_figures(framework, "unit", shown)
        assert all(texts and all(texts) for texts in refused.values())
        assert set(figures) | set(refused) <= set(shown) | {""}
    return "read"


def workbook_bytes() -> st.SearchStrategy[bytes]:
    """Workbooks shaped like the template (a "Số liệu" sheet, a header row, unit rows)
    holding any cell values, and byte-level damage to such a workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    codes = ["hs_tt", "hs_tong", "CQS.1", "CQS.2", "X", ""]
    cell = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(["=1+1", "=A1", "98,7", "1.234,5", "12 %", "—", "14758", "#N/A"]),
        st.datetimes(),
    )

    @st.composite
    def build(draw: Any) -> bytes:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = draw(st.sampled_from(["Số liệu", "so lieu", "Sheet", "Số liệu "]))

        def put(row: list[Any]) -> None:
            # openpyxl refuses to write some values itself.
            with contextlib.suppress(ValueError, TypeError, IllegalCharacterError):
                sheet.append(row)

        for _ in range(draw(st.integers(0, 2))):
            put([draw(st.text(max_size=10))])
        header = ["Mã đơn vị", "Tên đơn vị"] + draw(st.lists(st.sampled_from(codes), max_size=6))
        if draw(st.booleans()):
            put(header)
        for _ in range(draw(st.integers(0, 12))):
            unit = draw(st.sampled_from(["14758", "14797", "", "x", 14758.0, None]))
            put([unit, "Phường"] + draw(st.lists(cell, max_size=len(header))))
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
        if draw(st.booleans()):
            # Damage: bytes flipped, cut short or repeated.
            # (Drawn apart from the length: a saved workbook's bytes carry its time.)
            spots = draw(
                st.lists(st.tuples(st.integers(0, 2**30), st.integers(0, 255)), max_size=8)
            )
            damaged = bytearray(data)
            for spot, byte in spots:
                damaged[spot % len(data)] = byte
            kept = draw(st.integers(50, 100))
            data = bytes(damaged[: len(data) * kept // 100])
        return data

    return st.one_of(build(), st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b))
