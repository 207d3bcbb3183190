"""The README's grants for a database role that does not own chiso's tables."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def documented_grants(app_role: str, owner_role: str) -> list[str]:
    """The README's grants for the app role, as the owner runs them after migrating."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sql\n(-- As chiso_owner.*?)```", text, re.S).group(1)
    sql = re.sub(r"--[^\n]*", "", block)
    sql = re.sub(r"\bchiso_owner\b", owner_role, sql)
    sql = re.sub(r"\bchiso_app\b", app_role, sql)
    return [statement.strip() for statement in sql.split(";") if statement.strip()]
