"""Validate, pre-annotate and split stages, pure: searching clean texts: quotation-mark pairs, and whole-word occurrences of many strings in one pass."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator

TOKEN = re.compile(r"\w+|\W")  # a word, or any other single character
WORD = re.compile(r"\w+")
WORD_CHAR = re.compile(r"\w")
Covered = Callable[[int, int], bool]  # whether the range [start, end) of a text is taken already
# Double marks, guillemets, and single marks ‘…’ (a ’ followed by a letter is an apostrophe, not a close).
QUOTE_PAIRS = re.compile(r"“([^“”]*)”|\"([^\"\n]*)\"|«([^«»]*)»|(?<!\w)‘((?:[^‘’\n]|’(?=\w))*)’(?!\w)")


def quoted_passages(text: str, min_words: int = 3) -> Iterator[tuple[int, int]]:
    """Inner spans of quotation-mark pairs around at least ``min_words`` words."""
    for match in QUOTE_PAIRS.finditer(text):
        group = next(i for i in (1, 2, 3, 4) if match.group(i) is not None)
        if len(re.findall(r"\w+", match.group(group))) >= min_words:
            yield match.start(group), match.end(group)


class NameIndex:
    r"""Strings by their first token, so that one pass over a text finds all their whole-word occurrences.

    A whole-word occurrence (``(?<!\w)name(?!\w)``) of a name starting with a word starts at
    a word of the text equal to that first word: the text's word cannot run on past it (the
    name goes on with a non-word character, or must end there). A name starting with any
    other character starts where that character stands after no word character.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.lengths: dict[str, list[int]] = {}  # first token → lengths of the names it starts, ascending
        self.non_words: set[str] = set()  # first tokens that are one non-word character: "$", "€", "“" ...
        self.pattern: re.Pattern[str] | None = None  # made from non_words when a text is searched
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        first = TOKEN.match(name)
        if first and name not in self.names:  # the empty string is never a mention
            self.names.add(name)
            if not WORD_CHAR.match(name):
                self.non_words.add(first.group())
                self.pattern = None
            lengths = self.lengths.setdefault(first.group(), [])
            if len(name) not in lengths:
                bisect.insort(lengths, len(name))

    def occurrences(self, text: str, covered: Covered | None = None) -> Iterator[tuple[str, int]]:
        """(name, start) of every whole-word occurrence, overlapping ones included; one name's by start.

        With ``covered``, occurrences it holds true for are left out, and so are the longer ones at the
        same start: ``covered`` must hold for every range containing one it holds for (an overlap test).
        """
        for word in WORD.finditer(text):  # a maximal run of word characters: none right before it
            lengths = self.lengths.get(word.group())
            if lengths:
                yield from self.starting(text, word.start(), lengths, covered)
        if self.non_words:  # one scan for all of them: a text.find per character would be quadratic
            for mark in self.non_word_starts().finditer(text):
                yield from self.starting(text, mark.start(), self.lengths[mark.group()], covered)

    def non_word_starts(self) -> re.Pattern[str]:
        """Any first non-word character of a name, standing after no word character."""
        if self.pattern is None:
            self.pattern = re.compile(r"(?<!\w)[" + "".join(map(re.escape, sorted(self.non_words))) + "]")
        return self.pattern

    def starting(self, text: str, start: int, lengths: list[int], covered: Covered | None) -> Iterator[tuple[str, int]]:
        for length in lengths:
            end = start + length
            if end > len(text) or (covered is not None and covered(start, end)):
                break
            if text[start:end] in self.names and not WORD_CHAR.match(text, end):
                yield text[start:end], start
