"""Entered values: reading the text officials type, and the units x codes matrix.

Values arrive as text from CSV files, Excel cells and web forms, written the way
people in Vietnam write them: "98,7" with a decimal comma, "có" / "không đạt" for
yes and no. `coerce_value` reads one; `Values.from_arrays` reads millions at once
with numpy and falls back to `coerce_value` only for the rows it cannot read
quickly, so both paths accept and reject exactly the same text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeGuard

import numpy as np
import numpy.typing as npt

from chiso.engine.errors import EngineError, Problem, ValueProblem, problem
from chiso.engine.formula import Column, rule_broken

if TYPE_CHECKING:
    from chiso.engine.framework import Framework

_TRUE: Final = frozenset({"1", "true", "yes", "có", "đạt"})
_FALSE: Final = frozenset({"0", "false", "no", "không", "không đạt"})
# The value of an indicator that does not apply to a unit (`may_not_apply`).
NOT_APPLICABLE: Final = frozenset({"không áp dụng", "n/a"})
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")

# The characters a number may contain on the fast path; anything else is read by
# `coerce_value` one at a time (and is usually an error worth a precise message).
_FAST_CHARS: Final = np.zeros(128, dtype=bool)
_FAST_CHARS[[ord(char) for char in "0123456789+-.,eE "]] = True
_CHUNK: Final = 1 << 16


def _normalise_word(raw: str) -> str:
    # NFC so that "có" typed with a combining accent (NFD) matches; casefold so
    # that "Có", "ĐẠT" and "Yes" match; one space between words.
    return " ".join(unicodedata.normalize("NFC", raw).casefold().split())


# "1.000" or "12,500": a whole number written with thousands separators. Read as a
# decimal it would be a thousand times too small, so for a whole-number input it
# is refused rather than guessed ("1240,0" is still 1240).
_GROUPED_THOUSANDS: Final = re.compile(r"[+-]?[0-9]{1,3}(?:[.,][0-9]{3})+")

Bounds = tuple[float | None, float | None]
MAX_WHOLE: Final = float(2**53)
NO_BOUNDS: Final[Bounds] = (None, None)


def _value_problem(
    value: float, type_: str, bounds: Bounds, raw: str, unit: str | None = None
) -> ValueProblem | None:
    """Why `value` (read from `raw`) does not fit `type_` and `bounds`, or None."""
    if not math.isfinite(value):
        return ValueProblem("not_finite", f"{raw!r} is not a finite number", unit=unit, text=raw)
    if type_ == "integer" and value != math.floor(value):
        return ValueProblem("not_whole", f"{raw!r} is not a whole number", unit=unit, text=raw)
    if type_ == "percent" and not 0.0 <= value <= 100.0:
        message = f"{raw!r} is not a percentage between 0 and 100"
        return ValueProblem("not_percent", message, unit=unit, text=raw)
    low, high = input_bounds(type_, bounds)
    if (low is not None and value < low) or (high is not None and value > high):
        return out_of_bounds(raw, (low, high), unit)
    return None


def input_bounds(type_: str, bounds: Bounds) -> Bounds:
    """The bounds a value of `type_` is held to: the framework's, narrowed for counts."""
    low, high = bounds
    if type_ == "integer":
        # A float holds whole numbers exactly only up to 2**53: beyond, "1e308" or
        # twenty nines are no count anyone has, and sums of them lose units.
        low = -MAX_WHOLE if low is None else max(low, -MAX_WHOLE)
        high = MAX_WHOLE if high is None else min(high, MAX_WHOLE)
    return low, high


def out_of_bounds(raw: str, bounds: Bounds, unit: str | None = None) -> ValueProblem:
    """The refusal of `raw`, outside `bounds` (as given by `input_bounds`)."""
    low, high = bounds
    shown_low, shown_high = _show_bound(low), _show_bound(high)
    if high is None:
        limits = f"at least {shown_low}"
    elif low is None:
        limits = f"at most {shown_high}"
    else:
        limits = f"between {shown_low} and {shown_high}"
    return ValueProblem(
        "out_of_bounds",
        f"{raw!r} is outside the bounds of this input (it must be {limits})",
        unit=unit,
        text=raw,
        minimum=shown_low,
        maximum=shown_high,
    )


def _show_bound(bound: float | None) -> str:
    if bound is None:
        return ""
    return str(int(bound)) if bound.is_integer() else format(bound, "g")


