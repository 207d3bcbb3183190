"""The people and places of every test and benchmark, as plain functions.

tests/conftest.py turns them into fixtures; the benchmarks (plain scripts) call
them directly, so a test and a benchmark meet the same Chị Lan of the same ward.

- Tỉnh Thanh Hóa (38), with Phường Hàm Rồng (14758) and Phường Hạc Thành (14797)
  after the 2025 reform; before it, Huyện Hoằng Hóa (399) with Xã Hoằng Quý
  (15916), and Thị xã Bỉm Sơn (381).
- Chị Lan and Chị Thu, officers of Phường Hàm Rồng; Anh Minh, officer of Phường
  Hạc Thành; Anh Bình, officer of Xã Hoằng Quý; Chị Hoa, reviewer of the provincial
  DX office (every commune); Chị Dung, reviewer of Huyện Hoằng Hóa's communes;
  Anh Khoa, reviewer of Thị xã Bỉm Sơn's; Anh Tuấn, the province admin; Bà Mai, a
  leader (reads everything, changes nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PASSWORD = "chiso-test-Password-1"
REFORM = dt.date(2025, 7, 1)

# code: (name, level, kind, parent code, valid_from, valid_to)
UNITS: dict[str, tuple[str, str, str, str | None, dt.date | None, dt.date | None]] = {
    "38": ("Tỉnh Thanh Hóa", "province", "tinh", None, REFORM, None),
    "14758": ("Phường Hàm Rồng", "commune", "phuong", "38", REFORM, None),
    "14797": ("Phường Hạc Thành", "commune", "phuong", "38", REFORM, None),
    "399": ("Huyện Hoằng Hóa", "district", "huyen", "38", None, dt.date(2025, 6, 30)),
    "381": ("Thị xã Bỉm Sơn", "district", "thi_xa", "38", None, dt.date(2025, 6, 30)),
    "15916": ("Xã Hoằng Quý", "commune", "xa", "399", None, dt.date(2025, 6, 30)),
}

# username: (full name, role, unit code or None, level)
PEOPLE: dict[str, tuple[str, str, str | None, str]] = {
    "lan": ("Chị Lan", "officer", "14758", ""),
    "thu": ("Chị Thu", "officer", "14758", ""),
    "minh": ("Anh Minh", "officer", "14797", ""),
    "binh": ("Anh Bình", "officer", "15916", ""),
    "hoa": ("Chị Hoa", "reviewer", None, ""),
    "dung": ("Chị Dung", "reviewer", "399", ""),
    "khoa": ("Anh Khoa", "reviewer", "381", ""),
    "tuan": ("Anh Tuấn", "admin", None, ""),
    "mai": ("Bà Mai", "leader", None, ""),
}


def unit(code: str) -> Any:
    """The unit `code` (and its parents), created on first use."""
    from chiso.units.models import Unit

    found = Unit.objects.filter(code=code).first()
    if found is not None:
        return found
    name, level, kind, parent, valid_from, valid_to = UNITS[code]
    return Unit.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=unit(parent) if parent else None,
        province_code="38",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def person(
    username: str,
    full_name: str,
    role: str | None = None,
    unit: Any = None,
    level: str = "",
    password: str = PASSWORD,
) -> Any:
    """A person with a login and (if `role`) one membership."""
    from django.contrib.auth import get_user_model

    from chiso.accounts.models import Membership

    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
    )
    if role:
        Membership.objects.create(user=user, role=role, unit=unit, level=level)
    return user


def named(username: str, password: str = PASSWORD) -> Any:
    """One of PEOPLE, with their unit."""
    full_name, role, code, level = PEOPLE[username]
    return person(username, full_name, role, unit(code) if code else None, level, password)


def fill(submission: Any, officer: Any, **figures: float | None) -> Any:
    """The officer enters figures (as on the entry page); returns the fresh submission."""
    from chiso.assessments import services

    saved, _count = services.save_values(
        submission, figures, user=officer, expected_version=submission.version
    )
    return saved


def put(submission: Any, status: str, **fields: Any) -> Any:
    """Set a submission's state directly, for tests that start from a given state."""
    from chiso.assessments.models import Submission

    Submission.objects.filter(pk=submission.pk).update(status=status, **fields)
    submission.refresh_from_db()
    return submission


def submit(submission: Any, officer: Any) -> Any:
    from chiso.assessments import workflow

    return workflow.transition(submission, "submit", officer)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def stored_evidence(
    submission: Any, officer: Any, name: str = "bao-cao.pdf", codes: tuple[str, ...] = ("CQS.1",)
) -> Any:
    """An evidence file the officer attached to the submission, stored as uploads are
    (a tiny PDF; the caller points MEDIA_ROOT at a temporary folder)."""
    from django.core.files.base import ContentFile

    from chiso.assessments.models import Evidence

    body = b"%PDF-1.4\n"
    item = Evidence(
        submission=submission,
        original_name=name,
        content_type="application/pdf",
        size=len(body),
        sha256="ab" * 32,
        codes=list(codes),
        uploaded_by=officer,
    )
    item.file.save(name, ContentFile(body), save=False)
    item.save()
    return item
