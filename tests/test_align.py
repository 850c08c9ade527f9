"""The raw↔clean alignment: any clean span maps to the raw span it came from, and back."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacetalks.align import AlignedBuilder, Alignment
from peacetalks.clean import clean

# Characters that stress offsets: combining marks, astral emoji, ZWJ sequences, NBSP, Hangul jamo.
TRICKY = ["e\u0301", "A\u030a", "\u212b", "😀", "👩\u200d👩\u200d👧", "\u00a0", "\u1100\u1161", "Å", "ß", "’", "“", "”"]
words = st.lists(st.sampled_from(["peace", "talks", "Kyiv", "Трамп", "said", "2025", *TRICKY]), min_size=1, max_size=8).map(" ".join)
sentences = words.map(lambda w: w[:1].upper() + w[1:] + " and more words follow here in this sentence.")
boilerplate = st.sampled_from(["0", "37", "• Read the related story here", "Please leave a comment.", "Subscribe to our newsletter"])
line_ends = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "  \n", "\r\n\r\n"])


@st.composite
def raw_articles(draw: st.DrawFn) -> str:
    parts = ["\ufeff"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 6))):
        parts.append(draw(st.one_of(sentences, sentences, boilerplate)))
        parts.append(draw(line_ends))
    return "".join(parts)


def normalise_raw(raw: str) -> str:
    """What a raw slice should read as in the clean text (BOM, CR and NFC handled)."""
    text = raw.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def exact_boundaries(alignment: Alignment) -> list[int]:
    """Clean positions where a span may start or end and still round-trip exactly."""
    positions = {0, alignment.clean_length}
    for c_start, c_end, _, _, exact in alignment.segments:
        positions.update(range(c_start, c_end + 1) if exact else (c_start, c_end))
    return sorted(positions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_articles(), st.data())
def test_a_clean_span_maps_to_raw_and_back_exactly(raw: str, data: st.DataObject) -> None:
    result = clean(raw)
    bounds = exact_boundaries(result.alignment)
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(st.sampled_from([b for b in bounds if b >= start]))
    raw_start, raw_end = result.alignment.to_raw(start, end)
    assert result.alignment.to_clean(raw_start, raw_end) == ((start, end) if start < end else (start, start))


@settings(max_examples=300, deadline=None)
@given(raw_articles(), st.data())
def test_text_inside_a_paragraph_reads_the_same_in_raw_and_clean(raw: str, data: st.DataObject) -> None:
    result = clean(raw)
    paragraphs = [p for p in result.text.split("\n\n") if p]
    if not paragraphs:
        return
    index = data.draw(st.integers(0, len(paragraphs) - 1))
    offset = sum(len(p) + 2 for p in paragraphs[:index])
    bounds = [b for b in exact_boundaries(result.alignment) if offset <= b <= offset + len(paragraphs[index])]
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(st.sampled_from([b for b in bounds if b >= start]))
    raw_start, raw_end = result.alignment.to_raw(start, end)
    assert normalise_raw(raw[raw_start:raw_end]) == result.text[start:end]


@settings(max_examples=200, deadline=None)
@given(raw_articles())
def test_segments_tile_both_texts_in_order(raw: str) -> None:
    result = clean(raw)
    clean_pos = raw_pos = 0
    for c_start, c_end, r_start, r_end, exact in result.alignment.segments:
        assert (c_start, r_start) == (clean_pos, raw_pos)
        assert c_end >= c_start and r_end >= r_start and (c_end > c_start or r_end > r_start)
        if exact:
            assert result.text[c_start:c_end] == raw[r_start:r_end]
        clean_pos, raw_pos = c_end, r_end
    assert (clean_pos, raw_pos) == (len(result.text), len(raw))


@settings(max_examples=200, deadline=None)
@given(raw_articles())
def test_removed_boilerplate_has_no_clean_counterpart(raw: str) -> None:
    result = clean(raw)
    for removed in result.removed:
        assert result.alignment.to_clean(removed.line.start, removed.line.end) is None
        assert not result.alignment.survives(removed.line.start, removed.line.end)


@settings(max_examples=200, deadline=None)
@given(raw_articles())
def test_clean_text_is_nfc_with_lf_and_no_trailing_spaces(raw: str) -> None:
    text = clean(raw).text
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and "\ufeff" not in text
    assert all(line == line.rstrip() for line in text.split("\n"))


def test_nfc_composition_is_a_replacement_that_snaps_outwards() -> None:
    builder = AlignedBuilder("ab e\u0301 cd")
    builder.copy_normalised_to(len(builder.raw))
    text, alignment = builder.build()
    assert text == "ab é cd"
    assert alignment.to_raw(3, 4) == (3, 5)  # "é" came from "e" + combining acute
    assert alignment.to_clean(3, 5) == (3, 4)
    assert alignment.to_clean(4, 5) == (3, 4)  # half a cluster maps to the whole character
    assert alignment.survives(0, 2) and not alignment.survives(3, 5)


def test_spans_after_emoji_and_crlf_keep_code_point_offsets() -> None:
    raw = "\ufeffHello 😀 world and friends said.\r\nPutin spoke to reporters on Friday.\r\n"
    result = clean(raw)
    start = result.text.index("Putin")
    raw_start, raw_end = result.alignment.to_raw(start, start + 5)
    assert raw[raw_start:raw_end] == "Putin"
    assert result.alignment.to_clean(raw_start, raw_end) == (start, start + 5)


def test_out_of_range_spans_are_refused() -> None:
    alignment = clean("One sentence that is long enough to be kept here.").alignment
    for start, end in ((-1, 2), (3, 2), (0, 10_000)):
        try:
            alignment.to_raw(start, end)
        except ValueError as exc:
            assert "outside" in str(exc)
        else:
            raise AssertionError(f"({start}, {end}) was accepted")
