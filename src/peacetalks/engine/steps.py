"""Every scalable stage, I/O (a task's results file): the datatrove steps a stage's work runs as.

A stage's work is a :class:`Job`: a stream of items (``source``), and ``work``, which turns a batch
of them into their results, in order. Task ``rank`` of ``world_size`` takes items ``rank``,
``rank + world_size``, … (:class:`StageWork`) and writes each result as one pickle record to its
results file (:class:`ResultsWriter`); the merge (:func:`merged`) reads the files round-robin, so the
results come back in input order, whatever the number of tasks: the same bytes out.

Bad input a task meets (a :class:`~peacetalks.storage.PeacetalksError`) is not a crash of the task:
it becomes a :class:`Failure` record in place of the item's result, and the task ends there; the
merge raises it when it reaches that place, as the in-process path raises it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from itertools import cycle, islice
from pathlib import Path
from typing import Any, BinaryIO

from datatrove.pipeline.base import PipelineStep

from ..storage import PeacetalksError, atomic_output, os_error_text
from .liveness import mark_running

Work = Callable[[list[Any]], list[Any]]  # a batch of items → their results, in order
Source = Callable[[int, int], Iterable[Any]]  # (rank, world_size) → that task's share of the stage's items, in order
RESULTS = "results"
ITEMS = "items"  # a listed job's items, one file a task: items/<rank>.pickle
END = object()  # the end of a stream of records (a record may be None)


@dataclass(frozen=True)
class Failure:
    """Bad input met by a task, raised by the merge at the item's place."""

    message: str


class Job:
    """What a stage runs on the engine: its name, its items, its work, and what keys a resumable run.

    ``inputs`` are the files and folders the work reads and ``key`` anything else its results depend
    on: their listing (names, sizes, times) and ``key`` name the work folder, so a resumed run never
    mixes results made from other inputs. (A plain class: datatrove writes its steps' attributes to
    executor.json, and a dataclass would be copied there whole, items and all.)"""

    def __init__(self, name: str, source: Source, work: Work, count: int, inputs: tuple[Path, ...] = (), key: str = "",
                 batch: int = 32) -> None:
        self.name, self.source, self.work, self.count = name, source, work, count
        self.inputs, self.key = inputs, key
        self.batch = batch  # items per call of ``work``: clean syncs its files once per batch

    def __repr__(self) -> str:
        return f"Job({self.name!r}, {self.count} items)"

    def reading(self, source: Source) -> Job:
        """The same job over another stream of the same items."""
        return Job(self.name, source, self.work, self.count, self.inputs, self.key, self.batch)


def streamed(stream: Callable[[], Iterable[Any]]) -> Source:
    """A source that every task streams whole, keeping its share (a seed manifest, which no process holds whole)."""
    return partial(share_of_stream, stream)


def share_of_stream(stream: Callable[[], Iterable[Any]], rank: int, world_size: int) -> Iterator[Any]:
    return islice(iter(stream()), rank, None, world_size)


