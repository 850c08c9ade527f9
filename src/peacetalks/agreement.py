"""Agreement stage, I/O (annotation files, clean texts, the report files): inter-annotator agreement between two independent annotation sets.

Measured per layer and per label: span F1 (exact offsets and label; overlapping
with the same label), token-level Krippendorff's alpha (nominal, two coders,
tokens from :mod:`peacetalks.bio` with both annotators' span edges as breaks),
and attribution agreement (for quotes both annotators marked, do they link the
same source and the same cue?).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from .bio import OUTSIDE, tokenize
from .models import AnnotationFile, AnnotationSet, Span
from .schema import Schema
from .storage import PeacetalksError, Root, canonical_json, read_text

REPORT_DIR = "agreement"  # inside annotations/: a folder, so it is never taken for an annotation file
REPORT_JSON = "agreement.json"
REPORT_MD = "AGREEMENT.md"


@dataclass
class Tally:
    """Counts for F1: spans of A, spans of B, spans matched."""

    a: int = 0
    b: int = 0
    matched: int = 0

    def add(self, a: int, b: int, matched: int) -> None:
        self.a, self.b, self.matched = self.a + a, self.b + b, self.matched + matched

    @property
    def f1(self) -> float | None:
        return 2 * self.matched / (self.a + self.b) if self.a + self.b else None


@dataclass
class Agreement:
    """Everything measured over a set of documents."""

    documents: list[str] = field(default_factory=list)
    exact: dict[str, Tally] = field(default_factory=dict)
    overlap: dict[str, Tally] = field(default_factory=dict)
    units: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # layer → token label pairs
    quotes_compared: int = 0
    sources_agree: int = 0
    cues_agree: int = 0
    attributions_agree: int = 0


def spans_of(aset: AnnotationSet, labels: set[str]) -> list[Span]:
    return [s for s in aset.spans if s.label in labels]


def exact_matches(a: list[Span], b: list[Span]) -> int:
    remaining = Counter((s.start, s.end, s.label) for s in b)
    count = 0
    for span in a:
        key = (span.start, span.end, span.label)
        if remaining[key]:
            remaining[key] -= 1
            count += 1
    return count


def overlap_pairs(a: list[Span], b: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one pairs of same-label overlapping spans, greedily by largest overlap."""
    candidates = sorted(
        ((min(x.end, y.end) - max(x.start, y.start), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
         if x.label == y.label and x.start < y.end and y.start < x.end),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def token_labels(tokens: list[tuple[int, int]], spans: list[Span]) -> list[str]:
    labels = [OUTSIDE] * len(tokens)
    for span in spans:
        for i, (start, end) in enumerate(tokens):
            if span.start <= start and end <= span.end:
                labels[i] = span.label
    return labels


def linked(aset: AnnotationSet, quote: Span, relation: str | None) -> set[tuple[int, int]]:
    spans = {s.id: s for s in aset.spans}
    return {(spans[r.tail].start, spans[r.tail].end) for r in aset.relations
            if r.head == quote.id and r.label == relation and r.tail in spans}


def overlaps_any(a: set[tuple[int, int]], b: set[tuple[int, int]]) -> bool:
    """Both empty, or some span of one overlaps some span of the other."""
    return (not a and not b) or any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)


def add_document(result: Agreement, text: str, a: AnnotationSet, b: AnnotationSet, schema: Schema) -> None:
    for layer in schema.layers:
        labels = set(layer.exported_labels)
        a_spans, b_spans = spans_of(a, labels), spans_of(b, labels)
        pairs = overlap_pairs(a_spans, b_spans)
        for label in sorted(labels):
            a_l = [s for s in a_spans if s.label == label]
            b_l = [s for s in b_spans if s.label == label]
            result.exact.setdefault(label, Tally()).add(len(a_l), len(b_l), exact_matches(a_l, b_l))
            result.overlap.setdefault(label, Tally()).add(len(a_l), len(b_l), sum(1 for x, _ in pairs if x.label == label))
        result.exact.setdefault(f"layer:{layer.name}", Tally()).add(len(a_spans), len(b_spans), exact_matches(a_spans, b_spans))
        result.overlap.setdefault(f"layer:{layer.name}", Tally()).add(len(a_spans), len(b_spans), len(pairs))
        tokens = tokenize(text, {e for s in a_spans + b_spans for e in (s.start, s.end)})
        result.units.setdefault(layer.name, []).extend(zip(token_labels(tokens, a_spans), token_labels(tokens, b_spans)))
        source, cue = schema.relation_roles.get("source"), schema.relation_roles.get("cue")
        for quote_a, quote_b in (p for p in pairs if p[0].label == schema.label_roles.get("quote")):
            same_source = overlaps_any(linked(a, quote_a, source), linked(b, quote_b, source))
            same_cue = overlaps_any(linked(a, quote_a, cue), linked(b, quote_b, cue))
            result.quotes_compared += 1
            result.sources_agree += same_source
            result.cues_agree += same_cue
            result.attributions_agree += same_source and same_cue


def krippendorff_alpha_nominal(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Krippendorff's alpha for two coders and nominal values (every unit coded by both)."""
    coincidences: Counter[tuple[str, str]] = Counter()
    for x, y in pairs:
        coincidences[(x, y)] += 1
        coincidences[(y, x)] += 1
    totals: Counter[str] = Counter()
    for (x, _), count in coincidences.items():
        totals[x] += count
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(count for (x, y), count in coincidences.items() if x != y) / n
    expected = sum(totals[x] * totals[y] for x in totals for y in totals if x != y) / (n * (n - 1))
    return 1.0 if expected == 0 else 1 - observed / expected


def measure(files: Iterable[tuple[AnnotationFile, str]], first: str, second: str, schema: Schema) -> Agreement:
    """Agreement between annotators ``first`` and ``second`` over every file holding both.

    Refuses two names for one annotator, and a pair no file holds (a report of nothing would
    overwrite the real one).
    """
    if first == second:
        raise PeacetalksError(f"--first and --second are both {first!r}: agreement needs two annotators")
    result, seen = Agreement(), set[str]()
    for annotation, text in files:
        seen.update(annotation.annotators)
        if first in annotation.annotators and second in annotation.annotators:
            result.documents.append(annotation.document_id)
            add_document(result, text, annotation.annotators[first], annotation.annotators[second], schema)
    if not result.documents:
        raise PeacetalksError(f"annotations/: no file holds both {first!r} and {second!r} (annotators found: "
                              f"{', '.join(sorted(seen)) or 'none'}); report left as it was")
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def as_report(result: Agreement, first: str, second: str, schema: Schema) -> dict[str, Any]:
    per_label = {
        label: {"spans_a": result.exact[label].a, "spans_b": result.exact[label].b,
                "exact_f1": _round(result.exact[label].f1), "overlap_f1": _round(result.overlap[label].f1),
                "token_alpha": _round(krippendorff_alpha_nominal(
                    (x == label and x or OUTSIDE, y == label and y or OUTSIDE)
                    for x, y in result.units.get(schema.layer_of[label], [])))}
        for label in sorted(result.exact) if not label.startswith("layer:")
    }
    per_layer = {
        layer.name: {"exact_f1": _round(result.exact[f"layer:{layer.name}"].f1), "overlap_f1": _round(result.overlap[f"layer:{layer.name}"].f1),
                     "token_alpha": _round(krippendorff_alpha_nominal(result.units.get(layer.name, []))),
                     "tokens": len(result.units.get(layer.name, []))}
        for layer in schema.layers if f"layer:{layer.name}" in result.exact
    }
    q = result.quotes_compared
    attribution = {"quotes_compared": q, "source_agreement": _round(result.sources_agree / q) if q else None,
                   "cue_agreement": _round(result.cues_agree / q) if q else None,
                   "attribution_agreement": _round(result.attributions_agree / q) if q else None}
    return {"annotators": [first, second], "documents": result.documents, "schema_version": schema.version,
            "layers": per_layer, "labels": per_label, "attribution": attribution,
            "reference": {"corpus": "PolNeAR", "token_alpha": 0.754, "attribution_agreement": 0.923}}


def _cell(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def agreement_tables(report: dict[str, Any]) -> str:
    """The per-layer, per-label and attribution tables of a report, in Markdown."""
    first, second = report["annotators"]
    lines = [
        "| layer | tokens | token α | span exact F1 | span overlap F1 |", "|---|---|---|---|---|",
        *(f"| {name} | {v['tokens']} | {_cell(v['token_alpha'])} | {_cell(v['exact_f1'])} | {_cell(v['overlap_f1'])} |"
          for name, v in report["layers"].items()),
        "", f"| label | spans {first} | spans {second} | token α | exact F1 | overlap F1 |", "|---|---|---|---|---|---|",
        *(f"| {name} | {v['spans_a']} | {v['spans_b']} | {_cell(v['token_alpha'])} | {_cell(v['exact_f1'])} | {_cell(v['overlap_f1'])} |"
          for name, v in report["labels"].items()),
        "", "| attribution | value |", "|---|---|",
        *(f"| {key.replace('_', ' ')} | {_cell(value)} |" for key, value in report["attribution"].items()),
    ]
    return "\n".join(lines)


def as_markdown(report: dict[str, Any]) -> str:
    first, second = report["annotators"]
    return "\n".join([
        "# Inter-annotator agreement", "",
        f"Generated by `peacetalks agreement` from `annotations/` ({first} vs {second}, {len(report['documents'])} documents, "
        f"schema {report['schema_version']}); do not edit by hand.", "",
        agreement_tables(report), "",
        "Reference (PolNeAR, quote attribution in news): token-wise α 0.754, attribution-level agreement 0.923.",
        "Token α is Krippendorff's alpha (nominal) over tokens labelled with their span's label or O; per label, the label against everything else.",
        "Attribution agreement: of the quotes both annotators marked (overlapping, same label), the share linked to overlapping sources and overlapping cues.",
        "Read these figures with `annotations/PROVENANCE.md`: who the annotators were bounds what their agreement shows.", "",
    ])


def report_files(root: Root, report: dict[str, Any]) -> dict[Path, str]:
    folder = root.annotations / REPORT_DIR
    return {folder / REPORT_JSON: canonical_json(report) + "\n", folder / REPORT_MD: as_markdown(report)}


def iter_with_texts(root: Root, annotations: Iterable[AnnotationFile]) -> Iterator[tuple[AnnotationFile, str]]:
    for annotation in annotations:
        yield annotation, read_text(root.corpus_text(annotation.document_id))
