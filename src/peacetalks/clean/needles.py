"""Clean stage, pure: what a regular expression's parse tree tells the matchers: the literal text it cannot match
without (its needles), where its matches begin, and whether it refers to its own groups.

``needles(pattern, flags)`` reads the pattern's parse tree (the ``re`` module's own parser) and returns strings of
which every match must contain one, or ``None`` when it finds none worth a test. Looking for the needles (``in``, a
fast substring search) is then a cheap necessary condition: where none is found the pattern cannot match, so the full
pattern, many alternatives tried at every position of a line, runs only on the few lines that hold one.

A case-blind pattern's needles are looked for, lowered, in the lowered line (:func:`fold`). That is exact because
``re`` folds case one character at a time by its simple lower case, which ``str.lower`` equals but for 'İ' (lowered
to two characters), and adds a few pairs of lower-case letters that match each other ('s' and 'ſ', 'σ' and 'ς',
'о' and 'ᲂ'): a line holding the second letter of such a pair (or what 'İ' lowers to) is not folded, and a needle
holding one is not used. Then a match of the pattern holds a needle letter for letter in the folded line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from re import _casefix  # type: ignore[attr-defined]  # the letters re.IGNORECASE pairs beyond lower case
from re import _constants as sre  # type: ignore[attr-defined]  # the parser's opcodes (CPython's own, since 3.11)
from re import _parser  # type: ignore[attr-defined]

MIN_NEEDLE = 2  # a one-letter needle is in almost every line ('©' is not: a character outside ASCII is rare enough)
ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}  # anchors, \b and lookarounds consume nothing: literals around them stay adjacent
REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}

Needles = frozenset[str]

# of each set of letters re.IGNORECASE pairs, all but the first (the lowest code point), and what 'İ' lowers to besides 'i'
UNFOLDABLE = frozenset(chr(code) for key, pairs in _casefix._EXTRA_CASES.items() for code in (key, *pairs)
                       if code != min((key, *pairs))) | {"\u0307"}
UNFOLDABLE_LETTER = re.compile("[" + re.escape("".join(sorted(UNFOLDABLE))) + "]")


@lru_cache(maxsize=1024)
def parsed_tree(pattern: str, flags: int = 0) -> Any:
    """The pattern's parse tree (read once for its needles, its opening and its groups), or ``None`` if it does not parse
    or the parser is not one this code knows (then a matcher searches it as it is)."""
    try:
        return _parser.parse(pattern, flags)
    except (re.error, AttributeError, TypeError, RecursionError):
        return None


def needles(pattern: str, flags: int = 0) -> Needles | None:
    """Strings, one of which is in every match of ``pattern`` (each at least ``MIN_NEEDLE`` long or outside ASCII), or ``None``."""
    tree = parsed_tree(pattern, flags)
    if tree is None or (tree.state.flags | re.UNICODE) != (flags | re.UNICODE):  # '(?i)' at its start: it matches otherwise than searched
        return None
    return best(factors(tree))


def best(candidates: Iterable[Needles]) -> Needles | None:
    """The most selective candidate: the longest shortest string, then the fewest strings."""
    usable = [c for c in candidates if c and all(len(n) >= MIN_NEEDLE or not n.isascii() for n in c)]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def factors(sequence: Iterable[tuple[object, object]]) -> list[Needles]:
    """Every candidate of a sequence of parsed items: each run of adjacent literals, and the candidates of what must
    match inside it (a group, a repeat of at least one, an alternation whose every branch has one)."""
    found: list[Needles] = []
    run = ""
    for op, value in sequence:
        if op == sre.LITERAL:
            run += chr(value)  # type: ignore[arg-type]
            continue
        if op in ZERO_WIDTH:
            continue
        if run:
            found.append(frozenset({run}))
        run = ""
        found += inner_factors(op, value)
    if run:
        found.append(frozenset({run}))
    return found


def inner_factors(op: object, value: object) -> list[Needles]:
    if op == sre.SUBPATTERN:
        _, add_flags, del_flags, inner = value  # type: ignore[misc]
        return [] if add_flags or del_flags else factors(inner)  # (?i:...) matches otherwise than the needles would be searched
    if op == sre.ATOMIC_GROUP:
        return factors(value)  # type: ignore[arg-type]
    if op in REPEATS:
        low, _, inner = value  # type: ignore[misc]
        return factors(inner) if low >= 1 else []
    if op == sre.BRANCH:
        branches = [best(factors(branch)) for branch in value[1]]  # type: ignore[index]
        return [frozenset().union(*branches)] if all(branches) else []  # type: ignore[arg-type]
    return []  # a class, any character, a back reference: no literal


def fold(text: str) -> str | None:
    """The text lowered, in which a case-blind pattern's lowered needles are found as the pattern would find them; ``None``
    when the text holds a letter ``re`` pairs beyond lower case (then only the pattern can tell)."""
    folded = text.lower()
    return None if not folded.isascii() and UNFOLDABLE_LETTER.search(folded) else folded


def folded_needles(found: Needles) -> tuple[str, ...] | None:
    """The needles lowered, for :func:`fold`'s text, without those that hold a shorter one (found whenever they are);
    ``None`` if one holds a letter ``fold`` cannot be trusted with."""
    lowered = {needle.lower() for needle in found}
    if any(UNFOLDABLE_LETTER.search(needle) for needle in lowered):
        return None
    return shortest(lowered)


def shortest(found: Iterable[str]) -> tuple[str, ...]:
    """The needles no other needle is part of, in order: one of them is in a text whenever one of ``found`` is."""
    ordered = sorted(set(found), key=lambda n: (len(n), n))
    kept: list[str] = []
    for needle in ordered:
        if not any(part in needle for part in kept):
            kept.append(needle)
    return tuple(kept)


def opening(pattern: str, flags: int = 0) -> str:
    """'start' when every match begins at the start of the text ('^...', '^a|^b'), 'boundary' when every match begins
    on a word boundary ('\\b...'), else '' (an alternation of other openings, '^a|b', or anything else)."""
    tree = parsed_tree(pattern, flags)
    if tree is None or not tree.data or tree.state.flags & re.MULTILINE:
        return ""
    op, value = tree.data[0]
    if op == sre.AT and value == sre.AT_BEGINNING:
        return "start"
    return "boundary" if op == sre.AT and value == sre.AT_BOUNDARY else ""


def refers_to_groups(pattern: str, flags: int = 0) -> bool:
    """Whether the pattern names a group or refers back to one ('(?P<n>...)', '\\1', '(?(1)...)'): then it means what it
    means only in the alternation its group numbers were counted in (and ``True`` when it does not parse)."""
    tree = parsed_tree(pattern, flags)
    return tree is None or bool(tree.state.groupdict) or any(op in GROUP_REFERENCES for op in opcodes(tree.data))


GROUP_REFERENCES = {sre.GROUPREF, sre.GROUPREF_EXISTS}


def opcodes(sequence: Iterable[tuple[object, object]]) -> Iterable[object]:
    """Every opcode of a parsed sequence, its groups', branches' and repeats' included."""
    for op, value in sequence:
        yield op
        for inner in nested(op, value):
            yield from opcodes(inner)


def nested(op: object, value: object) -> list[Iterable[tuple[object, object]]]:
    if op == sre.SUBPATTERN:
        return [value[3]]  # type: ignore[index]
    if op in REPEATS:
        return [value[2]]  # type: ignore[index]
    if op == sre.BRANCH:
        return list(value[1])  # type: ignore[index]
    if op == sre.ATOMIC_GROUP:
        return [value]  # type: ignore[list-item]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [value[1]]  # type: ignore[index]
    if op == sre.GROUPREF_EXISTS:
        return [branch for branch in value[1:] if branch is not None]  # type: ignore[index]
    return []
