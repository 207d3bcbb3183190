"""The one loader of submissions' figures: entry page, review page, exports, imports, results.

A value has a self-reported figure (what the unit entered) and perhaps a verified
one (the reviewer's correction); the effective figure is the verified one where
there is one. Callers choose which, and get plain floats (empty figures left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from chiso import engine
from chiso.assessments.models import NotApplicable, Submission, Value

Which = Literal["effective", "self", "verified"]


def figures_by_submission(
    submissions: Iterable[Submission], which: Which = "effective"
) -> dict[int, dict[str, float]]:
    """{submission id: {code: figure}} in one query."""
    ids = [submission.pk for submission in submissions]
    figures: dict[int, dict[str, float]] = {pk: {} for pk in ids}
    rows = Value.objects.filter(submission_id__in=ids).values_list(
        "submission_id", "code", "self_value", "verified_value"
    )
    for submission_id, code, self_value, verified_value in rows:
        value = _chosen(which, self_value, verified_value)
        if value is not None:
            figures[submission_id][code] = value
    return figures


def figures_of_values(values: Iterable[Value], which: Which = "effective") -> dict[str, float]:
    """{code: figure} of one submission's values already loaded (no query)."""
    figures = {}
    for value in values:
        figure = _chosen(which, value.self_value, value.verified_value)
        if figure is not None:
            figures[value.code] = figure
    return figures


def _chosen(which: Which, self_value: float | None, verified_value: float | None) -> float | None:
    if which == "self":
        return self_value
    if which == "verified":
        return verified_value
    return verified_value if verified_value is not None else self_value


def figures_of(
    submissions: Iterable[Submission], which: Which = "effective"
) -> dict[str, dict[str, float]]:
    """{unit code: {code: figure}} in one query (the submissions' units must be loaded)."""
    subs = list(submissions)
    by_id = figures_by_submission(subs, which)
    return {submission.unit.code: by_id[submission.pk] for submission in subs}


def marks_by_submission(submissions: Iterable[Submission]) -> dict[int, set[str]]:
    """{submission id: indicators marked as not applying to its unit} in one query."""
    ids = [submission.pk for submission in submissions]
    marks: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = NotApplicable.objects.filter(submission_id__in=ids).values_list("submission_id", "code")
    for submission_id, code in rows:
        marks[submission_id].add(code)
    return marks


def not_applicable_of(
    submissions: Iterable[Submission], framework: engine.Framework | None = None
) -> dict[str, set[str]]:
    """{unit code: indicators marked as not applying} in one query (units loaded); no
    query when `framework` has no indicator that may not apply."""
    subs = list(submissions)
    if framework is not None and not any(leaf.may_not_apply for leaf in framework.leaves):
        return {submission.unit.code: set() for submission in subs}
    by_id = marks_by_submission(subs)
    return {submission.unit.code: by_id[submission.pk] for submission in subs}
