"""Stage 6, I/O: build the versioned Hugging Face dataset folder from the corpus and the gold sets.

``build(root, out)`` refuses to run on a root that does not validate, assigns
splits (``splits.json``, stable across versions), streams every document once
per split into three Parquet configs (documents, tokens, quotes), writes the
dataset card, the leakage report, build statistics, a licence statement and a
sha256 manifest into a temp folder, checks that no e-mail address got in, and
only then renames the folder into place.
"""

from __future__ import annotations

import json
import re
import shutil
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from datasets import ClassLabel, Features, List, Value

from .bio import LabelledSpan, RoundTripError, bio_labels, check_round_trip, span_breaks, spans_to_bio, tokenize
from .corpus import document_ids, load_document
from .models import GOLD, AnnotationFile, AnnotationSet, Document, Span
from .parallel import ordered_map
from .progress import progress
from .schema import Schema, load_schema
from .split import SPLITS, Assignment, Overlap, cross_split_leaks, overlaps, shingles
from .splits import plan_splits
from .storage import (BUILDING_MARK, PeacetalksError, Root, building_folder, read_text, replace_folder, replaceable_folder,
                      sha256_file, sha256_text)
from .validate import Problem, annotation_paths, artefact_problems, checked_file

VERSION_FILE = "VERSION"
CHANGELOG_FILE = "CHANGELOG.md"
DATASHEET_FILE = "DATASHEET.md"
FIGURES_DIR = Path("docs") / "figures"
MANIFEST_FILE = "MANIFEST.sha256"
OWN_FILES = ("stats.json", "leakage.json")  # only a release this tool built lists these in its manifest
CONFIGS = ("documents", "tokens", "quotes")
DEFAULT_CONFIG = "documents"
BATCH_ROWS = 256
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


# --- inputs ------------------------------------------------------------------


def read_version(root: Root) -> str:
    path = root.path / VERSION_FILE
    if not path.exists():
        raise PeacetalksError(f"{path}: missing (one line: the dataset's semantic version, e.g. 0.1.0)")
    version = read_text(path).strip()
    if not SEMVER.match(version):
        raise PeacetalksError(f"{path}: {version!r} is not a semantic version MAJOR.MINOR.PATCH")
    return version


def require_valid(artefacts: list[Problem], files: list[Problem]) -> None:
    """Refuse the build with every problem, in the order `peacetalks validate` prints them."""
    problems = [*artefacts, *sorted(files, key=lambda p: p.file)]  # stable: a file's problems keep their order
    if problems:
        listing = "\n  ".join(map(str, problems))
        raise PeacetalksError(f"`peacetalks validate` fails with {len(problems)} problems; nothing built:\n  {listing}")


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
    orphans = [problem for path in annotation_paths(root) if path.stem not in known
               for problem in checked_file(root, path, schema)[1]]
    assignment = plan_splits(root, doc_ids)
    return Plan(read_version(root), schema, assignment, doc_ids, artefact_problems(root, schema), orphans)


Rows = dict[str, list[dict[str, Any]]]  # config → the rows one document gives it


# --- features ------------------------------------------------------------------


def exported_labels(schema: Schema) -> list[str]:
    return [label for layer in schema.layers for label in layer.exported_labels]


def tag_column(layer: str) -> str:
    return f"{layer}_tags"


@dataclass(frozen=True)
class LabelIds:
    """ClassLabel name → id for every label column, from the same names the features declare
    (``Features.encode_example`` per row cost more than building the row)."""

    spans: dict[str, int]
    relations: dict[str, int]
    tags: dict[str, dict[str, int]]  # layer → BIO tag → id

    @classmethod
    def of(cls, schema: Schema) -> LabelIds:
        def ids(names: list[str]) -> dict[str, int]:
            return {name: i for i, name in enumerate(names)}

        return cls(ids(exported_labels(schema)), ids(list(schema.relations)),
                   {layer.name: ids(bio_labels(layer.exported_labels)) for layer in schema.layers})


