"""Clean stage, pure: exact character alignment between a raw text and the clean text derived from it.

An alignment is a list of segments that tile both texts in order. A segment is
*exact* when its clean characters are a verbatim copy of its raw characters;
otherwise it is a replacement (CRLF → LF, an NFC composition, a paragraph
separator) or a deletion (clean length 0: boilerplate, BOM, trailing spaces).
Positions inside an exact segment map one to one; positions inside a
replacement snap outwards to the segment's ends.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field

Segment = tuple[int, int, int, int, bool]  # clean_start, clean_end, raw_start, raw_end, exact
CLEAN, RAW = 0, 2  # where each side's (start, end) pair sits in a segment


@dataclass(frozen=True)
class Alignment:
    segments: tuple[Segment, ...]
    _bounds: dict[int, tuple[list[int], list[int]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bounds = {side: ([s[side] for s in self.segments], [s[side + 1] for s in self.segments]) for side in (CLEAN, RAW)}
        object.__setattr__(self, "_bounds", bounds)

    @property
    def clean_length(self) -> int:
        return self.segments[-1][1] if self.segments else 0

    @property
    def raw_length(self) -> int:
        return self.segments[-1][3] if self.segments else 0

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw span a clean span came from (snapped outwards inside replacements)."""
        _check_span(start, end, self.clean_length, "clean")
        raw_start = self._map_start(start, CLEAN, RAW)
        return (raw_start, raw_start) if start == end else (raw_start, self._map_end(end, CLEAN, RAW))

    def to_clean(self, start: int, end: int) -> tuple[int, int] | None:
        """The clean span a raw span survives as, or ``None`` when nothing of it survives."""
        _check_span(start, end, self.raw_length, "raw")
        clean_start = self._map_start(start, RAW, CLEAN)
        if start == end:
            return clean_start, clean_start
        clean_end = self._map_end(end, RAW, CLEAN)
        if clean_start >= clean_end:
            return None
        return clean_start, clean_end

    def survives(self, start: int, end: int) -> bool:
        """True when every raw character in the span was copied verbatim."""
        starts, ends = self._bounds[RAW]
        i = bisect.bisect_right(ends, start)
        while i < len(self.segments) and starts[i] < end:
            if not self.segments[i][4]:
                return False
            i += 1
        return True

    def _map_start(self, pos: int, src: int, dst: int) -> int:
        # A start position belongs to the segment that has content right after it.
        i = bisect.bisect_right(self._bounds[src][1], pos)
        if i == len(self.segments):
            return self.segments[-1][dst + 1] if self.segments else 0
        seg = self.segments[i]
        return seg[dst] + (pos - seg[src]) if seg[4] else seg[dst]

    def _map_end(self, pos: int, src: int, dst: int) -> int:
        # An end position belongs to the segment that has content right before it.
        i = bisect.bisect_left(self._bounds[src][0], pos) - 1
        if i < 0:
            return 0
        seg = self.segments[i]
        return seg[dst] + (pos - seg[src]) if seg[4] else seg[dst + 1]


def _check_span(start: int, end: int, length: int, side: str) -> None:
    if not 0 <= start <= end <= length:
        raise ValueError(f"{side} span [{start}, {end}) is outside [0, {length}]")


@dataclass
class AlignedBuilder:
    """Builds a clean text from pieces of a raw text while recording the alignment."""

    raw: str
    parts: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    clean_pos: int = 0
    raw_pos: int = 0

    def _add(self, raw_end: int, clean: str, exact: bool) -> None:
        if raw_end < self.raw_pos:
            raise ValueError("raw positions must move forwards")
        if raw_end == self.raw_pos and not clean:
            return
        seg = (self.clean_pos, self.clean_pos + len(clean), self.raw_pos, raw_end, exact)
        last = self.segments[-1] if self.segments else None
        if exact and last and last[4] and last[1] == seg[0] and last[3] == seg[2]:
            self.segments[-1] = (last[0], seg[1], last[2], seg[3], True)
        else:
            self.segments.append(seg)
        self.parts.append(clean)
        self.clean_pos += len(clean)
        self.raw_pos = raw_end

    def delete_to(self, raw_end: int) -> None:
        """Drop raw characters up to ``raw_end``."""
        self._add(raw_end, "", False)

    def replace_to(self, raw_end: int, clean: str) -> None:
        """Stand ``clean`` in for the raw characters up to ``raw_end``."""
        self._add(raw_end, clean, clean == self.raw[self.raw_pos : raw_end])

    def copy_normalised_to(self, raw_end: int) -> None:
        """Copy raw characters up to ``raw_end`` in NFC, one combining cluster at a time."""
        piece = self.raw[self.raw_pos : raw_end]
        if unicodedata.is_normalized("NFC", piece):  # the common case: one exact segment, no per-character work
            self._add(raw_end, piece, True)
            return
        for cluster_end in _cluster_ends(self.raw, self.raw_pos, raw_end):
            cluster = self.raw[self.raw_pos : cluster_end]
            self._add(cluster_end, unicodedata.normalize("NFC", cluster), unicodedata.is_normalized("NFC", cluster))

    def build(self) -> tuple[str, Alignment]:
        if self.raw_pos != len(self.raw):
            self.delete_to(len(self.raw))
        return "".join(self.parts), Alignment(tuple(self.segments))


def _cluster_ends(text: str, start: int, end: int) -> list[int]:
    """End positions of runs that NFC can change only as a whole.

    A run is maximal ASCII text (ASCII is NFC-stable), or one character followed by
    its marks (and Hangul jamo, which compose across starters).
    """
    ends: list[int] = []
    i = start
    while i < end:
        j = i + 1
        if text[i].isascii() and (j >= end or text[j].isascii()):
            while j < end and text[j].isascii() and (j + 1 >= end or text[j + 1].isascii()):
                j += 1
        else:
            while j < end and _joins_previous(text[j]):
                j += 1
        ends.append(j)
        i = j
    return ends


def _joins_previous(char: str) -> bool:
    code = ord(char)
    is_jamo_vowel_or_final = 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF
    return unicodedata.category(char).startswith("M") or is_jamo_vowel_or_final
