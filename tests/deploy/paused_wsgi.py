"""chiso's WSGI application, stopping for good inside the transaction of a save: right
after the first statement matching CHISO_TEST_PAUSE_PATTERN it writes its pid to
CHISO_TEST_PAUSE/paused and sleeps until it is killed. For the test that kills an app
server mid-save (tests/deploy/test_kill_server.py); never used outside the tests."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from chiso.wsgi import application as chiso

FOLDER = Path(os.environ["CHISO_TEST_PAUSE"])
PATTERN = re.compile(os.environ["CHISO_TEST_PAUSE_PATTERN"])


def _pause(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    result = execute(sql, params, many, context)
    if PATTERN.search(sql):
        (FOLDER / "paused").write_text(str(os.getpid()))
        while True:  # until the test kills the server
            time.sleep(1)
    return result


def application(environ: dict[str, Any], start_response: Any) -> Any:
    from django.db import connection

    with connection.execute_wrapper(_pause):
        return chiso(environ, start_response)
