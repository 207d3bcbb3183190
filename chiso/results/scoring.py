"""The one bridge from the database to the scoring engine.

Pages, exports and the API get their numbers here and nowhere else. Published
results are computed from approved (or published) submissions only, from each
value's effective figure (verified where a reviewer set it, else self-reported).
"""

from __future__ import annotations

from collections.abc import Mapping

from chiso import engine
from chiso.assessments.figures import figures_of
from chiso.assessments.models import Status, Submission

FINAL_STATUSES = (Status.APPROVED, Status.PUBLISHED)


def score_period(period, level: str, *, final_only: bool = True) -> engine.Results | None:  # type: ignore[no-untyped-def]
    """Scores every unit of one level in a period (approved submissions by default)."""
    framework = period.framework_for(level)
    if framework is None:
        return None
    subs = Submission.objects.filter(period=period, framework=framework).select_related("unit")
    if final_only:
        subs = subs.filter(status__in=FINAL_STATUSES)
    figures = figures_of(subs)
    parsed = framework.engine()
    return engine.score(parsed, engine.Values.from_mapping(parsed, figures))


def preview(submission: Submission, figures: Mapping[str, float | None]) -> engine.UnitResult:
    """What a unit's draft figures would score (the entry page's live preview).

    The unit is scored alone, so an indicator scored `relative` to other units
    shows 1 when it has a value: its real score is known only when all are in.
    """
    parsed = submission.framework.engine()
    present = {code: value for code, value in figures.items() if value is not None}
    code = submission.unit.code
    results = engine.score(parsed, engine.Values.from_mapping(parsed, {code: present}))
    return results.unit(code)
