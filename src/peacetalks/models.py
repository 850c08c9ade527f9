"""The shared vocabulary of every stage: documents, spans, relations, annotation files.

Offsets are Unicode code points into the clean text (NFC, LF newlines), so that
``text[span.start:span.end] == span.text`` holds in Python.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# One id pattern for documents, spans, relations and pseudonyms: an id names files, so it has no
# dot (no "." or ".."), no separator and no control character, and cannot start like an option.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
GOLD = "gold"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- seeds -----------------------------------------------------------------


class SeedMetadata(Strict):
    """What we know about where a seed came from; unknown stays ``None``, never guessed."""

    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    source: str | None = None
    notes: str | None = None


class SeedFacts(Strict):
    """What the file itself tells: name, hashes, encoding."""

    id: Identifier
    file: str
    format: Literal["text", "html"]
    sha256: Sha256
    size: int
    encoding: Literal["utf-8", "utf-8-sig"]
    newlines: Literal["LF", "CRLF", "CR", "mixed", "none"]
    content_sha256: Sha256 = Field(description="sha256 of the decoded, LF-normalised NFC text: detects duplicates")


class SeedEntry(SeedMetadata, SeedFacts):
    """One raw input as committed in ``seeds/``: its facts, then its metadata."""


class SeedManifest(Strict):
    description: str
    seeds: list[SeedEntry]


# --- corpus ----------------------------------------------------------------


class RemovedBlock(Strict):
    """A raw span the cleaner dropped, and the rule that dropped it."""

    raw_start: int
    raw_end: int
    rule: str
    reason: str
    text: str


class RemovalCount(Strict):
    """How many lines one rule removed for one reason (the sidecar's summary of ``removed``)."""

    rule: str
    reason: str
    lines: int


class Title(Strict):
    text: str
    raw_start: int
    raw_end: int


class CorpusSidecar(Strict):
    """Everything ``clean`` knows about one document besides its text."""

    id: Identifier
    seed: str
    raw_basis: Literal["file", "trafilatura-extract"] = Field(description="What raw offsets count into")
    raw_sha256: Sha256
    text_sha256: Sha256
    cleaner_version: str
    title: Title | None
    language: str
    flags: list[str]
    removed: list[RemovedBlock]
    removal_counts: list[RemovalCount] = Field(default_factory=list, description="Lines removed per (rule, reason), most first")
    alignment: list[tuple[int, int, int, int, bool]] = Field(
        description="Segments (clean_start, clean_end, raw_start, raw_end, exact) tiling both texts"
    )


class Document(Strict):
    """A clean document as later stages read it."""

    id: Identifier
    text: str
    sidecar: CorpusSidecar


# --- annotations -----------------------------------------------------------


class Span(Strict):
    id: Identifier
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: str
    text: str


class Relation(Strict):
    id: Identifier
    head: Identifier
    tail: Identifier
    label: str


class Provenance(Strict):
    """Who made an annotation set, when, and with what help; unknown stays ``None``."""

    annotator: str = Field(description="Pseudonym, never an e-mail or a real name")
    method: str
    pre_annotation: str | None = None
    guidelines_version: str | None = None
    tool: str | None = None
    updated: str | None = None


class AnnotationSet(Strict):
    """One annotator's (or the adjudicated gold) spans and relations over a document."""

    provenance: Provenance
    spans: list[Span] = []
    relations: list[Relation] = []


class AnnotationFile(Strict):
    """``annotations/<document_id>.json``: every annotation set made on one clean text."""

    document_id: Identifier
    text_sha256: Sha256
    schema_version: SemVer
    annotators: dict[Identifier, AnnotationSet]
