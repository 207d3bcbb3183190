"""The engine's one error type and the problem records it carries.

Every check in the engine collects `Problem`s instead of stopping at the first
one, so that an officer fixing a framework or a values file sees the whole list
at once. The CLI, the web app and the API turn an `EngineError` into a user
message at a single boundary each: the CLI prints the English `message`; the
web app translates by `code` and `params` (chiso/frameworks/problems.py), never
by reading the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

# The closed set of problem codes (docs/architecture.md lists what each means and
# the params it carries). A test checks that the engine raises no other code and
# that the web app translates every one of them.
CODES: Final = frozenset(
    {
        # the file
        "file_too_large",  # limit (KB)
        "line_too_long",  # limit (characters)
        "yaml_syntax",  # detail
        "yaml_alias",
        "yaml_character",  # character (written U+hhhh)
        "empty_file",
        "not_mapping",  # key ("" for the whole file): must be a mapping
        # keys and their values
        "duplicate_key",  # key
        "bad_key",
        "missing_key",  # key
        "wrong_format",  # expected, found
        "wrong_type",  # key, expected (number, text, true or false, list, ...), found
        "out_of_range",  # key, minimum, maximum, found ("" where no limit)
        "bad_choice",  # key, choices, found
        "needs_vi",  # key
        "bad_code",  # code, kind (framework, node, element)
        "duplicate_code",  # code, first_line
        "too_many_nodes",  # limit
        "too_deep",  # limit
        "branch_key",  # key: points, score or formula on a branch
        "method_key",  # key, method
        "one_of",  # keys: exactly one of them is needed
        "flat_linear",  # value: linear zero == full
        "steps_order",  # index, x, previous
        "bounds_order",  # minimum, maximum: min > max
        "formula_bounds",  # key: min/max on an indicator with a formula
        "formula_syntax",  # key (formula or rule), text, detail
        "unknown_element",  # key (formula or rule), name
        "names_indicator",  # key (formula or rule), name
        # values
        "bad_call",  # a caller's mistake (shapes, types): a message for developers
        "unknown_unit",  # unit
        "unknown_code",  # code, framework
        "computed_code",  # code: a branch or an indicator with a formula
        "empty_field",  # field (unit or code)
        "unreadable_value",  # unit, text, expected (number or yes/no)
        "not_finite",  # unit, text
        "not_whole",  # unit, text
        "not_percent",  # unit, text
        "thousands_separator",  # unit, text
        "out_of_bounds",  # unit, text, minimum, maximum ("" where no bound)
        "duplicate_value",  # unit, first_line ("" when not known)
        "rule_broken",  # unit, rule, figures
        "not_applicable_refused",  # unit, text: "không áp dụng" where may_not_apply is not set
        "nothing_to_score",  # unit: every indicator missing (missing: exclude) or not applying
        "what_if",  # a what-if change that names nothing or is not a number (where says which)
    }
)

_NO_PARAMS: Final[Mapping[str, str]] = MappingProxyType({})


class Problem(NamedTuple):
    """One thing wrong with an input."""

    message: str
    """English, one line, names the code or key."""
    where: str | None = None
    """Node or element code, key path ("tree[2].score.zero") or unit code."""
    line: int | None = None
    """1-based line in the source text, when known."""
    source: str | None = None
    """File name given by the caller."""
    rule: int | None = None
    """For a broken validation rule: its index in `Framework.validation`."""
    code: str = "bad_call"
    """What is wrong, one of `CODES`: stable, for callers that translate or act on it."""
    params: Mapping[str, str] = _NO_PARAMS
    """The parts of the message as text (the key, the value found, ...), see `CODES`."""

    def __str__(self) -> str:
        # "source:line: where: message", leaving out the parts that are unknown.
        location = ":".join(str(part) for part in (self.source, self.line) if part is not None)
        parts = [part for part in (location, self.where) if part]
        return ": ".join([*parts, self.message])


def problem(
    code: str,
    message: str,
    where: str | None = None,
    line: int | None = None,
    source: str | None = None,
    rule: int | None = None,
    /,
    **params: object,
) -> Problem:
    """A `Problem` with its code checked against `CODES` and its params as text."""
    if code not in CODES:
        raise ValueError(f"unknown problem code {code!r}")
    shown = {key: "" if value is None else str(value) for key, value in params.items()}
    return Problem(message, where, line, source, rule, code, shown)


class ValueProblem(ValueError):
    """One entered value that cannot be read (`coerce_value`): a message, a code, params."""

    def __init__(self, code: str, message: str, /, **params: object) -> None:
        if code not in CODES:
            raise ValueError(f"unknown problem code {code!r}")
        super().__init__(message)
        self.code = code
        self.params = {key: "" if value is None else str(value) for key, value in params.items()}


class EngineError(Exception):
    """Raised with every problem found in a framework, a values set or a call."""

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
