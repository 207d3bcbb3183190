"""Who sees which submissions: the rules of chiso/accounts/access.py, person by person."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.accounts.models import Membership, Role
from chiso.assessments.models import Submission
from tests.people import person as _person


def units_seen_by(person, queryset=None):
    return {s.unit.name for s in access.submissions_for(person, queryset)}


def test_an_officer_sees_only_her_own_unit(period, lan):
    assert units_seen_by(lan) == {"Phường Hàm Rồng"}


def test_an_officer_of_two_units_sees_both(period, lan, hac_thanh):
    Membership.objects.create(user=lan, role=Role.OFFICER, unit=hac_thanh)
    assert units_seen_by(lan) == {"Phường Hạc Thành", "Phường Hàm Rồng"}


def test_the_province_reviewer_the_leader_and_the_admin_see_every_unit(
    period, period_2024, hoa, mai, tuan
):
    everything = {"Phường Hàm Rồng", "Phường Hạc Thành", "Xã Hoằng Quý"}
    for person in (hoa, mai, tuan):
        assert units_seen_by(person) == everything


def test_a_reviewer_whose_area_is_the_province_unit_covers_the_whole_province(
    period, period_2024, province
):
    quang = _person("quang", "Anh Quang", "reviewer", province)
    assert units_seen_by(quang) == {"Phường Hàm Rồng", "Phường Hạc Thành", "Xã Hoằng Quý"}
    assert access.can(quang, Perm.REVIEW_PROVINCE_STEP, period_2024.submissions.get())


def test_a_district_reviewer_covers_the_communes_of_her_district_only(
    period, period_2024, dung, khoa, hoang_quy
):
    assert units_seen_by(dung) == {"Xã Hoằng Quý"}
    assert units_seen_by(khoa) == set()
    assert access.can(dung, Perm.REVIEW_DISTRICT_STEP, hoang_quy)
    assert not access.can(dung, Perm.REVIEW_PROVINCE_STEP, hoang_quy)


def test_a_district_reviewer_does_not_review_her_own_district(
    period_2024, framework, dung, hoang_hoa
):
    district_submission = Submission.objects.create(
        period=period_2024, unit=hoang_hoa, framework=framework
    )
    assert not access.can(dung, Perm.REVIEW, district_submission)
    assert not access.can(dung, Perm.VIEW, district_submission)


def test_a_reviewer_limited_to_a_level_sees_only_that_level(
    period, period_2024, framework, hoang_hoa
):
    Submission.objects.create(period=period_2024, unit=hoang_hoa, framework=framework)
    nga = _person("nga", "Chị Nga", "reviewer", level="district")
    assert units_seen_by(nga) == {"Huyện Hoằng Hóa"}


def test_the_public_and_people_without_a_role_see_no_submission(period, public):
    nobody = _person("khach", "Anh Khách")
    assert units_seen_by(public) == set()
    assert units_seen_by(nobody) == set()


def test_a_leader_reads_everything_and_changes_nothing(submission, mai):
    assert access.can(mai, Perm.VIEW, submission)
    assert access.can(mai, Perm.SEE_REVIEW, submission)
    for perm in (Perm.EDIT, Perm.SUBMIT, Perm.REVIEW, Perm.REOPEN, Perm.PUBLISH):
        assert not access.can(mai, perm, submission), perm


def test_only_the_units_officers_edit_and_submit(submission, lan, minh, hoa, tuan, mai):
    assert access.can(lan, Perm.EDIT, submission)
    assert access.can(lan, Perm.SUBMIT, submission)
    for person in (minh, hoa, tuan, mai):
        assert not access.can(person, Perm.EDIT, submission), person
        assert not access.can(person, Perm.SUBMIT, submission), person


def test_an_officer_never_reviews_not_even_her_own_unit(submission, lan):
    assert not access.can(lan, Perm.REVIEW, submission)
    assert not access.can(lan, Perm.SEE_REVIEW, submission)


def test_a_superuser_counts_as_the_province_admin(submission):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    assert access.can(root, Perm.REOPEN, submission)
    assert access.can(root, Perm.PUBLISH, submission)


def test_loading_a_submission_someone_may_not_see_is_a_404_like_a_missing_one(submission, minh):
    with pytest.raises(Http404):
        access.submission_for(minh, submission.pk)
    with pytest.raises(Http404):
        access.submission_for(minh, 987654)


def test_the_people_to_notify_for_a_unit(submission, ham_rong, hoang_quy, lan, thu, hoa, dung):
    assert [p.username for p in access.officers_of(ham_rong)] == ["lan", "thu"]
    assert [p.username for p in access.reviewers_of(ham_rong)] == ["hoa"]
    assert [p.username for p in access.reviewers_of(hoang_quy)] == ["dung", "hoa"]


class TestMembershipRules:
    def test_an_officer_must_have_a_unit(self, db):
        person = _person("an", "Anh An")
        with pytest.raises(ValidationError):
            Membership(user=person, role=Role.OFFICER).full_clean()

    def test_a_reviewer_area_is_the_province_or_a_district(self, db, ham_rong, hoang_hoa):
        person = _person("an", "Anh An")
        with pytest.raises(ValidationError):
            Membership(user=person, role=Role.REVIEWER, unit=ham_rong).full_clean()
        Membership(user=person, role=Role.REVIEWER, unit=hoang_hoa).full_clean()

    def test_admins_and_leaders_cover_the_whole_province(self, db, ham_rong):
        person = _person("an", "Anh An")
        with pytest.raises(ValidationError):
            Membership(user=person, role=Role.LEADER, unit=ham_rong).full_clean()


def test_only_the_provinces_staff_see_results_before_publication(public, lan, hoa, mai, tuan):
    for person in (public, lan):
        assert not access.can(person, Perm.SEE_PROVISIONAL)
    for person in (hoa, mai, tuan):
        assert access.can(person, Perm.SEE_PROVISIONAL)


def test_every_permission_has_a_rule_and_one_about_a_unit_needs_it(submission, tuan):
    assert set(access.RULES) == set(Perm)
    with pytest.raises(ValueError):
        access.can(tuan, Perm.REVIEW)
    assert access.can(tuan, Perm.REVIEW, submission) and access.can(tuan, Perm.PUBLISH)


@pytest.mark.parametrize(
    ("perm", "who"),
    [
        (Perm.PUBLISH, {"tuan"}),
        (Perm.ADMINISTER, {"tuan"}),
        (Perm.READ_ALL, {"tuan", "mai"}),
        (Perm.SEE_DASHBOARD, {"tuan", "mai", "hoa"}),
        (Perm.SEE_AUDIT, {"tuan", "hoa"}),
        (Perm.SEE_DRAFT_FRAMEWORKS, {"tuan", "hoa"}),
        (Perm.SEE_QUEUE, {"tuan", "mai", "hoa"}),
        (Perm.ACT_ON_QUEUE, {"tuan", "hoa"}),
    ],
)
def test_who_has_each_permission_not_about_a_unit(perm, who, public, lan, hoa, mai, tuan):
    people = {"public": public, "lan": lan, "hoa": hoa, "mai": mai, "tuan": tuan}
    assert {name for name, person in people.items() if access.can(person, perm)} == who


def test_an_officer_sees_her_own_units_card_before_publication_and_no_other(
    ham_rong, hac_thanh, lan, public
):
    assert access.can(lan, Perm.SEE_PROVISIONAL_CARD, ham_rong)
    assert not access.can(lan, Perm.SEE_PROVISIONAL_CARD, hac_thanh)
    assert not access.can(public, Perm.SEE_PROVISIONAL_CARD, ham_rong)


def test_an_unknown_permission_raises_instead_of_answering_no(submission, tuan):
    with pytest.raises(ValueError):
        access.can(tuan, "delete_everything", submission)
    assert access.can(tuan, "import", submission)
    assert not access.can(tuan, Perm.EDIT, submission)


def test_each_role_has_its_home(lan, hoa, mai, tuan, public):
    homes = {p: access.home_of(p) for p in (lan, hoa, mai, tuan, public)}
    assert homes == {lan: "entry", hoa: "review", mai: "progress", tuan: "review", public: "public"}
