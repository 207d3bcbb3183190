"""Reading the data-entry form: typed text in, checked figures (or clear messages) out.

The figures are read by the gate's one reader (chiso.assessments.services.read_figures)
and checked by its rules (services.rule_problems), as for the Excel/CSV import and the
API, so a figure the page accepts is a figure the import accepts. A save hands the typed
text to the gate, which reads and checks it once (`take_refusal` puts its refusal next
to the fields); the live preview reads it here. This module only turns their results
into messages next to the right fields, in the user's language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import BadRequest
from django.utils.formats import get_format

from chiso import engine
from chiso.assessments import services

FIELD_PREFIX = "v-"
VERSION_FIELD = "expected_version"


_ASCII_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str | None) -> int | None:
    """An id or a version from a query or a form: None when empty; BadRequest (400)
    unless plain ASCII digits ("²" and "٣" are digits to Python, not to the database)."""
    if not text:
        return None
    if not _ASCII_ID.fullmatch(text):
        raise BadRequest("Not an id.")
    return int(text)


def filter_text(text: str | None) -> str:
    """A free-text filter from a query: stripped; BadRequest (400) on a NUL byte, which
    PostgreSQL cannot even compare."""
    text = (text or "").strip()
    if "\x00" in text:
        raise BadRequest("NUL in a filter.")
    return text


def field_name(code: str) -> str:
    return FIELD_PREFIX + code


def to_input_text(value: float | None, type_: str) -> str:
    """A stored figure as it is written back into a field: "98,7" in Vietnamese, no grouping."""
    if value is None or math.isnan(value):
        return ""
    if type_ == "boolean":
        return "1" if value else "0"
    if float(value).is_integer():
        return str(int(value))
    return format(value, ".10g").replace(".", str(get_format("DECIMAL_SEPARATOR")))


# The framework's rules and their messages belong to the gate; the form shows them.
BrokenRule = services.BrokenRule
broken_rules = services.broken_rules
rule_message = services.rule_message


@dataclass
class EntryForm:
    """The figures typed on the entry page for one unit, read and checked.

    `texts` keeps what was typed (re-displayed on any error, so nothing typed is
    lost); `figures` holds the numbers once `is_valid()` is true.
    """

    framework: engine.Framework
    unit: str
    data: Mapping[str, str] | None = None
    texts: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float | None] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    rules: list[BrokenRule] = field(default_factory=list)
    expected_version: int | None = None
    _checked: bool = False

    def __post_init__(self) -> None:
        if self.data is None:
            return
        for code in self.framework.input_codes:
            name = field_name(code)
            if name in self.data:
                self.texts[code] = str(self.data.get(name) or "")
        try:
            self.expected_version = int(str(self.data.get(VERSION_FIELD, "")))
        except ValueError:
            self.expected_version = None

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def is_valid(self) -> bool:
        if not self._checked:
            self._check()
        return self.is_bound and not self.errors and not self.rules and self.version_ok

    @property
    def version_ok(self) -> bool:
        return self.expected_version is not None

    def _check(self) -> None:
        self._checked = True
        if not self.is_bound:
            return
        figures, errors = services.read_figures(self.framework, self.unit, self.texts)
        for code, texts in errors.items():
            self.errors.setdefault(code, []).extend(texts)
        self.figures = figures
        if errors:
            return
        problems = services.rule_problems(self.framework, self.unit, figures)
        self.rules = broken_rules(self.framework, problems)
        for rule in self.rules:
            for code in rule.codes:
                if code in self.texts:
                    self.errors.setdefault(code, []).append(rule.message)

    def take_refusal(self, error: services.ServiceError) -> None:
        """The gate's refusal of the typed figures, next to the fields it names (the
        page's preview of a refused save still reads what it can: an error's path)."""
        if not self._checked:
            self._check()
        if error.problems and not self.rules:
            self.rules = broken_rules(self.framework, list(error.problems))
        for code, texts in error.fields.items():
            known = self.errors.setdefault(code, [])
            known.extend(text for text in texts if text not in known)

    def scorable_figures(self) -> dict[str, float | None]:
        """The readable figures without those in a broken rule: the preview gives them
        no points, as the save would refuse them."""
        figures = self.readable_figures()
        for rule in self.rules:
            for code in rule.codes:
                figures.pop(code, None)
        return figures

    def readable_figures(self) -> dict[str, float | None]:
        """The typed figures that can be read (fields that cannot are left out): for previews."""
        if not self._checked:
            self._check()
        return dict(self.figures)
