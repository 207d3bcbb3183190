"""A small filesystem for a test that fills the disk: a tmpfs of a few kilobytes mounted
on a temporary folder (as root, as CI runs), unmounted afterwards.

Where mounting is not allowed (not root, or a container without the capability), the
nearest honest equivalent: the folder is on the ordinary disk and this process may
write no file larger than the size (RLIMIT_FSIZE, with SIGXFSZ ignored), so a write
past it fails with EFBIG ("File too large") instead of ENOSPC. `disk.kind` says which.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SmallDisk:
    folder: Path
    kind: str  # "tmpfs" or "file size limit"

    def files(self) -> list[Path]:
        """Every file and folder left on it."""
        return sorted(self.folder.rglob("*"))


def _mount(folder: Path, size: int) -> bool:
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        return False
    done = subprocess.run(  # noqa: S603 - the system's mount, our own arguments
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def small_disk(size: int) -> Iterator[SmallDisk]:
    """A folder on which at most about `size` bytes fit (see the module)."""
    folder = Path(tempfile.mkdtemp(prefix="chiso-full-"))
    try:
        if _mount(folder, size):
            try:
                yield SmallDisk(folder, "tmpfs")
            finally:
                subprocess.run([shutil.which("umount") or "/bin/umount", str(folder)], check=False)  # noqa: S603
            return
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
        try:
            yield SmallDisk(folder, "file size limit")
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
