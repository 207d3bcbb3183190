"""Storing framework files: parse, validate, hash, version.

`_store_version` is the step the gate takes: chiso.assessments.services.store_framework
stores through it and writes the audit entry; nothing else calls it."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from chiso import engine
from chiso.frameworks.models import Framework, Source, sha256_text
from chiso.frameworks.problems import problem_text


def problems_as_messages(error: engine.EngineError) -> list[str]:
    """The engine's problems as one line each, the way users see them everywhere."""
    return [str_problem(p) for p in error.problems]


def str_problem(problem: engine.Problem) -> str:
    parts = []
    if problem.source:
        parts.append(problem.source)
    if problem.line:
        parts.append(gettext("line %(line)s") % {"line": problem.line})
    if problem.where:
        parts.append(problem.where)
    parts.append(problem_text(problem))
    return ": ".join(parts)


@transaction.atomic
def _store_version(
    text: str,
    *,
    source: str = Source.UPLOAD,
    user: AbstractBaseUser | None = None,
    filename: str = "<framework>",
) -> tuple[Framework, bool]:
    """Validate a framework file and store it as the next version of its code; the
    version and whether it is new.

    The same file stored twice returns the existing version instead of a copy.
    Raises django's ValidationError with one message per problem in the file.
    """
    try:
        parsed = engine.parse_framework(text, source=filename)
    except engine.EngineError as error:
        raise ValidationError(problems_as_messages(error)) from error
    digest = sha256_text(text)
    existing = Framework.objects.filter(code=parsed.code, sha256=digest).first()
    if existing is not None:
        return existing, False
    latest = (
        Framework.objects.select_for_update()
        .filter(code=parsed.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    stored = Framework.objects.create(
        code=parsed.code,
        version=(latest or 0) + 1,
        level=parsed.level,
        year=parsed.year,
        title_vi=parsed.title.get("vi", parsed.code),
        title_en=parsed.title.get("en", ""),
        text=text,
        sha256=digest,
        source=source,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return stored, True


SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


def shipped_files() -> list[Path]:
    """The framework files shipped with chiso (chiso/frameworks/shipped/*.yaml)."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))
