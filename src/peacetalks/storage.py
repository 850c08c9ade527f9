"""File I/O shared by every stage: atomic writes, canonical JSON, the data-root layout."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from .models import ID_PATTERN

M = TypeVar("M", bound=BaseModel)
ID_RE = re.compile(ID_PATTERN)


class PeacetalksError(Exception):
    """A user-facing failure: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Root:
    """A data root laid out like the repository: seeds → corpus → annotations, plus schema."""

    path: Path

    @property
    def seeds(self) -> Path:
        return self.path / "seeds"

    @property
    def manifest(self) -> Path:
        return self.seeds / "manifest.json"

    @property
    def corpus(self) -> Path:
        return self.path / "corpus"

    @property
    def schema_dir(self) -> Path:
        return self.path / "schema"

    @property
    def annotations(self) -> Path:
        return self.path / "annotations"

    @property
    def stage_folders(self) -> tuple[Path, ...]:
        """The folders that hold a stage's input: no output may replace or live inside them."""
        return (self.seeds, self.corpus, self.schema_dir, self.annotations, self.path / ".git")

    def corpus_text(self, doc_id: str) -> Path:
        return self.corpus / f"{checked_id(doc_id)}.txt"

    def corpus_sidecar(self, doc_id: str) -> Path:
        return self.corpus / f"{checked_id(doc_id)}.json"

    def annotation_file(self, doc_id: str) -> Path:
        return self.annotations / f"{checked_id(doc_id)}.json"


def checked_id(doc_id: str) -> str:
    """``doc_id`` when it is a safe file stem (see ``models.ID_PATTERN``); every path built from an id goes here."""
    if not isinstance(doc_id, str) or not ID_RE.fullmatch(doc_id):
        raise PeacetalksError(f"document id {doc_id!r} must match {ID_PATTERN} (no dot, separator or control character)")
    return doc_id


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or a ``PeacetalksError`` naming it (missing, a folder, a dangling link, unreadable)."""
    with reading(path):
        return path.read_bytes()


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
    return f"cannot read: {exc.strerror}"


def read_text(path: Path) -> str:
    """A UTF-8 file's text, or a ``PeacetalksError`` naming the file and the first bad byte."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PeacetalksError(f"{path}: not valid UTF-8 at byte {exc.start} ({data[exc.start:exc.start + 4]!r})") from exc


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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Streamed in blocks: a release's Parquet files can be larger than the memory we allow."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    False where the system or file system cannot, so the caller falls back to two renames.
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(b))