def features_of(schema: Schema) -> dict[str, Features]:
    offsets = {"text": Value("string"), "start": Value("int32"), "end": Value("int32")}
    span = {"id": Value("string"), "start": Value("int32"), "end": Value("int32"),
            "label": ClassLabel(names=exported_labels(schema)), "text": Value("string")}
    relation = {"id": Value("string"), "head": Value("string"), "tail": Value("string"),
                "label": ClassLabel(names=list(schema.relations))}
    removed = {"rule": Value("string"), "reason": Value("string"), "chars": Value("int32")}
    documents = Features({
        "id": Value("string"), "title": Value("string"), "text": Value("string"),
        "spans": List(span), "relations": List(relation),
        "seed": Value("string"), "raw_sha256": Value("string"), "text_sha256": Value("string"),
        "cleaner_version": Value("string"), "language": Value("string"), "flags": List(Value("string")),
        "removed": List(removed), "annotated": Value("bool"),
    })
    tokens = Features({
        "id": Value("string"), "tokens": List(Value("string")),
        "token_starts": List(Value("int32")), "token_ends": List(Value("int32")),
        **{tag_column(layer.name): List(ClassLabel(names=bio_labels(layer.exported_labels))) for layer in schema.layers},
    })
    quotes = Features({
        "id": Value("string"), "document_id": Value("string"), **offsets,
        "sources": List({"id": Value("string"), **offsets}), "cues": List({"id": Value("string"), **offsets}),
    })
    return {"documents": documents, "tokens": tokens, "quotes": quotes}


# --- rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseDoc:
    """One document with the part of its gold set that a release carries."""

    document: Document
    gold: AnnotationSet | None
    spans: list[Span]

    @property
    def id(self) -> str:
        return self.document.id


def release_doc(root: Root, schema: Schema, doc_id: str, annotation: AnnotationFile | None) -> ReleaseDoc:
    """The document with the exported part of ``annotation``'s gold set (a validated file)."""
    document = load_document(root, doc_id)
    require_releasable_text(root, document)
    gold = annotation.annotators.get(GOLD) if annotation else None
    exported = set(exported_labels(schema))
    spans = [s for s in gold.spans if s.label in exported] if gold else []
    kept = {s.id for s in spans}
    for relation in gold.relations if gold else []:
        if relation.head not in kept or relation.tail not in kept:
            raise PeacetalksError(f"{root.annotation_file(doc_id)}: {doc_id}: gold/relation {relation.id}: relation-ends: "
                                  "links a span that is not exported (review markers never go into a release)")
    return ReleaseDoc(document, gold, sorted(spans, key=lambda s: (s.start, s.end, s.label, s.id)))


CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls but tab and newline, and DEL


def require_releasable_text(root: Root, document: Document) -> None:
    """A released text is the file clean wrote (no link, its recorded hash), neither empty nor with control
    characters (a NUL breaks C tools and tokenizers)."""
    path = root.corpus_text(document.id)
    if path.is_symlink():
        raise PeacetalksError(f"{path}: {document.id}: doc-file: a symbolic link; a clean text is a file `peacetalks clean` wrote")
    if sha256_text(document.text) != document.sidecar.text_sha256:
        raise PeacetalksError(f"{path}: {document.id}: doc-text-hash: the text does not hash to its sidecar's text_sha256 "
                              "(edited by hand?); run `peacetalks clean`; nothing built")
    if not document.text.strip():
        raise PeacetalksError(f"{path}: {document.id}: doc-empty: the clean text is empty (was the seed all boilerplate?); "
                              "fix or remove the seed; nothing built")
    control = CONTROL_CHARACTER.search(document.text)
    if control:
        raise PeacetalksError(f"{path}: {document.id}: doc-control-character: U+{ord(control.group()):04X} at offset "
                              f"{control.start()}; released text holds no control characters; nothing built")


def document_row(doc: ReleaseDoc, ids: LabelIds) -> dict[str, Any]:
    sidecar = doc.document.sidecar
    relations = sorted(doc.gold.relations, key=lambda r: (r.head, r.label, r.tail, r.id)) if doc.gold else []
    return {
        "id": doc.id, "title": sidecar.title.text if sidecar.title else None, "text": doc.document.text,
        "spans": [{"id": s.id, "start": s.start, "end": s.end, "label": ids.spans[s.label], "text": s.text} for s in doc.spans],
        "relations": [{"id": r.id, "head": r.head, "tail": r.tail, "label": ids.relations[r.label]} for r in relations],
        "seed": sidecar.seed, "raw_sha256": sidecar.raw_sha256, "text_sha256": sidecar.text_sha256,
        "cleaner_version": sidecar.cleaner_version, "language": sidecar.language, "flags": list(sidecar.flags),
        "removed": [{"rule": r.rule, "reason": r.reason, "chars": r.raw_end - r.raw_start} for r in sidecar.removed],
        "annotated": doc.gold is not None,
    }


