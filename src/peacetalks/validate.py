"""Stage 3 checks: every annotation file against the schema and the corpus, like UD's validate.py.

Each check has a rule id declared in ``schema/schema.json``; every problem is
reported (not just the first) as ``file: doc: item: rule: message``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from itertools import accumulate
from pathlib import Path

from pydantic import ValidationError

from .models import GOLD, AnnotationFile, AnnotationSet, Span, version_tuple
from .parallel import ordered_map
from .schema import Schema, stale_artefacts
from .storage import Root, parse_model, read_failure, sha256_text, validation_errors
from .textsearch import NameIndex, quoted_passages


@dataclass(frozen=True)
class Problem:
    file: str
    doc: str
    item: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.doc}: {self.item}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def snippet(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)


# --- per-set checks --------------------------------------------------------
# A check yields (item, rule, message) for one annotation set over one text.

Finding = tuple[str, str, str]
SetCheck = Callable[[AnnotationSet, str, Schema], Iterator[Finding]]


def check_ids(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    counts = Counter([s.id for s in aset.spans] + [r.id for r in aset.relations])
    for item_id, count in sorted(counts.items()):
        if count > 1:
            yield item_id, "id-unique", f"id used {count} times"


def check_spans(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    for span in aset.spans:
        item = f"span {span.id}"
        if span.label not in schema.layer_of:
            yield item, "span-label", f"unknown label {span.label!r}"
        if not 0 <= span.start < span.end <= len(text):
            yield item, "span-offsets", f"[{span.start}, {span.end}) outside the text of length {len(text)}"
            continue
        actual = text[span.start : span.end]
        if actual != span.text:
            yield item, "span-text", f"text[{span.start}:{span.end}] is {snippet(actual)}, span says {snippet(span.text)}"
        elif actual != actual.strip():
            yield item, "span-whitespace", f"{snippet(actual)} starts or ends with whitespace"


def check_layer_overlaps(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    by_layer: dict[str, list[Span]] = defaultdict(list)
    for span in aset.spans:
        if span.label in schema.layer_of and span.start < span.end:
            by_layer[schema.layer_of[span.label]].append(span)
    for layer, spans in sorted(by_layer.items()):
        spans.sort(key=lambda s: (s.start, s.end, s.id))
        reach: Span | None = None  # the span reaching furthest right so far
        for span in spans:
            if reach is not None and span.start < reach.end:
                same = (span.start, span.end) == (reach.start, reach.end)
                rule = "span-duplicate" if same else "span-overlap"
                yield f"span {span.id}", rule, f"{snippet(span.text)} {'repeats' if same else 'overlaps'} {reach.id} {snippet(reach.text)} in layer {layer}"
            if reach is None or span.end > reach.end:
                reach = span


def check_relations(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    spans = {span.id: span for span in aset.spans}
    seen: set[tuple[str, str, str]] = set()
    for rel in aset.relations:
        item = f"relation {rel.id}"
        definition = schema.relations.get(rel.label)
        if definition is None:
            yield item, "relation-label", f"unknown relation {rel.label!r}"
        for end, span_id in (("head", rel.head), ("tail", rel.tail)):
            if span_id not in spans:
                yield item, "relation-ends", f"{end} {span_id!r} is not a span of this set"
            elif definition and spans[span_id].label not in getattr(definition, end):
                yield item, "relation-end-labels", f"{end} {span_id} is {spans[span_id].label}, {rel.label} allows {'/'.join(getattr(definition, end))}"
        key = (rel.head, rel.tail, rel.label)
        if key in seen:
            yield item, "relation-duplicate", f"{rel.label} {rel.head} → {rel.tail} repeated"
        seen.add(key)


SET_CHECKS: tuple[SetCheck, ...] = (check_ids, check_spans, check_layer_overlaps, check_relations)


# --- completeness of gold --------------------------------------------------

class Coverage:
    """Whether any of a fixed set of [start, end) intervals overlaps a query, in O(log n) instead of a scan."""

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(intervals)
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate((end for _, end in ordered), max))  # furthest end among the first k intervals

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the intervals starting before ``end``
        return before > 0 and self.reach[before - 1] > start


def check_quote_completeness(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    """Every quotation-mark passage is decided by a label of role quote or not-quote; a quote has a source relation."""
    roles = schema.label_roles
    deciding = [roles[role] for role in ("quote", "not-quote") if role in roles]
    if not deciding:
        return
    decided = Coverage((s.start, s.end) for s in aset.spans if s.label in deciding)
    verdict = f"is neither {' nor '.join(deciding)}" if len(deciding) > 1 else f"is not {deciding[0]}"
    for start, end in quoted_passages(text):
        if not decided.overlaps(start, end):
            yield f"chars {start}-{end}", "complete-quote", f"quoted {snippet(text[start:end])} {verdict}"
    source = schema.relation_roles.get("source")
    if "quote" in roles and source is not None:
        sourced = {r.head for r in aset.relations if r.label == source}
        for span in aset.spans:
            if span.label == roles["quote"] and span.id not in sourced:
                yield f"span {span.id}", "complete-quote", f"{span.label} {snippet(span.text)} has no {source} relation"


def check_entity_completeness(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    """A string annotated in a ``complete_mentions`` layer is annotated wherever it occurs as a whole word."""
    mentions = [s for s in aset.spans if s.label in schema.mention_labels]
    covered = Coverage((s.start, s.end) for s in mentions)
    missed = sorted(NameIndex(s.text for s in mentions).occurrences(text, covered.overlaps))
    reported_to = ("", 0)  # (name, end) of the last one reported: an occurrence overlapping it is the same miss
    for name, start in missed:
        if name != reported_to[0] or start >= reported_to[1]:
            reported_to = (name, start + len(name))
            yield f"chars {start}-{start + len(name)}", "complete-entity-mention", f"{snippet(name)} is annotated elsewhere but not here"


GOLD_CHECKS: tuple[SetCheck, ...] = (check_quote_completeness, check_entity_completeness)
FILE_RULES = ("file-json", "file-shape", "file-name", "doc-exists", "doc-text-hash", "schema-version", "set-gold", "artefact-stale")
IMPLEMENTED_RULES = FILE_RULES + (
    "id-unique", "span-label", "span-offsets", "span-text", "span-whitespace", "span-duplicate", "span-overlap",
    "relation-label", "relation-ends", "relation-end-labels", "relation-duplicate", "complete-entity-mention", "complete-quote",
)


# --- files -----------------------------------------------------------------


def check_set(aset: AnnotationSet, text: str, schema: Schema, gold: bool = False) -> Iterator[Finding]:
    for check in SET_CHECKS + (GOLD_CHECKS if gold else ()):
        yield from check(aset, text, schema)


def parse_annotation_file(path: Path, raw: bytes) -> tuple[AnnotationFile | None, list[Finding]]:
    try:
        return parse_model(AnnotationFile, raw), []
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [("file", "file-json", str(exc))]
    except ValidationError as exc:
        return None, [("file", "file-shape", error) for error in validation_errors(exc)]


def version_problem(file_version: str, schema: Schema) -> str | None:
    """Why a file's schema version cannot be read with this schema, if it cannot."""
    if version_tuple(file_version)[0] != schema.major:
        return f"annotated with schema {file_version}, schema is {schema.version} (run `peacetalks schema migrate`)"
    if version_tuple(file_version) > version_tuple(schema.version):
        return f"annotated with schema {file_version}, newer than this schema {schema.version} (update schema/schema.json)"
    return None


