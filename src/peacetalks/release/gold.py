"""Build stage, I/O (reads): what the build takes from one annotation file, its gold set, every set's provenance and
its problems, reusing validate's verdict when it is current (:mod:`peacetalks.verdicts`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic_core import from_json

from ..models import GOLD, AnnotationSet, Provenance
from ..problems import Problem
from ..schema import Schema
from ..storage import Root
from ..validate import checked_read, read_bytes, read_clean_text
from ..verdicts import Verdict, file_key


@dataclass(frozen=True)
class ReleasedSets:
    """One annotation file as the build sees it: its gold set, the provenance of every set, and its problems."""

    gold: AnnotationSet | None
    provenances: list[Provenance]
    problems: list[Problem]

    @property
    def held_back(self) -> bool:
        return any(problem.is_error for problem in self.problems)  # warnings never hold a document back


NOT_ANNOTATED = ReleasedSets(None, [], [])


def released_sets(root: Root, path: Path, schema: Schema, verdict: Verdict | None = None) -> ReleasedSets:
    """The file's sets and problems: from ``verdict`` when its key is what the file and its clean text are now
    (then only the gold set and the provenances are modelled), else by validating the file again."""
    raw, why = read_bytes(path)
    if verdict is not None and raw is not None and verdict.key == file_key(raw, *read_clean_text(root, path.stem)):
        if any(problem.is_error for problem in verdict.problems):
            return ReleasedSets(None, [], list(verdict.problems))
        modelled = modelled_sets(raw)
        if modelled is not None:
            return ReleasedSets(*modelled, list(verdict.problems))
    read = checked_read(root, path, schema, release_ready=True, read=(raw, why))
    if read.annotation is None or any(problem.is_error for problem in read.problems):
        return ReleasedSets(None, [], read.problems)
    sets = read.annotation.annotators
    return ReleasedSets(sets.get(GOLD), [aset.provenance for aset in sets.values()], read.problems)


def modelled_sets(raw: bytes) -> tuple[AnnotationSet | None, list[Provenance]] | None:
    """The gold set and every set's provenance of a file validate passed (pydantic parses only those); ``None``
    if the bytes do not fit (only a hand-made verdict could say they passed): then the file is validated again."""
    try:
        sets = from_json(raw)["annotators"]  # the JSON parser of validate's pydantic parse
        return (AnnotationSet.model_validate(sets[GOLD]) if GOLD in sets else None,
                [Provenance.model_validate(aset["provenance"]) for aset in sets.values()])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