def token_row(root: Root, schema: Schema, doc: ReleaseDoc) -> dict[str, Any]:
    """Tokens cut at every span edge, one BIO column per layer, proven to give the spans back."""
    text = doc.document.text
    labelled = [(span, LabelledSpan(span.start, span.end, span.label)) for span in doc.spans]
    tokens = tokenize(text, span_breaks(ls for _, ls in labelled))
    row: dict[str, Any] = {"id": doc.id, "tokens": [text[a:b] for a, b in tokens],
                           "token_starts": [a for a, _ in tokens], "token_ends": [b for _, b in tokens]}
    for layer in schema.layers:
        exported = set(layer.exported_labels)
        layer_spans = [ls for span, ls in labelled if span.label in exported]
        try:
            tags = spans_to_bio(tokens, layer_spans)
            check_round_trip(tokens, layer_spans, tags)
        except RoundTripError as exc:
            span = next(s for s, ls in labelled if ls == exc.span)
            raise PeacetalksError(f"{root.annotation_file(doc.id)}: {doc.id}: gold/span {span.id}: {exc}") from exc
        row[tag_column(layer.name)] = tags
    return row


def quote_rows(doc: ReleaseDoc, schema: Schema) -> list[dict[str, Any]]:
    """One row per span of the schema's quote label, with the spans its source and cue relations link."""
    by_id = {span.id: span for span in doc.spans}
    relations = doc.gold.relations if doc.gold else []
    quote, roles = schema.label_roles.get("quote"), schema.relation_roles

    def ends(span: Span, role: str) -> list[dict[str, Any]]:
        linked = sorted((by_id[r.tail] for r in relations if r.head == span.id and r.label == roles.get(role)), key=lambda s: (s.start, s.id))
        return [{"id": s.id, "text": s.text, "start": s.start, "end": s.end} for s in linked]

    return [
        {"id": f"{doc.id}:{span.id}", "document_id": doc.id, "text": span.text, "start": span.start, "end": span.end,
         "sources": ends(span, "source"), "cues": ends(span, "cue")}
        for span in doc.spans if span.label == quote
    ]


def rows_of(root: Root, schema: Schema, ids: LabelIds, doc: ReleaseDoc) -> Rows:
    """One document's rows per config, labels as ClassLabel ids, ready for Arrow."""
    tokens = token_row(root, schema, doc)
    for layer, tag_ids in ids.tags.items():
        tokens[tag_column(layer)] = [tag_ids[tag] for tag in tokens[tag_column(layer)]]
    return {"documents": [document_row(doc, ids)], "tokens": [tokens], "quotes": quote_rows(doc, schema)}


# --- statistics ------------------------------------------------------------------------


@dataclass
class SplitStats:
    documents: int = 0
    annotated: int = 0
    characters: int = 0
    tokens: int = 0
    quotes: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    document_tokens: list[int] = field(default_factory=list)
    span_tokens: Counter[str] = field(default_factory=Counter)  # "LABEL:length" → count
    languages: Counter[str] = field(default_factory=Counter)

    def add(self, rows: Rows, labels: list[str], relations: list[str]) -> None:
        """Count one document's rows; ``labels`` and ``relations`` name the ClassLabel ids in them."""
        document, token_row = rows["documents"][0], rows["tokens"][0]
        starts, ends = token_row["token_starts"], token_row["token_ends"]
        self.documents += 1
        self.annotated += document["annotated"]
        self.characters += len(document["text"])
        self.tokens += len(starts)
        self.quotes += len(rows["quotes"])
        self.document_tokens.append(len(starts))
        self.languages[document["language"]] += 1
        for span in document["spans"]:
            label = labels[span["label"]]
            self.spans[label] += 1
            length = bisect_right(ends, span["end"]) - bisect_left(starts, span["start"])  # tokens never cross span edges
            self.span_tokens[f"{label}:{length}"] += 1
        self.relations.update(relations[r["label"]] for r in document["relations"])

    def as_dict(self, labels: list[str], relations: list[str]) -> dict[str, Any]:
        return {
            "documents": self.documents, "annotated": self.annotated, "characters": self.characters,
            "tokens": self.tokens, "quotes": self.quotes,
            "spans": {label: self.spans[label] for label in labels},
            "relations": {label: self.relations[label] for label in relations},
            "document_tokens": sorted(self.document_tokens),
            "span_tokens": dict(sorted(self.span_tokens.items())),
            "languages": dict(sorted(self.languages.items())),
        }


