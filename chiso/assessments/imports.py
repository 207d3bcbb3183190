"""Importing figures from a filled template or a long CSV, all or nothing.

The whole file is checked first: its kind and size, its structure, every unit (in the
period, visible to the person, theirs to import for, still open for entry), every cell
(read by the type of its code) and the framework's validation rules on the figures
the unit would have afterwards. Only a file without a single problem is saved, in one
transaction, through chiso.assessments.services.save_values: so every changed figure
gets its audit entry and every changed submission a new version.

Who may import: the officer of a unit for that unit, and the province administrator
for any unit. Reviewers never change self-reported figures (they correct them one by
one with a reason), and leaders only read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import excel, workflow
from chiso.assessments.models import Period, Provenance, Submission, Value
from chiso.assessments.services import ServiceError, save_values
from chiso.frameworks.problems import problem_text
from chiso.uploads import Issue, TableError, number_text, too_large


class ImportRefused(Exception):
    """The file was not imported; `issues` lists every reason, nothing was written."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass
class UnitChange:
    unit: str
    name: str
    changed: int


@dataclass
class ImportSummary:
    """What an import did: the units in the file and how many figures changed."""

    units: list[UnitChange] = field(default_factory=list)
    # What the person should know about the file although nothing was wrong.
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(item.changed for item in self.units)


def may_import(user: Any, submission: Submission) -> bool:
    """The unit's officer, or an administrator; built only from chiso.accounts.access."""
    return access.can(user, Perm.EDIT, submission) or access.is_admin(user)


def import_values(
    data: bytes,
    filename: str,
    *,
    user: Any,
    period: Period,
    submission: Submission | None = None,
    provenance: str = Provenance.SELF_REPORTED,
) -> ImportSummary:
    """Import a values file into a period (or into one submission); ImportRefused on any problem."""
    today = timezone.localdate()
    large = too_large(len(data), filename)
    if large is not None:
        raise ImportRefused([large])
    try:
        values_file = excel.read_values_file(data, filename)
    except TableError as error:
        raise ImportRefused(error.issues) from error

    reason = _("Imported from the file %(name)s") % {"name": filename}
    with transaction.atomic():
        scope = access.submissions_for(user, Submission.objects.filter(period=period))
        if submission is not None:
            scope = scope.filter(pk=submission.pk)
        # Locked until the end, so nobody changes these submissions between check and save.
        found = {
            item.unit.code: item
            for item in scope.select_for_update(of=("self",)).select_related(
                "unit", "framework", "period"
            )
        }
        checker = _Checker(values_file, user, found, submission, today)
        plan = checker.check()
        if checker.issues:
            raise ImportRefused(checker.issues)
        summary = ImportSummary(notes=list(values_file.notes))
        for target, figures in plan:
            try:
                _saved, changed = save_values(
                    target,
                    figures,
                    user=user,
                    expected_version=None,
                    provenance=provenance,
                    reason=reason,
                    importing=True,
                )
            except ServiceError as error:
                # The gate has the last word: its refusal names the unit, nothing is saved.
                raise ImportRefused(
                    [Issue(f"{target.unit.code} {target.unit.name}: {error.message}")]
                ) from error
            summary.units.append(UnitChange(target.unit.code, target.unit.name, changed))
    return summary


