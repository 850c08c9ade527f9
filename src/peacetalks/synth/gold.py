"""Synth, no I/O: annotations placed on a clean text, complete by construction, and two annotators' variants of them."""

from __future__ import annotations

import random

from ..annotations import canonical
from ..models import GOLD, AnnotationFile, AnnotationSet, Provenance, Relation, Span
from ..schema import Schema
from ..storage import sha256_text
from .article import Mark, Paragraph
from .vocabulary import ENTITIES, ENTITY_PATTERN, LABEL_OF

ANNOTATORS = ("ann1", "ann2")


def entity_spans(text: str) -> list[Span]:
    """Every whole-word mention of a known name (longest first): gold is complete by construction."""
    return [Span(id=f"e{i}", start=m.start(), end=m.end(), label=m.lastgroup or LABEL_OF[m.group()], text=m.group())
            for i, m in enumerate(ENTITY_PATTERN.finditer(text), start=1)]


def attribution_layer(text: str, paragraphs: tuple[Paragraph, ...]) -> tuple[list[Span], list[Relation]]:
    """Quotes, sources, cues and scare quotes of the paragraphs the cleaner kept, with their relations."""
    spans: list[Span] = []
    relations: list[Relation] = []
    cursor = 0

    def place(offset: int, mark: Mark) -> Span:
        start, end = offset + mark.start, offset + mark.end
        span = Span(id=f"a{len(spans) + 1}", start=start, end=end, label=mark.label, text=text[start:end])
        spans.append(span)
        return span

    for paragraph in paragraphs:
        offset = text.find(paragraph.text, cursor)
        if offset < 0:  # the cleaner dropped it: nothing to annotate
            continue
        cursor = offset + len(paragraph.text)
        for mark in paragraph.not_speech:
            place(offset, mark)
        for attribution in paragraph.attributions:
            quote = place(offset, attribution.quote)
            for name, mark in (("source", attribution.source), ("cue", attribution.cue)):
                relations.append(Relation(id=f"r{len(relations) + 1}", head=quote.id, tail=place(offset, mark).id, label=name))
    return spans, relations


def annotator_variant(gold: AnnotationSet, rng: random.Random, name: str) -> AnnotationSet:
    """An annotator's set: gold with some spans missed, some entities relabelled, some names cut to the surname."""
    spans: list[Span] = []
    for span in gold.spans:
        roll = rng.random()
        if roll < 0.06:
            continue
        if roll < 0.09 and span.label in ENTITIES:
            span = span.model_copy(update={"label": rng.choice(sorted(ENTITIES))})
        elif roll < 0.12 and span.label == "PERSON" and " " in span.text:
            cut = span.text.rindex(" ") + 1
            span = span.model_copy(update={"start": span.start + cut, "text": span.text[cut:]})
        spans.append(span)
    kept = {span.id for span in spans}
    relations = [r for r in gold.relations if r.head in kept and r.tail in kept and rng.random() > 0.03]
    provenance = Provenance(annotator=name, method="synthetic", guidelines_version="1.0.0", tool="peacetalks synth")
    return AnnotationSet(provenance=provenance, spans=spans, relations=relations)


def annotation_for(doc_id: str, text: str, paragraphs: tuple[Paragraph, ...], schema: Schema, rng: random.Random) -> AnnotationFile:
    attribution_spans, relations = attribution_layer(text, paragraphs)
    provenance = Provenance(annotator=GOLD, method="synthetic", guidelines_version="1.0.0", tool="peacetalks synth")
    gold = AnnotationSet(provenance=provenance, spans=entity_spans(text) + attribution_spans, relations=relations)
    sets = {name: annotator_variant(gold, rng, name) for name in ANNOTATORS} | {GOLD: gold}
    return canonical(AnnotationFile(document_id=doc_id, text_sha256=sha256_text(text), schema_version=schema.version, annotators=sets))