EMAIL_SCANNED = ("documents", "quotes")  # every token is cut from `text`, which the documents row carries


def document_rows(root: Root, schema: Schema, ids: LabelIds, place: tuple[str, str]) -> tuple[Rows | None, list[Problem]]:
    """The rows of one document (``place`` is its split and id) once its annotation file validates:
    the build reads each file once. No rows, and the problems, when it does not; refused if the rows
    hold an e-mail address."""
    split, doc_id = place
    path = root.annotation_file(doc_id)
    annotation, problems = checked_file(root, path, schema) if path.exists() else (None, [])
    if problems:
        return None, problems
    rows = rows_of(root, schema, ids, release_doc(root, schema, doc_id, annotation))
    for config in EMAIL_SCANNED:
        if EMAIL.search(json.dumps(rows[config], ensure_ascii=False)):
            raise PeacetalksError(f"release files contain an e-mail address: {parquet_path(config, split)} (document {doc_id}); nothing built")
    return rows, []


def iter_rows(root: Root, plan: Plan) -> Iterator[tuple[str, Rows | None, list[Problem]]]:
    """(split, rows per config or None, problems), split by split in id order: the one stream every
    output reads. Documents are independent, so large corpora make their rows on every core."""
    order = [(split, doc_id) for split in plan.splits for doc_id in plan.split_docs(split)]
    make = partial(document_rows, root, plan.schema, LabelIds.of(plan.schema))
    for (split, _), (rows, problems) in zip(order, ordered_map(make, order)):
        yield split, rows, problems


def stats_document(plan: Plan, per_split: dict[str, SplitStats]) -> dict[str, Any]:
    labels, relations = exported_labels(plan.schema), list(plan.schema.relations)
    return {"version": plan.version, "schema_version": plan.schema.version,
            "splits": {name: per_split[name].as_dict(labels, relations) for name in plan.splits}}


RowsConsumer = Callable[[str, Rows], None]


def collect_stats(root: Root, plan: Plan, consume: RowsConsumer | None = None) -> dict[str, Any]:
    """The build's statistics; ``consume(split, rows)`` sees every document's rows (the build writes them).

    Raises with every validation problem of the root if there is one; from the first, rows are no
    longer passed on, only problems gathered."""
    per_split = {name: SplitStats() for name in plan.splits}
    labels, relations = exported_labels(plan.schema), list(plan.schema.relations)
    problems = list(plan.orphan_problems)
    for split, rows, found in progress(iter_rows(root, plan), total=len(plan.doc_ids), desc="release"):
        problems += found
        if rows is None or problems or plan.artefact_problems:
            continue
        per_split[split].add(rows, labels, relations)
        if consume is not None:
            consume(split, rows)
    require_valid(plan.artefact_problems, problems)
    return stats_document(plan, per_split)


# --- writing -----------------------------------------------------------------------------


def parquet_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"


class ParquetSink:
    """The Parquet files of one split, one per config, written in fixed-size batches with the features
    in their metadata (so ClassLabel names survive). A config with no rows in the split gets no file:
    ``datasets`` cannot load an empty split, so the card declares only the splits a config has."""

    def __init__(self, folder: Path, features: dict[str, Features], split: str) -> None:
        self.folder, self.features, self.split = folder, features, split
        self.pending: Rows = {config: [] for config in CONFIGS}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: Counter[str] = Counter()
        self.nbytes: Counter[str] = Counter()

    def add(self, rows: Rows) -> None:
        for config, config_rows in rows.items():
            self.pending[config].extend(config_rows)
            if len(self.pending[config]) >= BATCH_ROWS:
                self.flush(config)

    def flush(self, config: str) -> None:
        if not self.pending[config]:
            return
        schema = self.features[config].arrow_schema
        if config not in self.writers:
            path = self.folder / parquet_path(config, self.split)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[config] = pq.ParquetWriter(path, schema, compression="zstd")
        table = pa.Table.from_pylist(self.pending[config], schema=schema)
        self.writers[config].write_table(table)
        self.rows[config] += table.num_rows
        self.nbytes[config] += table.nbytes
        self.pending[config] = []

    def close(self) -> None:
        for config in CONFIGS:
            self.flush(config)
        for writer in self.writers.values():
            writer.close()