class Listed:
    """A job's items held in this process, as a list. A task of this process takes its share of them; tasks elsewhere
    read their share from the work folder, where the command spills each task's once (:meth:`spilled`): so an executor
    pickles a path, not every item (datatrove pickling a 100k-document build's items took the command 92 MiB more),
    and a task reads its own items only (256 tasks each reading all of them would read them 256 times)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __call__(self, rank: int, world_size: int) -> Iterator[Any]:
        return islice(self.items, rank, None, world_size)

    def spilled(self, folder: Path, tasks: int) -> Source:
        """Each task's share as a stream from ``folder``; a share a killed run spilled is kept (the folder is named by the
        items' digest and the task count)."""
        for rank in range(tasks):
            path = share_file(folder, rank)
            if not path.exists():
                with atomic_output(path) as handle:
                    for item in self.items[rank::tasks]:
                        pickle.dump(item, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return partial(read_share, folder)


def share_file(folder: Path, rank: int) -> Path:
    return folder / ITEMS / f"{rank:05d}.pickle"


def read_share(folder: Path, rank: int, world_size: int) -> Iterator[Any]:
    return read_records(share_file(folder, rank))


def read_records(path: Path) -> Iterator[Any]:
    """The pickle records of a file, in order, one at a time. The file is opened at once: a spill gone missing crashes
    its task (a rerun resumes) instead of reading as bad input, which would end the run and remove its work folder."""
    handle = path.open("rb")

    def closing_records() -> Iterator[Any]:
        with handle:
            yield from records(handle)

    return closing_records()


def records(handle: BinaryIO) -> Iterator[Any]:
    """The records up to the end of the file; one cut short is bad input (its work folder is removed, so a rerun makes
    it again), not a crash, which would keep the folder and meet the same file on every rerun."""
    while True:
        try:
            yield pickle.load(handle)
        except EOFError:
            return
        except pickle.UnpicklingError as exc:
            raise PeacetalksError(f"{handle.name}: {exc} (cut short outside the run); its work folder is removed: run the command again") from exc


def failure_of(exc: PeacetalksError | OSError) -> Failure:
    if isinstance(exc, OSError):
        return Failure(os_error_text(exc))
    return Failure(str(exc))


def outcomes(work: Work, batch: list[Any]) -> list[Any]:
    """``work(batch)``; when it refuses, the batch again item by item, so the failure takes the place of
    the first item that fails, after the results of the ones before it (``work`` is idempotent)."""
    try:
        return work(batch)
    except (PeacetalksError, OSError) as exc:
        if len(batch) == 1:
            return [failure_of(exc)]
    results = []
    for item in batch:
        results += outcomes(work, [item])
        if isinstance(results[-1], Failure):
            break
    return results


def batches(items: Iterator[Any], size: int) -> Iterator[list[Any] | Failure]:
    """``items`` in lists of ``size``; reading them may refuse too (a bad manifest): then a last Failure."""
    while True:
        try:
            batch = list(islice(items, size))
        except (PeacetalksError, OSError) as exc:
            yield failure_of(exc)
            return
        if not batch:
            return
        yield batch


class StageWork(PipelineStep):
    """A stage's work on one task's share of the items; yields their results in order."""

    name = "peacetalks"
    type = "🧹 STAGE"

    def __init__(self, job: Job) -> None:
        self.job = job  # before the base's __init__, which names the step's statistics after its repr
        super().__init__()

    def __repr__(self) -> str:
        return f"{self.type}: {self.job.name}"

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled in a datatrove worker, before its task starts: its logs go to the work folder."""
        from .logs import quiet_datatrove

        self.__dict__.update(state)
        quiet_datatrove()

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        for batch in batches(iter(self.job.source(rank, world_size)), self.job.batch):
            results = [batch] if isinstance(batch, Failure) else outcomes(self.job.work, batch)
            self.stat_update("items", value=len(results))
            yield from results
            if results and isinstance(results[-1], Failure):
                return


def results_file(folder: Path, rank: int) -> Path:
    return folder / RESULTS / f"{rank:05d}.pickle"


class ResultsWriter(PipelineStep):
    """Writes a task's results, one pickle record each, to a temp file renamed into place when the task ends."""

    name = "results"
    type = "💽 WRITER"

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        mark_running(self.folder, rank)  # before the task's work, which runs as this step reads it
        path = results_file(self.folder, rank)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temp.open("wb") as handle:
            for record in data or ():
                pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())  # the completion mark follows: the results must be on disk first
        os.replace(temp, path)
        return iter(())


def unwrapped(records: Iterable[Any]) -> Iterator[Any]:
    """The results, raising a Failure where it stands."""
    for record in records:
        if isinstance(record, Failure):
            raise PeacetalksError(record.message)
        yield record


def merged(folder: Path, tasks: int) -> Iterator[Any]:
    """Every task's results in input order: item ``i`` is the next record of task ``i % tasks``."""
    with ExitStack() as stack:
        streams = [records(stack.enter_context(results_file(folder, rank).open("rb"))) for rank in range(tasks)]
        for stream in cycle(streams):
            record = next(stream, END)
            if record is END:  # the shares differ by one at most, the lower ranks' being the longer
                return
            yield from unwrapped([record])