def check_annotation_file(
    annotation: AnnotationFile, text: str | None, schema: Schema, expected_id: str | None = None, require_gold: bool = True,
    why_no_text: str | None = None,
) -> Iterator[Finding]:
    """All findings for one parsed file against its clean text (``None`` when the document is missing, or ``why_no_text``)."""
    if expected_id is not None and annotation.document_id != expected_id:
        yield "file", "file-name", f"file is named {expected_id!r} but holds document {annotation.document_id!r}"
    version = version_problem(annotation.schema_version, schema)
    if version is not None:
        yield "file", "schema-version", version
    if require_gold and GOLD not in annotation.annotators:
        yield "file", "set-gold", "no gold set"
    if text is None:
        yield "file", "doc-exists", why_no_text or f"no corpus/{annotation.document_id}.txt"
        return
    if sha256_text(text) != annotation.text_sha256:
        yield "file", "doc-text-hash", "clean text changed since annotation (run `peacetalks realign`)"
    for name, aset in annotation.annotators.items():
        for item, rule, message in check_set(aset, text, schema, gold=name == GOLD):
            yield f"{name}/{item}", rule, message


def annotation_paths(root: Root) -> list[Path]:
    return sorted(root.annotations.glob("*.json")) if root.annotations.exists() else []


def artefact_problems(root: Root, schema: Schema) -> list[Problem]:
    return [Problem(str(path.relative_to(root.path)), "-", "file", "artefact-stale", "differs from what schema.json generates (run `peacetalks schema`)")
            for path in stale_artefacts(root, schema)]


def validate_root(root: Root, schema: Schema) -> Iterator[Problem]:
    """Every problem in ``annotations/`` and in the generated schema artefacts, streamed file by file."""
    yield from artefact_problems(root, schema)
    for problems in ordered_map(partial(file_problems, root, schema), annotation_paths(root)):
        yield from problems


def file_problems(root: Root, schema: Schema, path: Path) -> list[Problem]:
    return checked_file(root, path, schema)[1]


def printable(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (surrogate escapes) shown as ``\\udcff``."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def read_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why there are none (a directory, a dangling link, no permission)."""
    try:
        return path.read_bytes(), None
    except OSError as exc:
        return None, read_failure(path, exc)


def read_clean_text(root: Root, doc_id: str) -> tuple[str | None, str | None]:
    """The clean text of ``doc_id``, or why it cannot be had."""
    path = root.corpus_text(doc_id)
    if not path.exists():
        return None, None
    raw, why = read_bytes(path)
    try:
        return (None, f"corpus/{doc_id}.txt {why}") if raw is None else (raw.decode("utf-8"), None)
    except UnicodeDecodeError as exc:
        return None, f"corpus/{doc_id}.txt is not UTF-8: {exc}"


def checked_file(root: Root, path: Path, schema: Schema) -> tuple[AnnotationFile | None, list[Problem]]:
    """One annotation file parsed and checked: the file (``None`` if unreadable) and its problems."""
    shown = printable(str(path.relative_to(root.path)) if path.is_relative_to(root.path) else str(path))
    raw, why = read_bytes(path)
    annotation, findings = parse_annotation_file(path, raw) if raw is not None else (None, [("file", "file-json", str(why))])
    doc = annotation.document_id if annotation else printable(path.stem)
    if annotation is not None:
        text, why_no_text = read_clean_text(root, annotation.document_id)
        findings = list(check_annotation_file(annotation, text, schema, expected_id=path.stem, why_no_text=why_no_text))
    return annotation, [Problem(shown, doc, item, rule, message) for item, rule, message in findings]


def summarise(problems: Iterable[Problem]) -> Counter[str]:
    return Counter(p.rule for p in problems)