SplitSizes = dict[str, dict[str, dict[str, int]]]  # config → split → {"num_examples", "num_bytes"}


def write_data(folder: Path, root: Root, plan: Plan) -> tuple[dict[str, Any], SplitSizes]:
    """Every Parquet file; returns the statistics and, per config, the sizes of its non-empty splits."""
    features = features_of(plan.schema)
    sinks: dict[str, ParquetSink] = {}

    def write(split: str, rows: Rows) -> None:
        if split not in sinks:
            sinks[split] = ParquetSink(folder, features, split)
        sinks[split].add(rows)

    try:
        stats = collect_stats(root, plan, write)
    finally:
        for sink in sinks.values():
            sink.close()
    sizes: SplitSizes = {
        config: {split: {"num_examples": sink.rows[config], "num_bytes": sink.nbytes[config]}
                 for split, sink in sinks.items() if sink.rows[config]}
        for config in CONFIGS
    }
    return stats, sizes


def overlap_record(overlap: Overlap, splits: dict[str, str]) -> dict[str, Any]:
    return {"documents": list(overlap.docs), "splits": [splits[d] for d in overlap.docs],
            "shared_8grams": overlap.shared, "examples": overlap.examples}


PAIRS_LISTED_UP_TO = 10  # documents in a group whose pairs are listed: pairs grow with the square of its size
GROUPS_WITH_PAIRS = 100  # groups whose pairs are listed, so the report stays small at any corpus size


def leakage_report(root: Root, plan: Plan) -> dict[str, Any]:
    """Near-duplicate groups and cross-split leaks, with the shared 8-grams of small groups' pairs."""
    splits = plan.assignment.splits
    shared = [group for group in plan.assignment.groups if len(group) > 1]
    small = [group for group in shared if len(group) <= PAIRS_LISTED_UP_TO][:GROUPS_WITH_PAIRS]
    shingle_sets = {doc_id: shingles(read_text(root.corpus_text(doc_id))) for group in small for doc_id in group}
    listed = {group[0] for group in small}  # groups are disjoint: the first document names one
    mixed = [group for group in shared if len({splits[doc] for doc in group}) > 1]
    return {
        "method": "word 8-grams (lower-cased \\w+ words); documents sharing any 8-gram form a group kept in one split",
        "pairs_listed": f"for the first {GROUPS_WITH_PAIRS} groups of at most {PAIRS_LISTED_UP_TO} documents",
        "near_duplicate_groups": [
            {"documents": group, "split": splits[group[0]], "pairs_listed": group[0] in listed,
             "pairs": [overlap_record(o, splits) for o in overlaps(shingle_sets, group)] if group[0] in listed else []}
            for group in shared
        ],
        "cross_split_groups": [{"documents": group, "splits": [splits[doc] for doc in group]} for group in mixed],
        "cross_split_leaks": [overlap_record(o, splits) for group in mixed if group[0] in listed
                              for o in cross_split_leaks({doc: shingle_sets[doc] for doc in group}, splits)],
    }


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def copy_if_present(root: Root, folder: Path, relative: Path) -> None:
    source = root.path / relative
    if source.is_file():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / relative)
    elif source.is_dir():
        for path in sorted(source.glob("*.png")):
            copy_if_present(root, folder, relative / path.name)


