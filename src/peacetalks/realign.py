"""Annotate stage, I/O (annotation files, clean texts): move annotations onto a changed clean text, through the raw text both clean texts came from.

When the cleaner changes a document's clean text, a span over the old text is mapped
old clean → raw (the old sidecar's alignment) → new clean (the new sidecar's). A span
whose text arrives unchanged is re-anchored exactly; any other span, and every relation
touching one, is set aside in ``annotations/_review/<id>.json`` (an annotation file over
the OLD text, so nothing is lost) and reported. Nothing is shifted or dropped silently.

The old texts come from ``--old-corpus DIR`` (``corpus/`` as it was when the annotations
were made), e.g. ``git archive HEAD corpus | tar -x -C /tmp/old`` before running ``clean``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .align import Alignment
from .annotations import canonical, iter_annotation_files, write_annotation_file
from .corpus import load_document
from .models import AnnotationFile, AnnotationSet, CorpusSidecar, Relation, Span
from .progress import progress
from .storage import PeacetalksError, Root, read_model, write_model

REVIEW_DIR = "_review"


@dataclass(frozen=True)
class Moved:
    """One annotation set after realignment: what moved, and what needs a person."""

    kept: AnnotationSet
    review: AnnotationSet


def move_span(span: Span, old: Alignment, new: Alignment, new_text: str) -> Span | None:
    """The span on the new text when its exact text survives there; otherwise None."""
    raw_start, raw_end = old.to_raw(span.start, span.end)
    target = new.to_clean(raw_start, raw_end)
    if target is None or new_text[target[0] : target[1]] != span.text:
        return None
    return span.model_copy(update={"start": target[0], "end": target[1]})


def move_set(aset: AnnotationSet, old: Alignment, new: Alignment, new_text: str) -> Moved:
    moved = {span.id: move_span(span, old, new, new_text) for span in aset.spans}
    kept_spans = [span for span in moved.values() if span is not None]
    kept_relations: list[Relation] = []
    review_relations: list[Relation] = []
    for relation in aset.relations:
        both_moved = moved.get(relation.head) is not None and moved.get(relation.tail) is not None
        (kept_relations if both_moved else review_relations).append(relation)
    # A relation set aside keeps its (old) ends with it, so the review file is self-contained.
    review_ids = {s.id for s in aset.spans if moved[s.id] is None} | {end for r in review_relations for end in (r.head, r.tail)}
    review_spans = [span for span in aset.spans if span.id in review_ids]
    return Moved(
        kept=aset.model_copy(update={"spans": kept_spans, "relations": kept_relations}),
        review=aset.model_copy(update={"spans": review_spans, "relations": review_relations}),
    )


@dataclass
class RealignReport:
    files: list[str] = field(default_factory=list)
    moved: int = 0
    review: list[tuple[str, str, Span]] = field(default_factory=list)  # (doc, set, span)
    review_relations: int = 0

    def review_lines(self) -> list[str]:
        return [f"realign: {doc}: {name}/span {span.id}: {span.label} {span.text!r} at [{span.start}, {span.end}) "
                f"does not survive in the new text; kept in annotations/{REVIEW_DIR}/{doc}.json"
                for doc, name, span in self.review]

    def summary(self) -> str:
        return (f"realign: {len(self.files)} annotation files moved to their new texts, {self.moved} spans re-anchored, "
                f"{len(self.review)} spans and {self.review_relations} relations set aside in annotations/{REVIEW_DIR}/")


def realign_file(root: Root, annotation: AnnotationFile, old_corpus: Path) -> tuple[AnnotationFile, AnnotationFile]:
    """The annotation file on the new text, and the review file (over the old text) of what did not move."""
    doc = load_document(root, annotation.document_id)
    old_sidecar = read_model(old_corpus / f"{doc.id}.json", CorpusSidecar)
    if old_sidecar.text_sha256 != annotation.text_sha256:
        raise PeacetalksError(f"{old_corpus / f'{doc.id}.json'}: {doc.id}: not the text the annotations were made on "
                              f"(text_sha256 {old_sidecar.text_sha256[:12]}…, annotations need {annotation.text_sha256[:12]}…)")
    if old_sidecar.raw_sha256 != doc.sidecar.raw_sha256 or old_sidecar.raw_basis != doc.sidecar.raw_basis:
        raise PeacetalksError(f"{root.corpus_sidecar(doc.id)}: {doc.id}: the raw text itself changed; realign maps only cleaner changes")
    old, new = Alignment(tuple(old_sidecar.alignment)), Alignment(tuple(doc.sidecar.alignment))
    try:
        moved = {name: move_set(aset, old, new, doc.text) for name, aset in annotation.annotators.items()}
    except ValueError as exc:  # a span the old alignment does not cover: the file or the old sidecar is broken
        raise PeacetalksError(f"{root.annotation_file(doc.id)}: {doc.id}: cannot move its spans through "
                              f"{old_corpus / f'{doc.id}.json'}: {exc}; run `peacetalks validate` on the old corpus") from exc
    kept = annotation.model_copy(update={"text_sha256": doc.sidecar.text_sha256, "annotators": {n: m.kept for n, m in moved.items()}})
    review = annotation.model_copy(update={"annotators": {n: m.review for n, m in moved.items() if m.review.spans}})
    return kept, review


def realign_root(root: Root, old_corpus: Path) -> RealignReport:
    """Realign every annotation file whose text changed; review files are written before the moved files."""
    if not old_corpus.is_dir():
        raise PeacetalksError(f"{old_corpus}: --old-corpus is not a folder (give the corpus/ the annotations were made on)")
    report = RealignReport()
    for annotation in progress(iter_annotation_files(root), desc="realign"):
        doc_id = annotation.document_id
        if annotation.text_sha256 == load_document(root, doc_id).sidecar.text_sha256:
            continue
        kept, review = realign_file(root, annotation, old_corpus)
        review_path = root.annotations / REVIEW_DIR / f"{doc_id}.json"
        if review.annotators:
            if review_path.exists():
                raise PeacetalksError(f"{review_path}: {doc_id}: an earlier review is still pending; resolve it first")
            write_model(review_path, canonical(review))
        write_annotation_file(root, kept)
        report.files.append(doc_id)
        report.moved += sum(len(aset.spans) for aset in kept.annotators.values())
        for name, aset in review.annotators.items():
            moved_ids = {span.id for span in kept.annotators[name].spans}
            report.review += [(doc_id, name, span) for span in aset.spans if span.id not in moved_ids]
        report.review_relations += sum(len(aset.relations) for aset in review.annotators.values())
    return report
