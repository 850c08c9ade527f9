"""Stage 5 (validate), pure checks in an I/O shell: every annotation file against the schema and corpus, like UD's validate.py.

Each check is registered with the rule ids it reports (:func:`peacetalks.problems.check`;
the ids are declared in ``schema/schema.json``) and yields :class:`~peacetalks.problems.Problem`
objects; every problem is reported (not just the first) as ``file: doc: item: rule: message``,
a warning as ``file: doc: item: rule: warning: message``. Every rule is an error today: each
guards what the release or a later stage relies on. A new rule is a function with
``@check("rule-id", scope=...)`` here, its id and description in ``schema/schema.json``.

The checks run in registration order, scope by scope: ``read`` (parsing), ``file``, then per
annotation set ``set`` and, on the gold set, ``gold``; ``root`` for the schema artefacts.
``corpus``, ``document`` and ``release`` checks are the build's (``bio-round-trip`` is
registered in :mod:`peacetalks.bio`): it runs them on what it releases (:func:`release_problems`).
Validate does not: they concern the clean texts and what a release carries, and the span rules
imply the round trip (tokens are cut at every span edge, so a span inside the text, without
whitespace at its edges and not overlapping its layer always comes back), whose proof would
double validate's time.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import accumulate
from pathlib import Path

from pydantic import ValidationError

from . import bio  # noqa: F401  (registers bio-round-trip)
from .models import GOLD, AnnotationFile, AnnotationSet, Document, Span, version_tuple
from .engine import ordered_map
from .problems import Place, Problem, Scope, check, checks
from .schema import Schema, generated_artefacts
from .storage import PeacetalksError, Root, parse_model, read_failure, regular_file_bytes, sha256_text, stale_files, validation_errors
from .textsearch import NameIndex, quoted_passages
from .verdicts import Record, Verdict, file_key


def snippet(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)


# --- per-set checks --------------------------------------------------------
# A set check is given one annotation set, its clean text, the schema and its place; it yields problems.


@check("id-unique", scope="set")
def check_ids(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """Span and relation ids are unique within an annotation set."""
    counts = Counter([s.id for s in aset.spans] + [r.id for r in aset.relations])
    for item_id, count in sorted(counts.items()):
        if count > 1:
            yield place.problem("id-unique", item_id, f"id used {count} times")


@check("span-label", "span-offsets", "span-text", "span-whitespace", scope="set")
def check_spans(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """Each span has a declared label, offsets inside the text, the text at them, and no whitespace at its edges."""
    for span in aset.spans:
        item = f"span {span.id}"
        if span.label not in schema.layer_of:
            yield place.problem("span-label", item, f"unknown label {span.label!r}")
        if not 0 <= span.start < span.end <= len(text):
            yield place.problem("span-offsets", item, f"[{span.start}, {span.end}) outside the text of length {len(text)}")
            continue
        actual = text[span.start : span.end]
        if actual != span.text:
            yield place.problem("span-text", item, f"text[{span.start}:{span.end}] is {snippet(actual)}, span says {snippet(span.text)}")
        elif actual != actual.strip():
            yield place.problem("span-whitespace", item, f"{snippet(actual)} starts or ends with whitespace")


@check("span-duplicate", "span-overlap", scope="set")
def check_layer_overlaps(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """No two spans of one layer share offsets, nest or cross: the release encodes each layer as one BIO column."""
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
                yield place.problem(rule, f"span {span.id}", f"{snippet(span.text)} {'repeats' if same else 'overlaps'} {reach.id} {snippet(reach.text)} in layer {layer}")
            if reach is None or span.end > reach.end:
                reach = span


@check("relation-label", "relation-ends", "relation-end-labels", "relation-duplicate", scope="set")
def check_relations(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """Each relation has a declared label, ends that are spans of its set with labels it allows, and is not repeated."""
    spans = {span.id: span for span in aset.spans}
    seen: set[tuple[str, str, str]] = set()
    for rel in aset.relations:
        item = f"relation {rel.id}"
        definition = schema.relations.get(rel.label)
        if definition is None:
            yield place.problem("relation-label", item, f"unknown relation {rel.label!r}")
        for end, span_id in (("head", rel.head), ("tail", rel.tail)):
            if span_id not in spans:
                yield place.problem("relation-ends", item, f"{end} {span_id!r} is not a span of this set")
            elif definition and spans[span_id].label not in getattr(definition, end):
                yield place.problem("relation-end-labels", item,
                                    f"{end} {span_id} is {spans[span_id].label}, {rel.label} allows {'/'.join(getattr(definition, end))}")
        key = (rel.head, rel.tail, rel.label)
        if key in seen:
            yield place.problem("relation-duplicate", item, f"{rel.label} {rel.head} → {rel.tail} repeated")
        seen.add(key)



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


@check("complete-quote", scope="gold")
def check_quote_completeness(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """Every quotation-mark passage is decided by a label of role quote or not-quote; a quote has a source relation."""
    roles = schema.label_roles
    deciding = [roles[role] for role in ("quote", "not-quote") if role in roles]
    if not deciding:
        return
    decided = Coverage((s.start, s.end) for s in aset.spans if s.label in deciding)
    verdict = f"is neither {' nor '.join(deciding)}" if len(deciding) > 1 else f"is not {deciding[0]}"
    for start, end in quoted_passages(text):
        if not decided.overlaps(start, end):
            yield place.problem("complete-quote", f"chars {start}-{end}", f"quoted {snippet(text[start:end])} {verdict}")
    source = schema.relation_roles.get("source")
    if "quote" in roles and source is not None:
        sourced = {r.head for r in aset.relations if r.label == source}
        for span in aset.spans:
            if span.label == roles["quote"] and span.id not in sourced:
                yield place.problem("complete-quote", f"span {span.id}", f"{span.label} {snippet(span.text)} has no {source} relation")


@check("complete-entity-mention", scope="gold")
def check_entity_completeness(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """A string annotated in a ``complete_mentions`` layer is annotated wherever it occurs as a whole word."""
    mentions = [s for s in aset.spans if s.label in schema.mention_labels]
    covered = Coverage((s.start, s.end) for s in mentions)
    missed = sorted(NameIndex(s.text for s in mentions).occurrences(text, covered.overlaps))
    reported_to = ("", 0)  # (name, end) of the last one reported: an occurrence overlapping it is the same miss
    for name, start in missed:
        if name != reported_to[0] or start >= reported_to[1]:
            reported_to = (name, start + len(name))
            yield place.problem("complete-entity-mention", f"chars {start}-{start + len(name)}", f"{snippet(name)} is annotated elsewhere but not here")



# --- what only the build checks, on what it releases -----------------------------------

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls but tab and newline, and DEL


@check("doc-file", scope="corpus")
def check_text_file(path: Path, place: Place) -> Iterator[Problem]:
    """A released clean text is a file ``peacetalks clean`` wrote, not a link (which could publish any file)."""
    if path.is_symlink():
        yield place.problem("doc-file", "", "a symbolic link; a clean text is a file `peacetalks clean` wrote")


@check("doc-empty", "doc-control-character", scope="document")
def check_released_text(document: Document, place: Place) -> Iterator[Problem]:
    """A released text hashes to its sidecar's text_sha256 (rule doc-text-hash), is not empty, and holds no
    control character (a NUL breaks C tools and tokenizers)."""
    if sha256_text(document.text) != document.sidecar.text_sha256:
        yield place.problem("doc-text-hash", "", "the text does not hash to its sidecar's text_sha256 (edited by hand?); "
                            "run `peacetalks clean`")
    if not document.text.strip():
        yield place.problem("doc-empty", "", "the clean text is empty (was the seed all boilerplate?); fix or remove the seed")
    control = CONTROL_CHARACTER.search(document.text)
    if control:
        yield place.problem("doc-control-character", "", f"U+{ord(control.group()):04X} at offset {control.start()}; "
                            "released text holds no control characters")


@check("relation-exported", scope="release")
def check_released_relations(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """A released relation links two exported spans (review markers never go into a release); a missing end is
    relation-ends', which validate reports and the build refuses on first."""
    labels = {label for layer in schema.layers for label in layer.exported_labels}
    unexported = {span.id for span in aset.spans if span.label not in labels}
    for relation in aset.relations:
        if relation.head in unexported or relation.tail in unexported:
            yield place.problem("relation-exported", f"relation {relation.id}",
                                "links a span that is not exported (review markers never go into a release)")


