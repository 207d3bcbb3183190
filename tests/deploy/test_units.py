"""deploy/'s systemd units are units systemd accepts: `systemd-analyze verify` finds
nothing wrong in them but the programs missing from this machine's /opt/chiso."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.children import ROOT

UNITS = ("chiso.service", "chiso-notify.service", "chiso-notify.timer")


def test_systemd_accepts_the_app_server_and_the_daily_job(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    for unit in UNITS:
        shutil.copy(ROOT / "deploy" / unit, tmp_path / unit)
    done = subprocess.run(  # noqa: S603 - systemd's own checker, our unit files
        [analyze, "verify", "--man=no", *(f"./{unit}" for unit in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "/opt/chiso/.venv/bin/" not in line
    ]
    assert problems == []
    # The timer starts the job's service, every day.
    timer = (ROOT / "deploy" / "chiso-notify.timer").read_text()
    assert "OnCalendar=*-*-* 07:00:00" in timer
    assert (
        "ExecStart=/opt/chiso/.venv/bin/chiso notify_deadlines"
        in (ROOT / "deploy" / "chiso-notify.service").read_text()
    )
