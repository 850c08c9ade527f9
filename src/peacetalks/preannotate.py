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
from .validate import quoted_passages

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


@dataclass
class EntityLexicon:
    """Entity strings from gold sets, counted per document so one document can be left out."""

    counts: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)  # doc → (text, label) → count

    def add(self, doc_id: str, spans: Iterable[Span], entity_labels: set[str]) -> None:
        self.counts[doc_id] = Counter((s.text, s.label) for s in spans if s.label in entity_labels)

    def excluding(self, doc_id: str) -> dict[str, str]:
        """String → its most frequent label (ties: alphabetical) in every other document's gold."""
        total: Counter[tuple[str, str]] = Counter()
        for other, counts in self.counts.items():
            if other != doc_id:
                total.update(counts)
        best: dict[str, tuple[int, str]] = {}
        for (text, label), count in sorted(total.items()):
            if text.strip() == text and text and (text not in best or count > best[text][0]):
                best[text] = (count, label)
        return {text: label for text, (_, label) in best.items()}


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


def add_quotes(builder: _Builder) -> None:
    text = builder.text
    passages = list(quoted_passages(text))
    quoted = [(start - 1, end + 1) for start, end in passages]  # with their marks
    for start, end in passages:
        bounds = quote_bounds(text, start, end)
        if bounds is None:
            continue
        quote = builder.span("q", *bounds, "QUOTE")
        cue_at = nearest_cue(text, start - 1, end, quoted)
        if cue_at is None:
            continue
        cue = builder.span("c", *cue_at, "CUE")
        builder.relate(quote, cue, "cue")
        source_at = source_next_to(text, *cue_at)
        if source_at is not None:
            builder.relate(quote, builder.span("s", *source_at, "SOURCE"), "source")


def add_entities(builder: _Builder, lexicon: Mapping[str, str]) -> None:
    """Longest strings first; a mention overlapping one already placed is left out (no overlaps in a layer)."""
    taken: list[tuple[int, int]] = []
    for name in sorted(lexicon, key=lambda n: (-len(n), n)):
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", builder.text):
            if not any(a < match.end() and match.start() < b for a, b in taken):
                taken.append((match.start(), match.end()))
                builder.span("e", match.start(), match.end(), lexicon[name])


def preannotate(text: str, lexicon: Mapping[str, str], schema_version: str) -> AnnotationSet:
    """Suggested spans and relations for one clean text; ``lexicon`` maps entity strings to labels."""
    builder = _Builder(text)
    add_quotes(builder)
    add_entities(builder, lexicon)
    provenance = Provenance(annotator=METHOD, method="rule-based pre-annotation", guidelines_version=schema_version)
    spans = sorted(builder.spans.values(), key=lambda s: (s.start, s.end, s.label))
    return AnnotationSet(provenance=provenance, spans=spans, relations=builder.relations)
