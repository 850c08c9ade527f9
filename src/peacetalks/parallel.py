"""Every stage, no I/O of its own: one ordered map over independent items, on every core once the input is large enough."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 1000  # items; below this a process pool costs more than it saves
WINDOW = 1024  # items submitted ahead of the consumer: imap has no back-pressure, so a slow consumer would let results pile up


def apply_all(function: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """One task of the pool: ``function`` over a chunk of items (a module function, so it pickles)."""
    return [function(item) for item in chunk]


def default_terminate() -> None:
    """A worker's start: ``terminate`` ends it at once, whatever SIGTERM handler it inherited through the fork
    (``labelstudio start`` turns SIGTERM into KeyboardInterrupt, which a worker would die of holding a queue lock)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def ordered_map(function: Callable[[T], R], items: Sequence[T], chunksize: int = 32) -> Iterator[R]:
    """``function`` over ``items``, results in input order; workers (one per core) from ``PARALLEL_FROM`` items on.

    Items go to the pool a chunk at a time, ``WINDOW`` items ahead of the consumer: each time the
    consumer reaches a chunk's results, one more chunk is submitted, so the workers never wait for
    the consumer to drain a window and no more than ``WINDOW`` + ``chunksize`` results are held.
    ``function`` must be picklable (a module function or a partial of one), and so must the items.
    Workers come from a fork server, not from a fork of this process: a fork copies every lock that
    another thread (a progress bar, a server fixture, an HTTP pool) holds at that instant, and a
    worker that inherits one held waits on it for ever (seen in CI)."""
    workers = os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or workers < 2:
        yield from map(function, items)
        return
    starts = iter(range(0, len(items), chunksize))
    with multiprocessing.get_context("forkserver").Pool(workers, initializer=default_terminate) as pool:

        def submit(start: int) -> AsyncResult[list[R]]:
            return pool.apply_async(apply_all, (function, items[start : start + chunksize]))

        pending = deque(submit(start) for start in islice(starts, max(1, WINDOW // chunksize)))
        while pending:
            results = pending.popleft().get()
            pending.extend(submit(start) for start in islice(starts, 1))  # refill before the consumer takes these
            yield from results
