"""Every stage, I/O (writes): atomic file writes, fsync, and canonical JSON (one record a line)."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from .errors import PeacetalksError


TEMP_SUFFIX = ".tmp"
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX))  # mkstemp's 8 letters between


def temp_target(name: str) -> str | None:
    """The name of the file whose atomic write made the temp file ``name`` (left by an interrupted one), else None."""
    found = TEMP_NAME.fullmatch(name)
    return found["target"] if found else None


@contextlib.contextmanager
def atomic_output(path: Path, text: bool = False, mode: int | None = None) -> Iterator[IO[Any]]:
    """A stream into a temp file beside ``path``, fsynced and renamed over it when the block ends.

    The file gets ``mode``, else an existing file's mode, else 0644; a secret's 0600 holds from creation.

    A crash leaves the old file or the new one, never a mix; an error in the block leaves the old
    file untouched and removes the temp file. A failing disk (full, read-only, no permission) is a
    ``PeacetalksError`` naming ``path``.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise PeacetalksError(f"{path}: cannot write: {exc.strerror}") from exc
    try:
        if mode is None:  # mkstemp's 0600 would hide data files
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.fchmod(fd, mode)
        with open(fd, "w", encoding="utf-8", newline="\n") if text else open(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise PeacetalksError(f"{path}: cannot write: {exc.strerror}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_folder(path: Path) -> None:
    """Make a folder's entries (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk, before a rename publishes it."""
    for path in sorted(folder.rglob("*"), reverse=True):
        (fsync_folder if path.is_dir() else fsync_file)(path)
    fsync_folder(folder)


def sync_filesystem(folder: Path, files: list[Path]) -> None:
    """Flush ``files`` to disk in one call: ``syncfs`` on the file system that holds ``folder`` (one sync
    for a whole batch instead of one fsync per file); each file's own fsync where there is no syncfs."""
    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs is not None and syncfs(fd) == 0:
            return
    finally:
        os.close(fd)
    for path in files:
        fsync_file(path)


def write_files_atomic(files: Mapping[Path, bytes]) -> None:
    """Write a batch of files atomically, with one sync for them all: each goes to a temp file beside it,
    the temp files are flushed to disk together, then each is renamed over its file and the folders synced.

    A crash leaves each file old or new, never a mix; a failing disk is a ``PeacetalksError`` naming the file.
    """
    temps: dict[Path, Path] = {}
    current = next(iter(files), Path("."))
    try:
        for current, data in files.items():
            current.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=current.parent, prefix=f".{current.name}.", suffix=".tmp")
            temps[current] = Path(tmp)
            os.fchmod(fd, current.stat().st_mode & 0o777 if current.exists() else 0o644)
            with open(fd, "wb") as handle:
                handle.write(data)
        folders = sorted({path.parent for path in files})
        for folder in folders:
            sync_filesystem(folder, [tmp for path, tmp in temps.items() if path.parent == folder])
        for current, tmp in temps.items():
            os.replace(tmp, current)
        for folder in folders:
            fsync_folder(folder)
    except OSError as exc:
        raise PeacetalksError(f"{current}: cannot write: {exc.strerror}") from exc
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, mode=mode) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    write_atomic(path, text.encode("utf-8"), mode)


SCALARS = (str, int, float, bool, type(None))
encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every value: json.dumps with an option builds one a call


def canonical_json(value: Any, indent: int = 0) -> str:
    """JSON with one record a line: containers of scalars inline, the rest indented.

    Key order is the order given (models define it), so files diff line by line.
    """
    children = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    if all(isinstance(child, SCALARS) for child in children):
        return encode(value)
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{encode(k)}: {canonical_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    items = [f"{inner}{canonical_json(v, indent + 1)}" for v in value]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"


def dump_model(model: BaseModel) -> str:
    return canonical_json(model.model_dump(mode="json")) + "\n"


def write_model(path: Path, model: BaseModel) -> None:
    write_text_atomic(path, dump_model(model))
