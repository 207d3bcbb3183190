"""The long fuzzing run: tests/fuzz with many inputs a reader, under a memory limit.

    .venv/bin/python scripts/fuzz.py [EXAMPLES] [MEMORY_MB]

Runs the four readers (framework file, formula, values CSV, values workbook) on EXAMPLES
random inputs each (default 2,000; new ones each run), each input bounded at 5 CPU
seconds, the whole process at MEMORY_MB of address space (default 2,048): an input that
needs more ends in a MemoryError, which fails the run. Prints pytest's report, then one
JSON line: examples a reader, seconds, and whether everything ended in a result or a
clear error.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def limit_memory(megabytes: int) -> None:
    size = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def main(examples: int, megabytes: int) -> dict[str, object]:
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603 - pytest from this environment
        [sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**os.environ, "CHISO_FUZZ_EXAMPLES": str(examples)},
        preexec_fn=lambda: limit_memory(megabytes),  # noqa: PLW1509
        check=False,
    )
    return {
        "benchmark": "fuzz",
        "readers": 4,
        "examples_each": examples,
        "memory_limit_mb": megabytes,
        "seconds": round(time.monotonic() - started),
        "ok": run.returncode == 0,
    }


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(main(*(arguments + [2000, 2048][len(arguments) :]))))
