"""Engine problems in the reader's language: the one translation of `Problem.code`.

The engine's messages are English, for the command line. Pages show problems to
admins (the framework upload, the Excel criteria import) and officers (figures
that cannot be read), so they translate here, from the problem's stable `code`
and its `params` (see chiso/engine/errors.py), never by reading the message.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiso import engine

# What a key's value should be (the `expected` param of wrong_type).
_EXPECTED = {
    "number": gettext_noop("a number"),
    "whole number": gettext_noop("a whole number"),
    "text": gettext_noop("a text"),
    "true or false": gettext_noop("true or false"),
    "list": gettext_noop("a list"),
    "non-empty list": gettext_noop("a non-empty list"),
    "list of pairs": gettext_noop("a list like [[x1, s1], [x2, s2]]"),
    "pair": gettext_noop("a pair of numbers [x, s]"),
}


class _Params(dict[str, str]):
    # A param the engine did not give reads as empty rather than failing the page.
    def __missing__(self, key: str) -> str:
        return ""


def problem_text(problem: engine.Problem) -> str:
    """The problem's message (without file, line or place) in the active language."""
    p = _Params(problem.params)
    code = problem.code
    message = _FIXED.get(code)
    if message is not None:
        return _(message) % p
    handler = _BY_PARAMS.get(code)
    if handler is not None:
        return handler(p)
    # bad_call and anything unforeseen: the engine's own words are all there is.
    return problem.message


def value_text(error: engine.ValueProblem) -> str:
    """Why a typed figure cannot be read (`coerce_value`), for the person who typed it."""
    return problem_text(engine.Problem(str(error), code=error.code, params=error.params))


_FIXED: dict[str, str] = {
    "what_if": gettext_noop(
        "This change cannot be tried: it names no indicator, input or unit of the "
        "framework, or it is not a number."
    ),
    "file_too_large": gettext_noop("The file is larger than %(limit)s KB."),
    "line_too_long": gettext_noop("The line is longer than %(limit)s characters."),
    "yaml_syntax": gettext_noop("The file is not valid YAML: %(detail)s"),
    "yaml_alias": gettext_noop(
        "YAML anchors and aliases (& and *) are not allowed: write the text out in full."
    ),
    "yaml_character": gettext_noop(
        "The file contains a character that is not allowed in a text file (%(character)s)."
    ),
    "empty_file": gettext_noop("The file is empty."),
    "duplicate_key": gettext_noop("The key %(key)s appears twice."),
    "bad_key": gettext_noop("A key must be a plain word."),
    "missing_key": gettext_noop("The required key %(key)s is missing."),
    "wrong_format": gettext_noop("format must be %(expected)s, not %(found)s."),
    "bad_choice": gettext_noop("%(key)s must be one of %(choices)s, not %(found)s."),
    "needs_vi": gettext_noop("%(key)s needs a Vietnamese text (vi)."),
    "bad_code": gettext_noop("The code %(code)s is not valid."),
    "too_many_nodes": gettext_noop("The tree has more than %(limit)s nodes."),
    "too_deep": gettext_noop("The file is nested too deeply."),
    "branch_key": gettext_noop(
        "%(key)s on a branch: only an indicator (a node without children) has it."
    ),
    "method_key": gettext_noop("%(key)s does not apply to the scoring method %(method)s."),
    "one_of": gettext_noop("Exactly one of %(keys)s is needed."),
    "flat_linear": gettext_noop("linear needs zero different from full (both are %(value)s)."),
    "steps_order": gettext_noop(
        "steps[%(index)s]: x must be ascending (%(x)s after %(previous)s)."
    ),
    "bounds_order": gettext_noop("min must not be more than max (%(minimum)s > %(maximum)s)."),
    "formula_bounds": gettext_noop(
        "min and max are for an entered value, not an indicator with a formula: "
        "put them on its elements."
    ),
    "unknown_unit": gettext_noop("Unknown unit %(unit)s."),
    "unknown_code": gettext_noop("Unknown code %(code)s for framework %(framework)s."),
    "computed_code": gettext_noop(
        "%(code)s is computed by the framework: enter its elements instead."
    ),
    "not_finite": gettext_noop("“%(text)s” is not a number."),
    "not_whole": gettext_noop("“%(text)s” is not a whole number."),
    "not_percent": gettext_noop("“%(text)s” is not a percentage between 0 and 100."),
    "thousands_separator": gettext_noop(
        "“%(text)s” is not a whole number (do not separate thousands)."
    ),
    "rule_broken": gettext_noop("Unit %(unit)s breaks the rule %(rule)s (%(figures)s)."),
    "not_applicable_refused": gettext_noop(
        "“%(text)s” is allowed only for an indicator that may not apply to every unit."
    ),
    "nothing_to_score": gettext_noop(
        "Unit %(unit)s has nothing to score: every indicator is missing or does not apply."
    ),
}