def manifest(folder: Path) -> str:
    """``sha256sum -c`` format, one line per file, sorted by path."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in (MANIFEST_FILE, BUILDING_MARK))
    return "".join(f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in files)


def files_with_emails(folder: Path) -> list[str]:
    """Release files other than Parquet holding an e-mail address (Parquet rows are scanned as they are written)."""
    return [path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix != ".parquet" and EMAIL.search(path.read_text(encoding="utf-8", errors="replace"))]


@dataclass(frozen=True)
class BuildReport:
    out: Path
    version: str
    sizes: SplitSizes
    new_documents: list[str]
    near_duplicate_groups: int

    def examples(self, config: str) -> dict[str, int]:
        return {split: size["num_examples"] for split, size in self.sizes[config].items()}

    def summary(self) -> str:
        docs = self.examples("documents")
        per_split = ", ".join(f"{split} {n}" for split, n in docs.items())
        return (f"build: release {self.version} in {self.out}: {sum(docs.values())} documents ({per_split}), "
                f"{sum(self.examples('quotes').values())} quotes, {self.near_duplicate_groups} near-duplicate groups (leakage.json)"
                + (f"; {len(self.new_documents)} documents have no split in splits.json yet: assigned by its rule for this build, "
                   "run `peacetalks split` to record them" if self.new_documents else ""))

    def how_to_load(self) -> str:
        lines = [f'  datasets.load_dataset("{self.out}", "{config}")' for config in released_configs(self.sizes)]
        return "load it with:\n" + "\n".join(lines)


def build(root: Root, out: Path) -> BuildReport:
    """Build the release into ``out`` (replaced whole), or raise and leave ``out`` as it was.

    ``out`` is replaced only when replacing it deletes nothing the tool did not make (see
    :func:`storage.replaceable_folder`). The release is built in ``.<out>.building.*`` beside it;
    those a killed build left are removed first, under a lock that keeps two builds of ``out`` apart.
    """
    plan = plan_release(root)
    out = replaceable_folder(out, root, MANIFEST_FILE, OWN_FILES)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with building_folder(out) as folder:
            sizes, leakage = write_release(root, plan, folder)
            replace_folder(folder, replaceable_folder(out, root, MANIFEST_FILE, OWN_FILES))
    except OSError as exc:  # a full disk, a read-only file system: name the place, keep the old release
        raise PeacetalksError(f"{exc.filename or out}: cannot write the release: {exc.strerror}; {out} left as it was") from exc
    return BuildReport(out, plan.version, sizes, plan.assignment.new, len(leakage["near_duplicate_groups"]))


def write_release(root: Root, plan: Plan, folder: Path) -> tuple[SplitSizes, dict[str, Any]]:
    stats, sizes = write_data(folder, root, plan)
    leakage = leakage_report(root, plan)
    (folder / "stats.json").write_text(dump_json(stats), encoding="utf-8")
    (folder / "leakage.json").write_text(dump_json(leakage), encoding="utf-8")
    (folder / LICENSE_FILE).write_text(license_text(), encoding="utf-8")
    (folder / "README.md").write_text(render_card(plan, features_of(plan.schema), stats, sizes, leakage), encoding="utf-8")
    for relative in (Path(CHANGELOG_FILE), Path(DATASHEET_FILE), FIGURES_DIR):
        copy_if_present(root, folder, relative)
    leaked = files_with_emails(folder)
    if leaked:
        raise PeacetalksError(f"release files contain an e-mail address: {', '.join(leaked)}; nothing built")
    (folder / MANIFEST_FILE).write_text(manifest(folder), encoding="utf-8")
    folder.chmod(0o755)
    return sizes, leakage


# --- the dataset card ------------------------------------------------------------------------

LICENSE_FILE = "LICENSE.md"
PRETTY_NAME = "peacetalks: span-annotated news on the February 2025 US–Russia–Ukraine peace talks"


def license_text() -> str:
    return """# Licence and copyright

This release mixes two kinds of material with different rights:

1. **The news texts** (`text`, `title`, and every span, quote or token copied from them) are
   third-party journalism. For most documents the outlet, author and URL are unknown
   (`seeds/manifest.json` records them as null rather than guessing), so their copyright holders
   cannot be named, and **no licence to redistribute them is granted here**. They are included
   for non-commercial research on quotation and entity annotation, in the belief that short
   news excerpts used for text-and-data-mining research may fall under exceptions such as fair use
   (US) or the TDM exceptions of the EU DSM Directive (Art. 3/4) — this is not legal advice, and it
   is the user's responsibility to check that their use is lawful where they are.
