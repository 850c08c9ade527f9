"""Spans ↔ tokens ↔ BIO tags, pure functions (no I/O).

The tokenizer is a deterministic regular expression: a token is a number
(``2022``, ``3.5``, ``500,000``), a word (letters, digits and underscores, with
inner apostrophes: ``Trump's``, ``don’t``), or any other single non-space
character (punctuation, symbols). Whitespace is never part of a token.

Span boundaries are *forced break points*: the text is tokenised piece by piece
between consecutive boundaries, so no token ever crosses a span edge. Hence
``Trump's`` with a span over ``Trump`` becomes ``Trump`` + ``'s``, and converting
spans → BIO → spans gives back exactly the spans, which :func:`check_round_trip`
proves for every document at build time (it raises instead of dropping a span).
The same proof is the registered rule ``bio-round-trip`` (:func:`check_bio_round_trip`, scope
``release``: run by the build on the gold set it releases, not by ``validate``, whose span rules
imply it).

Released tokens come in **sentence rows** (:func:`sentence_rows`, sentences from
:mod:`peacetalks.sentences`): a row never ends inside a span, except one of the schema's quote label
(long quotes run over several sentences), which goes on into the next row: that row starts with
``I-QUOTE``. So the rows of a document, joined in order, are its token sequence and its BIO tags, and
decoding the joined tags gives back every span, quotes whole; the proof decodes the rows.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .models import AnnotationSet, Span
from .problems import Place, Problem, check
from .schema import LayerDef, Schema
from .sentences import split_sentences

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*|[^\w\s]")
OUTSIDE = "O"
ROUND_TRIP_RULE = "bio-round-trip"

Offsets = tuple[int, int]


@dataclass(frozen=True)
class LabelledSpan:
    """The part of a span that BIO tagging can carry: where it is and its label."""

    start: int
    end: int
    label: str


class RoundTripError(ValueError):
    """A span that BIO tags cannot reproduce exactly; ``span`` names it."""

    def __init__(self, span: LabelledSpan, message: str) -> None:
        self.detail = f"{span.label} [{span.start}, {span.end}): {message}"
        super().__init__(f"{ROUND_TRIP_RULE}: {self.detail}")
        self.span = span


def tokenize(text: str, breaks: Iterable[int] = ()) -> list[Offsets]:
    """Token offsets (code points) over ``text``; no token crosses any offset in ``breaks``."""
    cuts = sorted({0, len(text), *(b for b in breaks if 0 < b < len(text))})
    # finditer(text, start, end) matches as on text[start:end] (TOKEN has no anchors or lookarounds), without the copy
    return [match.span() for start, end in zip(cuts, cuts[1:]) for match in TOKEN.finditer(text, start, end)]


def span_breaks(spans: Iterable[LabelledSpan]) -> set[int]:
    return {edge for span in spans for edge in (span.start, span.end)}


def bio_labels(labels: Sequence[str]) -> list[str]:
    """The tag vocabulary of one layer, in a fixed order: O, then B-/I- per label."""
    return [OUTSIDE] + [f"{prefix}-{label}" for label in labels for prefix in ("B", "I")]


def spans_to_bio(tokens: Sequence[Offsets], spans: Iterable[LabelledSpan]) -> list[str]:
    """One tag per token for non-overlapping spans of one layer.

    Raises :class:`RoundTripError` when a span's edges are not token edges, covers
    no token, or overlaps another span: the tags could not represent it.
    """
    tags = [OUTSIDE] * len(tokens)
    starts, ends = [start for start, _ in tokens], [end for _, end in tokens]  # both increasing: tokens never overlap
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        first, last = bisect_left(starts, span.start), bisect_left(ends, span.end)
        if first == len(starts) or starts[first] != span.start or last == len(ends) or ends[last] != span.end or last < first:
            raise RoundTripError(span, "its edges are not token edges (tokenise with the spans' edges as breaks)")
        if any(tag != OUTSIDE for tag in tags[first : last + 1]):
            raise RoundTripError(span, "overlaps another span of the same layer")
        tags[first : last + 1] = [f"B-{span.label}"] + [f"I-{span.label}"] * (last - first)
    return tags


def bio_to_spans(tokens: Sequence[Offsets], tags: Sequence[str]) -> list[LabelledSpan]:
    """Spans from tags; an ``I-`` tag that does not continue its label starts a new span."""
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    spans: list[LabelledSpan] = []
    open_span: LabelledSpan | None = None
    previous = -2
    for i in [i for i, tag in enumerate(tags) if tag != OUTSIDE]:  # most tokens are O: visit only the tagged
        prefix, _, label = tags[i].partition("-")
        if open_span is not None and i == previous + 1 and prefix == "I" and label == open_span.label:
            open_span = LabelledSpan(open_span.start, tokens[i][1], label)
        else:
            if open_span is not None:
                spans.append(open_span)  # ended by an O token (a gap in i) or by a new B-/I- span
            open_span = LabelledSpan(tokens[i][0], tokens[i][1], label)
        previous = i
    if open_span is not None:
        spans.append(open_span)
    return spans


def check_round_trip(tokens: Sequence[Offsets], spans: Sequence[LabelledSpan], tags: Sequence[str]) -> None:
    """Raise :class:`RoundTripError` for the first span the tags do not give back exactly."""
    recovered = set(bio_to_spans(tokens, tags))
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span not in recovered:
            raise RoundTripError(span, "not reproduced by BIO → spans")
    if len(recovered) != len(set(spans)):
        extra = sorted(recovered - set(spans), key=lambda s: (s.start, s.end))[0]
        raise RoundTripError(extra, "produced by BIO → spans but not annotated")


@dataclass(frozen=True)
class TokenRow:
    """One sentence: its tokens (offsets into the document text), its paragraph, its BIO tags per layer."""

    tokens: list[Offsets]
    paragraph: int
    tags: dict[str, list[str]]


def sentence_rows(text: str, spans: Sequence[LabelledSpan], schema: Schema, layers: Sequence[LayerDef] | None = None) -> list[TokenRow]:
    """The sentence rows of ``text`` with the tags of ``layers`` (all the schema's by default), tokens cut
    at every edge of ``spans``; raises :class:`RoundTripError` for the first span the rows do not give back."""
    tokens = tokenize(text, span_breaks(spans))
    quote = schema.label_roles.get("quote")
    sentences = split_sentences(text, tokens, [(s.start, s.end) for s in spans if s.label != quote])
    rows = [TokenRow(tokens[s.first : s.end], s.paragraph, {}) for s in sentences]
    for layer in schema.layers if layers is None else layers:
        labels = set(layer.exported_labels)
        layer_spans = [span for span in spans if span.label in labels]
        tags = spans_to_bio(tokens, layer_spans)
        for row, sentence in zip(rows, sentences):
            row.tags[layer.name] = tags[sentence.first : sentence.end]
        check_round_trip(joined_tokens(rows), layer_spans, joined_tags(rows, layer.name))
    return rows


def joined_tokens(rows: Iterable[TokenRow]) -> list[Offsets]:
    return [token for row in rows for token in row.tokens]


def joined_tags(rows: Iterable[TokenRow], layer: str) -> list[str]:
    """One document's tags of ``layer``, its rows joined in order: :func:`bio_to_spans` on them continues
    a quote that a row starts with ``I-`` from the row before."""
    return [tag for row in rows for tag in row.tags[layer]]


@check(ROUND_TRIP_RULE, scope="release")
def check_bio_round_trip(aset: AnnotationSet, text: str, schema: Schema, place: Place) -> Iterator[Problem]:
    """Released spans survive spans → sentence rows of BIO tags → spans in every layer, tokens cut at
    every released span's edge."""
    exported = {label for layer in schema.layers for label in layer.exported_labels}
    released = [(LabelledSpan(s.start, s.end, s.label), s) for s in aset.spans if s.label in exported]
    for layer in schema.layers:
        try:
            sentence_rows(text, [labelled for labelled, _ in released], schema, [layer])
        except RoundTripError as exc:
            yield round_trip_problem(exc, released, place)


def round_trip_problem(exc: RoundTripError, released: Iterable[tuple[LabelledSpan, Span]], place: Place) -> Problem:
    """The problem a failed round trip is, named by the released span it lost (or the characters of one the tags made up)."""
    owner = next((span for labelled, span in released if labelled == exc.span), None)
    item = f"span {owner.id}" if owner else f"chars {exc.span.start}-{exc.span.end}"
    return place.problem(ROUND_TRIP_RULE, item, exc.detail)
