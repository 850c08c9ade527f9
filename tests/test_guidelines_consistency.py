"""Issue 18: the guidelines, the schema's label descriptions and examples, and the gold say the same thing.

Read as a specification: every labelled guideline example `[text]LABEL` of the entity layer is the gold
label of that surface wherever it occurs; no two sections label one surface differently; every schema
label is defined in the guidelines by its own description and its examples are gold spans of it; the
guidelines state one rule for where a cue may stand, and the gold's split quotes follow it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from conftest import REPO

from peacetalks.annotations import iter_annotation_files
from peacetalks.models import GOLD, Span
from peacetalks.schema import Schema, load_schema
from peacetalks.storage import Root
from peacetalks.textsearch import NameIndex

GUIDELINES = REPO / "schema" / "GUIDELINES.md"
LOG_HEADING = "\n## 5. Decision log"  # the log records history (old decisions stay as written); the rules are above it
LABELLED = re.compile(r"\[([^\[\]]+)\]([A-Z][A-Z_]*)")
UNLABELLED = re.compile(r"\[([^\[\]]+)\](?![\w\]])")  # `[U.S.]` in a list under a label's heading
QUOTATION_MARKS = "“”\"«»‘"  # not ’: it is also the apostrophe
SENTENCE_END = re.compile(r"(?<![A-Z])[.!?](?=\s+[A-Z“\"‘])")  # "U.S. Secretary" is no sentence end


@dataclass(frozen=True)
class Statement:
    """One place where the guidelines (or the schema) say that a surface has a label."""

    surface: str
    label: str
    where: str  # section heading, or "schema.json"


@dataclass(frozen=True)
class Document:
    doc_id: str
    text: str
    spans: tuple[Span, ...]
    relations: dict[str, dict[str, Span]]  # quote id → relation label → tail span


@cache
def schema() -> Schema:
    return load_schema(Root(REPO))


@cache
def documents() -> tuple[Document, ...]:
    found = []
    for annotation in iter_annotation_files(Root(REPO)):
        gold = annotation.annotators[GOLD]
        by_id = {s.id: s for s in gold.spans}
        relations: dict[str, dict[str, Span]] = defaultdict(dict)
        for relation in gold.relations:
            relations[relation.head][relation.label] = by_id[relation.tail]
        text = Root(REPO).corpus_text(annotation.document_id).read_text(encoding="utf-8")
        found.append(Document(annotation.document_id, text, tuple(gold.spans), dict(relations)))
    return tuple(found)


def rules_text() -> str:
    return GUIDELINES.read_text(encoding="utf-8").split(LOG_HEADING)[0]


def sections() -> Iterator[tuple[str, str]]:
    """(heading, body) of every `###` section of the rules."""
    for chunk in re.split(r"\n(?=#{2,3} )", rules_text()):
        heading, _, body = chunk.partition("\n")
        yield heading.lstrip("# ").strip(), body


def guideline_statements() -> list[Statement]:
    """Every `[text]LABEL`, and every bare `[text]` under a heading that names a label (`### 2.3 GPE`)."""
    labels = set(schema().layer_of)
    found = []
    for heading, body in sections():
        found += [Statement(m[1], m[2], heading) for m in LABELLED.finditer(body) if m[2] in labels]
        heading_label = heading.split()[-1] if heading else ""
        if heading_label in labels:
            found += [Statement(m[1], heading_label, heading) for m in UNLABELLED.finditer(body)]
    return found


def schema_statements() -> list[Statement]:
    return [Statement(example, label.name, "schema.json") for layer in schema().layers for label in layer.labels for example in label.examples]


def entity_statements(statements: list[Statement]) -> list[Statement]:
    """Statements about a concrete surface in a complete-mentions layer (an elided `…` example names no surface)."""
    return [s for s in statements if s.label in schema().mention_labels and "…" not in s.surface]


def layer_spans(doc: Document, label: str) -> list[Span]:
    layer = schema().layer_of[label]
    return [s for s in doc.spans if schema().layer_of.get(s.label) == layer]


def disagreements(statement: Statement) -> list[str]:
    """Where the gold gives a whole-word occurrence of the surface another label than the statement (or none).

    An occurrence inside a longer span of the layer is not a mention of its own (§1: the longest span wins)."""
    found = []
    for doc in documents():
        spans = layer_spans(doc, statement.label)
        for _, start in NameIndex([statement.surface]).occurrences(doc.text):
            end = start + len(statement.surface)
            exact = [s.label for s in spans if (s.start, s.end) == (start, end)]
            inside_longer = any(s.start <= start and end <= s.end and s.end - s.start > end - start for s in spans)
            if exact != [statement.label] and not (not exact and inside_longer):
                found.append(f"{doc.doc_id} at {start}: {statement.surface!r} is {exact[0] if exact else 'no span'} in gold, "
                             f"{statement.where} says {statement.label}")
    return found


def occurs(surface: str) -> bool:
    return any(next(NameIndex([surface]).occurrences(doc.text), None) for doc in documents())


# --- (a) guideline examples are the gold labels of their surfaces ------------------------------------------


def test_every_labelled_entity_example_in_the_guidelines_is_the_gold_label_of_that_surface_everywhere() -> None:
    # No exception list: every surface the guidelines label has that one label in every use in the corpus.
    checked = [s for s in entity_statements(guideline_statements()) if occurs(s.surface)]
    assert len(checked) > 100  # the parser still finds the examples
    problems = sorted({problem for statement in checked for problem in disagreements(statement)})
    assert problems == []


# --- (b) schema descriptions and examples --------------------------------------------------------------------


def test_every_schema_label_is_defined_in_the_guidelines_by_its_schema_description_word_for_word() -> None:
    rules = rules_text()
    missing = [label.name for layer in schema().layers for label in layer.labels if f"| {label.name} | {label.description} |" not in rules]
    assert missing == []


def test_every_schema_label_example_is_a_gold_span_of_that_label() -> None:
    missing = [f"{s.label} {s.surface!r}" for s in schema_statements()
               if not any(span.label == s.label and span.text == s.surface for doc in documents() for span in doc.spans)]
    assert missing == []


def test_every_schema_entity_example_is_the_gold_label_of_that_surface_everywhere() -> None:
    problems = sorted({problem for statement in entity_statements(schema_statements()) for problem in disagreements(statement)})
    assert problems == []


# --- (d) one label per surface and layer across the guidelines and the schema ------------------------------------


def test_no_two_guideline_sections_or_schema_examples_give_one_surface_two_labels_in_a_layer() -> None:
    labels_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for statement in guideline_statements() + schema_statements():
        key = (schema().layer_of[statement.label], statement.surface)
        labels_of[key].add(statement.label)
        where[key].add(f"{statement.where}: {statement.label}")
    assert {key: sorted(where[key]) for key, labels in labels_of.items() if len(labels) > 1} == {}


# --- (c) one rule for where a cue may stand, and the gold's split quotes follow it ------------------------------


def bullets(text: str) -> list[str]:
    """Top-level list items with their continuation lines (a numbered sub-list stays in its bullet)."""
    return [item for item in re.split(r"\n(?=- )", text) if item.startswith("- ")]


def test_the_guidelines_state_where_a_cue_may_stand_once_and_that_rule_covers_split_quotes() -> None:
    placement = [item for item in bullets(rules_text()) if re.search(r"\bcue (?:must|may) (?:be|stand)\b", item, re.IGNORECASE)]
    assert len(placement) == 1, placement
    assert "split quote" in placement[0]


@dataclass(frozen=True)
class SplitQuote:
    doc_id: str
    first: Span
    second: Span


def quotes(doc: Document) -> list[Span]:
    return sorted((s for s in doc.spans if s.label == schema().label_roles["quote"]), key=lambda s: s.start)


def split_quotes(doc: Document) -> Iterator[SplitQuote]:
    """`“A,” X said. “B”`: B opens right after A's attribution — same paragraph, one sentence, no mark and no other cue between."""
    source, cue = schema().relation_roles["source"], schema().relation_roles["cue"]
    cues = [s for s in doc.spans if s.label == schema().label_roles["cue"]]
    for first, second in zip(quotes(doc), quotes(doc)[1:]):
        gap = doc.text[first.end:second.start]
        between = re.fullmatch(r"[,.!?]?[”\"’»]\s+(.+?)\s*[“\"‘«]", gap, re.DOTALL)
        told = doc.relations.get(first.id, {})
        if (between is None or "\n" in gap or SENTENCE_END.search(between[1]) or any(mark in between[1] for mark in QUOTATION_MARKS)
                or cue not in told or source not in told):
            continue
        in_gap = [s for s in (told[source], told[cue]) if first.end <= s.start and s.end <= second.start]
        other_cues = [s for s in cues if first.end <= s.start < second.start and s != told[cue]]
        if len(in_gap) == 2 and not other_cues:
            yield SplitQuote(doc.doc_id, first, second)