def is_not_applicable(raw: object) -> bool:
    """Whether an entered text says "does not apply": `không áp dụng` or `n/a`, any case."""
    return isinstance(raw, str) and _normalise_word(raw) in NOT_APPLICABLE


def coerce_value(raw: str, type_: str, bounds: Bounds = NO_BOUNDS) -> float:
    """Read one entered value of the given input type (and `min`/`max` bounds).

    Numbers take a decimal point or a Vietnamese decimal comma ("98,7");
    booleans take 1/0, true/false, yes/no, có/không, đạt/không đạt in any case.
    A whole number written with thousands separators ("1.000") is refused for
    an integer input. Raises `ValueProblem` (a ValueError with a code and
    params) with a one-line message on anything else.
    """
    text = raw.strip()
    if not text:
        raise ValueProblem("unreadable_value", "the value is empty", text="", expected="")
    if type_ == "boolean":
        word = _normalise_word(text)
        if word in _TRUE:
            return 1.0
        if word in _FALSE:
            return 0.0
        if _NUMBER.fullmatch(word) and float(word.replace(",", ".")) in (0.0, 1.0):
            return float(word.replace(",", "."))
        message = f"{raw!r} is not a yes/no value (1/0, có/không, đạt/không đạt)"
        raise ValueProblem("unreadable_value", message, text=raw, expected="yes/no")
    if type_ == "percent" and text.endswith("%"):
        text = text[:-1].rstrip()
    if type_ == "integer" and _GROUPED_THOUSANDS.fullmatch(text):
        message = f"{raw!r} is not a whole number (do not separate thousands)"
        raise ValueProblem("thousands_separator", message, text=raw)
    if not _NUMBER.fullmatch(text):
        raise ValueProblem(
            "unreadable_value", f"{raw!r} is not a number", text=raw, expected="number"
        )
    value = float(text.replace(",", "."))
    refused = _value_problem(value, type_, bounds, raw)
    if refused is not None:
        raise refused
    return value


def coerce_input(framework: Framework, code: str, raw: str) -> float:
    """Read one entered value for an input code of `framework`, with its type and bounds."""
    return coerce_value(raw, framework.input_type(code), framework.bounds(code))


