"""The interpreter's settings for heavy work: reading large files, publishing."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from chiso.lib import interpreter


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_collector_off_inside_on_after(collector_on):
    with interpreter.without_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_on_again_after_an_exception(collector_on):
    with pytest.raises(ValueError), interpreter.without_collector():
        raise ValueError("bad file")
    assert gc.isenabled()


def test_collector_left_off_when_it_was_off(collector_on):
    gc.disable()
    with interpreter.without_collector():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_a_cycle_made_without_the_collector_is_collected_afterwards(collector_on):
    class Node:
        pass

    with interpreter.without_collector():
        node = Node()
        node.self = node
        count = sum(1 for o in gc.get_objects() if isinstance(o, Node))
        del node
    assert count == 1
    gc.collect()
    assert not any(isinstance(o, Node) for o in gc.get_objects())


def test_quick_switching_inside_and_the_interval_back_after():
    before = sys.getswitchinterval()
    with interpreter.quick_switching():
        assert sys.getswitchinterval() == pytest.approx(interpreter.QUICK_INTERVAL)
    assert sys.getswitchinterval() == before
    with pytest.raises(ValueError), interpreter.quick_switching():
        raise ValueError("publish refused")
    assert sys.getswitchinterval() == before


def test_overlapping_blocks_of_two_threads_restore_the_first_interval():
    # Two publications at once (a threaded server): the first to leave must not put
    # the long interval back under the other, nor the last leave the short one.
    before = sys.getswitchinterval()
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def other():
        with interpreter.quick_switching():
            inside.set()
            leave.wait(10)
            seen.append(sys.getswitchinterval())

    thread = threading.Thread(target=other)
    with interpreter.quick_switching():
        thread.start()
        assert inside.wait(10)
    # This thread left first; the other is still inside.
    assert sys.getswitchinterval() == pytest.approx(interpreter.QUICK_INTERVAL)
    leave.set()
    thread.join(10)
    assert seen == [pytest.approx(interpreter.QUICK_INTERVAL)]
    assert sys.getswitchinterval() == before
