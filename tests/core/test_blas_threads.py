"""numpy's BLAS runs on one thread in chiso's processes (chiso/__init__.py): a second
thread made no product of chiso's quicker, and took the core a request needed."""

from __future__ import annotations

import os
import subprocess
import sys

# The number of threads numpy's bundled OpenBLAS will use, read from the library the
# process loaded (numpy 2 ships it as scipy-openblas, with its own symbol prefix).
PROBE = """
import ctypes
{imports}
path = next(l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l.lower())
print(ctypes.CDLL(path).scipy_openblas_get_num_threads64_())
"""


def threads(imports: str, **env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(  # noqa: S603 - this Python, a probe of our own
        [sys.executable, "-c", PROBE.format(imports=imports)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout.strip())


def test_the_engine_uses_one_blas_thread():
    assert threads("import chiso.engine") == 1


def test_the_environment_still_decides():
    assert threads("import chiso.engine", OPENBLAS_NUM_THREADS="2") == 2


def test_without_chiso_numpy_would_use_every_core():
    # What the setting changes: numpy alone starts a thread per core (two or more on
    # the machines chiso is tested on).
    assert threads("import numpy") == min(os.cpu_count() or 1, 64)
