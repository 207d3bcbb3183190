"""Storing an imported criteria table as a framework version.

A table exported from a stored framework and imported unchanged is that framework:
the same file, the same SHA-256, no new version (the table cannot carry the YAML's
comments or English texts, so the stored text is kept). A table that says anything
else is stored as the next version of its code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chiso.frameworks.excel_build import dump_yaml, workbook_to_dict
from chiso.frameworks.excel_writer import framework_to_workbook
from chiso.frameworks.models import Framework
from chiso.lib.uploads import TableError, workbook_bytes


@lru_cache(maxsize=32)
def _as_table(sha256: str, text: str) -> dict[str, Any] | None:
    """What a stored framework's criteria table reads back as (cached by its hash)."""
    framework = Framework(sha256=sha256, text=text)
    try:
        return workbook_to_dict(workbook_bytes(framework_to_workbook(framework.engine())))
    except TableError:
        return None


def table_framework(data: bytes, filename: str) -> tuple[Framework | None, str]:
    """The stored framework a criteria table is (None when it says anything new) and its
    YAML text, for the gate to store; TableError if the table cannot be read."""
    doc = workbook_to_dict(data, filename)
    for existing in Framework.objects.filter(code=doc["code"]).order_by("-version"):
        if _as_table(existing.sha256, existing.text) == doc:
            return existing, existing.text
    return None, dump_yaml(doc)
