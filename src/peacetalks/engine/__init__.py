"""Every scalable stage, no I/O of its own: the engine (datatrove) the stages' per-document work runs on.

A stage describes its work as a :class:`Job` (items, a batch function, its inputs) and reads the
results in input order from :func:`run` (or :func:`ordered_map` for a function over a list); how it
runs (in this process, datatrove's local executor, Ray or Slurm; tasks and workers) is the
:class:`Engine` the command chose (:func:`using`), so the work has one code path whatever runs it.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .executors import EXECUTORS, PARALLEL_FROM, WORK_FOLDER, Engine, ExecutorName, SlurmOptions, Submitted, run_job, work_folders
from .steps import Failure, Job, Listed, streamed

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["EXECUTORS", "PARALLEL_FROM", "WORK_FOLDER", "Engine", "ExecutorName", "Failure", "Job", "SlurmOptions", "Submitted",
           "current", "ordered_map", "run", "streamed", "using"]

ENGINE: ContextVar[Engine] = ContextVar("engine", default=Engine())  # the default: one task, in this process


@contextlib.contextmanager
def using(engine: Engine) -> Iterator[Engine]:
    """Run the stages called in this block on ``engine`` (a command sets it from --executor/--tasks/--workers);
    their work folders are removed when the block ends, unless it ends in a crash or on Slurm."""
    token = ENGINE.set(engine)
    try:
        with work_folders():
            yield engine
    finally:
        ENGINE.reset(token)


def current() -> Engine:
    return ENGINE.get()


def run(job: Job) -> Iterator[Any]:
    """The job's results, in input order, on the engine in use."""
    return run_job(current(), job)


def apply_each(function: Callable[[T], R], batch: list[T]) -> list[R]:
    return [function(item) for item in batch]


def ordered_map(name: str, function: Callable[[T], R], items: Sequence[T], inputs: tuple[Path, ...], key: str = "") -> Iterator[R]:
    """``function`` over ``items``, results in input order; ``function`` and the items must pickle (a module
    function or a partial of one); ``inputs`` are the files and folders it reads, ``key`` any option of
    ``function`` that changes its results."""
    listed = list(items)
    digest = hashlib.sha256()
    for item in listed:  # one at a time: the repr of 100k items at once is 30 MiB
        digest.update(repr(item).encode("utf-8", "surrogateescape") + b"\0")
    return run(Job(name, Listed(listed), partial(apply_each, function), len(listed), inputs, key=f"{key}\0{digest.hexdigest()}"))
