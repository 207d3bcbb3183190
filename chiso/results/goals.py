"""The report card's goal choice: what "Lộ trình" plans to, read from the page's GET form.

`goal` is `recognition`, `value` (a framework value from 0 to 1, typed "0,8" or "0.8")
or `rank` (a whole number from 1 to the units ranked); `target` is the number typed.
Whatever is typed is read without ever failing: a bad number gives `error`, a message
shown next to the field, and the typed text is kept to be shown back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from django.http import QueryDict
from django.utils.translation import gettext as _

KINDS: Final = ("recognition", "value", "rank")
# Longer than any sensible number: refused before converting (int() of 5,000 digits raises).
LONGEST: Final = 20
# ASCII digits only: "²" and other Unicode digits are not numbers here.
DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
WHOLE: Final = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class GoalChoice:
    kind: str
    typed: str
    """The number as typed (kept to be shown back in the field)."""
    goal: str | None
    """The engine's goal (recognition, value:0.8, rank:10); None: nothing to plan."""
    error: str = ""
    target: float | None = None
    """The number read (for a value or a rank goal)."""


def read_goal(params: QueryDict, ranked: int, has_recognition: bool) -> GoalChoice:
    """The goal asked for in `params` (the card's query string)."""
    default = "recognition" if has_recognition else "value"
    kind = params.get("goal", default)
    if kind not in KINDS:
        kind = default
    typed = params.get("target", "")[:100]
    if kind == "recognition":
        return GoalChoice(kind, typed, "recognition")
    text = typed.strip()
    if not text:
        if "goal" not in params:  # the card opened without recognition rule: just the form
            return GoalChoice(kind, typed, None)
        return GoalChoice(kind, typed, None, _("Enter a number."))
    if kind == "value":
        return _value(typed, text)
    return _rank(typed, text, ranked)


def _value(typed: str, text: str) -> GoalChoice:
    between = _("A value is a number from 0 to 1, such as 0,8.")
    if len(text) > LONGEST:
        return GoalChoice("value", typed, None, between)
    if not DECIMAL.fullmatch(text):
        return GoalChoice("value", typed, None, _("Not a number: type a value such as 0,8."))
    number = float(text.replace(",", "."))
    if not 0.0 <= number <= 1.0:
        return GoalChoice("value", typed, None, between)
    return GoalChoice("value", typed, f"value:{number!r}", target=number)


def _rank(typed: str, text: str, ranked: int) -> GoalChoice:
    between = _("A rank is a whole number from 1 to %(ranked)s.") % {"ranked": ranked}
    if len(text) > LONGEST:
        return GoalChoice("rank", typed, None, between)
    if not WHOLE.fullmatch(text):
        return GoalChoice("rank", typed, None, between)
    number = int(text)
    if not 1 <= number <= ranked:
        return GoalChoice("rank", typed, None, between)
    return GoalChoice("rank", typed, f"rank:{number}", target=number)
