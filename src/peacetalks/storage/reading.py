"""Every stage, I/O (reads): files, UTF-8 text, JSON and pydantic models, each failure a named ``PeacetalksError``."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import PeacetalksError

M = TypeVar("M", bound=BaseModel)


class NotRegularFile(OSError):
    """A pipe, socket or device where a file was expected."""


def regular_file_bytes(path: Path) -> bytes:
    """A regular file's bytes; raises ``OSError`` for anything else. Opened without blocking, so a FIFO
    is refused at once instead of waiting for ever for a writer (``O_NONBLOCK`` changes nothing for a file)."""
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or a ``PeacetalksError`` naming it (missing, a folder, a pipe, a dangling link, unreadable)."""
    with reading(path):
        return regular_file_bytes(path)


def present(path: Path) -> bool:
    """Whether something is at ``path``, a dangling link included (``exists`` says no to one)."""
    return path.is_symlink() or path.exists()


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn the ways reading ``path`` fails into a ``PeacetalksError`` that names it."""
    try:
        yield
    except OSError as exc:
        raise PeacetalksError(f"{path}: {read_failure(path, exc)}") from exc


def read_failure(path: Path, exc: OSError) -> str:
    """Why reading ``path`` failed, in the words every stage uses."""
    if isinstance(exc, FileNotFoundError):
        return f"missing{' (a dangling symbolic link)' if path.is_symlink() else ''}"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, expected a file"
    if isinstance(exc, NotRegularFile):
        return "not a regular file (a pipe or a device?)"
    return f"cannot read: {exc.strerror}"


def read_text(path: Path) -> str:
    """A UTF-8 file's text, or a ``PeacetalksError`` naming the file and the first bad byte."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PeacetalksError(f"{path}: not valid UTF-8 at byte {exc.start} ({data[exc.start:exc.start + 4]!r})") from exc


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_bytes(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PeacetalksError(f"{path}: not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise PeacetalksError(f"{path}: not valid JSON: nested too deeply") from exc


def parse_model(model: type[M], raw: bytes) -> M:
    """``model`` from JSON bytes by pydantic's own parser (1.8× faster than ``json`` + ``model_validate``).

    Bytes that parser refuses as JSON go through the ``json`` module, whose error names line and
    column (and which also reads what pydantic does not, such as NaN). Raises ``ValidationError``,
    ``UnicodeDecodeError`` or ``json.JSONDecodeError``.
    """
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if not any(error["type"] == "json_invalid" for error in exc.errors()):
            raise
    text = raw.decode("utf-8")
    try:
        data = json.loads(text)
    except RecursionError:  # the json module recurses once per level: thousands of "[" exhaust the stack
        raise json.JSONDecodeError("arrays or objects nested too deeply", text, len(text) - len(text.lstrip())) from None
    return model.model_validate(data)


def read_model(path: Path, model: type[M]) -> M:
    try:
        return parse_model(model, read_bytes(path))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PeacetalksError(f"{path}: not valid JSON: {exc}") from exc
    except ValidationError as exc:
        raise PeacetalksError(f"{path}: does not match {model.__name__}: {validation_text(exc)}") from exc


def validation_errors(exc: ValidationError) -> list[str]:
    """Each error as ``where: what`` (pydantic's own text repeats the whole input, which can be huge)."""
    return [": ".join(filter(None, (".".join(map(str, error["loc"])), error["msg"]))) for error in exc.errors()]


def validation_text(exc: ValidationError) -> str:
    """Pydantic's errors on one line."""
    return "; ".join(validation_errors(exc))
