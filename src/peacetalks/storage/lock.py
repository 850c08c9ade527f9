"""Every stage, I/O: the data root's lock (one writer or many readers)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from typing import Literal

from .errors import PeacetalksError
from .layout import Root

LockMode = Literal["shared", "exclusive"]
HELD: set[int] = set()  # the descriptors this process holds its locks by


def hold(fd: int) -> int:
    """``fd`` holds a lock of this process (a forked child lets go of it); call :func:`let_go` before closing it."""
    HELD.add(fd)
    return fd


def let_go(fd: int) -> None:
    HELD.discard(fd)
    os.close(fd)  # closing the descriptor releases the lock


def drop_inherited_locks() -> None:
    """In a forked child, its copies of this process's lock descriptors are pointed at /dev/null. An flock belongs to
    the open file, which a fork shares: datatrove's Manager, forked from a command and left running when the command
    was killed (-9), held the root's lock for ever, and every later command waited for it. (``dup2``, not ``close``:
    the descriptor's number stays valid for whatever still owns it in the child.)"""
    if not HELD:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in HELD:
        with contextlib.suppress(OSError):
            os.dup2(null, fd, inheritable=False)
    os.close(null)
    HELD.clear()


os.register_at_fork(after_in_child=drop_inherited_locks)


@contextlib.contextmanager
def locked(root: Root, mode: LockMode, holder: str) -> Iterator[None]:
    """Hold the root's lock: one writer (``exclusive``) or many readers (``shared``) at a time.

    A second writer waits, saying so, instead of interleaving its writes with the first one's (two
    ``add`` runs would each rewrite the manifest from what they read). The lock is ``flock`` on the
    root folder itself, so taking it writes nothing into the root.
    """
    try:
        fd = hold(os.open(root.path, os.O_RDONLY | os.O_DIRECTORY))
    except OSError as exc:
        raise PeacetalksError(f"{root.path}: not a data root folder: {exc.strerror}") from exc
    try:
        flag = fcntl.LOCK_EX if mode == "exclusive" else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, flag | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"{holder}: waiting for another peacetalks command on {root.path} to finish", file=sys.stderr)
            fcntl.flock(fd, flag)
        yield
    finally:
        let_go(fd)
