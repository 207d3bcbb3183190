"""Systems write figures and evidence through the same gate as the pages.

The two functions here are the only places the API changes data: they check access
(chiso.accounts.access), the workflow state (the entry page's own lock message),
read the figures as the forms do and call chiso.assessments.services.save_values and
chiso.assessments.evidence.add_evidence, with provenance "imported from a system".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.api.errors import ApiError
from chiso.assessments import evidence as evidence_files
from chiso.assessments import services
from chiso.assessments.models import Evidence, Provenance, Submission
from chiso.assessments.views import entry_lock


def editable_submission(user: Any, pk: int) -> Submission:
    """The submission if `user` may change it now: 404 unseen, 403 not theirs, 409 locked."""
    submission = access.submission_for(user, pk, Perm.VIEW)
    if not access.can(user, Perm.EDIT, submission):
        raise ApiError(403, "forbidden", "Only the unit's officers and systems change it.")
    lock = entry_lock(submission, user)
    if lock is not None:
        raise ApiError(409, "not_editable", str(lock), {"status": submission.status})
    return submission


def _as_text(value: float | bool | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def put_values(
    user: Any,
    pk: int,
    raw: Mapping[str, float | bool | str | None],
    *,
    version: int | None,
    reason: str,
) -> tuple[Submission, int]:
    submission = editable_submission(user, pk)
    framework = submission.framework.engine()
    figures, problems = services.coerce_inputs(
        framework, {code: _as_text(value) for code, value in raw.items()}
    )
    if problems:
        details = [{"loc": ["body", "values", code], "msg": msg} for code, msg in problems.items()]
        raise ApiError(422, "validation_error", "Some figures could not be read.", details)
    current = {code: value.self_value for code, value in submission.values_by_code().items()}
    broken = services.rule_problems(framework, submission.unit.code, {**current, **figures})
    if broken:
        details = [{"loc": ["body", "values"], "msg": p.message, "rule": p.rule} for p in broken]
        raise ApiError(422, "validation_error", "The figures break the framework's rules.", details)
    try:
        return services.save_values(
            submission,
            figures,
            user=user,
            expected_version=version,
            provenance=Provenance.IMPORTED,
            reason=reason or "API",
        )
    except services.StaleSubmission as stale:
        raise ApiError(
            409,
            "stale_version",
            f"The submission changed since version {version}: read it again.",
            {"version": stale.submission.version},
        ) from None


def upload_evidence(user: Any, pk: int, upload: UploadedFile, codes: Sequence[str]) -> Evidence:
    submission = editable_submission(user, pk)
    try:
        with transaction.atomic():
            return evidence_files.add_evidence(submission, upload, codes, user=user)
    except evidence_files.EvidenceRejected as error:
        raise ApiError(422, "evidence_rejected", str(error)) from None
