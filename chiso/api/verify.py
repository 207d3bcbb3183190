"""`chiso verify DATASET`: check a published dataset's checksums and recompute its ranking.

DATASET is a downloaded dataset folder or the dataset's URL (its /data/P/LEVEL/ page).
Runs on the engine alone (no Django, no database): anyone can check that the published
ranking follows from the published figures and framework.

A dataset may come from anyone, so a run is bounded (`Limits`): each file's size, the
number of names SHA256SUMS may list, and one wall-clock deadline for all its reads. Files
are streamed and hashed in chunks; only the three files recomputed are kept, on disk. A
redirect off the dataset's own scheme, host and port is refused, and so is a link out of
a dataset folder.

When the dataset carries annex-signed.pdf (the annex signed in the e-office system),
it also checks that its signatures are sound, that it is exactly annex.pdf signed and
unchanged since, and, given trust roots (--trust-roots PEM or $CHISO_SIGNING_ROOTS),
that the signer's certificate chains to one of them.

Exit status: 0 every checksum matches, the recomputed ranking is the published one and
the signed annex (if any) passes; 1 a difference (each is printed); 2 the dataset
cannot be read.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import http.client
import math
import os
import re
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urljoin, urlsplit

import numpy.typing as npt

from chiso.engine import EngineError, Framework, Results, Values, parse_framework, score

MATCH, DIFFERENT, UNREADABLE = 0, 1, 2
SUMS = "SHA256SUMS"
# The signed annex is checked against the annex when the dataset has both.
ANNEXES = ("annex.pdf", "annex-signed.pdf")
RECOMPUTED = ("framework.yaml", "values.csv", "ranking.csv")
SCORE_COLUMNS = ("value", "points", "rank", "recognized")

MB = 1024 * 1024
MAX_FILE_MB = 20
MAX_SECONDS = 300
MAX_FILES = 100
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
# What sha256sum writes: 64 hex digits, two spaces, a name. A published name is a plain
# file name: no folder, not hidden, nothing a terminal would take for a control sequence.
SUMS_LINE = re.compile(r"([0-9a-fA-F]{64})  ([A-Za-z0-9_][A-Za-z0-9_.-]{0,254})")
LONGEST_LINE = 64 + 2 + 255 + 2
PORTS = {"http": 80, "https": 443}
REDIRECTS = (301, 302, 303, 307, 308)

# What SHA256SUMS lists (name: digest) and the digest of each of those files as read,
# None for a file that is not there.
Checked = tuple[dict[str, str], dict[str, str | None]]
# Reads values.csv and checks its figures against the framework (the CLI's reader,
# chiso.lib.values_csv); raises EngineError or Unreadable naming every bad line.
ReadValues = Callable[[Framework, str], Values]


class Unreadable(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    """What one run may take, whoever serves the dataset."""

    file_mb: float = MAX_FILE_MB
    seconds: float = MAX_SECONDS
    files: int = MAX_FILES

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * MB)


class _Deadline:
    """One wall-clock deadline for every read of a run.

    A socket's timeout bounds a single read, so a server sending a byte a second never
    trips it. At the deadline a timer shuts every connection down, which ends whatever
    read is waiting, in the headers or in the body.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._expired = False
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(min(seconds, threading.TIMEOUT_MAX), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self, reading: str) -> float:
        """The seconds left; Unreadable, naming what was being read, when none are."""
        left = self._end - time.monotonic()
        if self._expired or left <= 0:
            raise Unreadable(
                f"{reading}: stopped at {self.seconds:g} s, the most a run may take"
                " (see --max-seconds)"
            )
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self._expired:
                _shut(sock)

    def stop(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, under TLS too: it wakes a read blocked in another thread.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _too_large(name: str, limits: Limits) -> Unreadable:
    return Unreadable(f"{name}: larger than {limits.file_mb:g} MB (see --max-file-mb)")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


class _Site:
    """The site serving a dataset: every file comes from it, and redirects stay on it."""

    def __init__(self, url: str, limits: Limits, deadline: _Deadline) -> None:
        self.base = url if url.endswith("/") else url + "/"
        self.origin = _origin(self.base)
        self.limits = limits
        self.deadline = deadline

    def fetch(self, name: str, keep: Path | None) -> str:
        """Stream the file `name` through SHA-256, into `keep` if given; return its digest."""
        url = self.base + quote(name)
        connection, answer = self._open(url, name)
        digest = hashlib.sha256()
        size = 0
        try:
            declared = answer.getheader("Content-Length", "")
            if declared.isdigit() and int(declared) > self.limits.file_bytes:
                raise _too_large(name, self.limits)
            with open(keep, "wb") if keep else contextlib.nullcontext() as file:
                while chunk := answer.read(CHUNK):
                    size += len(chunk)
                    if size > self.limits.file_bytes:
                        raise _too_large(name, self.limits)
                    digest.update(chunk)
                    if file:
                        file.write(chunk)
        except (OSError, http.client.HTTPException) as error:
            self.deadline.left(url)
            raise Unreadable(f"{url}: {error}") from None
        finally:
            connection.close()
        # A read the deadline cut short may look like the end of the file.
        self.deadline.left(url)
        return digest.hexdigest()

    def _open(
        self, url: str, name: str
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        for _ in range(MAX_REDIRECTS + 1):
            connection, answer = self._get(url)
            if answer.status not in REDIRECTS:
                if answer.status != 200:
                    connection.close()
                    raise Unreadable(f"{url}: HTTP {answer.status} {answer.reason}")
                return connection, answer
            connection.close()
            target = urljoin(url, answer.getheader("Location", ""))
            if _origin(target) != self.origin:
                scheme, host, port = self.origin
                raise Unreadable(
                    f"{url}: redirects to {target}, off the dataset's own {scheme}://{host}:{port};"
                    " not followed"
                )
            url = target
        raise Unreadable(f"{name}: more than {MAX_REDIRECTS} redirects")

    def _get(self, url: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        scheme, host, port = _origin(url)
        kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = kind(host, port, timeout=self.deadline.left(url))
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.connect()
            self.deadline.watch(connection.sock)
            connection.request("GET", path, headers={"User-Agent": "chiso-verify"})
            return connection, connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            self.deadline.left(url)
            raise Unreadable(f"{url}: {error}") from None


def _fetch(url: str, folder: Path, limits: Limits, deadline: _Deadline) -> Checked:
    """Download the dataset into `folder`: its SHA256SUMS and the files recomputed.

    Returns what SHA256SUMS lists and the digest of each of those files as downloaded.
    """
    site = _Site(url, limits, deadline)
    site.fetch(SUMS, folder / SUMS)
    listed = _listed(folder / SUMS, limits)
    keep = {name: folder / name for name in (*RECOMPUTED, *ANNEXES)}
    return listed, {name: site.fetch(name, keep.get(name)) for name in listed}


def _listed(path: Path, limits: Limits) -> dict[str, str]:
    listed: dict[str, str] = {}
    with path.open("rb") as file:
        for number, raw in enumerate(iter(lambda: file.readline(LONGEST_LINE), b""), start=1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            match = SUMS_LINE.fullmatch(line.decode("latin-1"))
            if match is None:
                raise Unreadable(f"{SUMS}:{number}: not a 'sha256  name' line")
            if len(listed) == limits.files:
                raise Unreadable(f"{SUMS} lists more than {limits.files} names (see --max-files)")
            listed[match[2]] = match[1].lower()
    return listed


def _inside(folder: Path, name: str, limits: Limits) -> Path | None:
    """The file `name` of the dataset folder, or None if there is none.

    Unreadable when it is a link out of the folder, not a regular file, or too large:
    whatever it points to is never read, so no other file's contents are ever shown.
    """
    try:
        real = (folder / name).resolve(strict=True)
    except FileNotFoundError:  # no such file, or a link to nothing
        return None
    except RuntimeError:  # Python 3.11's word for a loop of links
        raise Unreadable(f"{name}: a loop of links") from None
    if not real.is_relative_to(folder):
        raise Unreadable(f"{name}: a link out of the folder; not followed")
    # stat, not open: opening a named pipe would wait for a writer.
    status = real.stat()
    if not stat.S_ISREG(status.st_mode):
        raise Unreadable(f"{name}: not a regular file")
    if status.st_size > limits.file_bytes:
        raise _too_large(name, limits)
    return real


def _hash(folder: Path, name: str, limits: Limits, deadline: _Deadline) -> str | None:
    path = _inside(folder, name, limits)
    if path is None:
        return None
    digest = hashlib.sha256()
    size = 0
    # O_NOFOLLOW: `path` is resolved, so a link here now was put there since.
    with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as file:
        while chunk := file.read(CHUNK):
            size += len(chunk)
            if size > limits.file_bytes:
                raise _too_large(name, limits)
            digest.update(chunk)
            deadline.left(name)
    return digest.hexdigest()


def _say(out: IO[str], text: str) -> None:
    """Print a line that may quote the dataset's server or cells, control characters escaped."""
    shown = (c if c.isprintable() or c == "\n" else ascii(c)[1:-1] for c in text)
    print("".join(shown), file=out)


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


def check_signed_annex(folder: Path, roots_file: str | None, limits: Limits, out: IO[str]) -> int:
    """annex-signed.pdf against annex.pdf (see chiso.lib.signed_pdf); prints one line."""
    from chiso.lib import signed_pdf

    roots = None
    if roots_file:
        try:
            roots = signed_pdf.load_roots(Path(roots_file).read_bytes())
        except (OSError, ValueError) as error:
            raise Unreadable(f"{roots_file}: not a file of PEM certificates ({error})") from None
    signed_path, annex_path = (_inside(folder, name, limits) for name in ANNEXES[::-1])
    if annex_path is None or signed_path is None:
        _say(out, "annex-signed.pdf: annex.pdf, the annex it must be, is missing")
        return DIFFERENT
    try:
        signed = signed_pdf.check(signed_path.read_bytes(), annex_path.read_bytes(), roots)
    except signed_pdf.Refused as refused:
        _say(out, f"annex-signed.pdf: refused ({refused.code}): {refused.detail}")
        return DIFFERENT
    when = signed.signed_at.isoformat() if signed.signed_at else "an unknown time"
    trust = (
        "certificate trusted" if signed.trusted else "certificate not checked (no --trust-roots)"
    )
    _say(
        out,
        f"annex-signed.pdf: exactly annex.pdf, signed by {signed.signer} (issued by"
        f" {signed.issuer}) at {when}, unchanged since; {trust}.",
    )
    return MATCH


def check_folder(
    folder: Path,
    checked: Checked,
    read_values: ReadValues,
    limits: Limits,
    out: IO[str],
    roots: str | None = None,
) -> int:
    """Compare the digests with SHA256SUMS, then recompute the ranking from the folder's files."""
    listed, digests = checked
    paths = {}
    for name in RECOMPUTED:
        path = _inside(folder, name, limits)
        if path is None:
            raise Unreadable(f"{folder / name}: missing")
        paths[name] = path
    status = MATCH
    for name, digest in listed.items():
        if digests[name] is None:
            _say(out, f"{name}: listed in SHA256SUMS but missing")
            status = DIFFERENT
        elif digests[name] != digest:
            _say(out, f"{name}: checksum differs from SHA256SUMS")
            status = DIFFERENT
    for name in RECOMPUTED:
        if name not in listed:
            _say(out, f"{name}: not listed in SHA256SUMS")
            status = DIFFERENT

    try:
        framework = parse_framework(paths["framework.yaml"].read_text("utf-8"), "framework.yaml")
        values = read_values(framework, str(paths["values.csv"]))
    except (EngineError, UnicodeDecodeError) as error:
        raise Unreadable(str(error)) from None
    recomputed = _Recomputed(score(framework, values))
    try:
        compared, rows = _compare(paths["ranking.csv"], recomputed, out)
    except UnicodeDecodeError:
        raise Unreadable("ranking.csv: not UTF-8") from None
    except csv.Error as error:
        raise Unreadable(f"ranking.csv: broken CSV: {error}") from None
    if compared != MATCH:
        status = DIFFERENT
    if "annex-signed.pdf" in listed and digests.get("annex-signed.pdf") is not None:
        status = max(status, check_signed_annex(folder, roots, limits, out))
    if status == MATCH:
        _say(
            out,
            f"OK: {len(listed)} checksums match; the ranking of {rows} units recomputes exactly.",
        )
    return status


class _Recomputed:
    """The recomputed figures, read from the engine's arrays.

    `Results.to_records` would cost a dictionary, about a kilobyte, a unit: a hostile
    values.csv of a million one-figure units would take a gigabyte more.
    """

    def __init__(self, results: Results) -> None:
        self.units = results.units
        self.row = {unit: row for row, unit in enumerate(results.units)}
        self.columns: dict[str, npt.NDArray[Any]] = {
            "value": results.value,
            "points": results.points,
            "rank": results.rank,
        }
        if results.recognized is not None:
            self.columns["recognized"] = results.recognized
        for column, code in enumerate(results.node_codes):
            self.columns[code] = results.node_values[:, column]

    def get(self, row: int, column: str) -> float | None:
        array = self.columns.get(column)
        number = math.nan if array is None else float(array[row])
        return None if math.isnan(number) else number


def _compare(ranking: Path, recomputed: _Recomputed, out: IO[str]) -> tuple[int, int]:
    """Compare ranking.csv, row by row, with the recomputed figures: (status, rows read)."""
    status = MATCH
    seen = bytearray(len(recomputed.units))
    line = 1
    with ranking.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is not None and "unit" not in reader.fieldnames:
            raise Unreadable("ranking.csv: no unit column")
        codes = [c for c in reader.fieldnames or () if c in recomputed.columns]
        columns = [*SCORE_COLUMNS, *(c for c in codes if c not in SCORE_COLUMNS)]
        for line, row in enumerate(reader, start=2):
            unit = row["unit"]
            mine = recomputed.row.get(unit)
            if mine is None:
                _say(out, f"ranking.csv:{line}: unit {unit} has no figures in values.csv")
                status = DIFFERENT
                continue
            seen[mine] = 1
            for column in columns:
                try:
                    published = _number(row.get(column) or "")
                except ValueError:
                    raise Unreadable(f"ranking.csv:{line}: {column} is not a number") from None
                again = recomputed.get(mine, column)
                if not _same(published, again):
                    _say(
                        out,
                        f"ranking.csv:{line}: unit {unit}: {column} published {row.get(column)},"
                        f" recomputed {'' if again is None else format(again, '.10g')}",
                    )
                    status = DIFFERENT
    for unit in sorted(
        unit for unit, found in zip(recomputed.units, seen, strict=True) if not found
    ):
        _say(out, f"values.csv: unit {unit} is scored but missing from ranking.csv")
        status = DIFFERENT
    return status, line - 1


@contextlib.contextmanager
def _dataset(target: str, limits: Limits, deadline: _Deadline) -> Iterator[tuple[Path, Checked]]:
    """The dataset's folder (downloaded if `target` is a URL) and its checksums."""
    if target.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="chiso-verify-") as download:
            folder = Path(download).resolve()
            yield folder, _fetch(target, folder, limits, deadline)
        return
    folder = Path(target)
    if not folder.is_dir():
        raise Unreadable(f"{target}: not a folder or an http(s) URL")
    folder = folder.resolve()
    sums = _inside(folder, SUMS, limits)
    if sums is None:
        raise Unreadable(f"{folder / SUMS}: missing")
    listed = _listed(sums, limits)
    yield folder, (listed, {name: _hash(folder, name, limits, deadline) for name in listed})


def verify(
    target: str,
    out: IO[str],
    err: IO[str],
    read_values: ReadValues,
    limits: Limits,
    roots: str | None = None,
) -> int:
    """`roots`: a PEM file of the trust roots for the signed annex (None: not checked)."""
    deadline = _Deadline(limits.seconds)
    try:
        with _dataset(target, limits, deadline) as (folder, checked):
            return check_folder(folder, checked, read_values, limits, out, roots)
    except Unreadable as error:
        _say(err, f"chiso verify: cannot read the dataset: {error}")
        return UNREADABLE
    except OSError as error:  # a file of the folder one may not read, say
        _say(err, f"chiso verify: cannot read the dataset: {error.filename}: {error.strerror}")
        return UNREADABLE
    finally:
        deadline.stop()
