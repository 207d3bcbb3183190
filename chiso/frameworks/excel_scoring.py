"""Scoring rules in the readable syntax of a criteria table: "linear 0-90", "steps 1:0.25; 2:1"."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from chiso import engine
from chiso.frameworks.excel_columns import labels, plain
from chiso.lib.uploads import fold, number_text

_NUM = r"[+-]?\d+(?:[.,]\d+)?"
METHOD_WORDS: dict[str, str] = {
    **dict.fromkeys(labels("linear", "tuyến tính"), "linear"),
    **dict.fromkeys(labels("threshold", "ngưỡng"), "threshold"),
    **dict.fromkeys(labels("steps", "bậc", "bậc thang", "mức"), "steps"),
    **dict.fromkeys(labels("boolean", "có/không", "đạt/không đạt", "yes/no"), "boolean"),
    **dict.fromkeys(labels("relative", "tương đối"), "relative"),
}


# "relative lower": the lowest figure scores full points (`better: lower`).
LOWER_WORDS = labels("lower", "lower is better", "thấp hơn tốt hơn", "càng thấp càng tốt")


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def parse_method(raw: object) -> dict[str, Any]:
    """A `score` mapping from text such as "linear 0-90" or "steps 1:0.25; 2:1".

    Raises ValueError with a message for the user when the text is not a rule.
    """
    text = " ".join(str(raw or "").split())
    text = text.replace("≥", ">=").replace("≤", "<=").replace("–", "-").replace("→", "-")
    match = re.match(r"^([^\d<>=+\-.,:;]*)(.*)$", text)
    assert match is not None  # the pattern matches any text
    words = fold(match.group(1))
    method = METHOD_WORDS.get(words)
    rest = match.group(2).strip()
    if method is None and not rest:
        lower = next((w for w in LOWER_WORDS if words.endswith(" " + w)), None)
        if lower is not None and METHOD_WORDS.get(words[: -len(lower) - 1]) == "relative":
            return {"method": "relative", "better": "lower"}
    if method in ("boolean", "relative") and not rest:
        return {"method": method}
    if method == "linear":
        found = re.fullmatch(rf"({_NUM})\s*(?:-|\.\.|to|đến|den)\s*({_NUM})", rest)
        if found and _float(found.group(1)) != _float(found.group(2)):
            return {
                "method": "linear",
                "zero": plain(_float(found.group(1))),
                "full": plain(_float(found.group(2))),
            }
    if method == "threshold":
        found = re.fullmatch(rf"(>=|<=)\s*({_NUM})", rest)
        if found:
            key = "at_least" if found.group(1) == ">=" else "at_most"
            return {"method": "threshold", key: plain(_float(found.group(2)))}
    if method == "steps":
        pairs = []
        for part in [item.strip() for item in rest.split(";") if item.strip()]:
            found = re.fullmatch(rf"({_NUM})\s*[:=]\s*({_NUM})", part)
            if not found:
                pairs = []
                break
            pairs.append([plain(_float(found.group(1))), plain(_float(found.group(2)))])
        if pairs:
            return {"method": "steps", "steps": pairs}
    raise ValueError(
        _(
            "“%(text)s” is not a scoring rule: write for example “linear 0-90”, "
            "“threshold >= 60”, “threshold <= 5”, “boolean”, “steps 1:0.25; 2:0.5; 4:1” "
            "or “relative”."
        )
        % {"text": text}
    )


def method_text(rule: engine.ScoreRule) -> str:
    """The readable form of a scoring rule, the inverse of `parse_method`."""
    if rule.method == "linear":
        zero, full = rule.zero or 0.0, rule.full or 0.0
        sep = "-" if zero >= 0 and full >= 0 else ".."
        return f"linear {number_text(zero)}{sep}{number_text(full)}"
    if rule.method == "threshold":
        if rule.at_least is not None:
            return f"threshold >= {number_text(rule.at_least)}"
        return f"threshold <= {number_text(rule.at_most or 0.0)}"
    if rule.method == "steps":
        return "steps " + "; ".join(f"{number_text(x)}:{number_text(s)}" for x, s in rule.steps)
    if rule.method == "relative" and rule.better == "lower":
        return "relative lower"
    return rule.method
