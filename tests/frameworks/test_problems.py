"""Engine problems in Vietnamese, translated by their code (chiso/frameworks/problems.py)."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from chiso import engine
from chiso.frameworks.problems import problem_text

PARAMS = {
    "key": "points", "expected": "number", "found": "-1", "minimum": "0", "maximum": "10",
    "choices": "a, b", "code": "X", "kind": "node", "first_line": "3", "limit": "9",
    "method": "boolean", "keys": "a, b", "value": "1", "index": "0", "x": "1",
    "previous": "2", "text": "x", "detail": "d", "name": "n", "unit": "u",
    "framework": "f", "field": "unit", "rule": "a <= b", "figures": "a = 1",
    "character": "U+0000",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(engine.PROBLEM_CODES - {"bad_call"}))
def test_every_problem_code_reads_in_vietnamese(code):
    problem = engine.Problem("english", code=code, params=PARAMS)
    with override("en"):
        english = problem_text(problem)
    with override("vi"):
        vietnamese = problem_text(problem)
    assert english != "english"  # the page's own words, not the engine's message
    assert vietnamese != english, code


def test_a_problem_code_chooses_the_words_not_the_message():
    problem = engine.Problem(
        "anything at all", code="out_of_bounds", params={"text": "-10", "minimum": "0"}
    )
    with override("vi"):
        assert problem_text(problem) == "“-10” nhỏ hơn mức tối thiểu cho phép (0)."
