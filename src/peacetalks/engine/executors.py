"""Every scalable stage, I/O (a work folder, child processes, a cluster): running a :class:`Job` on datatrove.

``--executor local`` (the default) runs the job's tasks with datatrove's ``LocalPipelineExecutor``,
``ray`` with its ``RayPipelineExecutor`` on a Ray cluster, ``slurm`` submits them with its
``SlurmPipelineExecutor``. A job of one task on the local executor runs in this process, with no
work folder (the 5-document repository pays no start-up cost); the work itself is the same step.

A run of several tasks keeps the items of a listed job, its results, datatrove's logs and its completion marks in a work
folder ``.peacetalks-engine/<job>-<key>`` inside the data root (or beside ``--out`` for build),
named after the job's inputs: a run that was killed resumes there, skipping the tasks it had
finished, and the folder is removed once the merge has read it. A second run of the same job while
the first holds the folder works in a fresh folder of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tqdm import tqdm

from ..storage import PeacetalksError, hold, let_go, os_error_text
from ..verdicts import source_digest
from .liveness import COMPLETIONS, forget_running, lost_task
from .steps import Job, Listed, ResultsWriter, StageWork, merged, unwrapped

if TYPE_CHECKING:  # datatrove's executors import huggingface_hub (0.6 s): only a run of several tasks needs them
    from datatrove.executor import SlurmPipelineExecutor
    from datatrove.executor.base import PipelineExecutor

ExecutorName = Literal["local", "slurm", "ray"]
EXECUTORS: tuple[ExecutorName, ...] = ("local", "slurm", "ray")
PARALLEL_FROM = 1000  # items; below this, by default, one task in this process (a pool costs more than it saves)
WORK_FOLDER = ".peacetalks-engine"


class Submitted(Exception):
    """The job went to Slurm; the command reruns itself there, after the tasks, to finish."""


class Resumable(PeacetalksError):
    """A run that stopped short of its end, not for bad input: its work folders stay, and a rerun resumes."""


class Unsubmitted(Resumable):
    """Slurm could not be reached; the job's scripts stay in its work folder, to read or submit by hand."""


@dataclass(frozen=True)
class SlurmOptions:
    partition: str
    time: str = "04:00:00"
    command: tuple[str, ...] = ()  # the stage's command line, rerun by the job that follows the tasks
    cpus_per_task: int = 1
    mem_per_cpu_gb: int = 2


@dataclass(frozen=True)
class Engine:
    """How a stage runs its jobs: which executor, how many tasks and workers, where work folders go."""

    executor: ExecutorName = "local"
    tasks: int | None = None  # None: one per core from PARALLEL_FROM items on, else one
    workers: int | None = None  # None: as many as tasks, at most one per core (local), all tasks at once (clusters)
    scratch: Path | None = None  # the folder that holds .peacetalks-engine/; None: one task in this process only
    slurm: SlurmOptions | None = None

    def task_count(self, items: int) -> int:
        if self.scratch is None:
            return 1
        if self.tasks is not None:
            return max(1, self.tasks)
        cores = os.cpu_count() or 1
        return cores if items >= PARALLEL_FROM and cores > 1 else 1

    def worker_count(self, tasks: int) -> int:
        if self.workers is not None:
            return max(1, min(self.workers, tasks))
        return min(tasks, os.cpu_count() or 1) if self.executor == "local" else tasks


