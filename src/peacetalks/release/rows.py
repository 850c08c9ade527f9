"""Build stage, pure: one document and its gold set → its rows for the three configs (no file is read;
``root`` only names files in refusals)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..bio import LabelledSpan, RoundTripError, joined_tokens, round_trip_problem, sentence_rows
from ..models import GOLD, AnnotationSet, Document, Span
from ..problems import Place, refuse_release
from ..schema import Schema
from ..storage import Root
from ..validate import check_released_relations, check_released_text
from .features import LabelIds, exported_labels, tag_column

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_SCANNED = ("documents", "quotes")  # every token is cut from `text`, which the documents row carries

Rows = dict[str, list[dict[str, Any]]]  # config → the rows one document gives it


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
    """One row per sentence (:func:`peacetalks.bio.sentence_rows`), proven to give the spans back, with
    the text between tokens: a document's ``leading_whitespace`` (first row only), then every token
    followed by its ``whitespace_after``, row after row, is the text exactly."""
    text = doc.document.text
    released = [(LabelledSpan(span.start, span.end, span.label), span) for span in doc.spans]
    try:
        rows = sentence_rows(text, [labelled for labelled, _ in released], schema)
    except RoundTripError as exc:
        refuse_release([round_trip_problem(exc, released, gold_place(root, doc.id))])
    starts = [start for start, _ in joined_tokens(rows)]
    after = iter(starts[1:] + [len(text)])  # where the text following each token ends: the next token
    return [{
        "id": f"{doc.id}:{index}", "document_id": doc.id, "sentence_index": index, "paragraph_index": row.paragraph,
        "leading_whitespace": text[: starts[0]] if index == 0 else "",
        "tokens": [text[a:b] for a, b in row.tokens], "whitespace_after": [text[b : next(after)] for _, b in row.tokens],
        "token_starts": [a for a, _ in row.tokens], "token_ends": [b for _, b in row.tokens],
        **{tag_column(layer): tags for layer, tags in row.tags.items()},
    } for index, row in enumerate(rows)]


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
    tokens = token_rows(root, schema, doc)
    for row in tokens:
        for layer, tag_ids in ids.tags.items():
            row[tag_column(layer)] = [tag_ids[tag] for tag in row[tag_column(layer)]]
    return {"documents": [document_row(doc, ids)], "tokens": tokens, "quotes": quote_rows(doc, schema)}



def config_with_email(rows: Rows) -> str | None:
    """The first scanned config whose rows hold an e-mail address, if any."""
    return next((config for config in EMAIL_SCANNED if EMAIL.search(json.dumps(rows[config], ensure_ascii=False))), None)