2. **The annotations, splits, tokenisation and documentation** (span offsets and labels,
   relations, BIO tags, cards) are the project's work and are released under the
   Apache License 2.0, like the `peacetalks` code.

If you hold rights in one of these texts and want it removed, open an issue or a discussion on
the dataset repository: the document is dropped in the next patch release and the CHANGELOG
says so. Publishers of this dataset on the Hub should enable access gating (manual or automatic
approval with a research-use acknowledgement) rather than publish it openly.
"""


def size_category(documents: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if documents < limit:
            return name
    return "100K<n<1M"


def released_configs(sizes: SplitSizes) -> list[str]:
    """Configs with at least one row (e.g. ``quotes`` is left out while no gold quote exists)."""
    return [config for config in CONFIGS if sizes[config]]


def card_metadata(plan: Plan, features: dict[str, Features], stats: dict[str, Any], sizes: SplitSizes) -> dict[str, Any]:
    documents = sum(size["num_examples"] for size in sizes["documents"].values())
    languages = sorted({lang for split in stats["splits"].values() for lang in split["languages"]})
    return {
        "pretty_name": PRETTY_NAME,
        "license": "other",
        "license_name": "third-party-news-text-apache-annotations",
        "license_link": LICENSE_FILE,
        "language": languages,
        "multilinguality": "monolingual" if len(languages) <= 1 else "multilingual",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [size_category(documents)],
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["quotation-attribution", "reported-speech", "news", "span-annotation"],
        "configs": [
            {"config_name": config, "data_files": [{"split": split, "path": parquet_path(config, split)} for split in sizes[config]],
             **({"default": True} if config == DEFAULT_CONFIG else {})}
            for config in released_configs(sizes)
        ],
        "dataset_info": [
            {"config_name": config, "features": features[config]._to_yaml_list(),
             "splits": [{"name": split, **size} for split, size in sizes[config].items()]}
            for config in released_configs(sizes)
        ],
    }


def split_table(plan: Plan, stats: dict[str, Any]) -> str:
    lines = ["| split | documents | with gold | tokens | spans | quotes |", "|---|---:|---:|---:|---:|---:|"]
    for split in plan.splits:
        s = stats["splits"][split]
        lines.append(f"| {split} | {s['documents']} | {s['annotated']} | {s['tokens']} | {sum(s['spans'].values())} | {s['quotes']} |")
    return "\n".join(lines)


def pair_text(pair: dict[str, Any]) -> str:
    first, second = pair["documents"]
    return f"{first} and {second} share {pair['shared_8grams']} word 8-grams"


GROUPS_IN_CARD = 20


def group_line(group: dict[str, Any]) -> str:
    members = group["documents"]
    shown = ", ".join(members) if len(members) <= PAIRS_LISTED_UP_TO else f"of {len(members)} documents ({', '.join(members[:3])}, …)"
    pairs = f" ({'; '.join(map(pair_text, group['pairs']))})" if group["pairs"] else ""
    return f"- near-duplicate group {shown} is kept in `{group['split']}`{pairs}"


def leakage_lines(leakage: dict[str, Any]) -> str:
    groups = leakage["near_duplicate_groups"]
    lines = [group_line(group) for group in groups[:GROUPS_IN_CARD]] or ["- no two documents share a word 8-gram"]
    if len(groups) > GROUPS_IN_CARD:
        lines.append(f"- and {len(groups) - GROUPS_IN_CARD} more near-duplicate groups (see `leakage.json`)")
    mixed = leakage["cross_split_groups"]
    lines.append(f"- groups spread over more than one split (cross-split leaks): {len(mixed)}"
                 + (" (see `leakage.json`)" if mixed else " (no word 8-gram is shared across splits)"))
    return "\n".join(lines)


def empty_configs_note(sizes: SplitSizes) -> str:
    missing = [f"`{config}`" for config in CONFIGS if config not in released_configs(sizes)]
    note = "A config declares only the splits in which it has rows (`datasets` cannot load an empty split)."
    return note + (f" Not in this release, having no rows yet: {', '.join(missing)}." if missing else "")


def pinned_loads(sizes: SplitSizes, version: str) -> str:
    return "\n".join(f'{config} = load_dataset("ORG/NAME", "{config}", revision="v{version}")' for config in released_configs(sizes))


def render_card(plan: Plan, features: dict[str, Features], stats: dict[str, Any], sizes: SplitSizes,
                leakage: dict[str, Any]) -> str:
    metadata = yaml.safe_dump(card_metadata(plan, features, stats, sizes), sort_keys=False, allow_unicode=True, width=120)
    layers = "\n".join(f"  - `{layer.name}`: {', '.join(layer.exported_labels)} — {layer.description}" for layer in plan.schema.layers)
    tag_columns = ", ".join(f"`{tag_column(layer.name)}`" for layer in plan.schema.layers)
    version = plan.version
    return f"""---
{metadata}---

