"""Every stage, I/O: committed generated files, whether they are current and bringing them up to date."""

from __future__ import annotations

from pathlib import Path

from .writing import write_text_atomic


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
