"""Sentences and paragraphs of a clean text, over its tokens; pure, rule-based (no model, no download).

A **paragraph** is a block of the text between blank lines. A **sentence** ends at a line break or
after a terminator (``.``, ``!``, ``?``, ``…``, with the closing quotes or brackets right after it)
that whitespace follows (the last of a spaced ellipsis ``. . .``), when the next word (past opening quotes or brackets) does not start with a
lower-case letter. A period does not end a sentence after

- a title that stands before a name (``Mr.``, ``Dr.``, ``Sen.``: :data:`TITLES`);
- an abbreviation (``Inc.``, ``Feb.``, ``No.``: :data:`ABBREVIATIONS`) or a single letter
  (``U.S.``, ``a.m.``, ``John F. Kennedy``), unless the next word is one that commonly opens a
  sentence (``The``, ``He``, ``But``: :data:`OPENING_WORDS`): "in the U.S. The talks" ends one,
  "U.S. President Trump" does not.

Numbers such as ``3.5`` are one token (:data:`peacetalks.bio.TOKEN`), so their period never counts.
A boundary that would fall inside a range the caller keeps together (a span) is not made: the
two sentences stay one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Offsets = tuple[int, int]

BLANK_LINE = re.compile(r"\n[^\S\n]*\n")  # a line holding only whitespace, between two line breaks
TERMINATORS = frozenset({".", "!", "?", "…"})
CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
OPENERS = frozenset({'"', "'", "“", "‘", "(", "[", "«"})
TITLES = frozenset({"Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt",
                    "Adm", "Cmdr", "Rev", "Hon", "Amb", "Pres", "Supt", "Messrs", "St", "Mt", "Ft"})
ABBREVIATIONS = frozenset({"Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "Bros", "etc", "vs", "cf", "al", "approx", "No", "Nos", "Vol",
                           "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
                           "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun", "Ave", "Blvd", "Rd", "Dept", "Univ"})
OPENING_WORDS = frozenset({"A", "An", "The", "This", "That", "These", "Those", "There", "Here", "It", "Its", "He", "His", "She",
                           "Her", "They", "Their", "We", "Our", "I", "My", "You", "Your", "But", "And", "Yet", "So", "Or",
                           "In", "On", "At", "As", "If", "When", "While", "After", "Before", "Since", "However", "Meanwhile",
                           "Still", "Then", "Now", "What", "Why", "How", "Who", "Where"})


LINE_BREAK = re.compile("\n")
ENDING = re.compile("[" + re.escape("".join(sorted(TERMINATORS | CLOSERS))) + "]")  # what a sentence's last token can be


@dataclass(frozen=True)
class Sentence:
    """Tokens ``first`` to ``end`` (exclusive) of the text, in paragraph ``paragraph`` (0-based; the
    paragraph of its first token)."""

    first: int
    end: int
    paragraph: int


def split_sentences(text: str, tokens: Sequence[Offsets], keep_together: Sequence[Offsets] = (),
                    offsets: tuple[np.ndarray, np.ndarray] | None = None) -> list[Sentence]:
    """The sentences of ``text``, in order, covering every token once; no boundary falls strictly
    inside a range of ``keep_together`` (ranges whose edges are token edges). ``offsets``: the tokens'
    starts and ends as arrays, if the caller has them.

    Line breaks, blank lines and terminators are found over the whole text at once; the rules of
    :func:`ends_sentence` run only after a terminator or closer followed by whitespace."""
    if not tokens:
        return []
    starts, ends = offsets if offsets is not None else (np.array([a for a, _ in tokens]), np.array([b for _, b in tokens]))
    line_break = gaps_holding(LINE_BREAK, text, starts, ends)
    paragraph_at = np.cumsum(gaps_holding(BLANK_LINE, text, starts, ends)).tolist()  # the paragraph of token j
    spaced = np.append(False, starts[1:] != ends[:-1])  # whitespace between tokens j-1 and j
    candidate = (line_break | (np.append(False, single_characters(ENDING, text, starts, ends)[:-1]) & spaced)) & ~kept_boundaries(
        starts, keep_together)
    words = TokenTexts(text, tokens)
    sentences: list[Sentence] = []
    first = 0
    for j in np.flatnonzero(candidate).tolist():
        if line_break[j] or ends_sentence(words, tokens, j):
            sentences.append(Sentence(first, j, paragraph_at[first]))
            first = j
    sentences.append(Sentence(first, len(tokens), paragraph_at[first]))
    return sentences


class TokenTexts(Sequence[str]):
    """The tokens' texts, each cut from the text when a rule asks for it."""

    def __init__(self, text: str, tokens: Sequence[Offsets]) -> None:
        self.text, self.tokens = text, tokens

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]  # single tokens only
        start, end = self.tokens[index]
        return self.text[start:end]


def gaps_holding(pattern: re.Pattern[str], text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per token index j: whether the text between tokens j-1 and j holds a match of ``pattern`` (all whitespace,
    so a match is always inside one gap)."""
    at = np.array([match.start() for match in pattern.finditer(text)], dtype=np.int64)
    after = np.searchsorted(starts, at, "right")  # the token following each match
    inside = (after >= 1) & (after < len(starts))
    after, at = after[inside], at[inside]
    found = np.zeros(len(starts), dtype=bool)
    found[after[at >= ends[after - 1]]] = True
    return found


def single_characters(pattern: re.Pattern[str], text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per token: whether it is one character that ``pattern`` matches."""
    at = np.array([match.start() for match in pattern.finditer(text)], dtype=np.int64)
    token = np.minimum(np.searchsorted(starts, at), len(starts) - 1)
    found = np.zeros(len(starts), dtype=bool)
    found[token[(starts[token] == at) & (ends[token] == at + 1)]] = True
    return found


def kept_boundaries(starts: np.ndarray, keep_together: Sequence[Offsets]) -> np.ndarray:
    """Per token index j: whether a range of ``keep_together`` holds both token j-1 and token j, i.e. token j starts
    strictly inside it (``starts``: the tokens' starts)."""
    ranges = np.array(keep_together, dtype=np.int64).reshape(-1, 2)
    first, end = np.searchsorted(starts, ranges[:, 0], "right"), np.searchsorted(starts, ranges[:, 1], "left")
    some = first < end
    depth = np.zeros(len(starts) + 1, dtype=np.int64)  # how many ranges hold token j, by a running sum of their edges
    np.add.at(depth, first[some], 1)
    np.add.at(depth, end[some], -1)
    return np.cumsum(depth[:-1]) > 0


def ends_sentence(words: Sequence[str], tokens: Sequence[Offsets], j: int) -> bool:
    """Whether a sentence ends between token j-1 and token j (``words`` are the tokens' texts)."""
    if tokens[j - 1][1] == tokens[j][0]:
        return False  # "U.S": no whitespace, no boundary
    last = j - 1
    while last > 0 and words[last] in CLOSERS and tokens[last - 1][1] == tokens[last][0]:
        last -= 1
    if words[last] not in TERMINATORS or words[j] in TERMINATORS:
        return False  # no terminator, or one dot of a spaced ellipsis ". . ."
    following = j
    while following < len(words) - 1 and words[following] in OPENERS:
        following += 1
    next_word = words[following]
    if next_word[0].islower():
        return False
    if words[last] != "." or last == 0 or tokens[last - 1][1] != tokens[last][0]:
        return True  # "!", "?", or a period standing after a space (". . .")
    before = words[last - 1]
    if before in TITLES:
        return False
    if before in ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
        return next_word in OPENING_WORDS
    return True
