"""Every stage, pure: the shared vocabulary of every stage: documents, spans, relations, annotation files.

Offsets are Unicode code points into the clean text (NFC, LF newlines), so that
``text[span.start:span.end] == span.text`` holds in Python.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from packaging.version import Version

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

# One id pattern for documents, spans, relations and pseudonyms: an id names files, so it has no
# dot (no "." or ".."), no separator and no control character, and cannot start like an option.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Region and relation ids never name a file; Label Studio's own (nanoid) may start with "_" or "-"
REGION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
RegionId = Annotated[str, StringConstraints(pattern=REGION_ID_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
# ASCII digits (``\d`` would take any script's digits), at most nine each, so every part is a small int.
SEMVER_PATTERN = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$"
SemVer = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
GOLD = "gold"


def version_tuple(version: str) -> tuple[int, int, int]:
    """A ``SemVer`` as numbers (major, minor, patch), to compare and bump versions."""
    major, minor, patch = Version(version).release
    return major, minor, patch


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def no_lone_surrogate(value: str) -> str:
    """A JSON ``\\ud800`` escape decodes to half a UTF-16 pair: no clean text holds one, and it cannot be printed or written."""
    found = LONE_SURROGATE.search(value)
    if found:
        raise ValueError(f"lone surrogate U+{ord(found.group()):04X} at character {found.start()} is not a Unicode character")
    return value


Text = Annotated[str, AfterValidator(no_lone_surrogate)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- seeds -----------------------------------------------------------------


class SeedMetadata(Strict):
    """What we know about where a seed came from; unknown stays ``None``, never guessed."""

    outlet: str | None = Field(None, description="the publication, as the raw file or its provider names it")
    url: str | None = Field(None, description="where the article was published")
    author: str | None = Field(None, description="the byline, as printed")
    published: str | None = Field(None, description="publication date as printed (not parsed: formats vary)")
    source: str | None = Field(None, description="how the raw file reached the project (e.g. a crawl, a user)")
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


SEED_SUFFIXES = {"text": (".txt",), "html": (".html", ".htm")}


class SeedEntry(SeedMetadata, SeedFacts):
    """One raw input as committed in ``seeds/``: its facts, then its metadata."""

    @model_validator(mode="after")
    def file_is_named_after_the_id(self) -> SeedEntry:
        """``file`` is ``<id><suffix>`` in ``seeds/`` itself: a manifest can name no other path."""
        if self.file not in {f"{self.id}{suffix}" for suffix in SEED_SUFFIXES[self.format]}:
            raise ValueError(f"file {self.file!r} must be the id {self.id!r} plus {' or '.join(SEED_SUFFIXES[self.format])}")
        return self


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


class StrictAnnotation(BaseModel):
    """Annotation files take values as written: no "23" or 65.9 or true read as an offset."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Span(StrictAnnotation):
    id: RegionId
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: Text
    text: Text


class Relation(StrictAnnotation):
    id: RegionId
    head: RegionId
    tail: RegionId
    label: Text


class Provenance(StrictAnnotation):
    """Who made an annotation set, when, and with what help; unknown stays ``None``."""

    annotator: Text = Field(description="Pseudonym, never an e-mail or a real name")
    method: Text
    pre_annotation: Text | None = None
    guidelines_version: Text | None = None
    tool: Text | None = None
    updated: Text | None = None


class AnnotationSet(StrictAnnotation):
    """One annotator's (or the adjudicated gold) spans and relations over a document."""

    provenance: Provenance
    spans: list[Span] = []
    relations: list[Relation] = []


class AnnotationFile(StrictAnnotation):
    """``annotations/<document_id>.json``: every annotation set made on one clean text."""

    document_id: Identifier
    text_sha256: Sha256
    schema_version: SemVer
    annotators: dict[Identifier, AnnotationSet]