# peacetalks v{version}

{plan.schema.description} The texts are English news articles on the February 2025 US–Russia–Ukraine
peace talks; the annotations follow schema v{plan.schema.version} of the peacetalks annotation
guidelines. Only the adjudicated **gold** set of every document is
released; documents without a gold set yet are released with `annotated = false` and no spans.

## Version

This is version **{version}** of the dataset (semantic versioning; see `CHANGELOG.md` for what bumps
major, minor and patch). Pin it when loading from the Hub:

```python
from datasets import load_dataset
{pinned_loads(sizes, version)}
```

If a cached copy seems to ignore `revision`, force a fresh download with
`download_mode="force_redownload"`. Every file's sha256 is in `{MANIFEST_FILE}` (`sha256sum -c {MANIFEST_FILE}`).

## Configs

- `documents` (default): one row per document: `id`, `title` (null when the seed has none), `text`
  (NFC, LF newlines), `spans` (`id`, `start`, `end`, `label`, `text`; offsets are Unicode code points
  and `text[start:end] == span.text` for every span), `relations` (`id`, `head`, `tail` span ids, `label`),
  and source metadata: `seed` file, `raw_sha256` of the raw seed, `text_sha256`, `cleaner_version`,
  `language`, quality `flags`, and `removed` (boilerplate the cleaner dropped: `rule`, `reason`, `chars`).
  Span labels by layer:
{layers}
  Review markers (labels with `export: false` in the schema, e.g. `NOT_SPEECH`) are never released.
- `tokens`: one row per document: `tokens` with `token_starts`/`token_ends` (code-point offsets into
  the document text) and one BIO tag sequence per layer ({tag_columns}). The tokenizer is a regular
  expression (`peacetalks.bio.TOKEN`: numbers, words with inner apostrophes, any other single
  non-space character) applied between forced breaks at every span edge, so a span never starts or
  ends inside a token; the build proves that spans → BIO → spans gives back every span exactly.
- `quotes`: one row per `QUOTE` span: `id` (`<document>:<span>`), `document_id`, `text`, `start`, `end`,
  and the lists of its `sources` and `cues` (each with `id`, `text`, `start`, `end`).

{empty_configs_note(sizes)}

## Splits

{split_table(plan, stats)}

Splits are made at document level and are stable: `splits.json` in the source repository records the
split of every document ever released, and a released document never changes split. New documents
are grouped with any document they share a word 8-gram with (near-duplicates such as one quote carried
by several outlets) and a group stays in one split; a new group fills an empty split first
(train, validation, test), otherwise the sha256 of its first id decides (80/10/10). Only non-empty
splits are declared. Leakage check (`leakage.json`):

{leakage_lines(leakage)}

## Annotation and provenance

Annotated by the project's maintainers working as the pseudonymous annotators `ann1` and `ann2`
(in the Label Studio UI, or as plain-text inline-markup passes entered into Label Studio through its
API), with heuristic pre-annotations offered as Label Studio predictions (quotation-mark quotes,
entities projected from other documents), then adjudicated into the gold set. The release contains only the gold spans and relations —
no annotator names, e-mail addresses or server ids. Per-set provenance (annotator pseudonym, method,
pre-annotation, guidelines version, tool) is kept in `annotations/<doc>.json` in the source
repository. Agreement figures and the full answers to *Datasheets for Datasets* are in `DATASHEET.md`.

## Licence and copyright

`license: other`: the news texts are third-party material whose outlets are mostly unknown and are
**not** licensed by this project; the annotations are Apache-2.0. Read `{LICENSE_FILE}` before use; gate access
when publishing.
"""