class Values:
    """Values of some units for one framework: units x input codes, NaN = missing.

    `not_applicable` (units x `na_codes`) marks the indicators that do not apply
    to a unit (`không áp dụng`); their cells in `matrix`, if any, are NaN.

    Build one with `parse_values`, `Values.from_arrays` (fast, for files) or
    `Values.from_mapping` (for the web app); they check every value.
    """

    units: tuple[str, ...]
    codes: tuple[str, ...]
    matrix: npt.NDArray[np.float64]
    na_codes: tuple[str, ...]
    not_applicable: npt.NDArray[np.bool_]

    def __init__(
        self,
        units: Sequence[str],
        codes: Sequence[str],
        matrix: npt.ArrayLike,
        na_codes: Sequence[str] = (),
        not_applicable: npt.ArrayLike | None = None,
    ) -> None:
        # Column-major: the scoring reads one code's values for all units at a time.
        array = np.array(matrix, dtype=np.float64, order="F")
        if array.ndim != 2 or array.shape != (len(units), len(codes)):
            raise EngineError(
                [Problem(f"values matrix has shape {array.shape}, not {len(units)} x {len(codes)}")]
            )
        if len(set(units)) != len(units):
            raise EngineError([Problem("a unit appears twice in the values")])
        if np.isinf(array).any():
            raise EngineError([Problem("values must be finite numbers or NaN (missing)")])
        marks = (
            np.zeros((len(units), len(na_codes)), dtype=np.bool_)
            if not_applicable is None
            else np.array(not_applicable, dtype=np.bool_)
        )
        if marks.shape != (len(units), len(na_codes)):
            raise EngineError(
                [
                    Problem(
                        f"not_applicable has shape {marks.shape}, "
                        f"not {len(units)} x {len(na_codes)}"
                    )
                ]
            )
        position = {code: index for index, code in enumerate(codes)}
        for column, code in enumerate(na_codes):
            if code in position:
                array[marks[:, column], position[code]] = np.nan
        array.flags.writeable = False
        marks.flags.writeable = False
        self.units = tuple(units)
        self.codes = tuple(codes)
        self.matrix = array
        self.na_codes = tuple(na_codes)
        self.not_applicable = marks

    def __len__(self) -> int:
        return len(self.units)

    def __repr__(self) -> str:
        return f"<Values {len(self.units)} units x {len(self.codes)} codes>"

    def column(self, code: str) -> Column:
        """The values of one code for every unit (NaN where missing)."""
        column: Column = self.matrix[:, self.codes.index(code)]
        return column

    def does_not_apply(self, unit: str) -> tuple[str, ...]:
        """The indicators marked as not applying to `unit`."""
        row = self.units.index(unit)
        return tuple(
            code
            for code, out in zip(self.na_codes, self.not_applicable[row].tolist(), strict=True)
            if out
        )

    def with_units(self, units: Sequence[str]) -> Values:
        """The same values for exactly `units`, in that order (missing rows all NaN)."""
        position = {unit: index for index, unit in enumerate(self.units)}
        matrix = np.full((len(units), len(self.codes)), np.nan)
        marks = np.zeros((len(units), len(self.na_codes)), dtype=np.bool_)
        rows = [(new, position[unit]) for new, unit in enumerate(units) if unit in position]
        if rows:
            new_rows, old_rows = (list(part) for part in zip(*rows, strict=True))
            matrix[new_rows] = self.matrix[old_rows]
            marks[new_rows] = self.not_applicable[old_rows]
        return Values(units, self.codes, matrix, self.na_codes, marks)

    @classmethod
    def from_mapping(
        cls,
        framework: Framework,
        mapping: Mapping[str, Mapping[str, object]],
        source: str = "<values>",
    ) -> Values:
        """Values from ``{unit: {code: value or raw text}}``; None means missing.

        Every unit in the mapping is kept, also one without any value.
        """
        quick = _numbers_only(framework, mapping)
        if quick is not None:
            return quick
        units: list[str] = []
        codes: list[str] = []
        raw: list[str] = []
        for unit, by_code in mapping.items():
            for code, value in by_code.items():
                units.append(unit)
                codes.append(code)
                raw.append(_as_text(value))
        values = cls.from_arrays(framework, units, codes, raw, source=source)
        # Unit codes trimmed as `from_arrays` trims them, or a unit's values are lost.
        return values.with_units(list(dict.fromkeys(str(unit).strip() for unit in mapping)))

    @classmethod
    def from_arrays(
        cls,
        framework: Framework,
        units: Sequence[str] | npt.NDArray[Any],
        codes: Sequence[str] | npt.NDArray[Any],
        raw: Sequence[str] | npt.NDArray[Any],
        lines: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
        *,
        known_units: Iterable[str] | None = None,
        source: str = "<values>",
    ) -> Values:
        """Values from parallel columns of a long table (unit, code, raw text, line).

        Raises `EngineError` naming every bad line: unknown code, unknown unit
        (when `known_units` is given), unreadable value, value outside its type,
        the same (unit, code) twice. Units keep the order they first appear in.
        """
        return _LongTable(framework, units, codes, raw, lines, known_units, source).values()


def parse_values(
    rows: Iterable[tuple[int | None, str, str, object]],
    framework: Framework,
    units: Iterable[str] | None = None,
    source: str = "<values>",
) -> Values:
    """Values from rows of (line number, unit, code, raw text); see `Values.from_arrays`."""
    lines: list[int] = []
    unit_column: list[str] = []
    code_column: list[str] = []
    raw_column: list[str] = []
    has_lines = True
    for line, unit, code, raw in rows:
        has_lines = has_lines and line is not None
        lines.append(line if line is not None else 0)
        unit_column.append(unit)
        code_column.append(code)
        raw_column.append(_as_text(raw))
    return Values.from_arrays(
        framework,
        unit_column,
        code_column,
        raw_column,
        lines if has_lines else None,
        known_units=units,
        source=source,
    )


