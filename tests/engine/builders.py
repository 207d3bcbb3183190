"""The one builder of small frameworks for the tests, written the way officials write them.

Nodes: `leaf` (an indicator with its score rule as a mapping) or `ind` (the same with the
score keys given flat: `ind("X", 10, zero=0, full=90)`), `branch` (alias `br`), `el` (an
element). Documents: `doc` (the mapping), `framework_text` (its YAML), `make_framework`
(parsed; alias `fw`)."""

from __future__ import annotations

from typing import Any

from chiso.engine import Framework, dump_framework, parse_framework

# Two wards of Thanh Hóa after the 2025 reform, and a third commune for ties.
HAM_RONG = "14758"
HAC_THANH = "14797"
DONG_SON = "14800"


SCORE_KEYS = {"zero", "full", "at_least", "at_most", "steps", "better", "cap"}


def title(text: str) -> dict[str, str]:
    return {"vi": text, "en": text}


def leaf(code: str, points: float, score: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An indicator node as it appears in a framework file."""
    title = {"vi": f"Chỉ tiêu {code}", "en": f"Indicator {code}"}
    return {"code": code, "title": title, "points": points, "score": score, **extra}


def ind(code: str, points: float, method: str = "linear", **rest: Any) -> dict[str, Any]:
    """An indicator; `rest` holds score keys (zero, full, ...) and node keys."""
    rule: dict[str, Any] = {"method": method}
    node = {key: value for key, value in rest.items() if key not in SCORE_KEYS}
    rule.update({key: value for key, value in rest.items() if key in SCORE_KEYS})
    return leaf(code, points, rule, **node)


def branch(code: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "title": {"vi": f"Nhóm {code}"}, "children": list(children)}


br = branch


def el(code: str, type_: str = "number") -> dict[str, Any]:
    return {"code": code, "title": title(f"Phần tử {code}"), "type": type_}


def doc(*tree: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A framework document with the given tree and top-level keys."""
    return {
        "format": "chiso-framework/1",
        "code": "test-2024",
        "title": {"vi": "Bộ tiêu chí thử nghiệm", "en": "Test criteria"},
        "level": "commune",
        "year": 2024,
        **top,
        "tree": list(tree),
    }


def framework_text(*tree: dict[str, Any], **top: Any) -> str:
    """The YAML text of a framework with the given tree and top-level keys."""
    return dump_framework(doc(*tree, **top))


def make_framework(*tree: dict[str, Any], **top: Any) -> Framework:
    return parse_framework(framework_text(*tree, **top), source="test.yaml")


fw = make_framework
