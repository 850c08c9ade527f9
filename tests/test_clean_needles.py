"""Clean stage: a matcher looks for its patterns' needles before it searches, and that shortcut never changes an answer."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import peacetalks.clean.lines as lines_module
from peacetalks.clean import split_lines
from peacetalks.clean.lines import Line, matches
from peacetalks.clean.needles import fold, folded_needles, needles

from test_clean import PROSE, TITLE

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval" / "boilerplate"

# letters re.IGNORECASE pairs with another beyond lower case, written as the other: a needle looked for in the lowered
# text alone would miss them ('ſ' for 's', 'ı' for 'i', 'K' the Kelvin sign for 'k', 'İ' for 'i', final 'ς' for 'σ')
LOOKALIKES = {"s": "ſ", "i": "ı", "k": "\u212a", "I": "\u0130", "σ": "ς", "о": "ᲂ", "т": "ᲄ"}


def matchers() -> list[tuple[str, Callable[[Line], bool]]]:
    return sorted((name, value) for name, value in vars(lines_module).items() if callable(value) and hasattr(value, "patterns"))


def reference(matcher: Callable[[Line], bool]) -> Callable[[str], bool]:
    """The same patterns searched the plain way: one alternation tried at every position."""
    pattern = re.compile("|".join(f"(?:{p})" for p in matcher.patterns), re.IGNORECASE if matcher.ignore_case else 0)  # type: ignore[attr-defined]
    return lambda text: pattern.search(text) is not None


def variants(text: str) -> Iterator[str]:
    """The text, upper-cased, title-cased, and with each look-alike letter put in."""
    yield from (text, text.upper(), text.title(), text.swapcase())
    for plain, lookalike in LOOKALIKES.items():
        if plain in text:
            yield text.replace(plain, lookalike)
            yield text.replace(plain, lookalike, 1)


def sample_texts() -> list[str]:
    """Article text, every seed's lines, every needle of every matcher inside a sentence, and, when ../shared is there,
    the lines of the development sets' first pages."""
    texts = [TITLE, *PROSE, *(line.text for path in sorted((REPO / "seeds").glob("*.txt"))
                                             for line in split_lines(path.read_text(encoding="utf-8")))]
    for _, matcher in matchers():
        for pattern in matcher.patterns:  # type: ignore[attr-defined]
            for needle in needles(pattern, re.IGNORECASE) or ():
                texts += [needle, f"Please {needle} here.", f"{needle}: more"]
    if EVAL.is_dir():
        for name in ("aeb_pairs.jsonl", "trafilatura_eval_pairs.jsonl"):
            with (EVAL / name).open(encoding="utf-8") as pages:
                for _, page in zip(range(8), pages):
                    texts += [line.text for inp in json.loads(page)["inputs"].values() for line in split_lines(inp["text"])]
    return texts


@pytest.fixture(scope="module")
def sample_lines() -> list[Line]:
    return split_lines("\n".join(variant for text in sample_texts() for variant in variants(text)))


@pytest.mark.parametrize("name", [name for name, _ in matchers()])
def test_a_matcher_with_needles_answers_as_its_patterns_searched_in_full(name: str, sample_lines: list[Line]) -> None:
    matcher = dict(matchers())[name]
    plain = reference(matcher)
    differing = [line.text for line in sample_lines if matcher(line) != plain(line.text)]
    assert not differing, f"{name}: {differing[:3]}"


def test_the_matchers_are_found_and_most_search_with_needles() -> None:
    found = matchers()
    guarded = [name for name, m in found if any(needles(p, re.IGNORECASE) for p in m.patterns)]  # type: ignore[attr-defined]
    assert len(found) >= 30 and len(guarded) >= 15


def test_needles_are_the_literal_text_every_match_holds() -> None:
    assert needles(r"\b(leave|post|add|write) a (comment|reply)\b") == {"comment", "reply"}
    assert needles(r"\bcopyright\s*(©|\d{4})") == {"copyright"}
    assert needles(r"\(c\)\s*\d{4}") == {"(c)"}
    assert needles(r"\blinks?\b.{0,80}\bprovision\b") == {"provision"}  # 'link' as well; the longer is the rarer
    assert needles(r"a\bb") == {"ab"}  # a boundary consumes nothing: the letters around it stand side by side


def test_no_needles_where_a_match_need_hold_no_literal() -> None:
    assert needles(r"[?!]") is None  # a class
    assert needles(r"\b(us|our|we)x?") == {"us", "our", "we"}
    assert needles(r"\b(us|[0-9]+)") is None  # one branch without a literal: the alternation has none
    assert needles(r"(newsletter)?\d+") is None  # what may repeat zero times need not be there
    assert needles(r"(?i:newsletter)") is None  # its own flags: looked for otherwise than it matches
    assert needles(r"(?i)newsletter") is None and needles(r"(?i)newsletter", re.IGNORECASE) == {"newsletter"}
    assert needles(r"a") is None  # one letter is in every line


def test_a_line_holding_a_letter_re_pairs_beyond_lower_case_is_not_folded() -> None:
    assert fold("Sign Up For Our NEWSLETTER") == "sign up for our newsletter"
    assert fold("Führung über den Fluß") == "führung über den fluß"
    for lookalike in ("ſ", "ı", "\u0130", "σ", "ᲂ"):
        assert fold(f"news{lookalike}letter") is None
    assert folded_needles(frozenset({"Newsletter", "newsletters", "Letter"})) == ("letter",)
    assert folded_needles(frozenset({"ſign"})) is None


def test_a_guarded_matcher_finds_its_words_written_with_look_alike_letters() -> None:
    test = matches([r"\bsubscribe (now|today)\b"])
    for text in ("SUBSCRIBE NOW", "ſubſcribe today", "\u0130", "Subscr\u0131be now"):
        assert test(split_lines(text)[0]) is bool(re.search(r"\bsubscribe (now|today)\b", text, re.IGNORECASE)), text


@pytest.mark.parametrize(("patterns", "text"), [
    ([r"^a[](]|b"], "xb"),  # a ']' first in a class is a letter: the '|' stands outside every group
    ([r"\ba[](]|b"], "ab"),
    ([r"^a(?#()|b"], "xb"),  # a '(' in a comment opens nothing
    ([r"\bab(?#()|b"], "xb"),
    (["^a(?x: #(\n)|b"], "xb"),  # nor in a verbose group's comment
    ([r"^news[^](]|letter"], "the letter"),
    ([r"(a)", r"(cd)\1"], "cdcd"),  # '\1' is the first group of the alternation of them all, '(a)'
    ([r"(x)\1", r"\b(y)\1"], "xx"),
    ([r"^(q)", r"(cd)\1"], "cdcd"),
])
def test_a_matcher_reads_alternations_and_group_numbers_as_re_does(patterns: list[str], text: str) -> None:
    for ignore_case in (True, False):
        test = matches(patterns, ignore_case)
        assert test(split_lines(text)[0]) is reference(test)(text), (patterns, ignore_case)


def test_named_groups_across_patterns_fail_or_compile_as_their_one_alternation_does() -> None:
    with pytest.raises(re.error):
        matches(["^(?P<n>q)", "(?P<n>cd)"])
    test = matches(["^(?P<n>q)", "cd(?P=n)"])
    assert not test(split_lines("cd")[0]) and test(split_lines("q")[0])
