"""Every stage, I/O: committed generated files, whether each is current, and bringing the stale ones up to date.

Every ``--check`` (``clean``, ``schema check``, ``agreement``, ``datasheet``) asks the same question
here, byte for byte, and prints each stale file the same way: the file and the command that
regenerates it (declared once, in :data:`peacetalks.pipeline.STAGES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..pipeline import regenerating_command
from .writing import write_atomic


def as_bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def is_current(path: Path, content: str | bytes) -> bool:
    """Whether ``path`` holds exactly ``content``; a missing or unreadable file does not (so it is rewritten)."""
    try:
        return path.read_bytes() == as_bytes(content)
    except OSError:
        return False


def stale_files(outputs: Mapping[Path, str | bytes]) -> list[Path]:
    """Generated files whose content on disk differs from what should be there."""
    return [path for path, content in outputs.items() if not is_current(path, content)]


def stale_line(path: Path) -> str:
    command = regenerating_command(path)
    return f"{path}: stale: differs from what `{command}` writes now; run `{command}`"


def sync_files(outputs: Mapping[Path, str | bytes], check: bool = False) -> list[Path]:
    """The stale files of ``outputs``: rewritten atomically, or with ``check`` only printed, one line each."""
    stale = stale_files(outputs)
    for path in stale:
        if check:
            print(stale_line(path))
        else:
            write_atomic(path, as_bytes(outputs[path]))
    return stale
