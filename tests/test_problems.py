"""Problem levels and the rule registry: what `peacetalks validate` shows (--level, --no-warnings, --exclude), when it
exits 1, and what the build refuses on. Every rule is an error; a test that needs a warning demotes a real rule in the
registry, as a project making a rule advisory would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, only_document
from test_validate import DOC, TEXT, annotation_file, good_gold, span, with_spans

from peacetalks.models import AnnotationSet
from peacetalks.problems import LEVELS, RULES, Place, Problem, check, require_no_errors
from peacetalks.schema import load_schema
from peacetalks.storage import PeacetalksError, Root, write_text_atomic
from peacetalks.validate import annotation_paths, check_spans, files_problems, release_problems, validate_root

MISSED_TRUMP = 'annotations/doc1.json: doc1: gold/chars 51-56: complete-entity-mention: warning: "Trump" is annotated elsewhere but not here'
MISSPELT = 'annotations/doc1.json: doc1: gold/span x1: span-text: text[39:45] is "agreed", span says "agree"'
UNKNOWN_LABEL = "annotations/doc1.json: doc1: gold/span x2: span-label: unknown label 'PLACE'"


@pytest.fixture
def root(tmp_root: Root) -> Root:
    return only_document(tmp_root, DOC, TEXT)


def write(root: Root, data: dict[str, Any], name: str = DOC) -> None:
    write_text_atomic(root.annotations / f"{name}.json", json.dumps(data, ensure_ascii=False))


def demote(monkeypatch: pytest.MonkeyPatch, rule: str) -> None:
    """Make ``rule`` a warning for this test only (the registry is restored afterwards)."""
    monkeypatch.setitem(RULES, rule, replace(RULES[rule], level="warning"))


def without_third_trump() -> dict[str, Any]:
    gold = good_gold()
    gold["spans"] = [s for s in gold["spans"] if s["id"] != "e3"]
    return annotation_file(gold)


# --- the type and the registry ---------------------------------------------------------------------


def test_a_warning_carries_its_marker_after_the_rule_and_an_error_carries_none() -> None:
    assert str(Problem("a.json", "d", "gold/span s1", "span-text", "msg", "warning")) == "a.json: d: gold/span s1: span-text: warning: msg"
    assert str(Problem("a.json", "d", "gold/span s1", "span-text", "msg")) == "a.json: d: gold/span s1: span-text: msg"
    assert Problem("a.json", "d", "file", "set-gold", "m", "warning").as_dict()["level"] == "warning"


def test_every_registered_rule_is_an_error_but_awaiting_gold_and_every_check_says_what_it_checks() -> None:
    assert {name for name, entry in RULES.items() if entry.level != "error"} == {"set-gold"}  # unfinished work, not a fault
    assert all(entry.description and entry.level in LEVELS for entry in RULES.values())
    assert RULES["span-text"].run is check_spans and RULES["bio-round-trip"].scope == "release"


def test_a_rule_is_registered_by_one_check_only() -> None:
    with pytest.raises(ValueError, match=r"rules \['span-text'\] are registered already"):
        check("span-text", scope="set")(lambda *args: iter(()))
    assert RULES["span-text"].run is check_spans


def test_bio_round_trip_is_a_registered_rule_naming_the_span_tokens_cannot_carry(repo_root: Root) -> None:
    gold = AnnotationSet.model_validate({**good_gold(), "spans": [span("x1", (38, 45), "DATE")]})
    found = RULES["bio-round-trip"].run(gold, TEXT, load_schema(repo_root), Place("a.json", DOC).in_set("gold"))
    assert [str(p) for p in found] == [
        "a.json: doc1: gold/span x1: bio-round-trip: DATE [38, 45): its edges are not token edges (tokenise with the spans' edges as breaks)"]


def test_release_problems_run_the_release_rules_and_validate_does_not(root: Root, monkeypatch: pytest.MonkeyPatch) -> None:
    demote(monkeypatch, "span-whitespace")  # so that the set has no error for a release to stop at
    data = with_spans(span("x1", (38, 45), "DATE"))
    write(root, data)
    assert [str(p) for p in validate_root(root, load_schema(root))] == [
        'annotations/doc1.json: doc1: gold/span x1: span-whitespace: warning: " agreed" starts or ends with whitespace']
    gold = AnnotationSet.model_validate(data["annotators"]["gold"])
    assert [p.rule for p in release_problems(gold, TEXT, load_schema(root), Place("annotations/doc1.json", DOC).in_set("gold"))] == ["bio-round-trip"]


# --- what validate shows and its exit code ---------------------------------------------------------


def test_a_warning_is_shown_with_its_level_and_validate_exits_zero(root: Root, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    demote(monkeypatch, "complete-entity-mention")
    write(root, without_third_trump())
    assert cli("validate", "--root", root.path) == (0, f"{MISSED_TRUMP}\nvalidate: 1 annotation files, 1 problems (1 warnings)\n", "")
    code, out, _ = cli("validate", "--root", root.path, "--format", "json")
    assert code == 0 and [(p["rule"], p["level"]) for p in json.loads(out)["problems"]] == [("complete-entity-mention", "warning")]


@pytest.mark.parametrize("flags", [("--no-warnings",), ("--level", "error"), ("--level", "warning", "--no-warnings")])
def test_no_warnings_and_level_error_hide_warnings_and_say_how_many(root: Root, cli: Any, monkeypatch: pytest.MonkeyPatch,
                                                                     flags: tuple[str, ...]) -> None:
    demote(monkeypatch, "complete-entity-mention")
    write(root, without_third_trump())
    assert cli("validate", "--root", root.path, *flags) == (0, "validate: 1 annotation files, 0 problems; 1 not shown (--level, --exclude)\n", "")


@pytest.mark.parametrize("level", LEVELS)
def test_an_error_shown_exits_one_at_every_level(root: Root, cli: Any, level: str) -> None:
    write(root, with_spans(span("x1", (39, 45), "DATE", "agree")))
    assert cli("validate", "--root", root.path, "--level", level) == (1, f"{MISSPELT}\nvalidate: 1 annotation files, 1 problems\n", "")
    code, out, _ = cli("validate", "--root", root.path, "--level", level, "--format", "json")
    assert code == 1 and [p["level"] for p in json.loads(out)["problems"]] == ["error"]


def test_exclude_leaves_out_each_named_rule_and_exits_by_what_is_left(root: Root, cli: Any) -> None:
    write(root, with_spans(span("x1", (39, 45), "DATE", "agree"), span("x2", (40, 47), "PLACE")))
    assert cli("validate", "--root", root.path, "--exclude", "span-text") == (
        1, f"{UNKNOWN_LABEL}\nvalidate: 1 annotation files, 1 problems; 1 not shown (--level, --exclude)\n", "")
    assert cli("validate", "--root", root.path, "--exclude", "span-text", "--exclude", "span-label") == (
        0, "validate: 1 annotation files, 0 problems; 2 not shown (--level, --exclude)\n", "")


def test_a_rule_to_exclude_that_does_not_exist_is_refused_naming_it(root: Root, cli: Any) -> None:
    code, out, err = cli("validate", "--root", root.path, "--exclude", "span-txt")
    assert (code, out) == (2, "")
    assert err.startswith("peacetalks validate: error: --exclude 'span-txt': no such rule (the rules: artefact-stale, bio-round-trip, ")


# --- what the build refuses on -------------------------------------------------------------------------


def test_the_build_refuses_on_errors_only_listing_only_them() -> None:
    warning = Problem("annotations/a.json", "a", "file", "set-gold", "no gold set", "warning")
    error = Problem("annotations/b.json", "b", "gold/span x1", "span-text", "shifted")
    require_no_errors([warning])
    with pytest.raises(PeacetalksError) as refused:
        require_no_errors([warning, error])
    assert str(refused.value) == "`peacetalks validate` fails with 1 problems; nothing built:\n  annotations/b.json: b: gold/span x1: span-text: shifted"


def test_the_problems_of_a_set_of_files_are_what_validate_reports_for_them(root: Root) -> None:
    write(root, with_spans(span("x1", (39, 45), "DATE", "agree")))
    write(root, without_third_trump(), name="other")
    found = files_problems(root, load_schema(root), reversed(annotation_paths(root)))
    assert found == list(validate_root(root, load_schema(root))) and [p.rule for p in found] == ["span-text", "file-name", "complete-entity-mention"]


# --- scripts/add_set.py reports with the same type ----------------------------------------------------


def add_set(root: Root, sets: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "add_set.py"), "--root", str(root.path), "--name", "gold",
                           "--from", str(sets), "--method", "adjudication"], capture_output=True, text=True, check=False)


def test_add_set_prints_each_problem_as_validate_does_and_files_nothing_on_an_error(root: Root, tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    write_text_atomic(sets / f"{DOC}.json", json.dumps(with_spans(span("x1", (39, 45), "DATE", "agree"))["annotators"]["gold"]))
    result = add_set(root, sets)
    assert (result.returncode, result.stderr) == (1, f'{sets / DOC}.json: doc1: gold/span x1: span-text: text[39:45] is "agreed", span says "agree"\n')
    assert not (root.annotations / f"{DOC}.json").exists()
    write_text_atomic(sets / f"{DOC}.json", json.dumps(good_gold()))
    assert add_set(root, sets).returncode == 0 and list(validate_root(root, load_schema(root))) == []


def test_the_release_rules_refuse_two_spans_of_one_layer_at_the_same_place_as_the_build_does(repo_root: Root) -> None:
    twice = AnnotationSet.model_validate({**good_gold(), "spans": [span("x1", (33, 38), "PERSON"), span("x2", (33, 38), "PERSON")]})
    found = release_problems(twice, TEXT, load_schema(repo_root), Place("a.json", DOC).in_set("gold"))
    assert [str(p) for p in found] == ["a.json: doc1: gold/span x1: bio-round-trip: PERSON [33, 38): overlaps another span of the same layer"]


# --- the build's own rules, on what it releases ------------------------------------------------------


def test_a_problem_of_a_whole_document_has_no_item() -> None:
    assert str(Problem("corpus/a.txt", "a", "", "doc-empty", "the clean text is empty")) == "corpus/a.txt: a: doc-empty: the clean text is empty"


def test_a_rule_the_build_runs_on_what_it_releases_cannot_be_a_warning() -> None:
    with pytest.raises(ValueError, match="guards what a release carries and must be an error"):
        check("released-thing", scope="document", level="warning")(lambda *args: iter(()))
    assert "released-thing" not in RULES


def test_the_build_refuses_a_gold_relation_to_a_span_it_does_not_export_naming_it(release_root: Root, cli: Any) -> None:
    path = release_root.schema_dir / "schema.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for label in (label for layer in data["layers"] for label in layer["labels"] if label.get("role") == "source"):
        label["export"] = False  # a project that stops releasing sources: the quotes' source relations now point at nothing released
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli("build", "--root", release_root.path, "--out", release_root.path / "release")
    assert (code, out) == (2, "")
    assert re.fullmatch(rf"peacetalks build: error: {re.escape(str(release_root.annotations))}/(\w+)\.json: \1: gold/relation \w+: "
                        r"relation-exported: links a span that is not exported \(review markers never go into a release\); nothing built\n", err), err
    assert not (release_root.path / "release").exists()
