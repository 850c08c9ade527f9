"""Every stage, no I/O: the data root's layout and the one gate every id passes before it names a file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..models import ID_PATTERN
from .errors import PeacetalksError

ID_RE = re.compile(ID_PATTERN)


class Under:
    """A path inside the data root, read as an attribute: ``root.seeds`` is ``root.path / "seeds"``."""

    def __init__(self, *parts: str) -> None:
        self.parts = parts

    def __get__(self, root: Root | None, owner: type | None = None) -> Path:
        if root is None:
            raise AttributeError("a path under a data root is read from a Root, not from the class")
        return root.path.joinpath(*self.parts)


@dataclass(frozen=True)
class Root:
    """A data root laid out like the repository: seeds → corpus → annotations, plus schema."""

    path: Path
    seeds = Under("seeds")
    manifest = Under("seeds", "manifest.json")
    corpus = Under("corpus")
    schema_dir = Under("schema")
    annotations = Under("annotations")

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