def files_under(folder: Path) -> set[str]:
    """Every non-folder entry under ``folder`` (symbolic links included), as POSIX paths relative to it."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_symlink() or not p.is_dir()}


def listed_files(manifest: Path) -> dict[str, str]:
    """The paths a ``sha256sum`` manifest lists (``<hash>  <path>`` lines), with their hashes."""
    return {path: digest for digest, path in (line.split("  ", 1) for line in read_text(manifest).splitlines() if "  " in line)}


def made_here(folder: Path, marker: str, own_files: tuple[str, ...]) -> bool:
    """Whether ``folder`` is one this tool built: its ``marker`` manifest is a real file that lists
    ``own_files`` (files only this tool writes) with their true hashes."""
    manifest = folder / marker
    if manifest.is_symlink() or not manifest.is_file():
        return False
    listed = listed_files(manifest)
    return all(name in listed and (folder / name).is_file() and not (folder / name).is_symlink()
               and sha256_file(folder / name) == listed[name] for name in own_files)


def replaceable_folder(out: Path, root: Root, marker: str, own_files: tuple[str, ...]) -> Path:
    """``out``, resolved, once it is shown that replacing it deletes nothing the tool did not make.

    It may be missing, an empty folder, or a folder this tool built (:func:`made_here`) whose
    ``marker`` manifest lists every file in it. It may not be a symbolic link, a file, the data root
    or a folder above it, or a stage's input folder (seeds, corpus, schema, annotations, .git) or
    inside one.
    """
    if out.is_symlink():
        raise PeacetalksError(f"{out}: is a symbolic link; give the real folder (the tool never replaces through a link)")
    resolved = out.resolve()
    protected = [folder.resolve() for folder in root.stage_folders]
    if root.path.resolve().is_relative_to(resolved) or any(resolved.is_relative_to(folder) for folder in protected):
        raise PeacetalksError(f"{out}: is the data root, a folder above it, or a stage's input folder; "
                              "choose a folder of its own (e.g. release)")
    if not resolved.exists():
        return resolved
    if not resolved.is_dir():
        raise PeacetalksError(f"{out}: exists and is not a folder")
    present_files = files_under(resolved)
    if present_files and not made_here(resolved, marker, own_files):
        raise PeacetalksError(f"{out}: is not empty and is not a release this tool built (no {marker} listing "
                              f"{' and '.join(own_files)} with their hashes); nothing replaced (choose an empty or new folder)")
    foreign = sorted(present_files - set(listed_files(resolved / marker)) - {marker}) if present_files else []
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" (+{len(foreign) - 5} more)" if len(foreign) > 5 else "")
        raise PeacetalksError(f"{out}: holds files its {marker} does not list, which the tool did not make: {shown}; "
                              "nothing replaced (move them out first)")
    return resolved


BUILDING_MARK = ".peacetalks-building"  # written first into every building folder: what the sweep may remove


@contextlib.contextmanager
def building_folder(out: Path) -> Iterator[Path]:
    """A fresh ``.<out>.building.<pid>.*`` folder beside ``out``, removed afterwards unless it was swapped in.

    Building folders a killed build left are removed first: only those that carry the tool's mark
    and whose pid names no running process.
    """
    prefix = f".{out.name}.building."
    for stale in out.parent.glob(f"{prefix}*"):
        pid = stale.name.removeprefix(prefix).split(".")[0]
        if (not stale.is_symlink() and (stale / BUILDING_MARK).is_file() and pid.isascii() and pid.isdigit()
                and len(pid) <= 9 and not process_alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{prefix}{os.getpid()}."))
    try:
        (folder / BUILDING_MARK).touch()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def replace_folder(new: Path, out: Path) -> None:
    """Put the complete folder ``new`` in the place of ``out``: readers see the old folder or the new one.

    Where the folders cannot be exchanged atomically, ``out`` is first moved into a fresh
    ``.<out>.old.*`` folder, so a crash between the two renames leaves the old folder there, intact.
    """
    (new / BUILDING_MARK).unlink(missing_ok=True)
    fsync_tree(new)
    if out.exists() and exchange_paths(new, out):
        shutil.rmtree(new)  # now the old folder
    elif out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old."))  # a fresh name: never someone's folder
        out.rename(old / out.name)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)
    fsync_folder(out.parent)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, mode=mode) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    write_atomic(path, text.encode("utf-8"), mode)


def current_text(path: Path) -> str | None:
    """What a generated file holds now, or ``None`` when it is missing or unreadable (so it is rewritten)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def stale_files(outputs: dict[Path, str]) -> list[Path]:
    """Generated files whose content on disk differs from what should be there."""
    return [path for path, text in outputs.items() if current_text(path) != text]


def sync_files(outputs: dict[Path, str], check: bool = False) -> list[Path]:
    """Bring generated files up to date (unless ``check``); returns the ones that were stale."""
    stale = stale_files(outputs)
    if not check:
        for path in stale:
            write_text_atomic(path, outputs[path])
    return stale


def _is_flat(value: Any) -> bool:
    scalars = (str, int, float, bool, type(None))
    if isinstance(value, dict):
        return all(isinstance(v, scalars) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, scalars) for v in value)
    return True


def canonical_json(value: Any, indent: int = 0) -> str:
    """JSON with one record a line: containers of scalars inline, the rest indented.

    Key order is the order given (models define it), so files diff line by line.
    """
    if _is_flat(value):
        return json.dumps(value, ensure_ascii=False)
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {canonical_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    items = [f"{inner}{canonical_json(v, indent + 1)}" for v in value]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"


def dump_model(model: BaseModel) -> str:
    return canonical_json(model.model_dump(mode="json")) + "\n"


def write_model(path: Path, model: BaseModel) -> None:
    write_text_atomic(path, dump_model(model))


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
