"""Pre-annotation (pure): quotes with their cue and source, and entity mentions projected from other documents' gold."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from peacetalks.corpus import iter_documents
from peacetalks.models import AnnotationSet, Span
from peacetalks.preannotate import EntityLexicon, NameIndex, entity_mentions, model_version, preannotate
from peacetalks.schema import load_schema
from peacetalks.storage import Root
from peacetalks.problems import Place
from peacetalks.validate import set_problems

REPO = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(Root(REPO))
ENTITY_LABELS = {"PERSON", "GPE", "ORG"}


def triples(aset: AnnotationSet) -> set[tuple[str, str, str]]:
    """(label, head text, tail text) for every relation, so tests read like the text."""
    spans = {s.id: s for s in aset.spans}
    return {(r.label, spans[r.head].text, spans[r.tail].text) for r in aset.relations}


def labelled(aset: AnnotationSet) -> list[tuple[str, str]]:
    return [(s.label, s.text) for s in aset.spans]


def spans(*pairs: tuple[str, str]) -> list[Span]:
    return [Span(id=f"e{i}", start=0, end=len(t), label=label, text=t) for i, (t, label) in enumerate(pairs)]


def test_a_quote_gets_its_cue_and_the_name_before_it() -> None:
    text = "Peace is close. Trump said: “We want to stop the war.” Then he left."
    aset = preannotate(text, {}, SCHEMA)
    assert labelled(aset) == [("SOURCE", "Trump"), ("CUE", "said"), ("QUOTE", "We want to stop the war.")]
    assert triples(aset) == {("cue", "We want to stop the war.", "said"), ("source", "We want to stop the war.", "Trump")}


def test_the_trailing_comma_stays_outside_and_a_pronoun_after_the_cue_is_the_source() -> None:
    text = "“It will be a tough negotiation, ” said Peskov, the Kremlin spokesman."
    aset = preannotate(text, {}, SCHEMA)
    assert ("QUOTE", "It will be a tough negotiation") in labelled(aset)
    assert triples(aset) == {("cue", "It will be a tough negotiation", "said"), ("source", "It will be a tough negotiation", "Peskov")}


def test_a_cue_in_the_next_sentence_does_not_count() -> None:
    text = "“We will keep talking to everyone.” Officials added nothing."
    aset = preannotate(text, {}, SCHEMA)
    assert labelled(aset) == [("QUOTE", "We will keep talking to everyone.")]
    assert aset.relations == []


def test_two_quotes_around_one_cue_share_the_cue_span() -> None:
    text = "“We are ready to talk,” he said, “but not at any price.”"
    aset = preannotate(text, {}, SCHEMA)
    assert [s.label for s in aset.spans].count("CUE") == 1
    assert triples(aset) == {
        ("cue", "We are ready to talk", "said"), ("source", "We are ready to talk", "he"),
        ("cue", "but not at any price.", "said"), ("source", "but not at any price.", "he"),
    }
    assert set_problems(aset, text, load_schema(Root(REPO)), Place("-", "-")) == []


def test_short_scare_quotes_are_not_quotes() -> None:
    assert preannotate("He called it a “victory plan” yesterday, officials said.", {}, SCHEMA).spans == []


def test_entities_are_projected_whole_word_longest_first_without_overlap() -> None:
    text = "Donald Trump met Zelensky. Trump and Zelenskyy spoke; Ukraine’s allies waited."
    lexicon = {"Donald Trump": "PERSON", "Trump": "PERSON", "Zelensky": "PERSON", "Ukraine": "GPE"}
    aset = preannotate(text, lexicon, SCHEMA)
    assert labelled(aset) == [("PERSON", "Donald Trump"), ("PERSON", "Zelensky"), ("PERSON", "Trump"), ("GPE", "Ukraine")]


def test_the_lexicon_leaves_out_the_document_itself_and_takes_the_most_frequent_label() -> None:
    lexicon = EntityLexicon()
    lexicon.add("a", spans(("Kyiv", "GPE"), ("Kremlin", "ORG")), ENTITY_LABELS)
    lexicon.add("b", spans(("Kremlin", "GPE")), ENTITY_LABELS)
    lexicon.add("c", spans(("Kremlin", "ORG"), ("said", "CUE")), ENTITY_LABELS)
    assert lexicon.excluding("a") == {"Kremlin": "GPE"}  # one GPE, one ORG: a tie goes alphabetically
    assert lexicon.excluding("b") == {"Kyiv": "GPE", "Kremlin": "ORG"}
    assert lexicon.excluding("z") == {"Kyiv": "GPE", "Kremlin": "ORG"}  # two ORG beat one GPE


def recounted(gold: dict[str, list[tuple[str, str]]], doc_id: str) -> dict[str, str]:
    """``EntityLexicon.excluding`` by its definition: count every other document's pairs afresh."""
    total: Counter[tuple[str, str]] = Counter()
    for other, pairs in gold.items():
        if other != doc_id:
            total.update(pair for pair in pairs if pair[1] in ENTITY_LABELS)
    best: dict[str, tuple[int, str]] = {}
    for (text, label), count in sorted(total.items()):
        if text.strip() == text and text and (text not in best or count > best[text][0]):
            best[text] = (count, label)
    return {text: label for text, (_, label) in best.items()}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.lists(st.tuples(st.sampled_from(["Kyiv", "Kremlin", " Kyiv", "", "UN"]),
                                                                      st.sampled_from(["GPE", "ORG", "CUE"])), max_size=6)),
                max_size=10))