def _numbers_only(
    framework: Framework, mapping: Mapping[str, Mapping[str, object]]
) -> Values | None:
    """`Values.from_mapping` of figures that are numbers fitting their inputs, put in
    place without being written as text and read back: the web app's figures, already
    read by its form, one unit at a time. None when anything (a text, an unknown code,
    a figure the input refuses) needs the full reading and its messages."""
    units = list(mapping)
    if len(set(units)) != len(units) or not all(
        isinstance(unit, str) and unit and unit == unit.strip() for unit in units
    ):
        return None
    inputs = framework.memo("input_columns", _input_columns)
    code_list = framework.input_codes
    matrix = np.full((len(units), len(code_list)), np.nan, order="F")
    for row, unit in enumerate(units):
        for code, value in mapping[unit].items():
            entry = inputs.get(code)
            if entry is None:
                return None  # not an input, whatever its value: the full reading says so
            if value is None:
                continue
            if type(value) is int and abs(value) <= MAX_WHOLE:
                value = float(value)
            elif type(value) is not float:
                return None
            if math.isnan(value):
                continue  # missing, as an empty cell
            if not _fits(entry, value):
                return None
            matrix[row, entry[0]] = value
    na_codes = tuple(leaf.code for leaf in framework.leaves if leaf.may_not_apply)
    marks = np.zeros((len(units), len(na_codes)), dtype=np.bool_)
    return Values(units, code_list, matrix, na_codes, marks)


def fitting_inputs(framework: Framework, figures: Mapping[str, float | None]) -> set[str]:
    """The codes of `figures` whose number the input takes as it is: what `coerce_input`
    accepts, checked on the number itself. Left out: a code that is not an input, and a
    number not finite, not whole for a count, out of bounds, or not 0/1 for yes/no."""
    inputs = framework.memo("input_columns", _input_columns)
    return {
        code
        for code, value in figures.items()
        if code in inputs and _is_number(value) and _fits(inputs[code], float(value))
    }


def _is_number(value: object) -> TypeGuard[float]:
    # A whole number a float holds exactly (its text, read, would be rounded).
    return isinstance(value, float) or (isinstance(value, int) and abs(value) <= MAX_WHOLE)


def _fits(entry: tuple[int, str, Bounds], value: float) -> bool:
    _, type_, bounds = entry
    if type_ == "boolean":
        return value in (0.0, 1.0)
    return _value_problem(value, type_, bounds, "") is None


def _input_columns(framework: Framework) -> dict[str, tuple[int, str, Bounds]]:
    """{input code: (its column in a values matrix, its type, its bounds)}."""
    return {
        code: (column, framework.input_type(code), framework.bounds(code))
        for column, code in enumerate(framework.input_codes)
    }


