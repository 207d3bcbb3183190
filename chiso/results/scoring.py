"""The one bridge from the database to the scoring engine.

Publishing and the provisional figures staff see (the provisional ranking, the
dashboard and map of a level not yet published) score here and nowhere else: `Scored`
reads approved (or published) submissions only, each value's effective figure
(verified where a reviewer set it, else self-reported). A published level is read
from its snapshot (`read.py`), never scored again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from chiso import engine
from chiso.assessments.figures import figures_of, not_applicable_of
from chiso.assessments.models import Status, Submission
from chiso.lib import numbers
from chiso.lib import values_csv as long_values
from chiso.lib.values_csv import NOT_APPLICABLE_TEXT

FINAL_STATUSES = (Status.APPROVED, Status.PUBLISHED)


def score_period(period, level: str, *, final_only: bool = True) -> engine.Results | None:  # type: ignore[no-untyped-def]
    """Every unit of one level in a period scored now (`Scored`: approved submissions by
    default; `final_only` False: every submission, the province's own estimate)."""
    try:
        return Scored(period, level, final_only=final_only).results
    except LookupError:
        return None


def preview(submission: Submission, figures: Mapping[str, float | None]) -> engine.UnitResult:
    """What a unit's draft figures would score (the entry page's live preview).

    The unit is scored alone, so an indicator scored `relative` to other units
    shows 1 when it has a value: its real score is known only when all are in.
    """
    parsed = submission.framework.engine()
    present = {code: value for code, value in figures.items() if value is not None}
    code = submission.unit.code
    marks = not_applicable_of([submission], parsed)
    for marked in marks[code]:
        present[marked] = NOT_APPLICABLE_TEXT
    results = engine.score(parsed, engine.Values.from_mapping(parsed, {code: present}))
    return results.unit(code)


def score_derived(
    framework: engine.Framework, values: engine.Values, successors: Mapping[str, list[str]]
) -> tuple[engine.Values, engine.Results]:
    """The figures units formed at the reform would have had in an earlier period (the
    plain mean of their predecessors', `engine.derive_values`), and their scores there:
    computed when publishing, stored with the snapshot, never on read."""
    derived = engine.derive_values(values, successors).values
    return derived, engine.score(framework, derived)


SUBMISSION_FIELDS = (
    "period_id",
    "framework_id",
    "status",
    "unit__code",
    "unit__name",
    "unit__kind",
    "unit__level",
    "unit__parent_id",
)


class Scored:
    """One level of a period scored from its approved submissions (publishing and the
    provisional ranking both start here).

    `submissions` holds every submission of the level (approved or not, with units);
    `assessed` the approved (or published) ones in unit-code order, `values` their
    figures as the engine read them and `results` the engine's results, row for row.
    """

    def __init__(self, period: Any, level: str, *, final_only: bool = True) -> None:
        self.period = period
        self.level = level
        self.framework = period.framework_for(level)
        if self.framework is None:
            raise LookupError(f"period {period.pk} has no framework for level {level}")
        self.engine_framework = self.framework.engine()
        self.submissions = list(
            Submission.objects.filter(period=period, framework=self.framework)
            .select_related("unit")
            # Only what results use: 3,321 whole units cost more to build than to score.
            .only(*SUBMISSION_FIELDS)
            .order_by("unit__code")
        )
        final = [s.status in FINAL_STATUSES or not final_only for s in self.submissions]
        self.assessed = [s for s, kept in zip(self.submissions, final, strict=True) if kept]
        self.not_assessed = [s for s, kept in zip(self.submissions, final, strict=True) if not kept]
        figures = figures_of(self.assessed)
        self.figures = {s.unit.code: figures[s.unit.code] for s in self.assessed}
        self.not_applicable = not_applicable_of(self.assessed, self.engine_framework)
        self.values = _matrix(self.engine_framework, self.figures, self.not_applicable)
        self.results = engine.score(self.engine_framework, self.values)

    def values_csv(self) -> str:
        """The figures scored, in the long form of the format doc (unit,code,value), one
        line per figure, units in code order and codes in the framework's input order.

        Numbers are written so they read back as the very same float (`chiso score` on
        this file gives the published ranking).
        """
        return long_values.write(self._figure_rows())

    def _figure_rows(self) -> Iterator[tuple[str, str, str]]:
        order = {code: index for index, code in enumerate(self.engine_framework.input_codes)}
        marked = [leaf.code for leaf in self.engine_framework.leaves if leaf.may_not_apply]
        for unit, figures in self.figures.items():
            out = self.not_applicable.get(unit, set())
            for code in sorted((c for c in figures if c in order), key=order.__getitem__):
                if code not in out:
                    yield unit, code, numbers.exact(figures[code])
            # An indicator that does not apply: "không áp dụng" (format doc).
            for code in marked:
                if code in out:
                    yield unit, code, NOT_APPLICABLE_TEXT


def _matrix(
    framework: engine.Framework,
    figures: Mapping[str, Mapping[str, float]],
    not_applicable: Mapping[str, set[str]] | None = None,
) -> engine.Values:
    """The engine's Values straight from stored figures (units x input codes).

    Stored figures were read and checked when they were entered, so they are put in
    the matrix as they are: `Values.from_mapping` would write each as text and read
    it back, a second per 100,000 figures. Codes the framework no longer has are left
    out, as the values file leaves them out.
    """
    codes = framework.input_codes
    column = {code: index for index, code in enumerate(codes)}
    matrix = np.full((len(figures), len(codes)), np.nan)
    for row, by_code in enumerate(figures.values()):
        for code, value in by_code.items():
            index = column.get(code)
            if index is not None:
                matrix[row, index] = value
    na_codes = [leaf.code for leaf in framework.leaves if leaf.may_not_apply]
    marks = np.zeros((len(figures), len(na_codes)), dtype=bool)
    if not_applicable:
        for row, unit in enumerate(figures):
            out = not_applicable.get(unit, set())
            marks[row] = [code in out for code in na_codes]
    return engine.Values(list(figures), codes, matrix, na_codes, marks)