# --- annotation sets and files ------------------------------------------------------


def scope_problems(scopes: tuple[Scope, ...], aset: AnnotationSet, text: str, schema: Schema, place: Place) -> list[Problem]:
    return [problem for scope in scopes for entry in checks(scope) for problem in entry.run(aset, text, schema, place)]


def set_problems(aset: AnnotationSet, text: str, schema: Schema, place: Place, gold: bool = False) -> list[Problem]:
    """Every problem of one annotation set (the gold set also has the gold checks)."""
    return scope_problems(("set", "gold") if gold else ("set",), aset, text, schema, place)


def release_problems(gold: AnnotationSet, text: str, schema: Schema, place: Place) -> list[Problem]:
    """What the build checks on a gold set it releases, beyond validate (``place`` names the gold set)."""
    return scope_problems(("release",), gold, text, schema, place)


@dataclass(frozen=True)
class FileContext:
    """What a file check is told besides the file: its clean text (or why there is none), its name, whether gold is due."""

    text: str | None
    why_no_text: str | None = None
    expected_id: str | None = None  # the file's name without .json; None: not from a file (a pulled or merged file)
    require_gold: bool = True
    release_ready: bool = False  # a document awaiting gold is unfinished work (a warning) unless it is to be released


@check("file-json", "file-shape", scope="read")
def parse_annotation_file(place: Place, raw: bytes) -> tuple[AnnotationFile | None, list[Problem]]:
    """The annotation file is UTF-8 JSON of the annotation-file JSON Schema (the reader runs this check)."""
    try:
        return parse_model(AnnotationFile, raw), []
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [place.problem("file-json", "file", str(exc))]
    except ValidationError as exc:
        return None, [place.problem("file-shape", "file", error) for error in validation_errors(exc)]