def _as_text(value: object) -> str:
    """A Python value (from a web form or an Excel cell) as the text a file would carry."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, int | np.integer):
        # Exact, and no OverflowError for a whole number beyond float: it reads as
        # not finite, an error like any other (Python refuses to print huge ints).
        number = int(value)
        return str(number) if abs(number) < 10**400 else f"{'-' if number < 0 else ''}1e400"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _as_list(column: Sequence[Any] | npt.NDArray[Any]) -> list[Any]:
    # Python strings hash and compare much faster than numpy scalars in dict lookups.
    if isinstance(column, np.ndarray):
        return list(column.tolist())
    return list(column)


class _LongTable:
    """The vectorised reading behind `Values.from_arrays`."""

    def __init__(
        self,
        framework: Framework,
        units: Sequence[str] | npt.NDArray[Any],
        codes: Sequence[str] | npt.NDArray[Any],
        raw: Sequence[str] | npt.NDArray[Any],
        lines: Sequence[int] | npt.NDArray[np.integer[Any]] | None,
        known_units: Iterable[str] | None,
        source: str,
    ) -> None:
        self.framework = framework
        self.units = _as_list(units)
        self.codes = _as_list(codes)
        self.raw = raw
        self.size = len(self.units)
        if not len(self.codes) == len(raw) == self.size:
            raise EngineError([Problem("units, codes and values differ in length", None)])
        if lines is not None and len(lines) != self.size:
            raise EngineError([Problem("lines and values differ in length", None)])
        self.lines = None if lines is None else np.asarray(lines, dtype=np.int64)
        self.known_units = None if known_units is None else set(known_units)
        self.source = source
        self.problems: list[tuple[int, Problem]] = []

    def add(
        self, row: int, code: str, message: str, where: str | None, /, **params: object
    ) -> None:
        line = None if self.lines is None else int(self.lines[row])
        self.problems.append((row, problem(code, message, where, line, self.source, **params)))

    def add_value(self, row: int, error: ValueProblem, code: str) -> None:
        unit = str(self.units[row]).strip()
        params = {**error.params, "unit": unit}
        self.add(row, error.code, f"unit {unit}: {error}", code, **params)

    def values(self) -> Values:
        code_list = self.framework.input_codes
        na_codes = tuple(leaf.code for leaf in self.framework.leaves if leaf.may_not_apply)
        unit_index, unit_order = self.map_units()
        na_rows = self.find_not_applicable()
        code_index = self.map_codes(code_list, na_rows, na_codes)
        good = (unit_index >= 0) & (code_index >= 0)
        na_index = self.map_not_applicable(na_rows, na_codes, unit_index)
        numbers = self.read_numbers(code_index, good & ~na_rows)
        self.find_duplicates(unit_index, code_index, good)
        if self.problems:
            # File order reads best; the sort is stable for problems on one row.
            self.problems.sort(key=lambda item: item[0])
            raise EngineError([problem for _, problem in self.problems])
        matrix = np.full((len(unit_order), len(code_list)), np.nan, order="F")
        numbered = good & ~na_rows
        matrix[unit_index[numbered], code_index[numbered]] = numbers[numbered]
        marks = np.zeros((len(unit_order), len(na_codes)), dtype=np.bool_)
        marked = na_index >= 0
        marks[unit_index[marked], na_index[marked]] = True
        return Values(unit_order, code_list, matrix, na_codes, marks)

    def find_not_applicable(self) -> npt.NDArray[np.bool_]:
        """Rows whose value says the indicator does not apply (`không áp dụng`)."""
        raw = _as_list(self.raw)
        words = {text for text in dict.fromkeys(raw) if is_not_applicable(text)}
        if not words:
            return np.zeros(self.size, dtype=np.bool_)
        return np.fromiter((text in words for text in raw), np.bool_, self.size)

    def map_not_applicable(
        self,
        na_rows: npt.NDArray[np.bool_],
        na_codes: tuple[str, ...],
        unit_index: npt.NDArray[np.intp],
    ) -> npt.NDArray[np.intp]:
        """Per row, the column of `na_codes` it marks (-1 for none); refuses the mark
        for an indicator that always applies, and a mark given twice."""
        index = np.full(self.size, -1, dtype=np.intp)
        column = {code: position for position, code in enumerate(na_codes)}
        known = set(self.framework.input_codes) | {node.code for node in self.framework.nodes}
        first: dict[tuple[int, int], int] = {}
        for row in np.flatnonzero(na_rows).tolist():
            code = str(self.codes[row]).strip()
            unit = str(self.units[row]).strip()
            text = str(self.raw[row])
            if code not in column:
                if code in known:
                    message = (
                        f"unit {unit}: {text!r} is allowed only for an indicator that may not "
                        "apply (may_not_apply: true)"
                    )
                    self.add(row, "not_applicable_refused", message, code, unit=unit, text=text)
                continue
            if unit_index[row] < 0:
                continue
            cell = (int(unit_index[row]), column[code])
            if cell in first and self.framework.formula(code) is not None:
                # (An entered indicator's repeats are found with its values.)
                earlier = first[cell]
                first_line = None if self.lines is None else int(self.lines[earlier])
                shown = "another row" if first_line is None else f"line {first_line}"
                message = f"unit {unit}: the value is given twice (also on {shown})"
                self.add(row, "duplicate_value", message, code, unit=unit, first_line=first_line)
                continue
            first.setdefault(cell, row)
            index[row] = column[code]
        return index

    def map_units(self) -> tuple[npt.NDArray[np.intp], list[str]]:
        # Distinct texts first (few thousand), then one C-speed lookup per row.
        distinct = dict.fromkeys(self.units)
        order: dict[str, int] = {}
        index_of: dict[str, int] = {}
        for text in distinct:
            unit = str(text).strip()
            if not unit or (self.known_units is not None and unit not in self.known_units):
                index_of[text] = -1
                continue
            index_of[text] = order.setdefault(unit, len(order))
        index = np.fromiter(map(index_of.__getitem__, self.units), np.intp, self.size)
        for row in np.flatnonzero(index < 0).tolist():
            unit = str(self.units[row]).strip()
            if unit:
                self.add(
                    row, "unknown_unit", "unknown unit (not in the list of units)", unit, unit=unit
                )
            else:
                self.add(row, "empty_field", "the unit is empty", None, field="unit")
        return index, list(order)

    def map_codes(
        self,
        code_list: Sequence[str],
        na_rows: npt.NDArray[np.bool_],
        na_codes: tuple[str, ...],
    ) -> npt.NDArray[np.intp]:
        position = {code: index for index, code in enumerate(code_list)}
        index_of = {text: position.get(str(text).strip(), -1) for text in dict.fromkeys(self.codes)}
        index = np.fromiter(map(index_of.__getitem__, self.codes), np.intp, self.size)
        nodes = {node.code for node in self.framework.nodes}
        for row in np.flatnonzero(index < 0).tolist():
            code = str(self.codes[row]).strip()
            if na_rows[row] and code in nodes:
                # "Does not apply" for a computed indicator: see `map_not_applicable`.
                continue
            if not code:
                self.add(row, "empty_field", "the code is empty", None, field="code")
            elif code in nodes:
                self.add(
                    row,
                    "computed_code",
                    "is computed by the framework (a branch or an indicator with a formula); "
                    "enter its elements instead",
                    code,
                    code=code,
                )
            else:
                message = f"unknown code for framework {self.framework.code}"
                self.add(
                    row, "unknown_code", message, code, code=code, framework=self.framework.code
                )
        return index

    def read_numbers(
        self, code_index: npt.NDArray[np.intp], good: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float64]:
        code_list = self.framework.input_codes
        kinds = [self.framework.input_type(code) for code in code_list]
        is_boolean = np.array([kind == "boolean" for kind in kinds] + [False], dtype=bool)
        is_integer = np.array([kind == "integer" for kind in kinds] + [False], dtype=bool)
        is_percent = np.array([kind == "percent" for kind in kinds] + [False], dtype=bool)
        # Index -1 (an unknown code) reads the extra False at the end.
        boolean_rows = good & is_boolean[code_index]
        number_rows = good & ~boolean_rows

        raw = np.asarray(self.raw, dtype=np.str_) if self.size else np.zeros(0, dtype="<U1")
        result = np.full(self.size, np.nan)
        self.read_booleans(raw, np.flatnonzero(boolean_rows), code_index, result)

        rows = np.flatnonzero(number_rows)
        parsed, slow = _fast_numbers(raw[rows])
        result[rows] = parsed
        # The fast rows still need the checks coerce_value makes one by one: whole
        # numbers (and no thousands separators), percentages, min and max. The few
        # rows that may fail one are read again by coerce_value, for its message.
        fast = rows[~slow]
        values = result[fast]
        fast_codes = code_index[fast]
        bounds = [self.framework.bounds(code) for code in code_list] + [NO_BOUNDS]
        lows = np.array([math.nan if low is None else low for low, _ in bounds])
        highs = np.array([math.nan if high is None else high for _, high in bounds])
        with np.errstate(invalid="ignore"):
            kind_integer = is_integer[fast_codes]
            suspect = (kind_integer & (values != np.floor(values))) | (
                is_percent[fast_codes] & ((values < 0) | (values > 100))
            )
            suspect |= (values < lows[fast_codes]) | (values > highs[fast_codes])
            suspect |= kind_integer & (np.abs(values) > MAX_WHOLE)
        if kind_integer.any():
            texts = raw[fast[kind_integer]]
            separated = (np.char.find(texts, ".") >= 0) | (np.char.find(texts, ",") >= 0)
            suspect[np.flatnonzero(kind_integer)[separated]] = True
        for row in [*rows[slow].tolist(), *fast[suspect].tolist()]:
            code = code_list[code_index[row]]
            text = str(raw[row])
            if not text.strip():
                continue  # an empty cell is a missing value, not an error
            try:
                result[row] = coerce_input(self.framework, code, text)
            except ValueProblem as exc:
                result[row] = np.nan
                self.add_value(row, exc, code)
        return result

    def read_booleans(
        self,
        raw: npt.NDArray[np.str_],
        rows: npt.NDArray[np.intp],
        code_index: npt.NDArray[np.intp],
        result: npt.NDArray[np.float64],
    ) -> None:
        texts = raw[rows].tolist()
        # Yes/no columns hold a handful of distinct words: read each word once.
        read: dict[str, float | ValueProblem] = {}
        for text in dict.fromkeys(texts):
            if not text.strip():
                read[text] = math.nan
                continue
            try:
                read[text] = coerce_value(text, "boolean")
            except ValueProblem as exc:
                read[text] = exc
        for row, text in zip(rows.tolist(), texts, strict=True):
            value = read[text]
            if isinstance(value, ValueProblem):
                self.add_value(row, value, self.framework.input_codes[code_index[row]])
            else:
                result[row] = value

    def find_duplicates(
        self,
        unit_index: npt.NDArray[np.intp],
        code_index: npt.NDArray[np.intp],
        good: npt.NDArray[np.bool_],
    ) -> None:
        rows = np.flatnonzero(good)
        if rows.size == 0:
            return
        width = len(self.framework.input_codes)
        cells = unit_index[rows] * width + code_index[rows]
        if np.bincount(cells).max() <= 1:
            return
        order = np.argsort(cells, kind="stable")
        ordered = cells[order]
        is_start = np.r_[True, ordered[1:] != ordered[:-1]]
        repeated = np.flatnonzero(~is_start)
        # The first row of each run of equal cells is where the pair was first given.
        starts = np.maximum.accumulate(np.where(is_start, np.arange(ordered.size), 0))
        for position in repeated.tolist():
            row = int(rows[order[position]])
            first = int(rows[order[starts[position]]])
            code = self.framework.input_codes[code_index[row]]
            unit = str(self.units[row]).strip()
            first_line = None if self.lines is None else int(self.lines[first])
            earlier = "another row" if first_line is None else f"line {first_line}"
            message = f"unit {unit}: the value is given twice (also on {earlier})"
            self.add(row, "duplicate_value", message, code, unit=unit, first_line=first_line)


def _fast_numbers(
    texts: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Read plain numbers with numpy; flag the rows `coerce_value` must read instead.

    A row is read here only when it contains nothing but digits, signs, one kind
    of separator, an exponent and spaces, and numpy can parse it with the comma
    taken as the decimal point; numpy on its own would also accept "nan", "inf"
    and "1_000", which are not numbers in a values file.
    """
    size = texts.size
    values = np.full(size, np.nan)
    slow = np.ones(size, dtype=bool)
    if size == 0:
        return values, slow
    width = texts.dtype.itemsize // 4
    if width == 0:
        return values, slow
    for start in range(0, size, _CHUNK):
        stop = min(start + _CHUNK, size)
        points = texts[start:stop].view(np.uint32).reshape(stop - start, width).copy()
        allowed = (points < 128) & _FAST_CHARS[np.minimum(points, 127)]
        plain = np.all((points == 0) | allowed, axis=1)
        points[points == ord(",")] = ord(".")
        chunk = points.view(f"<U{width}").reshape(stop - start)
        plain &= chunk != ""
        rows = np.flatnonzero(plain)
        try:
            parsed = chunk[rows].astype(np.float64)
        except ValueError:
            parsed = np.array([_try_float(text) for text in chunk[rows].tolist()])
        finite = np.isfinite(parsed)
        values[start + rows[finite]] = parsed[finite]
        slow[start + rows[finite]] = False
    return values, slow


