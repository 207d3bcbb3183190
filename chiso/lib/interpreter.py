"""The interpreter's settings for the few heavy pieces of work: reading a large file,
publishing a province's results.

    without_collector()   the cyclic garbage collector paused for the block
    quick_switching()     threads take turns on the interpreter ten times as often

Reading a large file or publishing creates millions of small lists, dicts and strings
that hold no reference cycles. The collector is triggered by the count of objects
made, and each of its full passes walks every object the process holds (Django, the
rows read, the figures): during publishing it took about a third of the time.
Reference counting still frees everything as soon as it is unused; only cycles wait,
and the collector, on again afterwards, finds them.

Publishing works out the rank uncertainty on a thread of its own (numpy, which lets
go of the interpreter while it sorts) while the request's thread plans and stores the
rows (Python). After each numpy call the worker waits for the interpreter, which the
busy thread gives up only every switch interval (5 ms): with hundreds of calls the
worker spent most of its time waiting, and the request then waited for it.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator

# Threads inside `quick_switching` blocks, and the interval to restore after the last.
_lock = threading.Lock()
_inside = 0
_interval_before = 0.0
QUICK_INTERVAL = 0.0005


@contextlib.contextmanager
def without_collector() -> Iterator[None]:
    """The block runs with the cyclic collector off; it is on again afterwards if it
    was before (an exception included)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def quick_switching() -> Iterator[None]:
    """The block runs with a switch interval of QUICK_INTERVAL (or the shorter one
    set); the interval before is back once no thread is inside such a block (blocks
    of several threads may overlap)."""
    global _inside, _interval_before
    with _lock:
        if _inside == 0:
            _interval_before = sys.getswitchinterval()
            sys.setswitchinterval(min(QUICK_INTERVAL, _interval_before))
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                sys.setswitchinterval(_interval_before)
