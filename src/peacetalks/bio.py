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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from .models import AnnotationSet, Span
from .problems import Place, Problem, check
from .schema import LayerDef, Schema
from .sentences import split_sentences

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*|[^\w\s]")
OUTSIDE = "O"
ROUND_TRIP_RULE = "bio-round-trip"
OFF_EDGES = "its edges are not token edges (tokenise with the spans' edges as breaks)"

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
    spans = list(spans)
    labels = list(dict.fromkeys(span.label for span in spans))
    starts, ends = offset_arrays(tokens)
    vocabulary = bio_labels(labels)
    return [vocabulary[i] for i in tag_ids(starts, ends, spans, labels).tolist()]


def offset_arrays(tokens: Sequence[Offsets]) -> tuple[np.ndarray, np.ndarray]:
    """The tokens' starts and ends as two int64 arrays."""
    pairs = np.fromiter(chain.from_iterable(tokens), dtype=np.int64, count=2 * len(tokens))  # 3× np.array on tuples
    return pairs[0::2], pairs[1::2]


def tag_ids(starts: np.ndarray, ends: np.ndarray, spans: Sequence[LabelledSpan], labels: Sequence[str]) -> np.ndarray:
    """One tag id per token (its index in ``bio_labels(labels)``: O is 0, B-/I- of label k are 2k+1 and 2k+2) for
    non-overlapping spans of one layer, computed with array operations; raises :class:`RoundTripError` for the first
    span (by start, end) whose edges are not token edges, that covers no token or that overlaps an earlier one."""
    ids = np.zeros(len(starts), dtype=np.int64)
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    if not ordered:
        return ids
    if not len(starts):
        raise RoundTripError(ordered[0], OFF_EDGES)
    index = {label: k for k, label in enumerate(labels)}
    span_starts, span_ends = offset_arrays([(s.start, s.end) for s in ordered])
    first, last = np.searchsorted(starts, span_starts), np.searchsorted(ends, span_ends)  # both increasing: tokens never overlap
    inside = len(starts) - 1
    off_edges = ((first > inside) | (last > inside) | (starts[np.minimum(first, inside)] != span_starts)
                 | (ends[np.minimum(last, inside)] != span_ends) | (last < first))
    reach = np.concatenate(([-1], np.maximum.accumulate(last)[:-1]))  # the last token an earlier span covers
    bad = np.flatnonzero(off_edges | (reach >= first))  # an earlier span starts no later, so it overlaps when it reaches this one
    if bad.size:
        span = ordered[bad[0]]
        raise RoundTripError(span, OFF_EDGES if off_edges[bad[0]] else "overlaps another span of the same layer")
    label_ids = 2 * np.array([index[s.label] for s in ordered], dtype=np.int64)
    inner = last - first  # tokens after the first, tagged I-
    done = np.concatenate(([0], np.cumsum(inner)[:-1]))
    ids[np.repeat(first + 1 - done, inner) + np.arange(inner.sum())] = np.repeat(label_ids + 2, inner)
    ids[first] = label_ids + 1
    return ids


def bio_to_spans(tokens: Sequence[Offsets], tags: Sequence[str]) -> list[LabelledSpan]:
    """Spans from tags; an ``I-`` tag that does not continue its label starts a new span."""
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    parts = [tag.partition("-") for tag in tags]
    labels = list(dict.fromkeys(label for (prefix, _, label), tag in zip(parts, tags) if tag != OUTSIDE))
    index = {label: k for k, label in enumerate(labels)}
    ids = np.array([0 if tag == OUTSIDE else 2 * index[label] + (2 if prefix == "I" else 1)  # any prefix but I- begins a span
                    for (prefix, _, label), tag in zip(parts, tags)], dtype=np.int64)
    return decoded_spans(*offset_arrays(tokens), ids, labels)


def decoded_spans(starts: np.ndarray, ends: np.ndarray, ids: np.ndarray, labels: Sequence[str]) -> list[LabelledSpan]:
    """The spans of tag ids (see :func:`tag_ids`), in token order."""
    span_starts, span_ends, label = decoded_arrays(starts, ends, ids)
    return [LabelledSpan(start, end, labels[k]) for start, end, k in zip(span_starts.tolist(), span_ends.tolist(), label.tolist())]