class _Checker:
    """Checks a read file against the units, the person and the frameworks."""

    def __init__(
        self,
        values_file: excel.ValuesFile,
        user: Any,
        found: dict[str, Submission],
        only: Submission | None,
        today: Any,
    ) -> None:
        self.file = values_file
        self.user = user
        self.found = found
        self.only = only
        self.today = today
        self.issues: list[Issue] = list(values_file.issues)

    def add(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
    ) -> None:
        self.issues.append(self.file.issue(message, row, column, code))

    def check(self) -> list[tuple[Submission, dict[str, float | None]]]:
        rows = self.file.units
        if not rows and not self.issues:
            self.add(_("The file has no figures: no row names a unit."), self.file.header_row)
        targets = self.units(rows)
        framework = self.sheet_framework(targets)
        if framework is not None:
            self.issues.extend(excel.header_issues(self.file, framework))
        existing = self.existing(target for _row, target in targets)
        plan = []
        for row, target in targets:
            figures = self.figures(row, target)
            if figures is None:
                continue
            merged = {**existing.get(target.pk, {}), **figures}
            if self.rules_hold(row, target, merged):
                plan.append((target, figures))
        # Problems in file order: by row (or line), then column.
        self.issues.sort(
            key=lambda issue: (
                issue.row or issue.line or 0,
                len(issue.column or ""),
                issue.column or "",
            )
        )
        return plan

    def units(self, rows: Sequence[excel.UnitRows]) -> list[tuple[excel.UnitRows, Submission]]:
        targets = []
        for row in rows:
            target = self.found.get(row.unit)
            if target is None:
                if self.only is not None:
                    message = _(
                        "Unit %(unit)s is not the unit of this page (%(expected)s %(name)s)."
                    )
                    self.add(
                        message
                        % {
                            "unit": row.unit,
                            "expected": self.only.unit.code,
                            "name": self.only.unit.name,
                        },
                        row.row,
                        row.column,
                    )
                else:
                    message = _(
                        "Unit %(unit)s is not assessed in this period, or is not one of yours."
                    )
                    self.add(message % {"unit": row.unit}, row.row, row.column)
                continue
            names = {"unit": target.unit.code, "name": target.unit.name}
            if not may_import(self.user, target):
                message = _("You may not import figures for unit %(unit)s (%(name)s).")
                self.add(message % names, row.row, row.column)
                continue
            if target.status not in workflow.EDITABLE_STATUSES:
                message = _(
                    "Unit %(unit)s (%(name)s) is “%(status)s”: its figures cannot change now."
                )
                self.add(
                    message % {**names, "status": target.get_status_display()}, row.row, row.column
                )
                continue
            if not workflow.editable_by_officer(target, self.today):
                if self.today < target.period.opens_on:
                    message = _("Entry for unit %(unit)s (%(name)s) opens on %(date)s.")
                    date = target.period.opens_on
                else:
                    message = _("Entry for unit %(unit)s (%(name)s) closed on %(date)s.")
                    date = target.effective_deadline
                self.add(
                    message % {**names, "date": date.strftime("%d/%m/%Y")}, row.row, row.column
                )
                continue
            targets.append((row, target))
        return targets

    def sheet_framework(
        self, targets: Sequence[tuple[excel.UnitRows, Submission]]
    ) -> engine.Framework | None:
        """The one framework of the units of a sheet (a sheet's columns fit one framework)."""
        frameworks = {target.framework_id: target.framework for _row, target in targets}
        if self.file.kind != excel.XLSX:
            return None
        if len(frameworks) > 1:
            self.add(
                _(
                    "The rows mix units assessed with different frameworks (levels): use one "
                    "file per level."
                )
            )
            return None
        if not frameworks and self.only is not None:
            return self.only.framework.engine()
        if not frameworks:
            return None
        return next(iter(frameworks.values())).engine()

    def existing(self, targets: Iterable[Submission]) -> dict[int, dict[str, float | None]]:
        ids = [target.pk for target in targets]
        figures: dict[int, dict[str, float | None]] = {}
        rows = Value.objects.filter(submission_id__in=ids).values_list(
            "submission_id", "code", "self_value"
        )
        for submission_id, code, value in rows:
            figures.setdefault(submission_id, {})[code] = value
        return figures

    def figures(self, row: excel.UnitRows, target: Submission) -> dict[str, float | None] | None:
        framework = target.framework.engine()
        known = set(framework.input_codes)
        computed = {node.code for node in framework.nodes}
        figures: dict[str, float | None] = {}
        ok = True
        for code, cell in row.cells.items():
            if code not in known:
                # A sheet's header was reported once; a CSV line is reported here.
                if self.file.kind == excel.CSV:
                    if code in computed:
                        message = _(
                            "%(code)s is computed by the framework from its elements; "
                            "enter its elements instead."
                        )
                    else:
                        message = _("“%(code)s” is not a code of the framework %(framework)s.")
                    self.add(
                        message % {"code": code, "framework": framework.code}, cell.row, code=code
                    )
                ok = False
                continue
            try:
                figures[code] = excel.read_cell(
                    cell.raw, framework.input_type(code), framework.bounds(code)
                )
            except ValueError as error:
                self.add(str(error), cell.row, cell.column, code)
                ok = False
        return figures if ok else None

    def rules_hold(
        self, row: excel.UnitRows, target: Submission, merged: dict[str, float | None]
    ) -> bool:
        framework = target.framework.engine()
        present = {
            code: value
            for code, value in merged.items()
            if value is not None and code in set(framework.input_codes)
        }
        try:
            values = engine.Values.from_mapping(framework, {row.unit: present})
        except engine.EngineError as error:
            # A figure kept from before that the framework's bounds now refuse.
            for problem in error.problems:
                self.add(problem_text(problem), row.row, code=problem.where)
            return False
        broken = engine.check_rules(framework, values)
        for problem in broken:
            self.add(_rule_message(framework, problem, present), row.row)
        return not broken


def _rule_message(
    framework: engine.Framework, problem: engine.Problem, figures: dict[str, float | None]
) -> str:
    """A broken validation rule in the user's language, with the figures involved."""
    if problem.rule is None:
        return problem_text(problem)
    rule = framework.validation[problem.rule]
    shown = ", ".join(
        f"{code} = {number_text(figures[code])}" for code in rule.codes if code in figures
    )
    meaning = excel.localized(rule.message) if rule.message else ""
    message = _("unit %(unit)s breaks the rule %(rule)s (%(figures)s)") % {
        "unit": problem.where,
        "rule": rule.rule,
        "figures": shown,
    }
    return f"{message}: {meaning}" if meaning else message
