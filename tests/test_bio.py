"""Spans ↔ BIO: the tokenizer cuts at span edges, so spans → BIO → spans gives back every span exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetalks.bio import (
    LabelledSpan, RoundTripError, bio_labels, bio_to_spans, check_round_trip, span_breaks, spans_to_bio, tokenize,
)


def words(text: str, breaks: set[int] | None = None) -> list[str]:
    return [text[a:b] for a, b in tokenize(text, breaks or set())]


def test_tokens_are_words_numbers_and_single_punctuation() -> None:
    assert words("Trump’s $500,000 plan, 3.5% — “peace”!") == [
        "Trump’s", "$", "500,000", "plan", ",", "3.5", "%", "—", "“", "peace", "”", "!"]


def test_offsets_are_code_points_even_for_astral_characters() -> None:
    text = "🇺🇦 Kyiv 😀 talks"
    assert [(a, b, text[a:b]) for a, b in tokenize(text) if text[a:b].isalpha()] == [(3, 7, "Kyiv"), (10, 15, "talks")]


def test_span_edges_force_token_breaks() -> None:
    text = "Trump’s envoy"
    assert words(text) == ["Trump’s", "envoy"]
    assert words(text, {0, 5}) == ["Trump", "’", "s", "envoy"]  # the rest of the word is tokenised on its own


def test_spans_become_bio_tags_and_back() -> None:
    text = "Donald Trump met Vladimir Putin in Riyadh."
    spans = [LabelledSpan(0, 12, "PERSON"), LabelledSpan(17, 31, "PERSON"), LabelledSpan(35, 41, "GPE")]
    tokens = tokenize(text, span_breaks(spans))
    tags = spans_to_bio(tokens, spans)
    assert tags == ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "B-GPE", "O"]
    assert bio_to_spans(tokens, tags) == spans


def test_adjacent_spans_of_one_label_stay_apart() -> None:
    text = "Trump Putin"
    spans = [LabelledSpan(0, 5, "PERSON"), LabelledSpan(6, 11, "PERSON")]
    tokens = tokenize(text, span_breaks(spans))
    assert spans_to_bio(tokens, spans) == ["B-PERSON", "B-PERSON"]
    assert bio_to_spans(tokens, spans_to_bio(tokens, spans)) == spans


def test_a_span_inside_a_token_is_refused_not_dropped() -> None:
    text = "Trump’s envoy"
    span = LabelledSpan(0, 5, "PERSON")
    with pytest.raises(RoundTripError, match="bio-round-trip: PERSON \\[0, 5\\)") as caught:
        spans_to_bio(tokenize(text), [span])  # tokenised without the span's edges as breaks
    assert caught.value.span == span


def test_a_span_with_whitespace_at_its_edge_is_refused() -> None:
    text = "said Trump"
    span = LabelledSpan(4, 10, "PERSON")  # " Trump"
    with pytest.raises(RoundTripError):
        spans_to_bio(tokenize(text, span_breaks([span])), [span])


def test_overlapping_spans_in_one_layer_are_refused() -> None:
    text = "Donald Trump"
    spans = [LabelledSpan(0, 12, "PERSON"), LabelledSpan(7, 12, "PERSON")]
    with pytest.raises(RoundTripError, match="overlaps"):
        spans_to_bio(tokenize(text, span_breaks(spans)), spans)


def test_check_round_trip_names_the_span_the_tags_lose() -> None:
    text = "Donald Trump"
    tokens = tokenize(text)
    with pytest.raises(RoundTripError, match="not reproduced"):
        check_round_trip(tokens, [LabelledSpan(0, 12, "PERSON")], ["B-PERSON", "O"])


def test_tag_vocabulary_is_fixed_by_label_order() -> None:
    assert bio_labels(["QUOTE", "SOURCE"]) == ["O", "B-QUOTE", "I-QUOTE", "B-SOURCE", "I-SOURCE"]


# --- the property: for any text and any valid spans, the round trip is exact -------------

ALPHABET = st.sampled_from(list("ab Z9’'.,-“”$ \n") + ["é", "😀", "Ж"])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[LabelledSpan]]:
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=10)))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        piece = text[start:end]
        start, end = start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))
        if start < end:  # valid spans have no whitespace at their edges (rule span-whitespace)
            spans.append(LabelledSpan(start, end, draw(st.sampled_from(["QUOTE", "SOURCE", "CUE"]))))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_spans_to_bio_to_spans_is_the_identity(case: tuple[str, list[LabelledSpan]]) -> None:
    text, spans = case
    tokens = tokenize(text, span_breaks(spans))
    tags = spans_to_bio(tokens, spans)
    check_round_trip(tokens, spans, tags)
    assert bio_to_spans(tokens, tags) == spans


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=60), st.sets(st.integers(0, 60), max_size=8))
def test_tokens_cover_every_non_space_character_and_cross_no_break(text: str, breaks: set[int]) -> None:
    tokens = tokenize(text, breaks)
    covered = {i for a, b in tokens for i in range(a, b)}
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}
    assert all(not (a < cut < b) for a, b in tokens for cut in breaks)
    assert tokens == sorted(tokens)


def decode_token_by_token(tokens: list[tuple[int, int]], tags: list[str]) -> list[LabelledSpan]:
    """The decoding rule read literally: every token either continues the open span or ends it."""
    spans, open_span = [], None
    for (start, end), tag in zip(tokens, tags):
        prefix, _, label = tag.partition("-")
        if open_span is not None and prefix == "I" and label == open_span.label:
            open_span = LabelledSpan(open_span.start, end, label)
            continue
        if open_span is not None:
            spans.append(open_span)
        open_span = LabelledSpan(start, end, label) if tag != "O" else None
    return spans + ([open_span] if open_span is not None else [])


@given(st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]), max_size=40))
def test_decoding_any_tag_sequence_follows_the_token_by_token_rule(tags: list[str]) -> None:
    """Stray I- tags, I- after O and label switches included (the decoder skips O tokens for speed)."""
    tokens = [(2 * i, 2 * i + 1) for i in range(len(tags))]
    assert bio_to_spans(tokens, tags) == decode_token_by_token(tokens, tags)
