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


@contextlib.contextmanager
def locked(root: Root, mode: LockMode, holder: str) -> Iterator[None]:
    """Hold the root's lock: one writer (``exclusive``) or many readers (``shared``) at a time.

    A second writer waits, saying so, instead of interleaving its writes with the first one's (two
    ``add`` runs would each rewrite the manifest from what they read). The lock is ``flock`` on the
    root folder itself, so taking it writes nothing into the root.
    """
    try:
        fd = os.open(root.path, os.O_RDONLY | os.O_DIRECTORY)
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
        os.close(fd)  # closing the descriptor releases the lock