def _not_mapping(p: Mapping[str, str]) -> str:
    if not p["key"]:
        return _("The file must be a YAML mapping.")
    return _("%(key)s must be a mapping.") % p


def _wrong_type(p: Mapping[str, str]) -> str:
    expected = _EXPECTED.get(p["expected"])
    shown = {**p, "expected": _(expected) if expected else p["expected"]}
    return _("%(key)s must be %(expected)s, not %(found)s.") % shown


def _out_of_range(p: Mapping[str, str]) -> str:
    if p["minimum"] and p["maximum"]:
        return _("%(key)s must be between %(minimum)s and %(maximum)s, not %(found)s.") % p
    return _("%(key)s must be %(minimum)s or more, not %(found)s.") % p


def _duplicate_code(p: Mapping[str, str]) -> str:
    if p["first_line"]:
        return _("The code %(code)s is used twice (first on line %(first_line)s).") % p
    return _("The code %(code)s is used twice.") % p


def _formula_syntax(p: Mapping[str, str]) -> str:
    if p["key"] == "rule":
        return _("The rule %(text)s cannot be read: %(detail)s") % p
    return _("The formula %(text)s cannot be read: %(detail)s") % p


def _unknown_element(p: Mapping[str, str]) -> str:
    if p["key"] == "rule":
        return _("The rule names %(name)s, which is not an element of the framework.") % p
    return _("The formula names %(name)s, which is not an element of the framework.") % p


def _names_indicator(p: Mapping[str, str]) -> str:
    if p["key"] == "rule":
        return _("The rule names the indicator %(name)s; a rule names elements only.") % p
    return _("The formula names the indicator %(name)s; a formula names elements only.") % p


def _empty_field(p: Mapping[str, str]) -> str:
    if p["field"] == "unit":
        return _("The unit is empty.")
    return _("The code is empty.")


def _unreadable_value(p: Mapping[str, str]) -> str:
    if not p["text"].strip():
        return _("The value is empty.")
    if p["expected"] == "yes/no":
        return _("“%(text)s” is not a yes/no answer (Có/Không).") % p
    return _("“%(text)s” is not a number.") % p


def _out_of_bounds(p: Mapping[str, str]) -> str:
    if p["minimum"] and p["maximum"]:
        return _("“%(text)s” is outside the allowed range (%(minimum)s to %(maximum)s).") % p
    if p["minimum"]:
        return _("“%(text)s” is below the allowed minimum (%(minimum)s).") % p
    return _("“%(text)s” is above the allowed maximum (%(maximum)s).") % p


def _duplicate_value(p: Mapping[str, str]) -> str:
    if p["first_line"]:
        return _("The value is given twice (also on line %(first_line)s).") % p
    return _("The value is given twice.")


_BY_PARAMS = {
    "not_mapping": _not_mapping,
    "wrong_type": _wrong_type,
    "out_of_range": _out_of_range,
    "duplicate_code": _duplicate_code,
    "formula_syntax": _formula_syntax,
    "unknown_element": _unknown_element,
    "names_indicator": _names_indicator,
    "empty_field": _empty_field,
    "unreadable_value": _unreadable_value,
    "out_of_bounds": _out_of_bounds,
    "duplicate_value": _duplicate_value,
}
