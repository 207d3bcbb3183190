"""Production refuses to start insecurely, and turns on HSTS and secure cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-random-enough-secret-" + "z" * 20


def load_settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json; from chiso import settings as s; print(json.dumps({"
        "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'secure_cookie': s.SESSION_COOKIE_SECURE,"
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'debug': s.DEBUG}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_with_the_development_key_refuses_to_start():
    result = load_settings(CHISO_ENV="production")
    assert result.returncode != 0
    assert "CHISO_SECRET_KEY" in result.stderr


def test_production_with_debug_on_refuses_to_start():
    result = load_settings(CHISO_ENV="production", CHISO_SECRET_KEY=GOOD_KEY, CHISO_DEBUG="1")
    assert result.returncode != 0
    assert "CHISO_DEBUG" in result.stderr


def test_production_with_a_real_key_starts_with_hsts_and_secure_cookies():
    result = load_settings(CHISO_ENV="production", CHISO_SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures == {"hsts": 31536000, "secure_cookie": True, "csrf_secure": True, "debug": False}


def test_development_has_no_hsts():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hsts"] == 0


def test_every_setting_read_from_the_environment_is_listed_in_the_readme():
    import re

    read = set(
        re.findall(r'"((?:CHISO_|DATABASE_)[A-Z_]+)"', (ROOT / "chiso/settings.py").read_text())
    )
    section = (ROOT / "README.md").read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert sorted(name for name in read if f"`{name}`" not in section) == []