def test_the_second_half_of_every_split_quote_shares_the_first_halfs_source_and_cue() -> None:
    found = [pair for doc in documents() for pair in split_quotes(doc)]
    assert len(found) >= 3  # 001 Galuzin and Fesenko, 004 Hegseth: the detector still sees them
    relations_of = {doc.doc_id: doc.relations for doc in documents()}
    differ = [f"{p.doc_id} {p.second.id} at {p.second.start}" for p in found
              if relations_of[p.doc_id].get(p.second.id) != relations_of[p.doc_id].get(p.first.id)]
    assert differ == []


def test_every_other_cue_stands_in_its_quotes_sentence_or_the_colon_sentence() -> None:
    cue = schema().relation_roles["cue"]
    misplaced = []
    for doc in documents():
        continuations = {pair.second.id for pair in split_quotes(doc)}
        for quote in quotes(doc):
            reporting = doc.relations.get(quote.id, {}).get(cue)
            if reporting is None or quote.id in continuations:
                continue
            between = doc.text[reporting.end:quote.start] if reporting.end <= quote.start else doc.text[quote.end:reporting.start]
            if "\n" in between or SENTENCE_END.search(between):
                misplaced.append(f"{doc.doc_id} {quote.id}: cue {reporting.text!r} at {reporting.start} is in another sentence")
    assert misplaced == []


@pytest.mark.parametrize("surface", ["Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Crimea", "Kursk region"])
def test_the_administrative_divisions_are_gpe_in_the_guidelines_schema_and_gold(surface: str) -> None:
    """D21: the issue's oblasts and Crimea, checked by name so a revert of the decision cannot pass unnoticed."""
    statements = [s for s in guideline_statements() + schema_statements() if s.surface == surface]
    assert statements and {s.label for s in statements} == {"GPE"}
    assert occurs(surface) and disagreements(Statement(surface, "GPE", "D21")) == []
