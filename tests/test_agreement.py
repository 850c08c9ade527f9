"""`peacetalks agreement`: span F1, token alpha and attribution agreement between two annotators."""

from __future__ import annotations

import json
from typing import Any

import pytest

from peacetalks.agreement import as_report, krippendorff_alpha_nominal, measure
from peacetalks.annotations import write_annotation_file
from peacetalks.models import AnnotationFile, AnnotationSet, Provenance, Relation, Span
from peacetalks.schema import load_schema
from peacetalks.storage import Root, sha256_text, write_text_atomic

TEXT = "Putin said “we want peace” in Moscow on Friday."


def at(sid: str, word: str, label: str) -> Span:
    start = TEXT.index(word)
    return Span(id=sid, start=start, end=start + len(word), label=label, text=word)


def aset(name: str, spans: list[Span], relations: list[Relation] | None = None) -> AnnotationSet:
    return AnnotationSet(provenance=Provenance(annotator=name, method="test"), spans=spans, relations=relations or [])


FULL = [at("e1", "Putin", "PERSON"), at("e2", "Moscow", "GPE"), at("e3", "Friday", "DATE"),
        at("s", "Putin", "SOURCE"), at("c", "said", "CUE"), at("q", "we want peace", "QUOTE")]
LINKS = [Relation(id="r1", head="q", tail="s", label="source"), Relation(id="r2", head="q", tail="c", label="cue")]


def annotation(first: AnnotationSet, second: AnnotationSet) -> AnnotationFile:
    return AnnotationFile(document_id="d1", text_sha256=sha256_text(TEXT), schema_version="1.0.0",
                          annotators={"ann1": first, "ann2": second})


def report(repo_root: Root, first: AnnotationSet, second: AnnotationSet) -> dict[str, Any]:
    schema = load_schema(repo_root)
    return as_report(measure([(annotation(first, second), TEXT)], "ann1", "ann2", schema), "ann1", "ann2", schema)


def test_identical_annotations_agree_perfectly(repo_root: Root) -> None:
    result = report(repo_root, aset("ann1", FULL, LINKS), aset("ann2", FULL, LINKS))
    assert result["layers"]["entity"]["token_alpha"] == 1.0 and result["layers"]["entity"]["exact_f1"] == 1.0
    assert result["attribution"] == {"quotes_compared": 1, "source_agreement": 1.0, "cue_agreement": 1.0, "attribution_agreement": 1.0}


def test_a_boundary_disagreement_costs_exact_f1_but_not_overlap_f1(repo_root: Root) -> None:
    wider = [s for s in FULL if s.id != "e2"] + [Span(id="e2", start=TEXT.index("in Moscow"), end=TEXT.index("Moscow") + 6, label="GPE", text="in Moscow")]
    result = report(repo_root, aset("ann1", FULL, LINKS), aset("ann2", wider, LINKS))
    assert result["labels"]["GPE"]["exact_f1"] == 0.0 and result["labels"]["GPE"]["overlap_f1"] == 1.0
    assert result["labels"]["PERSON"]["exact_f1"] == 1.0
    assert 0 < result["layers"]["entity"]["token_alpha"] < 1


def test_a_quote_linked_to_another_source_disagrees_on_attribution(repo_root: Root) -> None:
    other = [*FULL, at("s2", "Moscow", "SOURCE")]
    links = [Relation(id="r1", head="q", tail="s2", label="source"), LINKS[1]]
    result = report(repo_root, aset("ann1", FULL, LINKS), aset("ann2", other, links))
    assert result["attribution"] == {"quotes_compared": 1, "source_agreement": 0.0, "cue_agreement": 1.0, "attribution_agreement": 0.0}


def test_krippendorff_alpha_matches_a_hand_computed_value() -> None:
    # coincidences: a-a 2, a-b 2 (both orders), b-b 4; n=8, Do=2/8, De=(3*5*2)/(8*7)
    assert krippendorff_alpha_nominal([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]) == pytest.approx(1 - 0.25 / (30 / 56))
    assert krippendorff_alpha_nominal([]) is None


def test_the_cli_writes_reports_and_check_detects_staleness(tmp_root: Root, cli: Any) -> None:
    for path in tmp_root.annotations.glob("*.json"):  # only this test's document
        path.unlink()
    write_text_atomic(tmp_root.corpus_text("d1"), TEXT)
    write_annotation_file(tmp_root, annotation(aset("ann1", FULL, LINKS), aset("ann2", FULL[:-1])))
    assert cli("agreement", "--check", "--root", tmp_root.path)[0] == 1
    code, out, _ = cli("agreement", "--root", tmp_root.path)
    assert code == 0 and out.startswith("agreement: 1 documents")
    data = json.loads((tmp_root.annotations / "agreement" / "agreement.json").read_text(encoding="utf-8"))
    quote = data["labels"]["QUOTE"]
    assert (quote["spans_a"], quote["spans_b"], quote["exact_f1"], quote["overlap_f1"]) == (1, 0, 0.0, 0.0)
    assert quote["token_alpha"] < 0  # one coder marks three tokens the other never does: below chance
    assert "| entity |" in (tmp_root.annotations / "agreement" / "AGREEMENT.md").read_text(encoding="utf-8")
    assert cli("agreement", "--check", "--root", tmp_root.path)[0] == 0
