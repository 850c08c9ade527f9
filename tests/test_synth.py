"""`peacetalks synth` and `peacetalks bench`: synthetic roots run through every stage, byte-identical by seed."""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from peacetalks.models import AnnotationFile, CorpusSidecar
from peacetalks.release.build import build
from peacetalks.seeds import load_manifest
from peacetalks.storage import Root, dump_model, read_model

REPO = Path(__file__).resolve().parents[1]
DOCS = 40


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Root:
    from peacetalks.cli import main

    out = tmp_path_factory.mktemp("synth") / "root"
    assert main(["synth", "--root", str(REPO), "--docs", str(DOCS), "--out", str(out), "--seed", "3"]) == 0
    return Root(out)


def test_same_docs_and_seed_give_a_byte_identical_root(synth_root: Root, tmp_path: Path, cli: Any) -> None:
    code, out, _ = cli("synth", "--root", REPO, "--docs", DOCS, "--out", tmp_path / "again", "--seed", 3)
    assert code == 0 and out == f"synth: {DOCS} documents (seed 3) written to {tmp_path / 'again'}\n"
    assert tree(tmp_path / "again") == tree(synth_root.path)
    cli("synth", "--root", REPO, "--docs", DOCS, "--out", tmp_path / "other", "--seed", 4)
    assert tree(tmp_path / "other")["seeds/syn_0000000.txt"] != tree(synth_root.path)["seeds/syn_0000000.txt"]


def test_the_root_validates_and_its_corpus_is_what_the_cleaner_writes(synth_root: Root, cli: Any) -> None:
    code, out, _ = cli("validate", "--root", synth_root.path)
    assert (code, out.splitlines()[-1]) == (0, f"validate: {DOCS} annotation files, 0 problems")
    code, out, _ = cli("clean", "--root", synth_root.path, "--check")
    assert (code, out) == (0, f"clean --check: {DOCS} documents, corpus/ up to date\n")


def test_the_schema_is_the_repository_s(synth_root: Root) -> None:
    assert not filecmp.dircmp(REPO / "schema", synth_root.schema_dir).diff_files
    assert sorted(p.name for p in synth_root.schema_dir.iterdir()) == sorted(p.name for p in (REPO / "schema").iterdir())


def test_the_streamed_manifest_is_the_canonical_one(synth_root: Root) -> None:
    manifest = load_manifest(synth_root)
    assert synth_root.manifest.read_text(encoding="utf-8") == dump_model(manifest)
    assert [seed.id for seed in manifest.seeds] == [f"syn_{i:07d}" for i in range(DOCS)]
    assert {seed.encoding for seed in manifest.seeds} >= {"utf-8"} and {seed.newlines for seed in manifest.seeds} >= {"LF"}


def test_seeds_carry_boilerplate_that_the_cleaner_removes(synth_root: Root) -> None:
    reasons: Counter[str] = Counter()
    for path in synth_root.corpus.glob("*.json"):
        reasons.update(block.reason for block in read_model(path, CorpusSidecar).removed)
    # a closing paragraph in another language stays since cleaner 1.3 (no evidence of boilerplate: quotes, multilingual pages)
    assert {"share-counter", "related-links", "comment-prompt", "author-bio"} <= set(reasons)