def version_problem(file_version: str, schema: Schema) -> str | None:
    """Why a file's schema version cannot be read with this schema, if it cannot."""
    if version_tuple(file_version)[0] != schema.major:
        return f"annotated with schema {file_version}, schema is {schema.version} (run `peacetalks schema migrate`)"
    if version_tuple(file_version) > version_tuple(schema.version):
        return f"annotated with schema {file_version}, newer than this schema {schema.version} (update schema/schema.json)"
    return None


@check("set-gold", scope="file", level="warning")
def check_gold(annotation: AnnotationFile, context: FileContext, schema: Schema, place: Place) -> Iterator[Problem]:
    """The file holds a gold set: until adjudication the document awaits gold (a warning); to be released it needs it (an error)."""
    if context.require_gold and GOLD not in annotation.annotators:
        yield missing_gold(place, context.release_ready)


def missing_gold(place: Place, release_ready: bool) -> Problem:
    awaiting = place.problem("set-gold", "file", "no gold set" if release_ready else "no gold set yet (awaiting adjudication)")
    return replace(awaiting, level="error") if release_ready else awaiting


def as_built(problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` as the build sees them (``--release-ready``): a document awaiting gold is an error."""
    return [missing_gold(Place(p.file, p.doc), release_ready=True) if p.rule == "set-gold" else p for p in problems]


@check("file-name", "schema-version", "doc-exists", "doc-text-hash", scope="file")
def check_file(annotation: AnnotationFile, context: FileContext, schema: Schema, place: Place) -> Iterator[Problem]:
    """The file is named after its document, readable with this schema, and was annotated on the clean text."""
    if context.expected_id is not None and annotation.document_id != context.expected_id:
        yield place.problem("file-name", "file", f"file is named {context.expected_id!r} but holds document {annotation.document_id!r}")
    version = version_problem(annotation.schema_version, schema)
    if version is not None:
        yield place.problem("schema-version", "file", version)
    if context.text is None:
        yield place.problem("doc-exists", "file", context.why_no_text or f"no corpus/{annotation.document_id}.txt")
    elif sha256_text(context.text) != annotation.text_sha256:
        yield place.problem("doc-text-hash", "file", "clean text changed since annotation (run `peacetalks realign`)")


def annotation_problems(annotation: AnnotationFile, context: FileContext, schema: Schema, file: str) -> list[Problem]:
    """Every problem of one parsed annotation file, shown as ``file``, against its clean text."""
    place = Place(file, annotation.document_id)
    found = [problem for entry in checks("file") for problem in entry.run(annotation, context, schema, place)]
    if context.text is not None:
        for name, aset in annotation.annotators.items():
            found += set_problems(aset, context.text, schema, place.in_set(name), gold=name == GOLD)
    return found


# --- the I/O shell: files and the root ------------------------------------------------------


def annotation_names(root: Root) -> list[str]:
    """The names of the annotation files (every ``*.json`` entry, hidden ones too, as ``Path.glob`` lists them), sorted:
    validate's items (a Path costs four times its name: 100k of them were 24 MiB)."""
    if not root.annotations.exists():
        return []
    with os.scandir(root.annotations) as entries:
        return sorted(entry.name for entry in entries if entry.name.endswith(".json"))


def annotation_paths(root: Root) -> list[Path]:
    return [root.annotations / name for name in annotation_names(root)]


@check("artefact-stale", scope="root")
def check_artefacts(root: Root, schema: Schema) -> Iterator[Problem]:
    """Files generated from the schema are what schema.json generates now."""
    for path in stale_files(generated_artefacts(root, schema)):
        yield Place(str(path.relative_to(root.path)), "-").problem("artefact-stale", "file", "differs from what schema.json generates (run `peacetalks schema`)")


def artefact_problems(root: Root, schema: Schema) -> list[Problem]:
    return [problem for entry in checks("root") for problem in entry.run(root, schema)]


def validate_root(root: Root, schema: Schema, release_ready: bool = False, record: Record | None = None) -> Iterator[Problem]:
    """Every problem in ``annotations/`` and in the generated schema artefacts, streamed file by file;
    ``release_ready``: a document awaiting gold is an error, as the build holds it. ``record`` gets
    every readable file's verdict as it comes (:class:`peacetalks.verdicts.Recording` keeps them for the build)."""
    yield from artefact_problems(root, schema)
    names = annotation_names(root)
    judge = partial(judged_file, root, schema, release_ready=release_ready)
    inputs = (root.annotations, root.corpus, root.schema_dir)
    for name, (problems, verdict) in zip(names, ordered_map("validate", judge, names, inputs, key=f"release_ready={release_ready}")):
        if record is not None and verdict is not None:
            record(name, verdict)
        yield from problems


def judged_file(root: Root, schema: Schema, name: str, release_ready: bool) -> tuple[list[Problem], Verdict | None]:
    """The problems of annotation file ``name`` and its verdict (none for a file that cannot be read), without the
    file itself: a worker sends back only these."""
    read = checked_read(root, root.annotations / name, schema, release_ready)
    return read.problems, None if read.raw is None else Verdict(file_key(read.raw, read.text, read.why_no_text), tuple(as_built(read.problems)))


def file_problems(root: Root, schema: Schema, path: Path, release_ready: bool = True) -> list[Problem]:
    return checked_file(root, path, schema, release_ready)[1]


def files_problems(root: Root, schema: Schema, paths: Iterable[Path]) -> list[Problem]:
    """The problems of these annotation files, each with its level, in the order validate reports them:
    what ``build`` checks before it releases and refuses on when one is an error (:func:`~peacetalks.problems.require_no_errors`)."""
    return [problem for path in sorted(paths) for problem in file_problems(root, schema, path)]


def printable(name: str) -> str:
    """A file name as it can be printed on one line: a control character shown as ``\\n``, a byte that is
    not UTF-8 (a surrogate escape) as ``\\udcff``."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in name)


def read_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why there are none (a directory, a dangling link, no permission)."""
    try:
        return regular_file_bytes(path), None
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


@dataclass(frozen=True)
class FileRead:
    """One annotation file as validate reads it: its bytes (``None``: unreadable), the parsed file, its problems,
    and the clean text it names (or why there is none; both ``None`` when the file did not parse)."""

    raw: bytes | None
    annotation: AnnotationFile | None
    problems: list[Problem]
    text: str | None = None
    why_no_text: str | None = None


def checked_read(root: Root, path: Path, schema: Schema, release_ready: bool = True,
                 read: tuple[bytes | None, str | None] | None = None) -> FileRead:
    """One annotation file read (or ``read``: its bytes or why there are none, read already), parsed and checked."""
    shown = printable(str(path.relative_to(root.path)) if path.is_relative_to(root.path) else str(path))
    raw, why = read or read_bytes(path)
    unread = Place(shown, printable(path.stem))
    if raw is None:
        return FileRead(None, None, [unread.problem("file-json", "file", str(why))])
    annotation, problems = parse_annotation_file(unread, raw)
    if annotation is None:
        return FileRead(raw, None, problems)
    text, why_no_text = read_clean_text(root, annotation.document_id)
    context = FileContext(text, why_no_text, expected_id=path.stem, release_ready=release_ready)
    return FileRead(raw, annotation, annotation_problems(annotation, context, schema, shown), text, why_no_text)


def checked_file(root: Root, path: Path, schema: Schema, release_ready: bool = True) -> tuple[AnnotationFile | None, list[Problem]]:
    """One annotation file parsed and checked: the file (``None`` if unreadable) and its problems."""
    read = checked_read(root, path, schema, release_ready)
    return read.annotation, read.problems
