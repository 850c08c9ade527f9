"""The `tokens` config: one row per sentence, over the repository's own gold data (every committed document):
tokens with their whitespace give each document text back exactly, BIO decodes to the gold spans, and
only a quote runs over rows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import datasets
import pytest

from peacetalks.bio import bio_to_spans
from peacetalks.release.rows import token_rows
from peacetalks.release.stream import release_doc
from peacetalks.schema import load_schema
from peacetalks.storage import Root

Rows = dict[str, list[dict[str, Any]]]  # document id → its sentence rows, in sentence order


def by_document(tokens: datasets.Dataset) -> Rows:
    rows: Rows = {}
    for row in tokens:
        rows.setdefault(row["document_id"], []).append(row)
    return rows


@pytest.fixture(scope="module")
def loaded(gold_release: tuple[Root, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, datasets.DatasetDict]:
    cache = tmp_path_factory.mktemp("hf-cache")
    return {config: datasets.load_dataset(str(gold_release[1]), config, cache_dir=str(cache)) for config in ("documents", "tokens")}


def documents_and_rows(loaded: dict[str, datasets.DatasetDict]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    pairs = []
    for split, tokens in loaded["tokens"].items():
        rows = by_document(tokens)
        pairs += [(doc, rows[doc["id"]]) for doc in loaded["documents"][split]]
    return pairs


def reconstructed(rows: list[dict[str, Any]]) -> str:
    return rows[0]["leading_whitespace"] + "".join(t + w for row in rows for t, w in zip(row["tokens"], row["whitespace_after"]))


def test_rows_are_the_sentences_of_every_document_in_order(loaded: dict[str, datasets.DatasetDict]) -> None:
    pairs = documents_and_rows(loaded)
    assert len(pairs) == 5 and all(doc["annotated"] for doc, _ in pairs)
    for doc, rows in pairs:
        assert [row["sentence_index"] for row in rows] == list(range(len(rows))) and len(rows) > 20
        assert [row["id"] for row in rows] == [f"{doc['id']}:{i}" for i in range(len(rows))]
        assert max(len(row["tokens"]) for row in rows) < 128  # the document had 665-1,706 tokens
    texts = {"".join(t + w for t, w in zip(row["tokens"], row["whitespace_after"])).strip() for _, rows in pairs for row in rows}
    assert "“I’ve had it." in texts and "WASHINGTON/MOSCOW/KYIV." in texts


def test_tokens_with_their_whitespace_give_every_document_text_exactly(loaded: dict[str, datasets.DatasetDict]) -> None:
    for doc, rows in documents_and_rows(loaded):
        assert reconstructed(rows) == doc["text"], doc["id"]
        for row in rows:
            assert [doc["text"][a:b] for a, b in zip(row["token_starts"], row["token_ends"])] == row["tokens"]
            assert all(w == "" or w.isspace() for w in row["whitespace_after"])


def test_text_before_the_first_token_is_the_first_rows_leading_whitespace(release_root: Root) -> None:
    schema = load_schema(release_root)
    doc = release_doc(release_root, schema, sorted(p.stem for p in release_root.corpus.glob("*.txt"))[0], None)
    text = " \n\n" + doc.document.text + "\n"
    rows = token_rows(release_root, schema, doc.__class__(doc.document.model_copy(update={"text": text}), None, []))
    assert rows[0]["leading_whitespace"] == " \n\n" and all(row["leading_whitespace"] == "" for row in rows[1:])
    assert rows[-1]["whitespace_after"][-1] == "\n"
    assert reconstructed(rows) == text


def test_joined_rows_decode_to_the_gold_spans_and_only_quotes_run_over_rows(loaded: dict[str, datasets.DatasetDict]) -> None:
    names = {column: loaded["tokens"]["train"].features[column].feature.names for column in ("entity_tags", "attribution_tags")}
    span_names = loaded["documents"]["train"].features["spans"].feature["label"].names
    crossing: list[str] = []
    for doc, rows in documents_and_rows(loaded):
        offsets = [(a, b) for row in rows for a, b in zip(row["token_starts"], row["token_ends"])]
        decoded = {(s.start, s.end, s.label) for column, labels in names.items()
                   for s in bio_to_spans(offsets, [labels[t] for row in rows for t in row[column]])}
        assert decoded == {(s["start"], s["end"], span_names[s["label"]]) for s in doc["spans"]}, doc["id"]
        row_ends = [row["token_ends"][-1] for row in rows]
        crossing += [span_names[s["label"]] for s in doc["spans"] if any(s["start"] < end < s["end"] for end in row_ends)]
    assert crossing and set(crossing) == {"QUOTE"}


def test_each_row_alone_decodes_to_the_entities_inside_it(loaded: dict[str, datasets.DatasetDict]) -> None:
    """A trainer that sees one sentence at a time gets every entity whole."""
    names = loaded["tokens"]["train"].features["entity_tags"].feature.names
    span_names = loaded["documents"]["train"].features["spans"].feature["label"].names
    for doc, rows in documents_and_rows(loaded):
        per_row = {(s.start, s.end, s.label) for row in rows
                   for s in bio_to_spans(list(zip(row["token_starts"], row["token_ends"])), [names[t] for t in row["entity_tags"]])}
        gold = {(s["start"], s["end"], span_names[s["label"]]) for s in doc["spans"] if f"B-{span_names[s['label']]}" in names}
        assert per_row == gold and gold, doc["id"]


def test_a_rows_paragraph_index_counts_the_blank_lines_before_it(loaded: dict[str, datasets.DatasetDict]) -> None:
    for doc, rows in documents_and_rows(loaded):
        for row in rows:
            assert row["paragraph_index"] == len(re.findall(r"\n\s*\n", doc["text"][: row["token_starts"][0]])), row["id"]
        assert rows[-1]["paragraph_index"] == doc["text"].count("\n\n")
