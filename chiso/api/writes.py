"""Systems write figures and evidence through the same gate as the pages.

The two functions here are the only places the API changes data. They hand the
figures as sent (numbers or text) to the gate (chiso.assessments.services: `save_values`,
`add_evidence`) with provenance "imported from a system"; the gate checks access,
the edit state and the version, reads the figures once, checks bounds and the
framework's rules, and its one typed
refusal (`ServiceError`, stable code) becomes the API's JSON error here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.api.errors import MAX_DETAILS, ApiError
from chiso.assessments import services
from chiso.assessments.models import Evidence, Provenance, Submission
from chiso.assessments.services import ServiceError

# The gate's refusal codes as the API's own (documented, stable) status and code.
REFUSALS = {
    ServiceError.FORBIDDEN: (403, "forbidden"),
    ServiceError.LOCKED: (409, "not_editable"),
    ServiceError.NOT_ALLOWED: (409, "not_editable"),
    ServiceError.STALE: (409, "stale_version"),
    ServiceError.EVIDENCE_REFUSED: (422, "evidence_rejected"),
    ServiceError.EMPTY: (422, "evidence_rejected"),
}


def _refused(error: ServiceError, submission: Submission, unlisted: int = 0) -> ApiError:
    status, code = REFUSALS.get(error.code, (422, "validation_error"))
    details: Any
    if error.code == ServiceError.STALE:
        details = {"version": (error.submission or submission).version}
    elif error.code == ServiceError.LOCKED:
        details = {"status": submission.status}
    elif error.problems:
        details = [
            {"loc": ["body", "values"], "msg": p.message, "rule": p.rule} for p in error.problems
        ]
    else:
        details = [
            {"loc": ["body", "values", field], "msg": message}
            for field, messages in error.fields.items()
            for message in messages
        ]
    return ApiError(status, code, error.message, details, unlisted=unlisted)


def visible_submission(user: Any, pk: int) -> Submission:
    """The submission, or 404 when `user` may not see it (ids cannot be probed)."""
    submission: Submission = access.submission_for(user, pk, Perm.VIEW)
    return submission


def put_values(
    user: Any,
    pk: int,
    raw: Mapping[str, float | bool | str | None],
    *,
    version: int | None,
    reason: str,
) -> tuple[Submission, int]:
    submission = visible_submission(user, pk)
    framework = submission.framework.engine()
    # Of the codes the framework does not know only the first MAX_DETAILS go to the gate
    # (and are named in the answer), the others only counted: a body of 100,000 unknown
    # codes costs hardly more than one of fifty, and nothing is saved either way.
    known = set(framework.input_codes)
    unknown = [code for code in raw if code not in known]
    named = set(unknown[:MAX_DETAILS])
    try:
        return services.save_values(
            submission,
            {code: value for code, value in raw.items() if code in known or code in named},
            user=user,
            expected_version=version,
            provenance=Provenance.SYSTEM,
            reason=reason or "API",
        )
    except ServiceError as error:
        raise _refused(error, submission, unlisted=len(unknown) - len(named)) from None


def upload_evidence(user: Any, pk: int, upload: UploadedFile, codes: Sequence[str]) -> Evidence:
    submission = visible_submission(user, pk)
    try:
        return services.add_evidence(submission, [upload], codes, user=user)[0]
    except ServiceError as error:
        raise _refused(error, submission) from None
