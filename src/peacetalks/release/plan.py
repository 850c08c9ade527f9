"""Build stage, I/O (reads): the build plan: the version, the schema, every document's split (via
:mod:`peacetalks.splits`), and the problems of what the row stream will not visit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus import document_ids
from ..schema import Schema, load_schema
from ..split import SPLITS, Assignment
from ..splits import plan_splits
from ..storage import PeacetalksError, Root, read_text
from ..validate import Problem, annotation_names, artefact_problems, checked_file
from .layout import VERSION_FILE

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def read_version(root: Root) -> str:
    path = root.path / VERSION_FILE
    if not path.exists():
        raise PeacetalksError(f"{path}: missing (one line: the dataset's semantic version, e.g. 0.1.0)")
    version = read_text(path).strip()
    if not SEMVER.match(version):
        raise PeacetalksError(f"{path}: {version!r} is not a semantic version MAJOR.MINOR.PATCH")
    return version


@dataclass(frozen=True)
class Plan:
    """What a build releases: the version, the schema, and every document's split."""

    version: str
    schema: Schema
    assignment: Assignment
    doc_ids: list[str]
    artefact_problems: list[Problem]
    orphan_problems: list[Problem]  # of annotation files without a clean text; the others are checked as they are released

    def split_docs(self, split: str) -> list[str]:
        return self.assignment.members(split, self.doc_ids)

    @property
    def splits(self) -> list[str]:
        """The splits holding at least one document: the only ones the card declares."""
        return [name for name in SPLITS if self.split_docs(name)]


def plan_release(root: Root) -> Plan:
    """Read the splits (a document ``splits.json`` lacks gets one by the same rule, for this build
    only: ``peacetalks split`` records it); validate what the release stream will not visit (schema artefacts, annotation
    files of documents that have no clean text)."""
    schema = load_schema(root)
    doc_ids = document_ids(root)
    known = set(doc_ids)
    orphans = [problem for name in annotation_names(root) if name.removesuffix(".json") not in known
               for problem in checked_file(root, root.annotations / name, schema)[1]]
    assignment = plan_splits(root, doc_ids)
    return Plan(read_version(root), schema, assignment, doc_ids, artefact_problems(root, schema), orphans)
