"""How a framework's texts and figures are written on pages (not in files or the API).

Pages write numbers the Vietnamese way (0,7314; 12,5) through the active locale's
decimal separator and never group thousands, so a figure copied back into a field
reads the same. Files and the API keep plain decimals.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso import engine
from chiso.lib import numbers


def in_language(text: Mapping[str, str] | None) -> str:
    """A {vi, en} text in the current language (Vietnamese when there is no English)."""
    if not text:
        return ""
    if (get_language() or "vi").startswith("en") and text.get("en"):
        return str(text["en"])
    return str(text.get("vi") or next(iter(text.values()), ""))


def as_text(value: object) -> dict[str, str] | None:
    """An extra key of a framework ({vi, en} or a plain string) as a {vi, en} text."""
    if isinstance(value, Mapping):
        return {str(key): str(text) for key, text in value.items()}
    if isinstance(value, str):
        return {"vi": value}
    return None


# Numbers are written by chiso.lib.numbers, the one module for every page.
show_number = numbers.number
show_value = numbers.index
decimal_separator = numbers.decimal_separator


def with_unit(text: str, unit: str | None) -> str:
    if not unit or text == "—":
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def method_text(node: engine.Node) -> str:
    """How an indicator is scored, in one sentence."""
    rule = node.score
    if rule is None:
        return ""

    def at(x: float | None) -> str:
        return with_unit(show_number(x, 4), node.unit)

    if rule.method == "linear":
        higher_is_better = (rule.full or 0.0) > (rule.zero or 0.0)
        template = (
            _("Full points at %(full)s or more, none at %(zero)s or less.")
            if higher_is_better
            else _("Full points at %(full)s or less, none at %(zero)s or more.")
        )
        return template % {"full": at(rule.full), "zero": at(rule.zero)}
    if rule.method == "threshold":
        if rule.at_least is not None:
            return _("Full points at %(x)s or more, otherwise none.") % {"x": at(rule.at_least)}
        return _("Full points at %(x)s or less, otherwise none.") % {"x": at(rule.at_most)}
    if rule.method == "steps":
        steps = "; ".join(
            _("from %(x)s: %(points)s")
            % {"x": at(x), "points": numbers.points_words(s * (node.points or 0.0))}
            for x, s in rule.steps
        )
        return _("In steps: %(steps)s.") % {"steps": steps}
    if rule.method == "boolean":
        if node.formula:
            return _("Full points when the value is not 0.")
        return _("Full points when the answer is Yes.")
    if rule.better == "lower":
        return _(
            "Scored against the other units, lower is better: the lowest figure gets full "
            "points, the highest none."
        )
    return _(
        "Scored against the other units: the highest figure gets full points, the lowest none."
    )


def method_name(node: engine.Node) -> str:
    names = {
        "linear": _("linear"),
        "threshold": _("threshold"),
        "steps": _("steps"),
        "boolean": _("yes / no"),
        "relative": _("relative"),
    }
    return names.get(node.score.method, "") if node.score else ""


def type_name(type_: str) -> str:
    """The name of an input type, for people."""
    names = {
        "integer": _("whole number"),
        "number": _("number"),
        "percent": _("percentage"),
        "boolean": _("yes / no"),
    }
    return names.get(type_, type_)


def title_of(framework: engine.Framework, code: str, default: str = "") -> str:
    """An element's or node's title in the page's language (`default` for an unknown code)."""
    for element in framework.elements:
        if element.code == code:
            return in_language(element.title)
    try:
        return in_language(framework.node(code).title)
    except (KeyError, engine.EngineError):
        return default or code


def figure_of(framework: engine.Framework, code: str, value: float | None) -> str:
    """A figure of an input or indicator as the pages write it: Có/Không for a yes/no
    input, else the number with its indicator's unit (90%, 12 người)."""
    if code in framework.input_codes and framework.input_type(code) == "boolean":
        if value is None or value != value:
            return "—"
        return _("Yes") if value else _("No")
    unit = None
    if all(element.code != code for element in framework.elements):
        try:
            unit = framework.node(code).unit
        except (KeyError, engine.EngineError):
            unit = None
    return with_unit(show_number(value), unit)