def _try_float(text: str) -> float:
    try:
        return float(np.array(text).astype(np.float64))
    except ValueError:
        return math.nan


def check_rules(framework: Framework, values: Values, source: str | None = None) -> list[Problem]:
    """One problem per (unit, broken validation rule), unit by unit.

    A rule with a missing side is not checked for that unit.
    """
    size = len(values.units)
    columns = {code: values.matrix[:, index] for index, code in enumerate(values.codes)}
    for element in framework.elements:
        columns.setdefault(element.code, np.full(size, np.nan))
    found: list[tuple[int, int, Problem]] = []
    for number, rule in enumerate(framework.validation):
        broken = rule_broken(rule.parsed, columns, size)
        if not broken.any():
            continue
        involved = rule.codes
        for row in np.flatnonzero(broken).tolist():
            shown = ", ".join(f"{code} = {_format(float(columns[code][row]))}" for code in involved)
            message = f"breaks rule {rule.rule!r} ({shown})"
            if rule.message:
                texts = [rule.message["vi"]]
                if rule.message.get("en"):
                    texts.append(rule.message["en"])
                message += ": " + " / ".join(" ".join(text.split()) for text in texts)
            unit = values.units[row]
            found.append(
                (
                    row,
                    number,
                    problem(
                        "rule_broken",
                        message,
                        unit,
                        None,
                        source,
                        number,
                        unit=unit,
                        rule=rule.rule,
                        figures=shown,
                    ),
                )
            )
    found.sort(key=lambda item: (item[0], item[1]))
    return [problem for _, _, problem in found]


def _format(value: float) -> str:
    return "missing" if math.isnan(value) else format(value, ".10g")
