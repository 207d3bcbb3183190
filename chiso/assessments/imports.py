"""Importing figures from a filled template or a long CSV, all or nothing.

The import reads the file: its kind and size, its structure and every unit (in the
period, visible to the person, theirs to import for: `access.can(user, Perm.IMPORT)`).
The figures are the gate's to read and judge: every unit's cells, as they show their
figures, go to chiso.assessments.services.save_values in one transaction, which reads
each once with the engine's reader (codes, types, bounds) and decides whether they
may change now (status, dates) and keep the framework's rules; each refusal becomes an
issue naming the file's cell or line, or the unit's row.
Only a file without a single problem is kept; otherwise the transaction is rolled
back and nothing is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import excel
from chiso.assessments.figures import figures_by_submission, marks_by_submission
from chiso.assessments.models import Period, Provenance, Submission
from chiso.assessments.services import ServiceError, save_values
from chiso.lib import numbers
from chiso.lib.csv_lines import shorten
from chiso.lib.uploads import Issue, TableError, too_large


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


def import_values(
    data: bytes | IO[bytes],
    filename: str,
    *,
    user: Any,
    period: Period,
    submission: Submission | None = None,
    provenance: str = Provenance.SELF_REPORTED,
) -> ImportSummary:
    """Import a values file (its bytes, or a seekable binary stream such as an upload) into a
    period (or into one submission); ImportRefused on any problem."""
    size = len(data) if isinstance(data, bytes) else data.seek(0, io.SEEK_END)
    if not isinstance(data, bytes):
        data.seek(0)
    large = too_large(size, filename)
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
        checker = _Checker(values_file, user, found, submission)
        plan = checker.check()
        existing = checker.existing(target for _row, target, _figures in plan)
        summary = ImportSummary(notes=list(values_file.notes))
        for row, target, figures in plan:
            try:
                # A savepoint per unit: a refusal leaves the transaction usable, so
                # every unit's refusals are reported, not only the first.
                with transaction.atomic():
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
                checker.refused(row, target, error, {**existing.get(target.pk, {}), **figures})
                continue
            summary.units.append(UnitChange(target.unit.code, target.unit.name, changed))
        if checker.issues:
            # Raised inside the transaction: what was saved for other units is rolled back.
            raise ImportRefused(checker.sorted_issues())
    return summary


class _Checker:
    """Checks a read file against the units, the person and the frameworks."""

    def __init__(
        self,
        values_file: excel.ValuesFile,
        user: Any,
        found: dict[str, Submission],
        only: Submission | None,
    ) -> None:
        self.file = values_file
        self.user = user
        self.found = found
        self.only = only
        self.issues: list[Issue] = list(values_file.issues)
        self.marked: dict[int, set[str]] = {}

    def add(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
    ) -> None:
        self.issues.append(self.file.issue(message, row, column, code))

    def check(self) -> list[tuple[excel.UnitRows, Submission, dict[str, float | None]]]:
        """The rows that could be read, with their unit and figures, for the gate to judge."""
        rows = self.file.units
        if not rows and not self.issues:
            self.add(_("The file has no figures: no row names a unit."), self.file.header_row)
        targets = self.units(rows)
        self.marked = marks_by_submission(target for _, target in targets)
        framework = self.sheet_framework(targets)
        if framework is not None:
            self.issues.extend(excel.header_issues(self.file, framework))
        plan = []
        for row, target in targets:
            figures = self.figures(row, target)
            if figures is not None:
                plan.append((row, target, figures))
        return plan

    def sorted_issues(self) -> list[Issue]:
        """Problems in file order: by row (or line), then column."""
        return sorted(
            self.issues,
            key=lambda issue: (
                issue.row or issue.line or 0,
                len(issue.column or ""),
                issue.column or "",
            ),
        )

    def refused(
        self,
        row: excel.UnitRows,
        target: Submission,
        error: ServiceError,
        figures: Mapping[str, Any],
    ) -> None:
        """The gate's refusal of a unit's figures: a figure it could not read at its cell
        (or line); any other at the unit's row, with the figures a broken rule compares."""
        if error.code in (ServiceError.INVALID, ServiceError.UNKNOWN_CODE) and error.fields:
            for code, texts in error.fields.items():
                cell = row.cells.get(code)
                for text in texts:
                    if cell is None:
                        self.add(text, row.row, row.column)
                    else:
                        self.add(text, cell.row, cell.column, code)
            return
        refusal = error.message
        # A broken rule is shown with the figures it compares (a refused figure names itself).
        concerned = error.fields if error.code == ServiceError.RULE_BROKEN else {}
        shown = [
            f"{code} = {_shown(figures[code])}"
            for code in concerned
            if figures.get(code) is not None
        ]
        if shown:
            refusal = f"{refusal} ({', '.join(shown)})"
        message = _("unit %(unit)s (%(name)s): %(refusal)s") % {
            "unit": target.unit.code,
            "name": target.unit.name,
            "refusal": refusal,
        }
        # A refusal of the unit as a whole points at its cell; one of its figures, at its row.
        column = None if error.fields else row.column
        self.add(message, row.row, column)

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
                            "unit": shorten(row.unit),
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
                    self.add(message % {"unit": shorten(row.unit)}, row.row, row.column)
                continue
            if not access.can(self.user, Perm.IMPORT, target):
                names = {"unit": target.unit.code, "name": target.unit.name}
                message = _("You may not import figures for unit %(unit)s (%(name)s).")
                self.add(message % names, row.row, row.column)
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

    def existing(self, targets: Iterable[Submission]) -> dict[int, dict[str, float]]:
        """The units' self-reported figures before the import (to show with a refusal)."""
        return figures_by_submission(targets, "self")

    @staticmethod
    def not_applicable_refusal(code: str, raw: Any, marked: set[str]) -> str | None:
        """Why a cell's "không áp dụng" (or a figure for an indicator marked so) is
        refused; "" for a cell to skip (marked, and left as the template wrote it);
        None for any other cell."""
        says_so = engine.is_not_applicable(raw)
        if code in marked:
            if says_so or raw is None or not str(raw).strip():
                return ""
            message = _(
                "%(code)s does not apply to this unit (decided by the DX office): "
                "leave its cell as “không áp dụng”."
            )
        elif says_so:
            message = _(
                "Only the DX office marks an indicator as not applying to a unit: "
                "enter a figure for %(code)s or leave the cell empty."
            )
        else:
            return None
        return message % {"code": shorten(code)}

    def figures(self, row: excel.UnitRows, target: Submission) -> dict[str, Any] | None:
        """The unit's cells as the figures they show, for the gate to read (a sheet's
        column the framework lacks was named once, at its header)."""
        framework = target.framework.engine()
        known = set(framework.input_codes)
        percent = excel.percent_codes(framework)
        figures: dict[str, Any] = {}
        ok = True
        marked = self.marked.get(target.pk, set())
        for code, cell in row.cells.items():
            refusal = self.not_applicable_refusal(code, cell.raw, marked)
            if refusal == "":
                continue  # "không áp dụng" as the template wrote it: nothing to store
            if refusal is not None:
                self.add(refusal, cell.row, cell.column, code)
                ok = False
                continue
            if code not in known and self.file.kind == excel.XLSX:
                continue  # its header's issue refuses the file
            shown_as_percent = cell.percent and code in percent
            figures[code] = excel.shown_figure(cell.raw, shown_as_percent=shown_as_percent)
        return figures if ok else None


def _shown(figure: Any) -> str:
    """A figure as a message names it: a number plainly, a cell's text as written."""
    if isinstance(figure, int | float) and not isinstance(figure, bool):
        return numbers.plain(figure)
    return shorten(str(figure).strip())
