"""What-if for a period: its approved figures under changed criteria (the bridge).

The engine does the work (`chiso.engine.whatif`); this module loads what it needs
from the database once per request: the level's framework file and the approved
figures of its units, and turns the answer into plain data for the page and the API.
Nothing here writes, except `keep_as_draft`, which stores the changed file as the
next version of the framework, for next year, through the framework service.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from chiso.assessments.figures import figures_of
from chiso.assessments.models import Submission
from chiso.assessments.services import store_framework
from chiso.engine import dump_framework
from chiso.engine.whatif import Changes, apply_changes, what_if
from chiso.frameworks.models import Framework, Source
from chiso.results.scoring import FINAL_STATUSES


@lru_cache(maxsize=32)
def _data(sha256: str, text: str) -> dict[str, Any]:
    # Keyed by the hash: a framework version never changes once stored.
    loaded = yaml.safe_load(text)
    return loaded if isinstance(loaded, dict) else {}


def framework_data(framework: Framework) -> dict[str, Any]:
    """The framework file as data (a fresh copy is made by the engine before changes)."""
    return _data(framework.sha256, framework.text)


def approved_figures(
    period: Any, framework: Framework
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Approved (or published) figures per unit code, and unit names."""
    subs = list(
        Submission.objects.filter(
            period=period, framework=framework, status__in=FINAL_STATUSES
        ).select_related("unit")
    )
    names = {s.unit.code: s.unit.name for s in subs}
    return figures_of(subs), names


def run(period: Any, framework: Framework, changes: Changes) -> dict[str, Any]:
    """The changed ranking as plain data (ISO numbers), best first."""
    figures, names = approved_figures(period, framework)
    result = what_if(framework_data(framework), figures, changes, original=framework.engine())
    rows = [
        {
            "unit": move.unit,
            "name": names.get(move.unit, move.unit),
            "rank_before": move.rank_before,
            "rank_after": move.rank_after,
            "value_before": round(move.value_before, 6),
            "value_after": round(move.value_after, 6),
            "recognized_before": move.recognized_before,
            "recognized_after": move.recognized_after,
        }
        for move in result.moves
    ]
    recognized_before = sum(1 for r in rows if r["recognized_before"])
    recognized_after = sum(1 for r in rows if r["recognized_after"])
    return {
        "units": len(rows),
        "recognized_before": recognized_before,
        "recognized_after": recognized_after,
        "gained": [{"unit": u, "name": names.get(u, u)} for u in result.gained],
        "lost": [{"unit": u, "name": names.get(u, u)} for u in result.lost],
        "max_points": result.framework.max_points,
        "max_points_before": framework.engine().max_points,
        "scale_changed": scale_changed(framework.engine(), result.framework),
        "rows": rows,
    }


def scale_changed(before: Any, after: Any) -> dict[str, float] | None:
    """When the changed points alter the total: the old and new totals, and the points
    recognition needs (set on the old scale), else None."""
    if abs(after.max_points - before.max_points) < 1e-9:
        return None
    rule = after.recognition
    return {
        "before": before.max_points,
        "after": after.max_points,
        "min_points": rule.min_points if rule is not None else None,
    }


def keep_as_draft(framework: Framework, changes: Changes, *, user: Any, year: int) -> Framework:
    """Stores the changed criteria as the next version of the framework, for `year` (the
    year after the period's: a 2026 period may still score with a 2025 framework).

    No period uses the new version, so it stays a draft the DX office can still edit
    or replace; the values changed in the what-if are not part of a framework.
    """
    data = apply_changes(framework_data(framework), changes)
    data["year"] = year
    return store_framework(
        dump_framework(data), source=Source.WHAT_IF, user=user, reason="what-if draft"
    )