def test_the_kept_totals_leave_a_document_out_as_a_recount_would(additions: list[tuple[str, list[tuple[str, str]]]]) -> None:
    lexicon, gold = EntityLexicon(), {}
    for doc_id, pairs in additions:  # a document added again replaces its earlier gold
        lexicon.add(doc_id, spans(*pairs), ENTITY_LABELS)
        gold[doc_id] = pairs
    for doc_id in [*gold, "z"]:
        assert lexicon.excluding(doc_id) == recounted(gold, doc_id)


def searched_name_by_name(text: str, lexicon: dict[str, str]) -> list[tuple[int, int, str]]:
    """Entity mentions by their definition: one regex per string, longest first, no overlap with those placed."""
    taken: list[tuple[int, int]] = []
    placed = []
    for name in sorted(lexicon, key=lambda n: (-len(n), n)):
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            if not any(a < match.end() and match.start() < b for a, b in taken):
                taken.append(match.span())
                placed.append((match.start(), match.end(), lexicon[name]))
    return placed


CHARS = st.sampled_from(list("aaab  _1²é’'-$.\n“"))


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_the_one_pass_search_finds_what_one_regex_per_string_finds(data: st.DataObject) -> None:
    text = data.draw(st.text(CHARS, max_size=60), label="text")
    cuts = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 9)), max_size=8))
    names = {text[at : at + size] for at, size in cuts} | set(data.draw(st.lists(st.text(CHARS, min_size=1, max_size=4), max_size=4)))
    lexicon = {name: data.draw(st.sampled_from(["GPE", "ORG"])) for name in sorted(names) if name}
    others = data.draw(st.lists(st.text(CHARS, min_size=1, max_size=4), max_size=3))  # in the index, not in this lexicon
    assert entity_mentions(text, lexicon, NameIndex([*lexicon, *others])) == searched_name_by_name(text, lexicon)


def test_a_string_overlapping_itself_is_found_as_re_finditer_finds_it() -> None:
    lexicon = {"xx a": "ORG", "a a": "GPE"}  # "a a" at 3 is under "xx a"; re.finditer goes on from 6, so not at 5
    assert entity_mentions("xx a a a", lexicon, NameIndex(lexicon)) == searched_name_by_name("xx a a a", lexicon) == [(0, 4, "ORG")]


def test_model_version_names_the_schema() -> None:
    assert model_version("1.2.0") == "peacetalks-preannotate-1.2.0"


def test_suggestions_on_the_real_corpus_pass_the_validator() -> None:
    root = Root(REPO)
    schema = load_schema(root)
    lexicon = {"Ukraine": "GPE", "Trump": "PERSON", "Donald Trump": "PERSON", "Putin": "PERSON", "Russia": "GPE"}
    quotes = 0
    for doc in iter_documents(root):
        aset = preannotate(doc.text, lexicon, schema)
        assert set_problems(aset, doc.text, schema, Place("-", "-")) == [], doc.id
        quotes += sum(s.label == "QUOTE" for s in aset.spans)
    assert quotes > 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab “”\",.!?\nTsaidhe")), max_size=80))
def test_any_text_gets_valid_suggestions(text: str) -> None:
    schema = load_schema(Root(REPO))
    aset = preannotate(text, {"Tb": "PERSON", "a": "GPE"}, schema)
    assert set_problems(aset, text, schema, Place("-", "-")) == []
