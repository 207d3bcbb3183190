"""Properties that must hold for any values: checked on generated data."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.engine import Values, parse_values, score
from tests.engine.builders import branch, leaf, make_framework

FRAMEWORK = make_framework(
    branch(
        "CQS",
        leaf("up", 20, {"method": "linear", "zero": 10, "full": 90}),
        leaf("down", 10, {"method": "linear", "zero": 10, "full": 2}),
        leaf("least", 10, {"method": "threshold", "at_least": 50}, mandatory=True),
        leaf("most", 5, {"method": "threshold", "at_most": 3}),
    ),
    branch(
        "KTS",
        leaf("meetings", 20, {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [4, 1]]}),
        leaf("portal", 10, {"method": "boolean"}),
        leaf("share", 15, {"method": "linear", "zero": 0, "full": 90}, formula="100 * a / b"),
        leaf("rel", 10, {"method": "relative"}),
        leaf("city", 0, {"method": "boolean"}),
    ),
    elements=[{"code": "a", "title": {"vi": "a"}}, {"code": "b", "title": {"vi": "b"}}],
    recognition={"min_value": 0.5, "all_mandatory": True},
)
CODES = FRAMEWORK.input_codes
# Indicators where a higher entered value never scores lower.
RISING = ("up", "least", "meetings", "portal")

number = st.one_of(st.none(), st.floats(min_value=-100, max_value=200, allow_nan=False))
yes_no = st.sampled_from([None, 0.0, 1.0])
unit_values = st.fixed_dictionaries(
    {code: yes_no if FRAMEWORK.input_type(code) == "boolean" else number for code in CODES}
)
units = st.lists(unit_values, min_size=1, max_size=8)


def values_of(rows: list[dict[str, float | None]]) -> Values:
    mapping = {f"u{index}": row for index, row in enumerate(rows)}
    return Values.from_mapping(FRAMEWORK, mapping)


@settings(max_examples=60, deadline=None)
@given(units, st.integers(min_value=0), st.sampled_from(RISING), st.floats(0, 100))
def test_raising_a_value_never_lowers_the_framework_value(rows, which, code, rise):
    row = which % len(rows)
    before = score(FRAMEWORK, values_of(rows)).value[row]
    raised = [dict(r) for r in rows]
    current = raised[row][code]
    raised[row][code] = (current if current is not None else -100.0) + rise
    if code == "portal":
        raised[row][code] = 1.0 if rise > 0 else current
    after = score(FRAMEWORK, values_of(raised)).value[row]
    assert after >= before - 1e-12


@settings(max_examples=60, deadline=None)
@given(units)
def test_every_value_and_score_lies_between_0_and_1(rows):
    results = score(FRAMEWORK, values_of(rows))
    assert ((results.value >= 0) & (results.value <= 1)).all()
    present = results.node_values[~np.isnan(results.node_values)]
    assert ((present >= 0) & (present <= 1)).all()
    # Only the branch worth nothing may lack a value: none here.
    assert not np.isnan(results.node_values).any()
    assert (results.points <= results.max_points + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(units)
def test_ranks_agree_with_values(rows):
    results = score(FRAMEWORK, values_of(rows))
    value, rank = results.value.tolist(), results.rank.tolist()
    for i in range(len(rows)):
        for j in range(len(rows)):
            if value[i] > value[j]:
                assert rank[i] <= rank[j]  # a higher value never ranks worse
            if value[i] == value[j]:
                assert rank[i] == rank[j]
        # Competition ranks: one more than the number of units ranked better.
        assert rank[i] == 1 + sum(other < rank[i] for other in rank)


@settings(max_examples=40, deadline=None)
@given(units, st.randoms(use_true_random=False))
def test_the_order_of_the_rows_in_the_values_file_changes_nothing(rows, random):
    long_form = [
        (line, f"u{index}", code, "" if v is None else repr(v))
        for line, (index, code, v) in enumerate(
            ((index, code, row[code]) for index, row in enumerate(rows) for code in CODES),
            start=2,
        )
    ]
    shuffled = long_form[:]
    random.shuffle(shuffled)
    first = score(FRAMEWORK, parse_values(long_form, FRAMEWORK))
    second = score(FRAMEWORK, parse_values(shuffled, FRAMEWORK))
    for unit in first.units:
        a, b = first.unit(unit), second.unit(unit)
        assert (a.value, a.points, a.rank, a.recognized) == (
            b.value,
            b.points,
            b.rank,
            b.recognized,
        )
        assert a.node_values == b.node_values
