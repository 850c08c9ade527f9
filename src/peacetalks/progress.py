"""Every stage, I/O (stderr): progress bars on stderr that appear only when a run lasts more than a moment, and short summaries."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], total: int | None = None, desc: str = "") -> Iterator[T]:
    """Wrap an iterable; the bar shows after two seconds, on a terminal only."""
    yield from tqdm(items, total=total, desc=desc, file=sys.stderr, delay=2.0, disable=None, leave=False, unit="doc")


def shown_ids(ids: list[str], limit: int = 10) -> str:
    """A one-line list of document ids that stays one line on a 100k-document corpus."""
    more = len(ids) - limit
    return ", ".join(ids[:limit]) + (f", … (+{more} more)" if more > 0 else "")
