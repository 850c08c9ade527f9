"""The ordered map every stage runs on all cores: results in input order, a bounded look-ahead that never drains."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import overload

import pytest

from peacetalks import parallel
from peacetalks.parallel import WINDOW, ordered_map

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool runs only where there are two cores or more")


def square(n: int) -> int:
    return n * n


class ReadCounting(Sequence[int]):
    """The numbers 0…length-1, remembering how far the map has read: how far ahead of its consumer it submitted."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.read_to = 0  # one past the highest index read so far

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        picked = range(self.length)[index]
        if isinstance(picked, range):
            self.read_to = max(self.read_to, picked.stop if len(picked) else 0)
            return list(picked)
        self.read_to = max(self.read_to, picked + 1)
        return picked


def look_aheads(items: ReadCounting) -> Iterator[tuple[int, int, int]]:
    """(position, result, items read beyond it) as each result reaches the consumer."""
    for position, result in enumerate(ordered_map(square, items)):
        yield position, result, items.read_to - position - 1


def test_results_come_in_input_order_on_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    assert list(ordered_map(square, range(5000))) == [n * n for n in range(5000)]


def test_the_pool_stays_a_full_window_ahead_across_window_edges_and_never_further(monkeypatch: pytest.MonkeyPatch) -> None:
    """A map that drained the pool at every window edge would fall to a few items ahead just before each edge."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    items = ReadCounting(4 * WINDOW + 100)
    seen = list(look_aheads(items))
    assert [result for _, result, _ in seen] == [n * n for n in range(len(items))]
    ahead = [lead for position, _, lead in seen if position + WINDOW < len(items)]
    assert min(ahead) >= WINDOW - 1  # workers always have a window of work queued
    assert max(lead for _, _, lead in seen) < WINDOW + 32  # and never more than a window and a chunk: memory stays bounded


def test_a_worker_failure_reaches_the_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    with pytest.raises(ZeroDivisionError):
        list(ordered_map(inverse, range(-5, 2000)))


def inverse(n: int) -> float:
    return 1 / n


def terminates_by_default(_: int) -> bool:
    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_workers_end_on_terminate_whatever_sigterm_handler_the_parent_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """`labelstudio start` turns SIGTERM into KeyboardInterrupt; a worker inheriting that could hang the pool's terminate."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        assert all(ordered_map(terminates_by_default, range(2000)))
    finally:
        signal.signal(signal.SIGTERM, previous)


HELD = threading.Lock()  # held by another thread of the consumer while the map runs


def takes_the_lock(_: int) -> bool:
    if HELD.acquire(timeout=2):  # a worker forked from the consumer inherits HELD locked, with no thread to free it
        HELD.release()
        return True
    return False


def test_a_lock_another_thread_holds_does_not_reach_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker inherits every lock held at the fork (a progress bar's, a logging handler's) and would wait on it for ever."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with HELD:
            taken.set()
            done.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        assert all(ordered_map(takes_the_lock, range(4)))
    finally:
        done.set()
        holder.join()