def listing_digest(job: Job, tasks: int) -> str:
    """A digest of what the job's results depend on: the code that made them (a killed run's results pickled by another
    version of the package are not resumed: their objects may have other fields), the job's name, key, task count and
    its inputs' listing."""
    digest = hashlib.sha256(f"{source_digest()}\0{job.name}\0{job.key}\0{job.count}\0{tasks}".encode())
    for path in job.inputs:
        digest.update(f"\0{os.fspath(path)}\0{folder_listing_digest(path)}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def folder_listing_digest(path: Path) -> str:
    """A digest of a folder's entries (path, size, modification time), or of a file's, read one entry at a time and in
    any order: the sum of the entries' own digests, and their number (a 100k-document corpus's sorted listing
    was 46 MiB)."""
    if not path.is_dir():
        return f"1:{entry_digest(os.fspath(path)):064x}" if path.exists() else "0:"
    total = count = 0
    with os.scandir(path) as entries:
        for entry in entries:
            total, count = (total + entry_digest(entry.path)) % (1 << 256), count + 1
    return f"{count}:{total:064x}"


def entry_digest(path: str) -> int:
    stat = os.stat(path)
    return int.from_bytes(hashlib.sha256(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8", "surrogateescape")).digest(), "big")


class WorkFolders:
    """The work folders of one command, each held with a lock until the command ends; then removed if it
    ended well or on bad input, kept if it crashed, was killed or went to Slurm (to resume from them).

    They outlive their job because a command may run a job twice (build hashes shingles for its plan and
    for its leakage report) and because a rerun after a Slurm job needs the results of the jobs before."""

    def __init__(self) -> None:
        self.held: dict[Path, int] = {}

    def claim(self, scratch: Path, name: str) -> Path:
        """The folder for job ``name``: the one a killed run left, or a fresh one when another command holds it."""
        folder = scratch / WORK_FOLDER / name
        if folder in self.held:
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        fd = hold(os.open(folder / "lock", os.O_CREAT | os.O_RDWR, 0o644))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            let_go(fd)
            folder = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{name}."))
            fd = hold(os.open(folder / "lock", os.O_CREAT | os.O_RDWR, 0o644))
        self.held[folder] = fd
        return folder

    def release(self, remove: bool) -> None:
        for folder, fd in self.held.items():
            if remove:
                shutil.rmtree(folder, ignore_errors=True)
                with contextlib.suppress(OSError):
                    folder.parent.rmdir()  # only when no other command's folder is in it
            let_go(fd)
        self.held.clear()


FOLDERS: ContextVar[WorkFolders | None] = ContextVar("work_folders", default=None)


@contextlib.contextmanager
def work_folders() -> Iterator[WorkFolders]:
    """The work folders of the commands run in this block (see :class:`WorkFolders`)."""
    folders = WorkFolders()
    token = FOLDERS.set(folders)
    try:
        yield folders
    except (Submitted, Resumable):
        folders.release(remove=False)
        raise
    except PeacetalksError:  # bad input: a rerun would meet it again, nothing to resume
        folders.release(remove=True)
        raise
    except BaseException:
        folders.release(remove=False)
        raise
    else:
        folders.release(remove=True)
    finally:
        FOLDERS.reset(token)


def run_job(engine: Engine, job: Job) -> Iterator[Any]:
    """The job's results in input order, from one task in this process or from ``engine``'s executor."""
    tasks = engine.task_count(job.count)
    if tasks == 1 and engine.executor == "local":
        yield from unwrapped(StageWork(job).run(None, 0, 1))
        return
    if engine.scratch is None:
        raise PeacetalksError(f"{job.name}: --executor {engine.executor} needs a work folder in the data root")
    folders = FOLDERS.get()
    if folders is None:
        raise PeacetalksError(f"{job.name}: a run of several tasks needs engine.using(...) around it (it holds the work folders)")
    folder = folders.claim(engine.scratch, f"{job.name}-{listing_digest(job, tasks)}")
    listed = isinstance(job.source, Listed)  # its count is its items' number, exactly
    if listed:
        job = job.reading(job.source.spilled(folder, tasks))
    runner, array = executors_for(engine, job, tasks, folder)
    done_before = tasks - len(array.get_incomplete_ranks(skip_completed=True))
    forget_running(folder)
    # a pool of this machine waits for ever for a task whose worker was killed: the watcher stops it
    guarded = engine.executor == "local" and engine.worker_count(tasks) > 1
    with watching(folder, tasks, job.name, guarded):
        try:
            run_executor(engine, runner, array)
        except (OSError, EOFError) as exc:  # of the run, not of the input (a task's work turns that into a Failure)
            raise Resumable(f"{job.name}: the run stopped: {stopped_by(exc)}; the tasks done stay in {folder}: "
                            "run the command again to resume") from exc
    missing = array.get_incomplete_ranks(skip_completed=True)
    if missing:
        raise Resumable(f"{job.name}: {len(missing)} of {tasks} tasks did not complete (their logs: "
                      f"{folder / 'logs'}); run the command again to resume")
    resumed = f"; {done_before} of them done by an earlier run, resumed" if done_before else ""
    print(f"{job.name}: {tasks} tasks on datatrove's {engine.executor} executor, "
          f"{engine.worker_count(tasks)} at a time{resumed}", file=sys.stderr)
    yield from counted(merged(folder, tasks), job, folder) if listed else merged(folder, tasks)


def stopped_by(exc: OSError | EOFError) -> str:
    """A file the run could not use (a full disk, a folder in a file's place), or a broken link between its processes."""
    if isinstance(exc, OSError) and exc.filename:
        return os_error_text(exc)
    return f"a link between the executor's processes broke ({type(exc).__name__}: {exc})"


def counted(results: Iterator[Any], job: Job, folder: Path) -> Iterator[Any]:
    """``results``, refused unless they are one for every item: a spill or results file cut short outside the run must
    not make a smaller release (a cut at a record's end reads as the end of a task's results: the merge stops early).
    The refusal removes the work folder (see :func:`work_folders`), so the run again starts afresh."""
    count = 0
    for result in results:
        count += 1
        yield result
    if count != job.count:
        raise PeacetalksError(f"{job.name}: the work folder {folder} holds {count} results for {job.count} items (a file in it "
                              "was cut short or removed); it is removed: run the command again")


def pipeline_for(job: Job, folder: Path) -> list[Any]:
    return [StageWork(job), ResultsWriter(folder)]


def executors_for(engine: Engine, job: Job, tasks: int, folder: Path) -> tuple[PipelineExecutor, PipelineExecutor]:
    """(the executor to run, the one whose tasks hold the results): the same but on Slurm, where the
    job submitted is the rerun that depends on the tasks."""
    from datatrove.executor import LocalPipelineExecutor, RayPipelineExecutor

    from .logs import quiet_datatrove

    quiet_datatrove()
    workers = engine.worker_count(tasks)
    if engine.executor == "ray":
        ray = RayPipelineExecutor(pipeline_for(job, folder), tasks=tasks, workers=workers, logging_dir=str(folder),
                                  cpus_per_task=1, mem_per_cpu_gb=0.5)  # Ray reserves memory per task: ours stay far below
        return ray, ray
    if engine.executor == "slurm":
        rerun = slurm_executors(engine, job, tasks, folder)
        return rerun, rerun.depends
    local = LocalPipelineExecutor(pipeline_for(job, folder), tasks=tasks, workers=workers, logging_dir=str(folder))
    return local, local


class Rerun:
    """The step of the job that follows the Slurm tasks: the stage's own command again, which finds every
    task done, merges and finishes (or submits its next job)."""

    def __init__(self, command: tuple[str, ...]) -> None:
        self.command = command

    def __call__(self, data: Any, rank: int = 0, world_size: int = 1) -> None:
        import subprocess

        env = {k: v for k, v in os.environ.items() if k not in ("SLURM_ARRAY_TASK_ID", "RUN_OFFSET")}  # not a task
        subprocess.run(self.command, env=env, check=True)


def slurm_executors(engine: Engine, job: Job, tasks: int, folder: Path) -> SlurmPipelineExecutor:
    """The job's tasks as a Slurm array, and the one-task job that reruns the command after them (returned;
    its ``depends`` is the array)."""
    from datatrove.executor import SlurmPipelineExecutor

    options = engine.slurm or SlurmOptions("")  # the command refuses --executor slurm without a partition
    common = dict(time=options.time, partition=options.partition, cpus_per_task=options.cpus_per_task,
                  mem_per_cpu_gb=options.mem_per_cpu_gb, venv_path=str(Path(sys.prefix) / "bin" / "activate"), mail_user=None)
    array = SlurmPipelineExecutor(pipeline_for(job, folder), tasks=tasks, workers=engine.workers or -1, job_name=f"peacetalks-{job.name}",
                                  logging_dir=str(folder), **common)
    return SlurmPipelineExecutor([Rerun(options.command)], tasks=1, job_name=f"peacetalks-{job.name}-finish", depends=array,
                                 logging_dir=str(folder / "finish"), **common)


def run_executor(engine: Engine, executor: PipelineExecutor, array: PipelineExecutor) -> None:
    from datatrove.executor import RayPipelineExecutor, SlurmPipelineExecutor

    if isinstance(executor, SlurmPipelineExecutor):
        if not array.get_incomplete_ranks():
            return  # every task done: this is the rerun, which merges
        try:
            executor.run()
        except FileNotFoundError as exc:
            raise Unsubmitted(f"sbatch: not found; --executor slurm submits from a Slurm login node (the job script: "
                              f"{array.logging_dir.resolve_paths('launch_script.slurm')})") from exc
        command = " ".join(engine.slurm.command) if engine.slurm else ""
        raise Submitted(f"submitted to Slurm: job {executor.depends_job_id} runs {array.world_size} tasks, "
                        f"then job {executor.job_id} reruns `{command}` to finish")
    if isinstance(executor, RayPipelineExecutor):
        with ray_cluster():
            executor.run()
        return
    executor.run()


@contextlib.contextmanager
def ray_cluster() -> Iterator[None]:
    """The Ray cluster at $RAY_ADDRESS (or one already joined); else a local one for this run, stopped after it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    if ray.is_initialized():
        yield
        return
    address = os.environ.get("RAY_ADDRESS")
    local = {} if address else {"_node_ip_address": "127.0.0.1"}  # a cluster of this machine listens on loopback only
    try:
        ray.init(address=address or "local", include_dashboard=False, log_to_driver=False, configure_logging=False, **local)
    except ConnectionError as exc:
        auth = "" if os.environ.get("RAY_AUTH_MODE") else (" (a cluster whose `ray start` said token authentication is enabled "
                                                           "is joined with RAY_AUTH_MODE=token and its token)")
        raise PeacetalksError(f"--executor ray: cannot join the Ray cluster at RAY_ADDRESS={address}: {exc}{auth}") from exc
    try:
        yield
    finally:
        ray.shutdown()


class TaskLost(Exception):
    """Raised in the main thread by the watcher's signal: it stops the executor's wait, for a task whose process is gone
    or for a pool that does not return once every task is done."""


LOST_SIGNAL = signal.SIGUSR1
STALLED_AFTER = 10.0  # seconds from the last task's completion mark to the pool's return; it takes well under one


@contextlib.contextmanager
def watching(folder: Path, tasks: int, name: str, guarded: bool) -> Iterator[None]:
    """A bar on stderr of the tasks done, read from datatrove's completion marks while the executor runs; when
    ``guarded``, a task whose process died stops the run, resumable (see :mod:`peacetalks.engine.liveness`)."""
    done, stopped = threading.Event(), threading.Event()
    marks = folder / COMPLETIONS
    lost: list[tuple[int, int]] = []
    guarded = guarded and threading.current_thread() is threading.main_thread()  # only it can take a signal's handler

    def stop_waiting(signum: int, frame: Any) -> None:
        if not done.is_set():
            raise TaskLost()

    def stop() -> None:
        stopped.set()
        signal.pthread_kill(threading.main_thread().ident or 0, LOST_SIGNAL)

    def watch() -> None:
        all_done_at: float | None = None
        with tqdm(total=tasks, desc=f"{name} tasks", unit="task", file=sys.stderr, delay=2.0, disable=None, leave=False) as bar:
            while not done.wait(0.5):
                complete = len(os.listdir(marks)) if marks.is_dir() else 0
                bar.update(complete - bar.n)
                if not guarded or stopped.is_set():
                    continue
                if complete < tasks and (found := lost_task(folder)):
                    lost.append(found)
                    stop()
                all_done_at = all_done_at or (time.monotonic() if complete >= tasks else None)
                if all_done_at and time.monotonic() - all_done_at > STALLED_AFTER:  # a worker gone after its task took the
                    stop()  # pool's bookkeeping with it, or its fork server died: every result is on disk, the merge reads them

    previous = signal.signal(LOST_SIGNAL, stop_waiting) if guarded else None
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    except TaskLost:
        if not lost:
            print(f"{name}: every task is done but datatrove's pool did not return in {STALLED_AFTER:.0f} s (a worker "
                  "gone after its task?): the results are read from the work folder", file=sys.stderr)
            return
        [(rank, pid)] = lost
        raise Resumable(f"{name}: the process of task {rank} (pid {pid}) ended before its task, killed from outside (out of "
                        f"memory?); the run is stopped, the tasks done stay in {folder}: run the command again to resume") from None
    finally:
        done.set()
        thread.join()
        if guarded:
            signal.signal(LOST_SIGNAL, previous)
