"""Every stage, I/O: output folders replaced whole, never deleting what the tool did not make (``renameat2``).

A folder is built beside its target (:func:`building_folder`), checked replaceable
(:func:`replaceable_folder`) and swapped in (:func:`replace_folder`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import PeacetalksError
from .hashing import sha256_file
from .layout import Root
from .reading import read_text
from .writing import fsync_folder, fsync_tree


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
