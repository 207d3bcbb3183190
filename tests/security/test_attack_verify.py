"""`chiso verify` against a hostile server on loopback and a hostile folder.

Each test builds a genuine dataset (the engine's fixture framework, scored by `chiso score`),
then serves it, or a twisted copy of it, from a real HTTP server on 127.0.0.1, and runs the
real command in a child process: whatever the server does, verify ends, within its limits,
with one clear line and exit status 2.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chiso.cli import main

FIXTURE = Path(__file__).parents[1] / "engine" / "fixtures" / "commune.yaml"
MB = 1024 * 1024


def run_verify(*args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "chiso.cli", "verify", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def checksums(folder: Path, names: list[str]) -> None:
    lines = [f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in names]
    (folder / "SHA256SUMS").write_text("".join(lines), "ascii")


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A genuine dataset: a framework, two communes' figures, their ranking and checksums."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "framework.yaml")
    (folder / "values.csv").write_text(
        "unit,code,value\n14758,CQS.2,có\n14797,CQS.2,không\n", "utf-8"
    )
    status = main(
        [
            "score",
            str(folder / "framework.yaml"),
            str(folder / "values.csv"),
            "-o",
            str(folder / "ranking.csv"),
        ]
    )
    assert status == 0
    checksums(folder, ["framework.yaml", "values.csv", "ranking.csv"])
    return folder


# ---------------------------------------------------------------------------
# A server on loopback whose answer to each file name the test decides

Answer = Callable[[BaseHTTPRequestHandler], None]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, answers: dict[str, Answer]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.answers = answers
        self.asked: list[str] = []
        self.sent = 0
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.server.asked.append(self.path)
        # An answer for the exact path, else for any path ending in that file name.
        answers = self.server.answers
        answer = answers.get(self.path) or answers.get(self.path.rsplit("/", 1)[-1])
        if answer is None:
            self.send_error(404)
        else:
            with contextlib.suppress(OSError):
                answer(self)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(answers: dict[str, Answer]) -> Iterator[Server]:
    server = Server(answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()


def body(data: bytes) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def files_of(folder: Path) -> dict[str, Answer]:
    return {path.name: body(path.read_bytes()) for path in folder.iterdir()}


def redirect(location: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chiso verify: cannot read the dataset: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


# ---------------------------------------------------------------------------
# The normal case


def test_a_genuine_dataset_on_loopback_verifies(dataset):
    with serving(files_of(dataset)) as server:
        result = run_verify(f"{server.url}/data/3/commune/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "OK: 3 checksums match; the ranking of 2 units recomputes exactly.\n"


def test_a_redirect_within_the_datasets_own_site_is_followed(dataset):
    moved = {f"/old/{name}": redirect(f"/new/{name}") for name in files_of(dataset)}
    with serving({**files_of(dataset), **moved}) as server:
        result = run_verify(f"{server.url}/old/")
        asked = list(server.asked)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/old/values.csv" in asked and "/new/values.csv" in asked


# ---------------------------------------------------------------------------
# Size


@pytest.mark.parametrize("declared", [True, False], ids=["length-declared", "length-hidden"])
def test_a_huge_file_is_refused_after_the_limit_and_no_more_is_read(dataset, declared):
    offered = 64 * MB
    line = b"14758,CQS.2,1\n" * 4096

    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if declared:
            handler.send_header("Content-Length", str(offered))
        handler.end_headers()
        while handler.server.sent < offered and not handler.server.closing.is_set():
            handler.wfile.write(line)
            handler.server.sent += len(line)

    with serving({**files_of(dataset), "values.csv": huge}) as server:
        result = run_verify(f"{server.url}/d/", "--max-file-mb", "1")
        sent = server.sent
    one_line_refusal(result, "values.csv", "larger than 1 MB", "--max-file-mb")
    # verify hung up at the limit: what the server wrote is that and the sockets' buffers.
    assert sent < offered / 4


def test_a_huge_file_in_a_folder_is_refused_without_reading_it(dataset):
    with (dataset / "values.csv").open("ab") as values:
        values.truncate(3 * MB)
    one_line_refusal(run_verify(dataset, "--max-file-mb", "2"), "values.csv", "larger than 2 MB")


def test_the_file_size_limit_is_a_flag(dataset):
    result = run_verify(dataset, "--max-file-mb", "0.0001")
    one_line_refusal(result, "larger than 0.0001 MB")
    assert run_verify(dataset, "--max-file-mb", "0").returncode == 2
    assert "above 0" in run_verify(dataset, "--max-file-mb", "-1").stderr


# ---------------------------------------------------------------------------
# Time: one deadline for the whole run


def drip_body(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):
        if handler.server.closing.wait(1):
            return
        handler.wfile.write(b"1")
        handler.wfile.flush()


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    for byte in b"HTTP/1.0 200 OK\r\nX-Slow: " + b"a" * 1000:
        if handler.server.closing.wait(1):
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


@pytest.mark.parametrize("drip", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_server_sending_a_byte_a_second_is_stopped_at_the_runs_deadline(dataset, drip):
    with serving({**files_of(dataset), "values.csv": drip}) as server:
        started = time.monotonic()
        result = run_verify(f"{server.url}/d/", "--max-seconds", "3", timeout=30)
        took = time.monotonic() - started
    one_line_refusal(result, "values.csv", "3 s", "--max-seconds")
    # The deadline counts from the start of the run: the three files before it included.
    assert took < 15


def test_a_server_that_says_nothing_is_stopped_at_the_deadline(dataset):
    def silent(handler: BaseHTTPRequestHandler) -> None:
        handler.server.closing.wait(60)

    with serving({**files_of(dataset), "SHA256SUMS": silent}) as server:
        started = time.monotonic()
        result = run_verify(f"{server.url}/d/", "--max-seconds", "2", timeout=30)
        took = time.monotonic() - started
    one_line_refusal(result, "SHA256SUMS", "2 s")
    assert took < 15


# ---------------------------------------------------------------------------
# The number of names


def test_a_checksum_file_of_200000_names_is_refused_before_fetching_any(dataset):
    sums = "".join(f"{'0' * 64}  file{n}.csv\n" for n in range(200_000)).encode()
    answers = {**files_of(dataset), "SHA256SUMS": body(sums)}
    answers.update({f"file{n}.csv": body(b"x") for n in range(200_000)})
    with serving(answers) as server:
        result = run_verify(f"{server.url}/d/", timeout=30)
        asked = list(server.asked)
    one_line_refusal(result, "SHA256SUMS", "more than 100 names", "--max-files")
    assert asked == ["/d/SHA256SUMS"]


def test_the_number_of_names_is_a_flag(dataset):
    one_line_refusal(run_verify(dataset, "--max-files", "2"), "more than 2 names")
    assert run_verify(dataset, "--max-files", "3").returncode == 0


# ---------------------------------------------------------------------------
# Redirects off the dataset's own scheme, host and port


def test_a_redirect_to_another_port_is_refused(dataset):
    with serving(files_of(dataset)) as elsewhere:
        moved = redirect(f"{elsewhere.url}/d/SHA256SUMS")
        with serving({**files_of(dataset), "SHA256SUMS": moved}) as server:
            result = run_verify(f"{server.url}/d/")
        asked_elsewhere = list(elsewhere.asked)
    line = one_line_refusal(result, "redirects to", elsewhere.url, "not followed")
    assert f"{server.url}/d/SHA256SUMS" in line
    assert asked_elsewhere == []


@pytest.mark.parametrize(
    "location",
    ["ftp://127.0.0.1/d/values.csv", "file:///etc/passwd", "https://127.0.0.1/d/values.csv"],
    ids=["ftp", "file", "https"],
)
def test_a_redirect_to_another_scheme_is_refused(dataset, location):
    with serving({**files_of(dataset), "values.csv": redirect(location)}) as server:
        result = run_verify(f"{server.url}/d/")
    one_line_refusal(result, "values.csv", f"redirects to {location}", "not followed")


def test_a_redirect_to_another_host_is_refused(dataset):
    with serving({**files_of(dataset), "values.csv": redirect("http://localhost/")}) as server:
        result = run_verify(f"{server.url}/d/")
    one_line_refusal(result, "redirects to http://localhost/", "not followed")


def test_what_the_server_says_is_shown_with_control_characters_escaped(dataset):
    location = "http://elsewhere.example/\x1b[2J\x1b[31mall good"
    with serving({**files_of(dataset), "values.csv": redirect(location)}) as server:
        result = run_verify(f"{server.url}/d/")
    line = one_line_refusal(result, "not followed")
    assert "\x1b" not in line
    assert "elsewhere.example/\\x1b[2J\\x1b[31mall good" in line


# ---------------------------------------------------------------------------
# A folder: no link out of it is followed, no other file is shown


SECRET = "password: hunter2 (a file outside the dataset)\n"


@pytest.mark.parametrize("name", ["SHA256SUMS", "values.csv", "ranking.csv", "notes.md"])
def test_a_link_out_of_the_folder_is_not_followed(dataset, tmp_path, name):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    (dataset / "notes.md").write_text("Notes.\n", "utf-8")
    checksums(dataset, ["framework.yaml", "values.csv", "ranking.csv", "notes.md"])
    (dataset / name).unlink()
    (dataset / name).symlink_to(secret)
    result = run_verify(dataset)
    one_line_refusal(result, f"{name}: a link out of the folder", "not followed")
    assert "hunter2" not in result.stdout + result.stderr


def test_a_link_through_a_folder_outside_is_not_followed(dataset, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "values.csv").write_text(SECRET, "utf-8")
    (dataset / "values.csv").unlink()
    (dataset / "values.csv").symlink_to(Path("..") / "outside" / "values.csv")
    result = run_verify(dataset)
    one_line_refusal(result, "values.csv: a link out of the folder")
    assert "hunter2" not in result.stdout + result.stderr


def test_a_link_to_nothing_is_a_missing_file_and_a_loop_of_links_is_refused(dataset, tmp_path):
    (dataset / "notes.md").symlink_to(tmp_path / "nothing")
    checksums(dataset, ["framework.yaml", "values.csv", "ranking.csv"])
    with (dataset / "SHA256SUMS").open("a") as sums:
        sums.write(f"{'0' * 64}  notes.md\n")
    result = run_verify(dataset)
    assert result.returncode == 1
    assert result.stdout == "notes.md: listed in SHA256SUMS but missing\n"
    (dataset / "notes.md").unlink()
    (dataset / "notes.md").symlink_to("notes.md")
    one_line_refusal(run_verify(dataset), "notes.md: a loop of links")


def test_a_link_within_the_folder_is_read(dataset):
    (dataset / "copies").mkdir()
    (dataset / "ranking.csv").rename(dataset / "copies" / "ranking.csv")
    (dataset / "ranking.csv").symlink_to(Path("copies") / "ranking.csv")
    result = run_verify(dataset)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_pipe_in_the_folder_is_not_waited_on(dataset):
    (dataset / "values.csv").unlink()
    os.mkfifo(dataset / "values.csv")
    result = run_verify(dataset, timeout=30)
    one_line_refusal(result, "values.csv", "not a regular file")


# ---------------------------------------------------------------------------
# Memory


def peak_memory(*args: object, output: Path) -> tuple[int, int]:
    """Run verify; its exit status and peak resident memory in bytes (Linux: ru_maxrss KB)."""
    with output.open("w") as out:
        child = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
            [sys.executable, "-m", "chiso.cli", "verify", *map(str, args)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KB on Linux")
def test_memory_grows_with_the_file_not_with_a_record_per_unit(dataset, tmp_path):
    status, genuine = peak_memory(dataset, output=tmp_path / "genuine.txt")
    assert status == 0
    # 19,000 communes with one figure each (under the 20,000 units `chiso score` reads),
    # and as many lines "missing from ranking.csv".
    with (dataset / "values.csv").open("a", encoding="utf-8") as values:
        values.writelines(f"9{n:06},CQS.2,có\n" for n in range(19_000))
    size = (dataset / "values.csv").stat().st_size
    checksums(dataset, ["framework.yaml", "values.csv", "ranking.csv"])
    status, hostile = peak_memory(dataset, "--max-file-mb", "3", output=tmp_path / "out.txt")
    assert status == 1
    # A dictionary of figures a unit took 39 times the file; the arrays, 1 to 2 times.
    assert hostile - genuine < 15 * size
