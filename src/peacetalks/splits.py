"""Stage "split", I/O: assign every clean document a split and record it in ``splits.json``.

This stage alone writes ``splits.json``; ``build`` reads it (and gives a document it lacks the
split its rule would record, for that build only). The rules are in :mod:`peacetalks.split`.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from .corpus import document_ids
from .engine import ordered_map
from .progress import progress
from .split import Assignment, assign_splits, near_duplicate_groups, shingle_hashes
from .storage import PeacetalksError, Root, canonical_json, present, read_json, read_text, write_text_atomic

SPLITS_FILE = "splits.json"
DESCRIPTION = ("Split of every document ever released; an entry never changes (see peacetalks.split). "
               "New documents are added by `peacetalks split`.")


def split_file(root: Root) -> Path:
    return root.path / SPLITS_FILE


def read_split_file(root: Root) -> dict[str, str]:
    path = split_file(root)
    if not present(path):
        return {}
    content = read_json(path)
    documents = content.get("documents") if isinstance(content, dict) else None
    if not isinstance(documents, dict) or not all(isinstance(v, str) for v in documents.values()):
        raise PeacetalksError(f"{path}: needs an object \"documents\" mapping document id → split")
    return dict(documents)


def split_file_text(splits: dict[str, str]) -> str:
    return canonical_json({"description": DESCRIPTION, "documents": dict(sorted(splits.items()))}) + "\n"


def hashes_of(root: Root, doc_id: str) -> np.ndarray:
    return shingle_hashes(read_text(root.corpus_text(doc_id)))


def document_groups(root: Root, doc_ids: list[str]) -> list[list[str]]:
    """Near-duplicate groups (``peacetalks.split`` rule 2), streaming every text once, hashed on the engine's tasks."""
    hashes = progress(ordered_map("shingle", partial(hashes_of, root), doc_ids, (root.corpus,)), total=len(doc_ids), desc="shingle")
    with tempfile.TemporaryDirectory(prefix="peacetalks-shingles-") as folder:
        return [[doc_ids[i] for i in group] for group in near_duplicate_groups(hashes, Path(folder))]


def plan_splits(root: Root, doc_ids: list[str] | None = None) -> Assignment:
    """Every document's split: the recorded ones kept, new ones by the rules."""
    try:
        return assign_splits(document_groups(root, document_ids(root) if doc_ids is None else doc_ids), read_split_file(root))
    except ValueError as exc:
        raise PeacetalksError(f"{split_file(root)}: {exc}") from exc


def run_split(root: Root, check: bool = False) -> Assignment:
    """Record new documents' splits in ``splits.json`` (unless ``check``); returns the assignment."""
    assignment = plan_splits(root)
    if assignment.new and not check:
        write_text_atomic(split_file(root), split_file_text(assignment.splits))
    return assignment
