"""Build the Vietnamese catalogue from its parts and compile it.

Each area of the app keeps its translations in chiso/locale/vi/parts/<area>.po, so
people working on different areas never edit the same file. This script merges the
parts (the first translation of a msgid wins), writes LC_MESSAGES/django.po and
compiles django.mo with msgfmt. Both files are committed, so a user's machine needs
no gettext tools.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "chiso" / "locale" / "vi"
HEADER = """msgid ""
msgstr ""
"Project-Id-Version: chiso\\n"
"Language: vi\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def entries(text: str) -> list[tuple[str, str]]:
    """(msgid, block) for every entry of a fragment; entries are separated by blank lines."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        key_lines: list[str] = []
        for line in lines:
            if line.startswith("msgid "):
                key_lines = [line[len("msgid ") :]]
            elif key_lines and line.startswith('"'):
                key_lines.append(line)
            elif key_lines:
                break
        key = "".join(QUOTED.findall(" ".join(key_lines)))
        if key:
            found.append((key, block.strip()))
    return found


def main() -> int:
    seen: dict[str, str] = {}
    for part in sorted((LOCALE / "parts").glob("*.po")):
        for key, block in entries(part.read_text(encoding="utf-8")):
            seen.setdefault(key, block)
    out = LOCALE / "LC_MESSAGES" / "django.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(HEADER + "\n" + "\n\n".join(seen.values()) + "\n", encoding="utf-8")
    subprocess.run(  # noqa: S603 - fixed arguments
        ["msgfmt", "--check-format", "-o", str(out.with_suffix(".mo")), str(out)],  # noqa: S607
        check=True,
    )
    print(f"{len(seen)} messages -> {out.relative_to(ROOT)} and django.mo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
