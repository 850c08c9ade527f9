"""Every scalable stage, I/O (the work folder's ``running/`` and ``completions/``, ``/proc``): a task whose process died.

A worker of datatrove's local executor killed from outside (the out-of-memory killer, a stray ``kill``) takes its task
with it, and the executor then waits for that task's result for ever. So each task writes, as it starts, which process
runs it (its pid and that process's start time, so that a pid used again later is not taken for it), and the run's
watcher asks, for every started task not yet marked complete, whether its process is still there. A kill in the instant
between a worker taking a task and writing its mark is not seen; a stopped process (SIGSTOP) is there, and the run
waits for it to go on. A worker killed after its task's mark, or the pool's fork server killed, leaves every result on
disk and the pool waiting: the watcher stops that wait too, once every task has been done for a while.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

RUNNING = "running"
COMPLETIONS = "completions"  # datatrove's marks of the tasks that ended, one empty file a rank


def mark_running(folder: Path, rank: int) -> None:
    """Says that this process runs task ``rank`` (a whole file or none: it is renamed into place)."""
    path = folder / RUNNING / f"{rank:05d}"
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(f"{os.getpid()} {process_identity(os.getpid())}", encoding="ascii")
    os.replace(temp, path)


def process_identity(pid: int) -> str | None:
    """``pid``'s start time in clock ticks since boot (Linux); ``""`` for a live process where there is no ``/proc``;
    None when it is gone or a zombie (killed, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ("" if exists(pid) else None)
    state, *fields = stat.rsplit(")", 1)[1].split()  # the name before it may hold spaces and parentheses
    return None if state in ("Z", "X", "x") else fields[18]  # field 22 of proc(5), counting from field 4


def exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds the pid
        return True
    return True


def lost_task(folder: Path) -> tuple[int, int] | None:
    """(rank, pid) of a started task that is not complete and whose process is gone, if there is one."""
    marks = folder / RUNNING
    for path in sorted(marks.glob("[0-9]*")) if marks.is_dir() else ():
        with contextlib.suppress(OSError, ValueError):
            pid, identity = path.read_text(encoding="ascii").split(" ", 1)
            # the process first, the mark after: a task that completed and then let its worker go is not lost
            if process_identity(int(pid)) != identity and not (folder / COMPLETIONS / path.name).exists():
                return int(path.name), int(pid)
    return None


def forget_running(folder: Path) -> None:
    """A run starts with no marks: a killed run's are of processes long gone."""
    marks = folder / RUNNING
    for path in marks.iterdir() if marks.is_dir() else ():
        path.unlink(missing_ok=True)
