"""Offline pre-annotation, pure: rule-based suggestions that annotators confirm or fix.

Two sources of suggestions, both shown in Label Studio as predictions:

- direct quotes: each quotation-mark pair around three or more words is a QUOTE (minus a
  trailing comma, trimmed), linked to the nearest reporting verb in its sentence (CUE) and
  to the capitalised name or pronoun next to that verb (SOURCE);
- entity mentions: every whole-word occurrence of a string that another document's gold
  set annotates as an entity, with that entity's label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .models import AnnotationSet, Provenance, Relation, Span
from .schema import Schema
from .textsearch import NameIndex, quoted_passages

METHOD = "peacetalks-preannotate"
CUE_VERBS = (
    "said", "says", "say", "told", "tells", "added", "adds", "stated", "states", "noted", "notes", "wrote", "writes",
    "declared", "announced", "asked", "replied", "insisted", "warned", "stressed", "emphasised", "emphasized",
    "explained", "claimed", "argued", "recalled", "remarked", "commented", "continued", "concluded",
)
CUE = re.compile(rf"\b(?:{'|'.join(CUE_VERBS)})\b")
PRONOUN = r"(?:he|she|they|we|I|He|She|They|We)"
NAME = r"(?:[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*)*"
SOURCE_BEFORE = re.compile(rf"(?<![\w-])({PRONOUN}|{NAME})\s+$")
SOURCE_AFTER = re.compile(rf"^\s+({PRONOUN}|{NAME})(?![\w-])")
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


def model_version(schema_version: str) -> str:
    return f"{METHOD}-{schema_version}"


# --- entity lexicon ----------------------------------------------------------------


def best_label(labels: Mapping[str, int], minus: Mapping[str, int]) -> str | None:
    """The most frequent label once ``minus`` is taken off (ties: alphabetical); None when none is left."""
    counted = [(minus.get(label, 0) - count, label) for label, count in labels.items() if count > minus.get(label, 0)]
    return min(counted)[1] if counted else None


def usable(text: str) -> bool:
    """Strings with surrounding whitespace (or empty) would project badly placed spans."""
    return bool(text) and text.strip() == text


def put(lexicon: dict[str, str], text: str, label: str | None) -> None:
    if label is None:
        lexicon.pop(text, None)
    else:
        lexicon[text] = label


@dataclass
class EntityLexicon:
    """Entity strings from gold sets, counted per document so one document can be left out.

    Totals over all documents are kept up to date as documents are added, so leaving one
    out costs that document's own strings, not a recount of every other document.
    """

    counts: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)  # doc → (text, label) → count
    totals: dict[str, Counter[str]] = field(default_factory=dict)  # text → label → count in all documents
    best: dict[str, str] = field(default_factory=dict)  # text → its label in all documents
    index: NameIndex = field(default_factory=NameIndex)  # every string added, to search texts for

    def add(self, doc_id: str, spans: Iterable[Span], entity_labels: set[str]) -> None:
        old = self.counts.get(doc_id, Counter())
        new = Counter((s.text, s.label) for s in spans if s.label in entity_labels and usable(s.text))
        self.counts[doc_id] = new
        for key in old.keys() | new.keys():
            self.totals.setdefault(key[0], Counter())[key[1]] += new[key] - old[key]
        for text in {text for text, _ in old.keys() | new.keys()}:
            put(self.best, text, best_label(self.totals[text], {}))
            self.index.add(text)

    def excluding(self, doc_id: str) -> dict[str, str]:
        """String → its most frequent label (ties: alphabetical) in every other document's gold."""
        own: dict[str, dict[str, int]] = {}
        for (text, label), count in self.counts.get(doc_id, Counter()).items():
            own.setdefault(text, {})[label] = count
        lexicon = dict(self.best)
        for text, labels in own.items():
            put(lexicon, text, best_label(self.totals[text], labels))
        return lexicon


# --- suggestions ---------------------------------------------------------------------


@dataclass
class _Builder:
    """Collects spans without duplicates (one id per (start, end, label)) and relations."""

    text: str
    spans: dict[tuple[int, int, str], Span] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def span(self, prefix: str, start: int, end: int, label: str) -> Span:
        key = (start, end, label)
        if key not in self.spans:
            self.spans[key] = Span(id=f"{prefix}{len(self.spans) + 1}", start=start, end=end, label=label, text=self.text[start:end])
        return self.spans[key]

    def relate(self, head: Span, tail: Span, label: str) -> None:
        self.relations.append(Relation(id=f"{head.id}-{label}-{tail.id}", head=head.id, tail=tail.id, label=label))


