"""Publishing a level of a period: score its approved values, store an immutable snapshot.

    check(period, level)            what would be published, and who is not approved yet
    publish(period, level, user)    the new Snapshot (version 1, or the next one)

A unit not approved when publishing is named in the results as not assessed.
Publishing again (after an admin reopened a unit with a reason and it was approved
again) is a correction: a new version, with a reason, next to the earlier ones,
which stay downloadable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chiso.assessments import audit, services, workflow
from chiso.assessments.models import Action, AuditEntry, Status, Submission
from chiso.lib import bulk, interpreter
from chiso.results import analysis, annex, cards, overview, schemas
from chiso.results.models import Snapshot, UnitRow
from chiso.results.scoring import Scored

# The columns of a UnitRow, JSON last (see `bulk.insert`).
ROW_FIELDS = (
    "snapshot",
    "unit",
    "code",
    "name",
    "kind",
    "assessed",
    "rank",
    "value",
    "points",
    "recognized",
    "completeness",
    "api",
    "data",
    "brief",
    "plan",
    "history",
)


class PublishError(Exception):
    """Publishing is not possible: the message says why, for the user."""


def chiso_version() -> str:
    try:
        return package_version("chiso")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


@dataclass
class Check:
    """What publishing a (period, level) would do."""

    level: str
    approved: int
    not_approved: list[Submission]
    latest: Snapshot | None
    reopen_reasons: list[str]

    @property
    def next_version(self) -> int:
        return 1 if self.latest is None else self.latest.version + 1


def check(period: Any, level: str) -> Check:
    if period.framework_for(level) is None:
        raise PublishError(
            _("This period has no framework for level %(level)s.") % {"level": level}
        )
    subs = Submission.objects.filter(period=period, unit__level=level).select_related("unit")
    approved = subs.filter(status__in=(Status.APPROVED, Status.PUBLISHED)).count()
    not_approved = list(
        subs.exclude(status__in=(Status.APPROVED, Status.PUBLISHED)).order_by("unit__code")
    )
    latest = Snapshot.objects.filter(period=period, level=level).order_by("-version").first()
    reasons: list[str] = []
    if latest is not None:
        reasons = list(
            AuditEntry.objects.filter(
                period=period,
                unit__level=level,
                action=Action.REOPENED,
                at__gt=latest.published_at,
            )
            .order_by("at")
            .values_list("reason", flat=True)
        )
    return Check(level, approved, not_approved, latest, [r for r in reasons if r])


def publish(period: Any, level: str, user: Any = None, *, reason: str = "") -> Snapshot:
    """Publish one level of a period; returns the new snapshot.

    `user` None is the `chiso publish` command; a person must be an admin. A second
    publication needs a reason: the one given, else the reasons recorded when
    units were reopened since the last one. Raises PublishError with a message.
    """
    # A province's rows, figures and files are millions of small objects without
    # cycles: the cyclic collector, paused, no longer walks them again and again. The
    # analysis's thread, which needs the interpreter after each numpy call, gets it
    # sooner (chiso.lib.interpreter).
    with interpreter.without_collector(), interpreter.quick_switching(), transaction.atomic():
        return _publish(period, level, user, reason)


def _publish(period: Any, level: str, user: Any, reason: str) -> Snapshot:
    from chiso.accounts import access
    from chiso.accounts.access import Perm

    if user is not None and not access.can(user, Perm.PUBLISH):
        raise PublishError(_("Only the province's administrators publish results."))
    # One publisher at a time per period: lock the period row.
    type(period).objects.select_for_update().filter(pk=period.pk).first()
    seen = check(period, level)
    reason = reason.strip()
    if seen.latest is not None and not reason:
        reason = "; ".join(dict.fromkeys(seen.reopen_reasons))
        if not reason:
            raise PublishError(
                _("These results were published already: say why they are published again.")
            )
    if not seen.approved:
        raise PublishError(_("No unit of this level is approved yet: there is nothing to publish."))
    scored = Scored(period, level)
    values_csv = scored.values_csv()
    # The gate's clock: the real time, or the past moment the demo replays (as_of).
    now = services.now()
    version = (
        Snapshot.objects.filter(period=period, level=level).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    framework = scored.framework
    rows = cards.rows_from_scored(scored)
    snapshot = Snapshot(
        period=period,
        level=level,
        version=version,
        framework=framework,
        framework_code=framework.code,
        framework_version=framework.version,
        framework_sha256=framework.sha256,
        values_csv=values_csv,
        values_sha256=hashlib.sha256(values_csv.encode("utf-8")).hexdigest(),
        chiso_version=chiso_version(),
        published_at=now,
        published_by=user,
        reason=reason if version > 1 else "",
        node_codes=list(scored.results.node_codes),
        leaf_codes=list(scored.results.leaf_codes),
        max_points=scored.engine_framework.max_points,
        has_recognition=scored.engine_framework.recognition is not None,
    )
    pillars = [node.code for node in scored.engine_framework.tree]
    positions = [snapshot.node_codes.index(code) for code in pillars]
    ranking = cards.Ranking(
        period=period,
        level=level,
        framework=framework,
        provisional=False,
        snapshot=None,
        node_codes=snapshot.node_codes,
        leaf_codes=snapshot.leaf_codes,
        max_points=snapshot.max_points,
        has_recognition=snapshot.has_recognition,
        rows=rows,
    )
    snapshot.summary = cards.pillar_summary(ranking)
    snapshot.save()
    # Computed once here, read by every page, file and API answer: none scores again.
    # The engine's part starts now and runs while the rows are planned and stored.
    finish_analysis = analysis.published_analysis(snapshot, scored)
    plans = analysis.plans_of(scored)
    ranked = sum(1 for row in rows if row.assessed)
    history = analysis.histories(period, level, [(r.unit_id, r.code, r.lineage) for r in rows])
    for row in rows:
        row.history = history[row.code]
        if row.assessed:
            row.history.append(analysis.own_point(period, level, version, row, ranked))
    # Each row as the API's schema writes it, once: the API's answer joins them.
    render = cards.api_row_renderer(ranking)
    texts = schemas.row_texts(render(row) for row in rows)
    stored = [
        cards.stored_row(snapshot, row, positions, plans.get(row.code), text)
        for row, text in zip(rows, texts, strict=True)
    ]
    bulk.insert(
        UnitRow,
        ROW_FIELDS,
        (
            [getattr(r, UnitRow._meta.get_field(name).attname) for name in ROW_FIELDS[:-4]]
            + [bulk.prepared(UnitRow, name, getattr(r, name)) for name in ROW_FIELDS[-4:]]
            for r in stored
        ),
    )
    workflow.publish_all(
        Submission.objects.filter(pk__in=[s.pk for s in scored.assessed]),
        user,
        reason=snapshot.reason,
    )
    type(period).objects.filter(pk=period.pk).update(published_at=now)
    period.published_at = now
    # Drawn once from the rows just stored: every download of this version is these
    # bytes. Drawn before the analysis is waited for, which meanwhile goes on.
    annex.store(snapshot)
    snapshot.analysis = finish_analysis()
    # The dashboard's overview, from the rows just stored (and the previous period's
    # figures just analysed), and the outline its change and targets read.
    snapshot.dashboard = overview.of_snapshot(snapshot, snapshot.analysis["previous"])
    outlined = snapshot.dashboard["outline"]
    snapshot.summary = {
        **snapshot.summary,
        "mean": outlined["mean"],
        "recognized": outlined["recognized"],
    }
    Snapshot.objects.filter(pk=snapshot.pk).update(
        analysis=snapshot.analysis, dashboard=snapshot.dashboard, summary=snapshot.summary
    )
    audit.write(
        Action.RESULTS_PUBLISHED,
        user,
        at=now,
        period=period,
        code=level,
        new=f"v{snapshot.version}",
        reason=snapshot.reason,
    )
    return snapshot
