"""The sentence splitter (peacetalks.sentences) and the sentence rows of BIO tags (peacetalks.bio.sentence_rows):
abbreviations, initials, numbers and quotes do not end a sentence where they should not; no span but a
quote is cut between rows, and a quote goes on into the next row as I-."""

from __future__ import annotations

import pytest

from peacetalks.bio import LabelledSpan, bio_to_spans, joined_tags, joined_tokens, sentence_rows, tokenize
from peacetalks.corpus import load_document
from peacetalks.schema import load_schema
from peacetalks.sentences import split_sentences
from peacetalks.storage import Root


def sentences(text: str) -> list[str]:
    tokens = tokenize(text)
    return [text[tokens[s.first][0] : tokens[s.end - 1][1]] for s in split_sentences(text, tokens)]


@pytest.mark.parametrize("text, expected", [
    ("Talks began in the U.S. The president spoke.", ["Talks began in the U.S.", "The president spoke."]),
    ("Former U.S. President Donald Trump spoke.", ["Former U.S. President Donald Trump spoke."]),
    ("The U.S. is ready.", ["The U.S. is ready."]),
    ("Mr. Putin spoke. Dr. Smith agreed.", ["Mr. Putin spoke.", "Dr. Smith agreed."]),
    ("John F. Kennedy was president.", ["John F. Kennedy was president."]),
    ("Growth was 3.5 percent. It fell.", ["Growth was 3.5 percent.", "It fell."]),
    ("It starts at 5 p.m. on Friday.", ["It starts at 5 p.m. on Friday."]),
    ("On Feb. 12 talks began.", ["On Feb. 12 talks began."]),
    ("Shares of Acme Inc. rose.", ["Shares of Acme Inc. rose."]),
    ("He works at Acme Inc. The firm grew.", ["He works at Acme Inc.", "The firm grew."]),
    ("He said “we will win.” Then he left.", ["He said “we will win.”", "Then he left."]),
    ('He said "we will win." Then he left.', ['He said "we will win."', "Then he left."]),
    ("“Why?” he asked.", ["“Why?” he asked."]),
    ("Stop! Now.", ["Stop!", "Now."]),
    ("He went (reluctantly.) Then he spoke.", ["He went (reluctantly.)", "Then he spoke."]),
    ("I’ve had it . . . And I expect more.", ["I’ve had it . . .", "And I expect more."]),
    ("WASHINGTON/MOSCOW/KYIV. Former U.S. President Trump spoke.", ["WASHINGTON/MOSCOW/KYIV.", "Former U.S. President Trump spoke."]),
    ("He said: “Peace now.” “Not yet,” she said.", ["He said: “Peace now.”", "“Not yet,” she said."]),
    ("Heading without a stop\n\nThe text.", ["Heading without a stop", "The text."]),
    ("One line.\nAnother line", ["One line.", "Another line"]),
    ("Version 2.0.1 shipped.", ["Version 2.0.1 shipped."]),
])
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_paragraphs_are_blocks_between_blank_lines() -> None:
    text = "One. Two.\n\nThree.\n \nFour. Five.\nSix."
    tokens = tokenize(text)
    assert [s.paragraph for s in split_sentences(text, tokens)] == [0, 0, 1, 2, 2, 2]


def test_every_token_is_in_exactly_one_sentence_in_order() -> None:
    text = "  Mr. A said “x. y.” Then: z!\n\n\nNext   para . . . ok"
    tokens = tokenize(text)
    found = split_sentences(text, tokens)
    assert found[0].first == 0 and found[-1].end == len(tokens)
    assert all(a.end == b.first and a.first < a.end for a, b in zip(found, found[1:]))


def test_an_empty_text_has_no_sentences() -> None:
    assert split_sentences("", []) == []


SEED_SENTENCES = {  # sentences of the committed clean texts, each a row of its own
    "000_82625007ee74e6f5": ["The activity from the White House regarding Ukraine indicates that resolving the Russia-Ukraine conflict is one "
                             "of the highest foreign policy priorities for the newly elected U.S. president.",
                             "I want this to stop,” said Donald Trump to a reporter from the New York Post."],
    "001_a3810ec14a745d9b": ["“I’ve had it.", "Let’s just say I’ve had it . . ."],
    "004_bdff44f797d73534": ["WASHINGTON/MOSCOW/KYIV.", "Trump-Putin Meeting in the Works",
                             "Russia released American schoolteacher Marc Fogel, who had been serving a 14-year sentence, in exchange "
                             "for a Russian cybercrime boss imprisoned in the U.S.",
                             "A U.S. official involved in the negotiations noted that the swap was a sign of potential progress in "
                             "broader diplomatic talks between Washington and Moscow."],
}


@pytest.mark.parametrize("doc_id", sorted(SEED_SENTENCES))
def test_seed_sentences_are_split_where_a_reader_would(repo_root: Root, doc_id: str) -> None:
    if not repo_root.corpus_text(doc_id).exists():
        pytest.skip("the committed corpus is not here")
    found = sentences(load_document(repo_root, doc_id).text)
    for sentence in SEED_SENTENCES[doc_id]:
        assert sentence in found


# --- sentence rows of BIO tags ------------------------------------------------------------------

TEXT = "Talks went on. They ended. He said “We won. We stay.” Then he left."


def rows_of(repo_root: Root, spans: list[LabelledSpan]) -> list[list[str]]:
    return [[TEXT[a:b] for a, b in row.tokens] for row in sentence_rows(TEXT, spans, load_schema(repo_root))]


def test_a_sentence_boundary_inside_an_entity_keeps_the_two_sentences_in_one_row(repo_root: Root) -> None:
    law = LabelledSpan(TEXT.index("on."), TEXT.index(" ended"), "LAW")  # "on. They": made up, it crosses a boundary
    assert [" ".join(row) for row in rows_of(repo_root, [law])][:2] == ["Talks went on . They ended .", "He said “ We won ."]
    assert len(rows_of(repo_root, [])) == 5


def test_a_quote_over_two_sentences_continues_into_the_next_row_as_i_quote(repo_root: Root) -> None:
    start = TEXT.index("We won")
    quote = LabelledSpan(start, TEXT.index("”"), "QUOTE")
    rows = sentence_rows(TEXT, [quote], load_schema(repo_root))
    assert [[TEXT[a:b] for a, b in row.tokens] for row in rows][3] == ["We", "stay", ".", "”"]
    assert rows[3].tags["attribution"][:1] == ["I-QUOTE"] and rows[2].tags["attribution"][-1] == "I-QUOTE"
    assert bio_to_spans(joined_tokens(rows), joined_tags(rows, "attribution")) == [quote]
    assert all(tag == "O" for row in rows for tag in row.tags["entity"])
