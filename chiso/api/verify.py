"""`chiso verify DATASET`: check a published dataset's checksums and recompute its ranking.

DATASET is a downloaded dataset folder or the dataset's URL (its /data/P/LEVEL/ page).
Runs on the engine alone (no Django, no database): anyone can check that the published
ranking follows from the published figures and framework.

When the dataset carries annex-signed.pdf (the annex signed in the e-office system),
it also checks that its signatures are sound, that it is exactly annex.pdf signed and
unchanged since, and, given trust roots (--trust-roots PEM or $CHISO_SIGNING_ROOTS),
that the signer's certificate chains to one of them.

Exit status: 0 every checksum matches, the recomputed ranking is the published one and
the signed annex (if any) passes; 1 a difference (each is printed); 2 the dataset
cannot be read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from chiso.engine import EngineError, parse_framework, score

MATCH, DIFFERENT, UNREADABLE = 0, 1, 2
NEEDED = ("SHA256SUMS", "framework.yaml", "values.csv", "ranking.csv")
SCORE_COLUMNS = ("value", "points", "rank", "recognized")


class Unreadable(Exception):
    pass


def _fetch(url: str, folder: Path) -> Path:
    base = url if url.endswith("/") else url + "/"

    def get(name: str) -> bytes:
        try:
            with urllib.request.urlopen(base + name, timeout=60) as answer:  # noqa: S310
                return bytes(answer.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise Unreadable(f"{base}{name}: {error}") from None

    sums = get("SHA256SUMS")
    (folder / "SHA256SUMS").write_bytes(sums)
    for name in _listed(sums.decode("ascii", "replace")):
        (folder / name).write_bytes(get(name))
    return folder


def _listed(text: str) -> dict[str, str]:
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        name = name.strip()
        if len(digest) != 64 or not name or "/" in name or name.startswith("."):
            raise Unreadable(f"SHA256SUMS:{number}: not a 'sha256  name' line")
        listed[name] = digest.lower()
    return listed


def _number(text: str) -> float | None:
    text = text.strip()
    if text == "":
        return None
    if text in ("true", "false"):
        return 1.0 if text == "true" else 0.0
    return float(text)


def _same(published: float | None, recomputed: float | None) -> bool:
    if published is None or recomputed is None:
        return published is None and recomputed is None
    # The files write 10 significant digits.
    return math.isclose(published, recomputed, rel_tol=1e-9, abs_tol=1e-9)


def check_signed_annex(folder: Path, roots_file: str | None, out: IO[str]) -> int:
    """annex-signed.pdf against annex.pdf (see chiso.signed_pdf); prints one line."""
    from chiso import signed_pdf

    roots = None
    if roots_file:
        try:
            roots = signed_pdf.load_roots(Path(roots_file).read_bytes())
        except (OSError, ValueError) as error:
            raise Unreadable(f"{roots_file}: not a file of PEM certificates ({error})") from None
    if not (folder / "annex.pdf").is_file():
        print("annex-signed.pdf: annex.pdf, the annex it must be, is missing", file=out)
        return DIFFERENT
    try:
        signed = signed_pdf.check(
            (folder / "annex-signed.pdf").read_bytes(), (folder / "annex.pdf").read_bytes(), roots
        )
    except signed_pdf.Refused as refused:
        print(f"annex-signed.pdf: refused ({refused.code}): {refused.detail}", file=out)
        return DIFFERENT
    when = signed.signed_at.isoformat() if signed.signed_at else "an unknown time"
    trust = (
        "certificate trusted" if signed.trusted else "certificate not checked (no --trust-roots)"
    )
    print(
        f"annex-signed.pdf: exactly annex.pdf, signed by {signed.signer} (issued by"
        f" {signed.issuer}) at {when}, unchanged since; {trust}.",
        file=out,
    )
    return MATCH


def check_folder(folder: Path, out: IO[str], roots: str | None = None) -> int:
    for name in NEEDED:
        if not (folder / name).is_file():
            raise Unreadable(f"{folder / name}: missing")
    try:
        listed = _listed((folder / "SHA256SUMS").read_text("ascii"))
    except UnicodeDecodeError:
        raise Unreadable("SHA256SUMS: not a checksum file") from None
    status = MATCH
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            print(f"{name}: listed in SHA256SUMS but missing", file=out)
            status = DIFFERENT
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            print(f"{name}: checksum differs from SHA256SUMS", file=out)
            status = DIFFERENT
    for name in ("framework.yaml", "values.csv", "ranking.csv"):
        if name not in listed:
            print(f"{name}: not listed in SHA256SUMS", file=out)
            status = DIFFERENT

    from chiso.cli import load_values

    try:
        framework = parse_framework(
            (folder / "framework.yaml").read_text("utf-8"), "framework.yaml"
        )
        values = load_values(framework, str(folder / "values.csv"))
    except (EngineError, UnicodeDecodeError) as error:
        raise Unreadable(str(error)) from None
    except Exception as error:  # the CLI's own stop carries the problems
        problems = getattr(error, "problems", None)
        if problems is None:
            raise
        raise Unreadable("\n".join(str(p) for p in problems)) from None
    recomputed = {record["unit"]: record for record in score(framework, values).to_records()}
    try:
        rows = list(csv.DictReader(io.StringIO((folder / "ranking.csv").read_text("utf-8"))))
    except UnicodeDecodeError:
        raise Unreadable("ranking.csv: not UTF-8") from None
    if rows and "unit" not in rows[0]:
        raise Unreadable("ranking.csv: no unit column")
    published_units = set()
    for line, row in enumerate(rows, start=2):
        unit = row["unit"]
        published_units.add(unit)
        mine = recomputed.get(unit)
        if mine is None:
            print(f"ranking.csv:{line}: unit {unit} has no figures in values.csv", file=out)
            status = DIFFERENT
            continue
        columns = [*SCORE_COLUMNS, *(c for c in row if c in framework_codes(framework))]
        for column in columns:
            try:
                published = _number(row.get(column) or "")
            except ValueError:
                raise Unreadable(f"ranking.csv:{line}: {column} is not a number") from None
            value = mine.get(column)
            again = None if value is None else float(value)
            if not _same(published, again):
                print(
                    f"ranking.csv:{line}: unit {unit}: {column} published {row.get(column)},"
                    f" recomputed {'' if again is None else format(again, '.10g')}",
                    file=out,
                )
                status = DIFFERENT
    for unit in sorted(set(recomputed) - published_units):
        print(f"values.csv: unit {unit} is scored but missing from ranking.csv", file=out)
        status = DIFFERENT
    if "annex-signed.pdf" in listed and (folder / "annex-signed.pdf").is_file():
        status = max(status, check_signed_annex(folder, roots, out))
    if status == MATCH:
        print(
            f"OK: {len(listed)} checksums match; the ranking of {len(rows)} units recomputes"
            " exactly.",
            file=out,
        )
    return status


def framework_codes(framework: object) -> set[str]:
    return {node.code for node in framework.nodes}  # type: ignore[attr-defined]


def verify(target: str, out: IO[str], err: IO[str], roots: str | None = None) -> int:
    """`roots`: a PEM file of the trust roots for the signed annex (None: not checked)."""
    try:
        if target.startswith(("http://", "https://")):
            with tempfile.TemporaryDirectory(prefix="chiso-verify-") as folder:
                return check_folder(_fetch(target, Path(folder)), out, roots)
        folder = Path(target)
        if not folder.is_dir():
            raise Unreadable(f"{target}: not a folder or an http(s) URL")
        return check_folder(folder, out, roots)
    except Unreadable as error:
        print(f"chiso verify: cannot read the dataset: {error}", file=err)
        return UNREADABLE
