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

from .models import GOLD, AnnotationFile, AnnotationSet, Span
from .parallel import ordered_map
from .schema import Schema, stale_artefacts
from .storage import Root, parse_model, sha256_text


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

# Double marks, guillemets, and single marks ‘…’ (a ’ followed by a letter is an apostrophe, not a close).
QUOTE_PAIRS = re.compile(r"“([^“”]*)”|\"([^\"\n]*)\"|«([^«»]*)»|(?<!\w)‘((?:[^‘’\n]|’(?=\w))*)’(?!\w)")


def quoted_passages(text: str, min_words: int = 3) -> Iterator[tuple[int, int]]:
    """Inner spans of quotation-mark pairs around at least ``min_words`` words."""
    for match in QUOTE_PAIRS.finditer(text):
        group = next(i for i in (1, 2, 3, 4) if match.group(i) is not None)
        if len(re.findall(r"\w+", match.group(group))) >= min_words:
            yield match.start(group), match.end(group)


def check_quote_completeness(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    marked = [s for s in aset.spans if s.label in ("QUOTE", "NOT_SPEECH")]
    for start, end in quoted_passages(text):
        if not any(s.start < end and start < s.end for s in marked):
            yield f"chars {start}-{end}", "complete-quote", f"quoted {snippet(text[start:end])} is neither QUOTE nor NOT_SPEECH"
    sourced = {r.head for r in aset.relations if r.label == "source"}
    for span in aset.spans:
        if span.label == "QUOTE" and span.id not in sourced:
            yield f"span {span.id}", "complete-quote", f"QUOTE {snippet(span.text)} has no source relation"


class Coverage:
    """Whether any of a fixed set of [start, end) intervals overlaps a query, in O(log n) instead of a scan."""

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(intervals)
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate((end for _, end in ordered), max))  # furthest end among the first k intervals

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the intervals starting before ``end``
        return before > 0 and self.reach[before - 1] > start


def is_word_character(char: str) -> bool:
    """What ``\\w`` matches in a ``str`` pattern: alphanumerics (letters, digits, numerics) and the underscore."""
    return char.isalnum() or char == "_"


def whole_word_matches(text: str, name: str) -> Iterator[tuple[int, int]]:
    r"""What ``re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)`` finds, without compiling a pattern per name
    (a corpus has more names than ``re``'s cache) and jumping between candidates with ``str.find``."""
    if not name:
        yield from ((m.start(), m.end()) for m in re.finditer(r"(?<!\w)(?!\w)", text))
        return
    position = text.find(name)
    while position >= 0:
        end = position + len(name)
        if (position == 0 or not is_word_character(text[position - 1])) and (end == len(text) or not is_word_character(text[end])):
            yield position, end
            position = text.find(name, end)
        else:
            position = text.find(name, position + 1)


def check_entity_completeness(aset: AnnotationSet, text: str, schema: Schema) -> Iterator[Finding]:
    entities = [s for s in aset.spans if schema.layer_of.get(s.label) == "entity"]
    covered = Coverage((s.start, s.end) for s in entities)
    reported: set[tuple[int, int]] = set()
    for name in sorted({s.text for s in entities}):
        for where in whole_word_matches(text, name):
            if where not in reported and not covered.overlaps(*where):
                reported.add(where)
                yield f"chars {where[0]}-{where[1]}", "complete-entity-mention", f"{snippet(name)} is annotated elsewhere but not here"


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
        return None, [("file", "file-shape", f"{'.'.join(map(str, err['loc']))}: {err['msg']}") for err in exc.errors()]


def check_annotation_file(
    annotation: AnnotationFile, text: str | None, schema: Schema, expected_id: str | None = None, require_gold: bool = True
) -> Iterator[Finding]:
    """All findings for one parsed file against its clean text (``None`` when the document is missing)."""
    if expected_id is not None and annotation.document_id != expected_id:
        yield "file", "file-name", f"file is named {expected_id!r} but holds document {annotation.document_id!r}"
    if int(annotation.schema_version.split(".")[0]) != schema.major:
        yield "file", "schema-version", f"annotated with schema {annotation.schema_version}, schema is {schema.version} (run `peacetalks schema migrate`)"
    if require_gold and GOLD not in annotation.annotators:
        yield "file", "set-gold", "no gold set"
    if text is None:
        yield "file", "doc-exists", f"no corpus/{annotation.document_id}.txt"
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


def checked_file(root: Root, path: Path, schema: Schema) -> tuple[AnnotationFile | None, list[Problem]]:
    """One annotation file parsed and checked: the file (``None`` if unreadable) and its problems."""
    shown = str(path.relative_to(root.path)) if path.is_relative_to(root.path) else str(path)
    annotation, findings = parse_annotation_file(path, path.read_bytes())
    doc = annotation.document_id if annotation else path.stem
    if annotation is not None:
        text_path = root.corpus_text(annotation.document_id)
        text = text_path.read_text(encoding="utf-8") if text_path.exists() else None
        findings = list(check_annotation_file(annotation, text, schema, expected_id=path.stem))
    return annotation, [Problem(shown, doc, item, rule, message) for item, rule, message in findings]


def summarise(problems: Iterable[Problem]) -> Counter[str]:
    return Counter(p.rule for p in problems)
