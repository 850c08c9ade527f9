"""Build stage, pure: one document and its gold set → its rows for the three configs (no file is read;
``root`` only names files in refusals)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..bio import LabelledSpan, RoundTripError, round_trip_problem, sentence_columns
from ..models import GOLD, AnnotationSet, Document, Span
from ..problems import Place, refuse_release
from ..schema import Schema
from ..storage import Root
from ..validate import check_released_relations, check_released_text
from .features import LabelIds, exported_labels
from .stats import SplitStats

# an address starts where a run of local-part characters starts, and that run is never given back: the same matches as
# the plain pattern, whose every start inside a long run (a base64 blob) ran to its end again, quadratic in the run
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class ReleaseDoc:
    """One document with the part of its gold set that a release carries."""

    document: Document
    gold: AnnotationSet | None
    spans: list[Span]

    @property
    def id(self) -> str:
        return self.document.id


def releasable_doc(root: Root, schema: Schema, document: Document, gold: AnnotationSet | None) -> ReleaseDoc:
    """The document with the exported part of ``gold`` (the gold set of a validated file); refused when the
    build's own checks find an error in the text or in the relations it would release."""
    refuse_release(check_released_text(document, Place(str(root.corpus_text(document.id)), document.id)))
    if gold:
        refuse_release(check_released_relations(gold, document.text, schema, gold_place(root, document.id)))
    exported = set(exported_labels(schema))
    spans = [s for s in gold.spans if s.label in exported] if gold else []
    return ReleaseDoc(document, gold, sorted(spans, key=lambda s: (s.start, s.end, s.label, s.id)))


def gold_place(root: Root, doc_id: str) -> Place:
    return Place(str(root.annotation_file(doc_id)), doc_id).in_set(GOLD)


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


def token_rows(root: Root, schema: Schema, doc: ReleaseDoc) -> list[dict[str, Any]]:
    """The sentence rows of :func:`token_batch` as dicts, tags as ClassLabel ids."""
    return token_batch(root, schema, LabelIds.of(schema), doc).to_pylist()


def token_batch(root: Root, schema: Schema, ids: LabelIds, doc: ReleaseDoc) -> pa.RecordBatch:
    """One row per sentence (:func:`peacetalks.bio.sentence_columns`), proven to give the spans back, with
    the text between tokens: a document's ``leading_whitespace`` (first row only), then every token
    followed by its ``whitespace_after``, row after row, is the text exactly. The columns are cut from the
    text's UTF-8 bytes with array operations: no Python object per token."""
    text = doc.document.text
    released = [(LabelledSpan(span.start, span.end, span.label), span) for span in doc.spans]
    try:
        columns = sentence_columns(text, [labelled for labelled, _ in released], schema)
    except RoundTripError as exc:
        refuse_release([round_trip_problem(exc, released, gold_place(root, doc.id))])
    data, at = utf8_bytes(text)
    starts, ends = columns.starts, columns.ends
    following = np.append(starts[1:], len(text))  # where the text after each token ends: the next token
    rows = len(columns.paragraphs)
    first = [text[: int(starts[0])]] if rows else []

    def per_row(values: pa.Array) -> pa.ListArray:
        return pa.ListArray.from_arrays(pa.array(columns.bounds, pa.int32()), values)

    return pa.RecordBatch.from_arrays([
        pa.array([f"{doc.id}:{index}" for index in range(rows)], pa.string()), pa.array([doc.id] * rows, pa.string()),
        pa.array(np.arange(rows, dtype=np.int32)), pa.array(columns.paragraphs, pa.int32()), pa.array(first + [""] * (rows - 1), pa.string()),
        per_row(cut(data, at[starts], at[ends])), per_row(cut(data, at[ends], at[following])),
        per_row(pa.array(starts, pa.int32())), per_row(pa.array(ends, pa.int32())),
        *(per_row(pa.array(columns.tags[layer.name])) for layer in schema.layers),
    ], schema=ids.tokens_schema)


def utf8_bytes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's UTF-8 bytes, and the byte offset of every code point offset 0..len(text)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if len(data) == len(text):  # ASCII: a code point is a byte
        return data, np.arange(len(text) + 1)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sizes = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    return data, np.concatenate(([0], np.cumsum(sizes)))


def cut(data: np.ndarray, begins: np.ndarray, ends: np.ndarray) -> pa.StringArray:
    """The strings ``data[begins[i]:ends[i]]`` (UTF-8 bytes cut at code point edges) as one Arrow array."""
    lengths = ends - begins
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    picked = data[np.repeat(begins - offsets[:-1], lengths) + np.arange(offsets[-1])]
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(picked))


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


@dataclass(frozen=True)
class Rows:
    """One document's rows: its ``documents`` row and ``quotes`` rows (dicts, small), its ``tokens`` rows
    (an Arrow record batch, most of a release), and its statistics (counted where the rows are made: on a task)."""

    document: dict[str, Any]
    quotes: list[dict[str, Any]]
    tokens: pa.RecordBatch
    stats: SplitStats

    def count(self, config: str) -> int:
        return {"documents": 1, "quotes": len(self.quotes), "tokens": self.tokens.num_rows}[config]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (a task sends its rows back) with the tokens as one Arrow IPC stream: reading it back is ten times
        faster than unpickling the batch array by array."""
        return (rows_from_stream, (self.document, self.quotes, ipc_stream(self.tokens), self.stats))


def ipc_stream(batch: pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def rows_from_stream(document: dict[str, Any], quotes: list[dict[str, Any]], tokens: pa.Buffer, stats: SplitStats) -> Rows:
    return Rows(document, quotes, pa.ipc.open_stream(tokens).read_next_batch(), stats)


def rows_of(root: Root, schema: Schema, ids: LabelIds, doc: ReleaseDoc) -> Rows:
    """One document's rows per config, labels as ClassLabel ids, ready for Arrow."""
    document, quotes, tokens = document_row(doc, ids), quote_rows(doc, schema), token_batch(root, schema, ids, doc)
    stats = SplitStats.of_document(document, len(quotes), tokens.column("token_starts").flatten().to_numpy(),
                                   tokens.column("token_ends").flatten().to_numpy(), exported_labels(schema), list(schema.relations))
    return Rows(document, quotes, tokens, stats)


def holds_email(rows: Any) -> bool:
    """Whether rows hold an e-mail address in their JSON; the regular expression runs only when an ``@`` is there."""
    encoded = json.dumps(rows, ensure_ascii=False)
    return "@" in encoded and EMAIL.search(encoded) is not None


def config_with_email(rows: Rows) -> str | None:
    """The first scanned config whose rows hold an e-mail address, if any (every token is cut from `text`,
    which the documents row carries)."""
    return "documents" if holds_email(rows.document) else "quotes" if holds_email(rows.quotes) else None
