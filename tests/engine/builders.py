"""Builders for small frameworks, written the way officials write them."""

from __future__ import annotations

from typing import Any

from chiso.engine import Framework, dump_framework, parse_framework

# Two wards of Thanh Hóa after the 2025 reform, and a third commune for ties.
HAM_RONG = "14758"
HAC_THANH = "14797"
DONG_SON = "14800"


def leaf(code: str, points: float, score: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An indicator node as it appears in a framework file."""
    title = {"vi": f"Chỉ tiêu {code}", "en": f"Indicator {code}"}
    return {"code": code, "title": title, "points": points, "score": score, **extra}


def branch(code: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "title": {"vi": f"Nhóm {code}"}, "children": list(children)}


def framework_text(*tree: dict[str, Any], **top: Any) -> str:
    """The YAML text of a framework with the given tree and top-level keys."""
    document: dict[str, Any] = {
        "format": "chiso-framework/1",
        "code": "test-2024",
        "title": {"vi": "Bộ tiêu chí thử nghiệm", "en": "Test criteria"},
        "level": "commune",
        "year": 2024,
        **top,
        "tree": list(tree),
    }
    return dump_framework(document)


def make_framework(*tree: dict[str, Any], **top: Any) -> Framework:
    return parse_framework(framework_text(*tree, **top), source="test.yaml")
