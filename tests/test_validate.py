"""`peacetalks validate`: every rule has a failing fixture, and its exact message is specified."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPO, annotation_data, only_document

from peacetalks.schema import load_schema
from peacetalks.storage import Root, write_text_atomic
from peacetalks.problems import RULES, Problem
from peacetalks.validate import validate_root

DOC = "doc1"
SCHEMA_VERSION = load_schema(Root(REPO)).version  # the repository's schema, which the copies in these tests have
TEXT = "Trump said: “We want peace now.” Putin agreed with Trump in Moscow.\n\nThe “peace through strength” plan was not discussed."
# offsets into TEXT
TRUMP, SAID, QUOTE, PUTIN, TRUMP2, MOSCOW = (0, 5), (6, 10), (13, 31), (33, 38), (51, 56), (60, 66)


def span(sid: str, where: tuple[int, int], label: str, text: str | None = None) -> dict[str, Any]:
    return {"id": sid, "start": where[0], "end": where[1], "label": label, "text": TEXT[where[0]:where[1]] if text is None else text}


def good_gold() -> dict[str, Any]:
    return {
        "provenance": {"annotator": "gold", "method": "adjudication"},
        "spans": [
            span("e1", TRUMP, "PERSON"), span("e2", PUTIN, "PERSON"), span("e3", TRUMP2, "PERSON"), span("e4", MOSCOW, "GPE"),
            span("a1", TRUMP, "SOURCE"), span("a2", SAID, "CUE"), span("a3", QUOTE, "QUOTE"), span("a4", (74, 96), "NOT_SPEECH"),
        ],
        "relations": [{"id": "r1", "head": "a3", "tail": "a1", "label": "source"}, {"id": "r2", "head": "a3", "tail": "a2", "label": "cue"}],
    }


def annotation_file(gold: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    return annotation_data(DOC, TEXT, gold or good_gold(), **overrides)


@pytest.fixture
def root(tmp_root: Root) -> Root:
    return only_document(tmp_root, DOC, TEXT)


def problems(root: Root, data: dict[str, Any] | str, name: str = DOC) -> list[str]:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    write_text_atomic(root.annotations / f"{name}.json", body)
    return [str(p) for p in validate_root(root, load_schema(root))]


def with_spans(*spans: dict[str, Any], relations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    gold = good_gold()
    gold["spans"] = [*gold["spans"], *spans]
    if relations is not None:
        gold["relations"] = relations
    return annotation_file(gold)


def test_the_example_file_is_valid(root: Root) -> None:
    assert problems(root, annotation_file()) == []


def test_the_repository_validates(repo_root: Root) -> None:
    assert [str(p) for p in validate_root(repo_root, load_schema(repo_root))] == []




def test_every_schema_rule_is_implemented_and_every_check_is_declared(repo_root: Root) -> None:
    declared = {rule.id for rule in load_schema(repo_root).rules}
    assert declared == set(RULES)


CASES = {
    "file-json": ("{not json", "annotations/doc1.json: doc1: file: file-json: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    "file-shape": (annotation_file(text_sha256="abc"), "annotations/doc1.json: doc1: file: file-shape: text_sha256: String should match pattern '^[0-9a-f]{64}$'"),
    "doc-text-hash": (annotation_file(text_sha256="0" * 64), "annotations/doc1.json: doc1: file: doc-text-hash: clean text changed since annotation (run `peacetalks realign`)"),
    "schema-version": (annotation_file(schema_version="0.9.0"), f"annotations/doc1.json: doc1: file: schema-version: annotated with schema 0.9.0, schema is {SCHEMA_VERSION} (run `peacetalks schema migrate`)"),
    "set-gold": ({**annotation_file(), "annotators": {"ann1": good_gold()}}, "annotations/doc1.json: doc1: file: set-gold: warning: no gold set yet (awaiting adjudication)"),
    "span-label": (with_spans(span("x1", (40, 47), "PLACE")), "annotations/doc1.json: doc1: gold/span x1: span-label: unknown label 'PLACE'"),
    "span-offsets": (with_spans(span("x1", (100, 200), "GPE", "x")), "annotations/doc1.json: doc1: gold/span x1: span-offsets: [100, 200) outside the text of length 121"),
    "span-text": (with_spans(span("x1", (39, 45), "DATE", "agree")), 'annotations/doc1.json: doc1: gold/span x1: span-text: text[39:45] is "agreed", span says "agree"'),
    "span-whitespace": (with_spans(span("x1", (38, 45), "DATE")), 'annotations/doc1.json: doc1: gold/span x1: span-whitespace: " agreed" starts or ends with whitespace'),
    "span-duplicate": (with_spans(span("x1", PUTIN, "ORG")), 'annotations/doc1.json: doc1: gold/span x1: span-duplicate: "Putin" repeats e2 "Putin" in layer entity'),
    "span-overlap": (with_spans(span("x1", (33, 45), "ORG")), 'annotations/doc1.json: doc1: gold/span x1: span-overlap: "Putin agreed" overlaps e2 "Putin" in layer entity'),
    "id-unique": (with_spans(span("e1", (39, 45), "DATE")), "annotations/doc1.json: doc1: gold/e1: id-unique: id used 2 times"),
    "relation-label": (with_spans(relations=[*good_gold()["relations"], {"id": "r3", "head": "a3", "tail": "a1", "label": "speaker"}]),
                       "annotations/doc1.json: doc1: gold/relation r3: relation-label: unknown relation 'speaker'"),
    "relation-ends": (with_spans(relations=[{"id": "r1", "head": "a3", "tail": "zz", "label": "source"}, {"id": "r2", "head": "a3", "tail": "a2", "label": "cue"}]),
                      "annotations/doc1.json: doc1: gold/relation r1: relation-ends: tail 'zz' is not a span of this set"),
    "relation-end-labels": (with_spans(relations=[{"id": "r1", "head": "a3", "tail": "a2", "label": "source"}, {"id": "r2", "head": "a3", "tail": "a2", "label": "cue"}]),
                            "annotations/doc1.json: doc1: gold/relation r1: relation-end-labels: tail a2 is CUE, source allows SOURCE"),
    "relation-duplicate": (with_spans(relations=[{"id": "r1", "head": "a3", "tail": "a1", "label": "source"}, {"id": "r2", "head": "a3", "tail": "a2", "label": "cue"},
                                                 {"id": "r3", "head": "a3", "tail": "a1", "label": "source"}]),
                           "annotations/doc1.json: doc1: gold/relation r3: relation-duplicate: source a3 → a1 repeated"),
    "complete-quote": (with_spans(relations=[{"id": "r2", "head": "a3", "tail": "a2", "label": "cue"}]),
                       'annotations/doc1.json: doc1: gold/span a3: complete-quote: QUOTE "We want peace now." has no source relation'),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_reports_its_exact_message(root: Root, rule: str) -> None:
    data, message = CASES[rule]
    assert problems(root, data) == [message]


def test_file_name_must_match_the_document(root: Root) -> None:
    assert problems(root, annotation_file(), name="other") == [
        "annotations/other.json: doc1: file: file-name: file is named 'other' but holds document 'doc1'"]


def test_a_missing_document_is_reported(root: Root) -> None:
    root.corpus_text(DOC).unlink()
    assert problems(root, annotation_file()) == ["annotations/doc1.json: doc1: file: doc-exists: no corpus/doc1.txt"]


def test_an_unmarked_quotation_is_incomplete(root: Root) -> None:
    gold = good_gold()
    gold["spans"] = [s for s in gold["spans"] if s["label"] != "NOT_SPEECH"]
    assert problems(root, annotation_file(gold)) == [
        'annotations/doc1.json: doc1: gold/chars 74-96: complete-quote: quoted "peace through strength" is neither QUOTE nor NOT_SPEECH']


def test_a_name_annotated_once_must_be_annotated_everywhere(root: Root) -> None:
    gold = good_gold()
    gold["spans"] = [s for s in gold["spans"] if s["id"] != "e3"]
    assert problems(root, annotation_file(gold)) == [
        'annotations/doc1.json: doc1: gold/chars 51-56: complete-entity-mention: "Trump" is annotated elsewhere but not here']


def test_a_stale_generated_artefact_is_reported(root: Root) -> None:
    (root.schema_dir / "labelstudio.xml").write_text("<View/>\n", encoding="utf-8")
    assert problems(root, annotation_file()) == [
        "schema/labelstudio.xml: -: file: artefact-stale: differs from what schema.json generates (run `peacetalks schema`)"]


def test_every_problem_is_reported_not_just_the_first(root: Root) -> None:
    data = with_spans(span("x1", (39, 45), "DATE", "agree"), span("x2", (40, 47), "PLACE"))
    assert [p.split(": ")[3] for p in problems(root, data)] == ["span-text", "span-label"]


@pytest.mark.parametrize(("corruption", "rule"), [
    (lambda d: d["annotators"]["gold"]["spans"][1].update(start=34, end=39), "span-text"),
    (lambda d: d["annotators"]["gold"]["spans"][3].update(label="CITY"), "span-label"),
    (lambda d: d["annotators"]["gold"]["relations"][0].update(tail="gone"), "relation-ends"),
])
def test_the_cli_exits_non_zero_and_names_the_document(root: Root, cli: Any, corruption: Any, rule: str) -> None:
    data = annotation_file()
    corruption(data)
    write_text_atomic(root.annotations / f"{DOC}.json", json.dumps(data))
    code, out, _ = cli("validate", "--root", root.path)
    assert code == 1
    assert "annotations/doc1.json: doc1: " in out and f": {rule}: " in out
    code, out, _ = cli("validate", "--root", root.path, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["files"] == 1 and {p["rule"] for p in report["problems"]} == {rule}
    assert all(p["doc"] == DOC for p in report["problems"])


def test_problem_format_is_file_doc_item_rule_message() -> None:
    assert str(Problem("a.json", "d", "gold/span s1", "span-text", "msg")) == "a.json: d: gold/span s1: span-text: msg"


def test_single_quotation_marks_pair_up_but_apostrophes_do_not() -> None:
    from peacetalks.validate import quoted_passages

    text = "It’s Trump’s view that ‘we don’t want war now’ and “a b c” in Kyiv’s ‘Unrealistic’ plan."
    assert [text[a:b] for a, b in quoted_passages(text, min_words=1)] == ["we don’t want war now", "a b c", "Unrealistic"]
    assert [text[a:b] for a, b in quoted_passages(text)] == ["we don’t want war now", "a b c"]
