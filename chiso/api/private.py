"""Endpoints that need a token or a login: systems' writes, staff's submission status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Answer

from chiso.accounts import access
from chiso.api import errors, writes
from chiso.api.auth import SYSTEM_OR_PERSON
from chiso.api.http import keeping_types
from chiso.api.paging import Id, Pages, Rendered
from chiso.api.schemas import EvidenceOut, SubmissionStatus, ValuesIn, ValuesOut
from chiso.assessments.models import Period, Status, Submission
from chiso.units.models import Level

router = Router(auth=SYSTEM_OR_PERSON)


@router.put(
    "/submissions/{submission_id}/values",
    response={200: ValuesOut, **errors.WRITE},
    tags=["systems"],
    summary="Set figures of a submission",
)
def put_values(request: HttpRequest, submission_id: Id, payload: ValuesIn):
    """Sets the given figures (others are left as they are), as the entry page does.

    Checked like the page: unknown codes, unreadable figures and broken rules give 422
    and nothing is saved; a submission not open for changes 409 `not_editable`; a
    `version` older than the submission's 409 `stale_version`. Provenance: imported
    from a system; every changed figure is in the audit trail under the system account.
    """
    saved, changed = writes.put_values(
        request.auth,  # type: ignore[attr-defined]
        submission_id,
        payload.values,
        version=payload.version,
        reason=payload.reason,
    )
    return {
        "submission": saved.pk,
        "version": saved.version,
        "changed": changed,
        "values": {value.code: value.self_value for value in saved.values.order_by("code")},
    }


@router.post(
    "/submissions/{submission_id}/evidence",
    response={201: EvidenceOut, **errors.WRITE},
    tags=["systems"],
    summary="Upload an evidence file",
)
def post_evidence(
    request: HttpRequest,
    submission_id: Id,
    file: File[UploadedFile],
    codes: Form[list[str]],
):
    """One file (PDF, image, Office document, judged by its content) for some indicators."""
    item = writes.upload_evidence(
        request.auth,  # type: ignore[attr-defined]
        submission_id,
        file,
        codes,
    )
    return Answer(
        201,
        {
            "id": item.pk,
            "name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "codes": item.codes,
        },
    )


def _status(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "unit": {
            "id": submission.unit.pk,
            "code": submission.unit.code,
            "name": submission.unit.name,
        },
        "level": submission.unit.level,
        "status": submission.status,
        "version": submission.version,
        "round": submission.round,
        "deadline": submission.effective_deadline,
        "submitted_at": submission.submitted_at,
        "approved_at": submission.approved_at,
        "updated_at": submission.updated_at,
    }


@router.get(
    "/periods/{period_id}/submissions",
    response={200: list[SubmissionStatus], **errors.AUTHED},
    tags=["staff"],
    summary="Status of the submissions of a period (staff; a system: its own units)",
)
@keeping_types(paginate(Pages))
def submissions(
    request: HttpRequest,
    period_id: Id,
    level: Level | None = None,
    status: Status | None = None,
):
    """Where every unit's submission stands: reviewers see their own area, an officer
    or a system (its token) the submissions of its own units, leaders and admins all."""
    user = request.auth  # type: ignore[attr-defined]
    found = get_object_or_404(Period, pk=period_id)
    qs = access.submissions_for(
        user, Submission.objects.filter(period=found).select_related("unit", "period")
    ).order_by("unit__code", "pk")
    if level is not None:
        qs = qs.filter(unit__level=level)
    if status is not None:
        qs = qs.filter(status=status)
    return Rendered(qs, _status)


class SubmissionOut(SubmissionStatus):
    values: dict[str, float | None] = Field(
        description="The figures entered (self-reported), by indicator or element code."
    )


@router.get(
    "/submissions/{submission_id}",
    response={200: SubmissionOut, **errors.AUTHED},
    tags=["systems"],
    summary="One submission: its status, version and figures",
)
def submission(request: HttpRequest, submission_id: Id):
    """A submission a system (its token) or a person may see: a system or an officer its
    own units', a reviewer those of the area, leaders and admins every one. Anything
    else is 404, like an id that does not exist. `version` is the one to send back with
    PUT .../values."""
    user = request.auth  # type: ignore[attr-defined]
    found = get_object_or_404(
        access.submissions_for(user, Submission.objects.select_related("unit", "period")),
        pk=submission_id,
    )
    values = {value.code: value.self_value for value in found.values.order_by("code")}
    return {**_status(found), "values": values}
