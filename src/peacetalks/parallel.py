"""One ordered map over independent items, on every core once the input is large enough."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 1000  # items; below this a process pool costs more than it saves
WINDOW = 1024  # items in flight: imap has no back-pressure, so a slow consumer would let results pile up


def ordered_map(function: Callable[[T], R], items: Sequence[T], chunksize: int = 32) -> Iterator[R]:
    """``function`` over ``items``, results in input order; forked workers (one per core) from
    ``PARALLEL_FROM`` items on, at most ``WINDOW`` items ahead of the consumer. ``function`` must be picklable (a module function or a partial of one);
    the workers inherit everything else through the fork."""
    workers = os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or workers < 2:
        yield from map(function, items)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for start in range(0, len(items), WINDOW):
            yield from pool.imap(function, items[start : start + WINDOW], chunksize=chunksize)
