"""Who may move a submission from which status to which: every transition, every role,
every status, in a period with one review step (2025, no districts) and in one with
two steps (2024, Huyện Hoằng Hóa reviews its communes before the province)."""

from __future__ import annotations

import pytest

from chiso.assessments import workflow
from chiso.assessments.models import Status
from tests.people import put

STATUSES = ["draft", "submitted", "district_approved", "returned", "approved", "published"]
ROLES = [
    "officer of the unit",
    "another unit's officer",
    "province reviewer",
    "district reviewer",
    "leader",
    "admin",
    "the public",
]
EVERY_STATUS = set(STATUSES)

# (transition, role) -> the statuses it is allowed from. Anything not listed is refused.
ONE_STEP = {
    ("submit", "officer of the unit"): {"draft", "returned"},
    ("return", "province reviewer"): {"submitted", "district_approved"},
    ("return", "admin"): {"submitted", "district_approved"},
    ("approve", "province reviewer"): {"submitted", "district_approved"},
    ("approve", "admin"): {"submitted", "district_approved"},
    ("reopen", "admin"): EVERY_STATUS,
    ("publish", "admin"): {"approved"},
}
TWO_STEP = {
    ("submit", "officer of the unit"): {"draft", "returned"},
    ("district_approve", "district reviewer"): {"submitted"},
    ("district_approve", "admin"): {"submitted"},
    ("return", "district reviewer"): {"submitted"},
    ("return", "province reviewer"): {"district_approved"},
    ("return", "admin"): {"submitted", "district_approved"},
    ("approve", "province reviewer"): {"district_approved"},
    ("approve", "admin"): {"district_approved"},
    ("reopen", "admin"): EVERY_STATUS,
    ("publish", "admin"): {"approved"},
}

# Where each transition leads (reopening a draft only gives it a new deadline).
TARGET = {
    "submit": "submitted",
    "district_approve": "district_approved",
    "return": "returned",
    "approve": "approved",
    "reopen": "returned",
    "publish": "published",
}


@pytest.fixture
def one_step(submission, lan, minh, hoa, dung, mai, tuan, public):
    people = dict(zip(ROLES, [lan, minh, hoa, dung, mai, tuan, public], strict=True))
    return submission, people


@pytest.fixture
def two_step(hoang_quy_2024, binh, minh, hoa, dung, mai, tuan, public):
    people = dict(zip(ROLES, [binh, minh, hoa, dung, mai, tuan, public], strict=True))
    return hoang_quy_2024, people


@pytest.mark.parametrize("world", ["one_step", "two_step"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TARGET))
def test_each_role_may_make_each_transition_only_from_the_statuses_the_table_allows(
    request, world, role, name
):
    submission, people = request.getfixturevalue(world)
    person = people[role]
    table = ONE_STEP if world == "one_step" else TWO_STEP
    allowed_from = table.get((name, role), set())
    for status in STATUSES:
        put(submission, status)
        shown = {t.name for t in workflow.allowed(submission, person)}
        assert (name in shown) == (status in allowed_from), (status, "buttons", shown)
        if status in allowed_from:
            moved = workflow.transition(submission, name, person, reason="Thiếu minh chứng")
            expected = status if (name == "reopen" and status == "draft") else TARGET[name]
            assert moved.status == expected, status
        else:
            with pytest.raises(workflow.TransitionError):
                workflow.transition(submission, name, person, reason="Thiếu minh chứng")
            submission.refresh_from_db()
            assert submission.status == status


def test_an_unknown_transition_is_refused(submission, tuan):
    with pytest.raises(workflow.TransitionError):
        workflow.transition(submission, "delete", tuan)


def test_a_refused_transition_leaves_the_submission_untouched(submission, lan):
    put(submission, Status.SUBMITTED)
    version = submission.version
    with pytest.raises(workflow.TransitionError):
        workflow.transition(submission, "approve", lan)
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert submission.version == version
    assert not submission.audit.exists()


def test_submitting_counts_the_rounds(submission, lan, hoa):
    workflow.transition(submission, "submit", lan)
    workflow.transition(submission, "return", hoa, reason="Bổ sung minh chứng CQS.1")
    moved = workflow.transition(submission, "submit", lan)
    assert moved.round == 2
    assert moved.submitted_at is not None


def test_approving_stamps_the_time_and_reopening_clears_it(submission, lan, hoa, tuan):
    workflow.transition(submission, "submit", lan)
    approved = workflow.transition(submission, "approve", hoa)
    assert approved.approved_at is not None
    reopened = workflow.transition(submission, "reopen", tuan, reason="Sai số liệu XHS.1")
    assert reopened.approved_at is None