def decoded_arrays(starts: np.ndarray, ends: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The starts, ends and label indices of the spans of tag ids: a span begins at a tagged token that does not
    continue the one before (an I- of the same label right after it), and ends at its last continuation."""
    tagged = ids != 0
    label = (ids - 1) // 2
    continues = np.zeros(len(ids), dtype=bool)
    continues[1:] = tagged[1:] & (ids[1:] % 2 == 0) & tagged[:-1] & (label[1:] == label[:-1])
    begins = np.flatnonzero(tagged & ~continues)
    stops = np.flatnonzero(tagged & ~np.append(continues[1:], False))
    return starts[begins], ends[stops], label[begins]


def check_round_trip(tokens: Sequence[Offsets], spans: Sequence[LabelledSpan], tags: Sequence[str]) -> None:
    """Raise :class:`RoundTripError` for the first span the tags do not give back exactly."""
    check_decoded(bio_to_spans(tokens, tags), spans)


def check_decoded(decoded: Iterable[LabelledSpan], spans: Sequence[LabelledSpan]) -> None:
    """Raise :class:`RoundTripError` for the first span ``decoded`` lacks, or the first it has that is not annotated."""
    recovered = set(decoded)
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span not in recovered:
            raise RoundTripError(span, "not reproduced by BIO → spans")
    if len(recovered) != len(set(spans)):
        extra = sorted(recovered - set(spans), key=lambda s: (s.start, s.end))[0]
        raise RoundTripError(extra, "produced by BIO → spans but not annotated")


def decodes_to(decoded: tuple[np.ndarray, np.ndarray, np.ndarray], spans: Sequence[LabelledSpan], labels: Sequence[str]) -> bool:
    """Whether decoded spans are exactly ``spans`` (array equality; :func:`check_decoded` says which one differs)."""
    index = {label: k for k, label in enumerate(labels)}
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    expected = np.array([(s.start, s.end, index[s.label]) for s in ordered], dtype=np.int64).reshape(-1, 3)
    return len(expected) == len(decoded[0]) and bool((np.stack(decoded, axis=1) == expected).all())


@dataclass(frozen=True)
class SentenceColumns:
    """A document's tokens (offsets into its text), its sentences as token ranges (sentence i is tokens
    ``bounds[i]:bounds[i + 1]``) with their paragraphs, and one tag id per token per layer (ids index
    ``bio_labels`` of the layer's exported labels, the release's ClassLabel names)."""

    starts: np.ndarray
    ends: np.ndarray
    bounds: np.ndarray
    paragraphs: list[int]
    tags: dict[str, np.ndarray]


@dataclass(frozen=True)
class TokenRow:
    """One sentence: its tokens (offsets into the document text), its paragraph, its BIO tags per layer."""

    tokens: list[Offsets]
    paragraph: int
    tags: dict[str, list[str]]


def sentence_columns(text: str, spans: Sequence[LabelledSpan], schema: Schema, layers: Sequence[LayerDef] | None = None) -> SentenceColumns:
    """The sentences of ``text`` with the tag ids of ``layers`` (all the schema's by default), tokens cut
    at every edge of ``spans``; raises :class:`RoundTripError` for the first span the tags do not give back.
    The rows of a document joined in order are its tokens in order, so decoding all its tags is decoding the joined rows."""
    tokens = tokenize(text, span_breaks(spans))
    starts, ends = offset_arrays(tokens)
    quote = schema.label_roles.get("quote")
    sentences = split_sentences(text, tokens, [(s.start, s.end) for s in spans if s.label != quote], (starts, ends))
    bounds = np.array([s.first for s in sentences] + [len(tokens)], dtype=np.int64)
    tags: dict[str, np.ndarray] = {}
    for layer in schema.layers if layers is None else layers:
        labels = set(layer.exported_labels)
        layer_spans = [span for span in spans if span.label in labels]
        tags[layer.name] = tag_ids(starts, ends, layer_spans, layer.exported_labels)
        if not decodes_to(decoded_arrays(starts, ends, tags[layer.name]), layer_spans, layer.exported_labels):
            check_decoded(decoded_spans(starts, ends, tags[layer.name], layer.exported_labels), layer_spans)  # names the span
    return SentenceColumns(starts, ends, bounds, [s.paragraph for s in sentences], tags)


def sentence_rows(text: str, spans: Sequence[LabelledSpan], schema: Schema, layers: Sequence[LayerDef] | None = None) -> list[TokenRow]:
    """:func:`sentence_columns` as one :class:`TokenRow` per sentence, tags as names."""
    columns = sentence_columns(text, spans, schema, layers)
    tokens = list(zip(columns.starts.tolist(), columns.ends.tolist()))
    names = {layer.name: bio_labels(layer.exported_labels) for layer in schema.layers}
    bounds = columns.bounds.tolist()
    return [TokenRow(tokens[a:b], paragraph, {layer: [names[layer][i] for i in ids[a:b].tolist()] for layer, ids in columns.tags.items()})
            for a, b, paragraph in zip(bounds, bounds[1:], columns.paragraphs)]


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
            sentence_columns(text, [labelled for labelled, _ in released], schema, [layer])
        except RoundTripError as exc:
            yield round_trip_problem(exc, released, place)


def round_trip_problem(exc: RoundTripError, released: Iterable[tuple[LabelledSpan, Span]], place: Place) -> Problem:
    """The problem a failed round trip is, named by the released span it lost (or the characters of one the tags made up)."""
    owner = next((span for labelled, span in released if labelled == exc.span), None)
    item = f"span {owner.id}" if owner else f"chars {exc.span.start}-{exc.span.end}"
    return place.problem(ROUND_TRIP_RULE, item, exc.detail)
