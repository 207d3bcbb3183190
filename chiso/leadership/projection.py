"""Where a target's figure is heading: a straight line through the published periods.

Pure (no Django): the dashboard hands it (year, figure) pairs, one per published
period or DTI year, and the target. The method, stated on the page too:

- the current figure is the latest period's;
- with two or more periods the projection is the least-squares line through every
  (year, figure) pair, read at the target's year; with one period it is that figure
  (no trend can be drawn through one point);
- before the deadline: "achieved" when the current figure already meets the target,
  else "on track" when the projection meets it by the target's year, else "off track";
- once the deadline has passed the target is "met" or "missed" by the figure of its
  year (or the latest before it), never a forecast;
- "unknown" when no period has a figure yet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ACHIEVED = "achieved"
ON_TRACK = "on_track"
OFF_TRACK = "off_track"
UNKNOWN = "unknown"
MET = "met"
MISSED = "missed"
# A DTI rank target past its deadline whose year's DTI the ministry has not published yet.
AWAITING = "awaiting"

METHOD = (
    "linear least squares over the published periods' figures (year, figure), read at the "
    "target's year; one period: its figure"
)


@dataclass(frozen=True)
class Projection:
    current: float | None
    projected: float | None
    status: str
    slope: float | None  # change per year of the fitted line (None with fewer than two points)
    points: int


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(slope, intercept) of the least-squares line through at least two distinct years."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def meets(figure: float, target: float, *, lower_is_better: bool) -> bool:
    return figure <= target if lower_is_better else figure >= target


def project(
    points: Sequence[tuple[float, float]],
    target: float,
    target_year: float,
    *,
    this_year: float,
    lower_is_better: bool = False,
    deadline_passed: bool | None = None,
) -> Projection:
    """Current figure, projection at `target_year` and status (see the module's doc).

    `deadline_passed` defaults to `this_year` being after `target_year`."""
    if deadline_passed is None:
        deadline_passed = this_year > target_year
    known = sorted((float(x), float(y)) for x, y in points if y is not None)
    if not known:
        return Projection(None, None, UNKNOWN, None, 0)
    current = known[-1][1]
    slope = None
    if len({x for x, _ in known}) >= 2:
        slope, intercept = linear_fit(known)
        projected = slope * target_year + intercept
    else:
        projected = current
    if deadline_passed:
        status = MET if meets(current, target, lower_is_better=lower_is_better) else MISSED
    elif meets(current, target, lower_is_better=lower_is_better):
        status = ACHIEVED
    elif meets(projected, target, lower_is_better=lower_is_better):
        status = ON_TRACK
    else:
        status = OFF_TRACK
    return Projection(current, projected, status, slope, len(known))


@dataclass(frozen=True)
class Pace:
    """What a yearly quota still needs, and where the current pace leads by its date."""

    needed: int
    """Units still to recognize by the quota's date (0 once reached)."""
    at_pace: float | None
    """Units recognized by the quota's date if they keep coming as they have since the
    period opened (a straight line from 0 at its opening); None on its first day."""


def pace(count: int, quota: float, days_elapsed: int, days_total: int) -> Pace:
    """`count` units recognized `days_elapsed` days into a campaign of `days_total` days
    (from the period's opening to the quota's date) against `quota`."""
    needed = max(math.ceil(quota - count), 0)
    if days_elapsed <= 0 or days_total <= 0:
        return Pace(needed, None)
    return Pace(needed, count * max(days_total, days_elapsed) / days_elapsed)
