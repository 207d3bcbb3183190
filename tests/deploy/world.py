"""An installation with something in every table a backup must keep, as its own process
on the database of DATABASE_URL and the storage of the CHISO_* settings:

    python -m tests.deploy.world setup    pg_child's setup (units, Chị Lan's figures, the
                                          2025 communes approved), the 2025 communes
                                          published twice, and Chị Lan's evidence file

`rows(cursor)` is every row a restore must give back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

# A PDF as a scanner writes one: enough for chiso's check by content.
EVIDENCE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TABLES = ("results_snapshot", "results_unitrow", "assessments_evidence", "auth_user")


def setup() -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chiso.assessments import services
    from chiso.assessments.models import Period
    from chiso.results.services import publish
    from tests.faults import pg_child

    pg_child.setup()
    people = get_user_model().objects
    closed = Period.objects.get(year=pg_child.PUBLISHED_YEAR)
    publish(closed, "commune", people.get(username="tuan"))
    publish(closed, "commune", people.get(username="tuan"), reason="Đính chính số liệu")
    opened = Period.objects.exclude(year=pg_child.PUBLISHED_YEAR).get()
    ham_rong = opened.submissions.get(unit__code=pg_child.WARDS[0])
    upload = SimpleUploadedFile("bien-ban.pdf", EVIDENCE, content_type="application/pdf")
    services.add_evidence(ham_rong, [upload], ["CQS.2"], user=people.get(username="lan"))


def rows(cursor) -> dict[str, list[str]]:
    """Every row a restore must give back, as text, sorted (any DB-API cursor)."""
    from tests.faults.pg_child import state

    found = state(cursor)
    for table in TABLES:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
        found[table] = sorted(json.dumps(list(row), default=str) for row in cursor.fetchall())
    cursor.execute("SELECT DISTINCT file FROM assessments_evidence ORDER BY file")
    found["evidence files"] = [name for (name,) in cursor.fetchall()]
    return found


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(role: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    django.setup()
    if role == "setup":
        setup()


if __name__ == "__main__":
    main(*sys.argv[1:])