def quote_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The quote inside a quotation-mark pair: trimmed, without a trailing comma."""
    inner = text[start:end].rstrip()
    inner = inner[:-1].rstrip() if inner.endswith(",") else inner
    lead = len(inner) - len(inner.lstrip())
    return (start + lead, start + len(inner)) if inner.strip() else None


def sentence_window(text: str, open_at: int, close_at: int) -> tuple[int, int]:
    """Where the sentence around a quotation lies outside the marks ``text[open_at]`` … ``text[close_at]``.

    A quote ending in ``.``, ``!`` or ``?`` ends its sentence, so nothing after it counts.
    """
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, open_at)]
    left = before[-1] if before else 0
    if re.search(r"[.!?]\s*$", text[open_at + 1 : close_at]):
        return left, close_at + 1
    after = SENTENCE_END.search(text, close_at + 1)
    return left, after.start() if after else len(text)


def nearest_cue(text: str, open_at: int, close_at: int, quoted: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The reporting verb closest to the quotation marks within their sentence, not inside any quotation."""
    left, right = sentence_window(text, open_at, close_at)
    candidates = [(open_at - m.end(), m.start(), m.end()) for m in CUE.finditer(text, left, open_at)]
    candidates += [(m.start() - close_at, m.start(), m.end()) for m in CUE.finditer(text, close_at + 1, right)]
    outside = [c for c in candidates if not any(a <= c[1] < b for a, b in quoted)]
    return min(outside)[1:] if outside else None


def source_next_to(text: str, cue_start: int, cue_end: int) -> tuple[int, int] | None:
    """A pronoun or capitalised name right before the cue (``Trump said``) or right after it (``said Peskov``)."""
    line_start = text.rfind("\n", 0, cue_start) + 1
    before = SOURCE_BEFORE.search(text[line_start:cue_start])
    if before:
        return line_start + before.start(1), line_start + before.end(1)
    line_end = text.find("\n", cue_end)
    after = SOURCE_AFTER.match(text[cue_end : len(text) if line_end < 0 else line_end])
    return (cue_end + after.start(1), cue_end + after.end(1)) if after else None


def add_quotes(builder: _Builder, schema: Schema) -> None:
    """QUOTE, CUE and SOURCE suggestions: whichever labels and relations play those roles in the schema."""
    text, labels, relations = builder.text, schema.label_roles, schema.relation_roles
    if "quote" not in labels:
        return
    passages = list(quoted_passages(text))
    quoted = [(start - 1, end + 1) for start, end in passages]  # with their marks
    for start, end in passages:
        bounds = quote_bounds(text, start, end)
        if bounds is None:
            continue
        quote = builder.span("q", *bounds, labels["quote"])
        cue_at = nearest_cue(text, start - 1, end, quoted)
        if cue_at is None or "cue" not in labels or "cue" not in relations:
            continue
        builder.relate(quote, builder.span("c", *cue_at, labels["cue"]), relations["cue"])
        source_at = source_next_to(text, *cue_at)
        if source_at is not None and "source" in labels and "source" in relations:
            builder.relate(quote, builder.span("s", *source_at, labels["source"]), relations["source"])


def entity_mentions(text: str, lexicon: Mapping[str, str], index: NameIndex) -> list[tuple[int, int, str]]:
    """Whole-word mentions of lexicon strings as (start, end, label), in the order they are placed.

    Longest strings first (ties alphabetical); one string's occurrences left to right, each
    starting after the previous one ends (as ``re.finditer`` finds them); a mention
    overlapping one already placed is left out (no overlaps in a layer).
    """
    starts: dict[str, list[int]] = {}
    for name, start in index.occurrences(text):
        if name in lexicon:
            starts.setdefault(name, []).append(start)
    taken = bytearray(len(text))  # 1 under every placed mention
    placed = []
    for name in sorted(starts, key=lambda n: (-len(n), n)):
        previous_end = 0
        for start in starts[name]:
            if start < previous_end:
                continue
            previous_end = end = start + len(name)
            if taken.find(1, start, end) < 0:
                taken[start:end] = b"\1" * len(name)
                placed.append((start, end, lexicon[name]))
    return placed


def preannotate(text: str, lexicon: Mapping[str, str], schema: Schema, index: NameIndex | None = None) -> AnnotationSet:
    """Suggested spans and relations for one clean text; ``lexicon`` maps entity strings to labels.

    ``index`` may hold more strings than ``lexicon`` (only the lexicon's are used): one index
    built once serves every document's lexicon.
    """
    builder = _Builder(text)
    add_quotes(builder, schema)
    for start, end, label in entity_mentions(text, lexicon, NameIndex(lexicon) if index is None else index):
        builder.span("e", start, end, label)
    provenance = Provenance(annotator=METHOD, method="rule-based pre-annotation", guidelines_version=schema.version)
    spans = sorted(builder.spans.values(), key=lambda s: (s.start, s.end, s.label))
    return AnnotationSet(provenance=provenance, spans=spans, relations=builder.relations)