def test_every_file_has_two_annotators_and_gold_with_quotes_sourced_and_cued(synth_root: Root) -> None:
    labels: Counter[str] = Counter()
    for path in sorted(synth_root.annotations.glob("*.json")):
        annotation = read_model(path, AnnotationFile)
        assert sorted(annotation.annotators) == ["ann1", "ann2", "gold"]
        gold = annotation.annotators["gold"]
        labels.update(span.label for span in gold.spans)
        quotes = {span.id for span in gold.spans if span.label == "QUOTE"}
        assert {r.head for r in gold.relations if r.label == "source"} == quotes == {r.head for r in gold.relations if r.label == "cue"}
    assert {"PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "QUOTE", "SOURCE", "CUE", "NOT_SPEECH"} <= set(labels)


def test_annotators_disagree_with_gold_a_little(synth_root: Root) -> None:
    annotation = json.loads(synth_root.annotation_file("syn_0000000").read_text(encoding="utf-8"))
    gold = {(s["start"], s["end"], s["label"]) for s in annotation["annotators"]["gold"]["spans"]}
    for name in ("ann1", "ann2"):
        spans = {(s["start"], s["end"], s["label"]) for s in annotation["annotators"][name]["spans"]}
        assert spans != gold and len(spans & gold) > 0.7 * len(gold)


def test_synth_refuses_a_non_empty_folder_and_writes_nothing(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli("synth", "--root", REPO, "--docs", 2, "--out", tmp_path)
    assert code == 2 and err == f"peacetalks synth: error: {tmp_path}: exists and is not an empty folder (synth never overwrites a root)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_bench_reports_each_stage_from_its_own_process(synth_root: Root, tmp_path: Path, cli: Any) -> None:
    code, out, _ = cli("bench", "--root", synth_root.path, "--stages", "clean,validate", "--out", tmp_path / "bench.json")
    assert code == 0 and "| clean | default | 40 |" in out and "| validate | default | 40 |" in out
    report = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert [s["stage"] for s in report["stages"]] == ["clean", "validate"]
    for stage in report["stages"]:
        assert stage["exit_code"] == 0 and stage["seconds"] > 0 and stage["docs_per_s"] > 0 and 20 < stage["peak_rss_mib"] < 1024
    assert report["inputs"]["spans"] == sum(
        len(s["spans"]) for p in synth_root.annotations.glob("*.json") for s in json.loads(p.read_text(encoding="utf-8"))["annotators"].values())
    assert not [p for p in synth_root.path.parent.iterdir() if ".bench." in p.name]  # the scratch root is gone


def test_bench_runs_each_variant_and_checks_it_makes_what_the_first_made(synth_root: Root, tmp_path: Path, cli: Any) -> None:
    code, out, _ = cli("bench", "--root", synth_root.path, "--stages", "clean,build", "--variants", "in-process,local-1,local-2",
                       "--tasks", "2", "--out", tmp_path / "bench.json")
    assert code == 0
    report = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    runs = [(s["stage"], s["variant"], s["same_output"]) for s in report["stages"]]
    assert runs == [(stage, variant, True) for stage in ("clean", "build") for variant in ("in-process", "local-1", "local-2")]
    assert {s["output"] for s in report["stages"] if s["stage"] == "build"} == {
        hashlib.sha256(build(synth_root, tmp_path / "release").out.joinpath("MANIFEST.sha256").read_bytes()).hexdigest()}
    assert all(len(s["load"]) == 2 and 0 <= s["free_cores"] <= (os.cpu_count() or 1) for s in report["stages"])
    assert [(r["stage"], r["executor"]) for r in report["scaling"]] == [("clean", "local"), ("build", "local")]
    assert "| build | local | " in out and "build takes in-process " in out


def test_validate_on_three_tasks_reports_what_it_reports_in_one(synth_root: Root, tmp_path: Path) -> None:
    import shutil

    from peacetalks import engine, validate
    from peacetalks.schema import load_schema

    broken = Root(tmp_path / "broken")
    shutil.copytree(synth_root.path, broken.path)
    for doc_id, damage in (("syn_0000007", lambda text: "{"), ("syn_0000031", lambda text: text.replace('"start": 1', '"start": 2', 1))):
        path = broken.annotation_file(doc_id)
        path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    schema = load_schema(broken)
    serial = [str(p) for p in validate.validate_root(broken, schema)]
    with engine.using(engine.Engine(tasks=3, workers=2, scratch=broken.path)):
        assert [str(p) for p in validate.validate_root(broken, schema)] == serial
    assert [line.split(": ")[0] for line in serial][:1] == ["annotations/syn_0000007.json"] and len(serial) >= 2
    assert not (broken.path / engine.WORK_FOLDER).exists()  # the work folder goes once the merge has read it


def test_a_build_on_three_tasks_gives_the_bytes_of_a_build_in_one(synth_root: Root, tmp_path: Path) -> None:
    from peacetalks import engine

    root = Root(tmp_path / "root")
    shutil.copytree(synth_root.path, root.path)
    serial = tree(build(root, tmp_path / "serial").out)
    with engine.using(engine.Engine(tasks=3, workers=2, scratch=tmp_path)):
        assert tree(build(root, tmp_path / "parallel").out) == serial


def test_the_row_stream_lets_validates_verdicts_go_once_the_tasks_have_them(synth_root: Root, tmp_path: Path) -> None:
    """The rows phase runs without the jobs: at 100k documents their verdicts were 36 MiB the command kept through it."""
    import gc

    from peacetalks import engine, validate
    from peacetalks.release.plan import plan_release
    from peacetalks.release.stream import iter_rows
    from peacetalks.schema import load_schema
    from peacetalks.verdicts import Recording, Verdict

    def live_verdicts() -> int:
        gc.collect()
        return sum(isinstance(thing, Verdict) for thing in gc.get_objects())

    root = Root(tmp_path / "root")
    shutil.copytree(synth_root.path, root.path)
    with Recording(root, load_schema(root)) as record:
        assert not list(validate.validate_root(root, load_schema(root), record=record))
    plan = plan_release(root)
    with engine.using(engine.Engine(tasks=2, scratch=tmp_path)):
        rows = iter_rows(root, plan)
        first = next(rows)
        assert live_verdicts() == 0  # not one of the 40 the jobs carried, though the stream has 39 rows to go
        assert len([first, *rows]) == DOCS
    with engine.using(engine.Engine(tasks=1)):  # one task in this process reads the jobs as it goes: they are there
        rows = iter_rows(root, plan)
        next(rows)
        assert live_verdicts() == DOCS
        assert len(list(rows)) == DOCS - 1


def test_a_group_too_large_for_pairs_is_listed_without_them_and_summarised_in_the_card(synth_root: Root, tmp_path: Path) -> None:
    """Synthetic documents share template sentences, so all of them form one near-duplicate group."""
    from peacetalks.release.build import build
    from peacetalks.release.leakage import PAIRS_LISTED_UP_TO

    root = Root(tmp_path / "root")
    shutil.copytree(synth_root.path, root.path)
    out = build(root, tmp_path / "out").out
    leakage = json.loads((out / "leakage.json").read_text(encoding="utf-8"))
    [group] = leakage["near_duplicate_groups"]
    assert len(group["documents"]) == DOCS > PAIRS_LISTED_UP_TO
    assert (group["pairs_listed"], group["pairs"], leakage["cross_split_groups"]) == (False, [], [])
    assert f"near-duplicate group of {DOCS} documents (syn_0000000, syn_0000001, syn_0000002, …)" in (out / "README.md").read_text()
