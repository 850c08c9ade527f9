"""`peacetalks build`: a Hugging Face dataset folder that the real `datasets.load_dataset` reads back
exactly — typed features, stable splits, spans that match the text, tokens that give the spans back,
byte-identical rebuilds, no personal data — and a datasheet whose statistics are the build's."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

from peacetalks.annotations import iter_annotation_files, read_annotation_file, write_annotation_file
from peacetalks.bio import bio_to_spans
from peacetalks.datasheet import BEGIN, END, sync_datasheet
from peacetalks.models import GOLD, CorpusSidecar, Span
from peacetalks.release.build import build
from peacetalks.release.features import CONFIGS
from peacetalks.release.rows import token_rows
from peacetalks.release.stream import release_doc
from peacetalks.splits import read_split_file
from peacetalks.schema import load_schema
from peacetalks.storage import PeacetalksError, Root, read_model, sha256_text, write_model, write_text_atomic

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
REPO = Path(__file__).resolve().parents[1]


def load(out: Path, config: str, cache: Path) -> datasets.DatasetDict:
    return datasets.load_dataset(str(out), config, cache_dir=str(cache))


def card_metadata(out: Path) -> dict[str, Any]:
    return yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n")[1])


def document_rows(tokens: datasets.Dataset) -> dict[str, list[dict[str, Any]]]:
    """The sentence rows of every document, in sentence order."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in tokens:
        rows.setdefault(row["document_id"], []).append(row)
    return {doc_id: sorted(doc_rows, key=lambda row: row["sentence_index"]) for doc_id, doc_rows in rows.items()}


def gold_spans(root: Root, doc_id: str) -> list[Span]:
    annotation = read_annotation_file(root, doc_id)
    return annotation.annotators[GOLD].spans if annotation else []


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def loaded(built_release: tuple[Root, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, datasets.DatasetDict]:
    cache = tmp_path_factory.mktemp("hf-cache")
    return {config: load(built_release[1], config, cache) for config in CONFIGS}


# --- the folder loads, typed, with the expected splits --------------------------------------


def test_every_config_loads_with_the_committed_splits(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict]) -> None:
    root, _ = built_release
    expected = Counter(read_split_file(root).values())
    for config in CONFIGS:
        assert list(loaded[config]) == ["train", "validation", "test"]
    assert {split: ds.num_rows for split, ds in loaded["documents"].items()} == expected
    assert {split: len(set(ds["document_id"])) for split, ds in loaded["tokens"].items()} == expected
    for split, ds in loaded["documents"].items():
        assert {row["id"] for row in ds} == {doc for doc, s in read_split_file(root).items() if s == split}


def test_the_default_config_is_documents(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict], tmp_path: Path) -> None:
    default = datasets.load_dataset(str(built_release[1]), cache_dir=str(tmp_path))
    assert default["train"].features == loaded["documents"]["train"].features
    assert default["train"]["id"] == loaded["documents"]["train"]["id"]


def test_labels_are_class_labels_of_the_exported_schema_labels(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict]) -> None:
    schema = load_schema(built_release[0])
    documents = loaded["documents"]["train"].features
    assert documents["spans"].feature["label"].names == [l for layer in schema.layers for l in layer.exported_labels]
    assert "NOT_SPEECH" not in documents["spans"].feature["label"].names
    assert documents["relations"].feature["label"].names == ["source", "cue"]
    tokens = loaded["tokens"]["train"].features
    assert tokens["attribution_tags"].feature.names == ["O", "B-QUOTE", "I-QUOTE", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE"]
    assert tokens["entity_tags"].feature.names[:3] == ["O", "B-PERSON", "I-PERSON"]
    assert isinstance(loaded["quotes"]["train"].features["sources"].feature["start"], datasets.Value)


def test_num_examples_in_the_card_match_the_data(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict]) -> None:
    metadata = card_metadata(built_release[1])
    assert [c["config_name"] for c in metadata["configs"]] == list(CONFIGS)
    assert metadata["configs"][0]["default"] is True
    for info in metadata["dataset_info"]:
        declared = {s["name"]: s["num_examples"] for s in info["splits"]}
        assert declared == {split: ds.num_rows for split, ds in loaded[info["config_name"]].items()}
    assert metadata["license"] == "other" and (built_release[1] / metadata["license_link"]).exists()
    for key in ("pretty_name", "language", "task_categories", "task_ids", "size_categories",
                "annotations_creators", "language_creators", "source_datasets"):
        assert metadata[key], key


def test_card_states_the_version_and_how_to_pin_it(built_release: tuple[Root, Path]) -> None:
    version = (built_release[0].path / "VERSION").read_text().strip()
    card = (built_release[1] / "README.md").read_text(encoding="utf-8")
    assert f"# peacetalks v{version}" in card and f'revision="v{version}"' in card


# --- the rows say what the gold sets say ----------------------------------------------------


def test_every_span_matches_the_text_and_every_gold_span_is_released(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict]) -> None:
    root, _ = built_release
    released = 0
    for ds in loaded["documents"].values():
        names = ds.features["spans"].feature["label"].names
        for row in ds:
            for span in row["spans"]:
                assert row["text"][span["start"]:span["end"]] == span["text"]
            got = {(s["id"], s["start"], s["end"], names[s["label"]], s["text"]) for s in row["spans"]}
            want = {(s.id, s.start, s.end, s.label, s.text) for s in gold_spans(root, row["id"]) if s.label != "NOT_SPEECH"}
            assert got == want, row["id"]
            assert row["annotated"] == (read_annotation_file(root, row["id"]) is not None)
            released += len(got)
    assert released > 0
    assert any(s.label == "NOT_SPEECH" for a in iter_annotation_files(root) for s in a.annotators[GOLD].spans)


def test_tokens_reproduce_the_text_and_the_spans(loaded: dict[str, datasets.DatasetDict]) -> None:
    """Each document's sentence rows, joined in order: tokens at their offsets, and tags that decode to its spans."""
    for split, tokens_ds in loaded["tokens"].items():
        documents = {row["id"]: row for row in loaded["documents"][split]}
        span_names = loaded["documents"][split].features["spans"].feature["label"].names
        for doc_id, rows in document_rows(tokens_ds).items():
            doc = documents[doc_id]
            offsets = [(a, b) for row in rows for a, b in zip(row["token_starts"], row["token_ends"])]
            assert [doc["text"][a:b] for a, b in offsets] == [t for row in rows for t in row["tokens"]]
            for column in ("entity_tags", "attribution_tags"):
                names = tokens_ds.features[column].feature.names
                tags = [names[t] for row in rows for t in row[column]]
                from_tags = {(s.start, s.end, s.label) for s in bio_to_spans(offsets, tags)}
                layer_labels = {n[2:] for n in names if n != "O"}
                from_spans = {(s["start"], s["end"], span_names[s["label"]]) for s in doc["spans"] if span_names[s["label"]] in layer_labels}
                assert from_tags == from_spans, (doc_id, column)


def test_forced_breaks_split_a_possessive_so_the_name_is_its_own_token(loaded: dict[str, datasets.DatasetDict]) -> None:
    annotated = {row["id"] for ds in loaded["documents"].values() for row in ds if row["annotated"]}
    tokens = [t for ds in loaded["tokens"].values() for row in ds if row["document_id"] in annotated for t in row["tokens"]]
    assert "Trump" in tokens and "Trump’s" not in tokens and "Trump's" not in tokens
    unannotated = [t for ds in loaded["tokens"].values() for row in ds if row["document_id"] not in annotated for t in row["tokens"]]
    assert "Trump’s" in unannotated  # without a span there, the word stays whole


def test_quotes_list_their_sources_and_cues(loaded: dict[str, datasets.DatasetDict]) -> None:
    quotes = [row for ds in loaded["quotes"].values() for row in ds]
    documents = {row["id"]: row for ds in loaded["documents"].values() for row in ds}
    assert quotes
    for quote in quotes:
        doc = documents[quote["document_id"]]
        assert doc["text"][quote["start"]:quote["end"]] == quote["text"]
        assert quote["id"].startswith(f"{quote['document_id']}:")
        assert len(quote["sources"]) == 2 and len(quote["cues"]) == 1
        for end in quote["sources"] + quote["cues"]:
            assert doc["text"][end["start"]:end["end"]] == end["text"]


# --- integrity -------------------------------------------------------------------------------------


def test_a_rebuild_is_byte_identical_and_the_manifest_lists_every_file(built_release: tuple[Root, Path], tmp_path: Path) -> None:
    root, out = built_release
    again = build(root, tmp_path / "again").out
    first, second = folder_bytes(out), folder_bytes(again)
    assert first == second
    assert any(name.endswith(".parquet") for name in first)
    listed = dict(line.split("  ")[::-1] for line in first["MANIFEST.sha256"].decode().splitlines())
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in first.items() if name != "MANIFEST.sha256"}


def test_an_installed_copy_ships_its_card_and_licence_templates_and_builds_the_same_release(
        built_release: tuple[Root, Path], tmp_path: Path) -> None:
    """A non-editable install (the package's files copied, not this checkout on the path) finds the
    card and LICENSE templates it ships as package data."""
    root, out = built_release
    source, site = tmp_path / "source", tmp_path / "site"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True, capture_output=True)
    program = ("import sys; import peacetalks.release.card as card; from peacetalks.cli import main; "
               "assert card.__file__.startswith(sys.argv[1]), card.__file__; sys.exit(main(sys.argv[2:]))")
    subprocess.run([sys.executable, "-c", program, str(site), "build", "--root", str(root.path), "--out", str(tmp_path / "installed")],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(site)})
    assert folder_bytes(tmp_path / "installed") == folder_bytes(out)


def test_no_email_address_in_any_release_file(built_release: tuple[Root, Path]) -> None:
    root, out = built_release
    assert any(EMAIL.search(p.read_bytes()) for p in root.annotations.glob("*.json")), "the fixture must hold an e-mail"
    for name, data in folder_bytes(out).items():
        assert not EMAIL.search(data), name
        if name.endswith(".parquet"):
            assert not EMAIL.search(json.dumps(pq.read_table(out / name).to_pylist()).encode()), name
    assert "ann1" not in (out / "data/documents/train.parquet").read_bytes().decode("latin-1")


def test_leakage_report_names_the_near_duplicate_group(built_release: tuple[Root, Path]) -> None:
    root, out = built_release
    leakage = json.loads((out / "leakage.json").read_text())
    splits = read_split_file(root)
    assert leakage["near_duplicate_groups"], "the corpus has documents sharing a quote"
    for group in leakage["near_duplicate_groups"]:
        assert {splits[doc] for doc in group["documents"]} == {group["split"]}
        assert all(pair["shared_8grams"] > 0 and pair["examples"] for pair in group["pairs"])
    assert leakage["cross_split_leaks"] == []


# --- refusals: nothing half-written, every problem named ---------------------------------------


def test_build_refuses_a_root_that_does_not_validate_and_keeps_the_old_release(release_root: Root, tmp_path: Path, cli: Any) -> None:
    out = tmp_path / "out"
    assert cli("build", "--root", release_root.path, "--out", out)[0] == 0
    before = folder_bytes(out)
    annotation = next(iter_annotation_files(release_root))
    gold = annotation.annotators[GOLD]
    broken = gold.model_copy(update={"spans": [gold.spans[0].model_copy(update={"text": "wrong"})] + gold.spans[1:]})
    write_annotation_file(release_root, annotation.model_copy(update={"annotators": {**annotation.annotators, GOLD: broken}}))
    code, _, err = cli("build", "--root", release_root.path, "--out", out)
    assert code != 0
    assert "span-text" in err and annotation.document_id in err and gold.spans[0].id in err
    assert folder_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no temp folder left behind


def test_build_lists_every_problem_validate_finds_in_its_order(release_root: Root, tmp_path: Path, cli: Any) -> None:
    """The build checks each annotation file as it releases it, plus what that stream never visits:
    an annotation file without a clean text and a stale generated schema file."""
    first, second = list(iter_annotation_files(release_root))[:2]
    for annotation in (first, second):
        gold = annotation.annotators[GOLD]
        broken = gold.model_copy(update={"spans": [gold.spans[0].model_copy(update={"text": "wrong"})] + gold.spans[1:]})
        write_annotation_file(release_root, annotation.model_copy(update={"annotators": {**annotation.annotators, GOLD: broken}}))
    shutil.copyfile(release_root.annotation_file(first.document_id), release_root.annotations / "0_no_such_text.json")
    generated = next(p for p in release_root.schema_dir.iterdir() if p.name != "schema.json" and p.suffix in (".xml", ".json"))
    generated.write_text(generated.read_text(encoding="utf-8") + " ", encoding="utf-8")
    _, validated, _ = cli("validate", "--root", release_root.path)
    expected = [line for line in validated.splitlines() if not line.startswith("validate:")]
    assert len(expected) >= 5 and any("artefact-stale" in line for line in expected)
    code, _, err = cli("build", "--root", release_root.path, "--out", tmp_path / "out")
    assert code == 2 and f"fails with {len(expected)} problems; nothing built" in err
    assert err.split("nothing built:\n")[1].splitlines() == [f"  {line}" for line in expected]
    assert not (tmp_path / "out").exists()


def test_build_refuses_an_email_address_in_the_released_text(release_root: Root, tmp_path: Path) -> None:
    unannotated = next(doc for doc in read_split_file(release_root) if read_annotation_file(release_root, doc) is None)
    path = release_root.corpus_text(unannotated)
    text = path.read_text(encoding="utf-8") + "\n\nWrite to tips@example.org."
    path.write_text(text, encoding="utf-8")
    sidecar = read_model(release_root.corpus_sidecar(unannotated), CorpusSidecar)  # as a cleaner that kept the line would
    write_model(release_root.corpus_sidecar(unannotated), sidecar.model_copy(update={"text_sha256": sha256_text(text)}))
    with pytest.raises(PeacetalksError, match="e-mail address: data/documents/train.parquet"):
        build(release_root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_email_scan_finds_what_the_plain_pattern_finds_and_reads_a_long_run_once() -> None:
    """The scan's pattern starts only where a run of local-part characters starts: the same matches, at the same places,
    as the plain pattern, which on a 40k-character run without an @ took 2.5 s (quadratic; 1 MB of base64 hung the build)."""
    import random

    from peacetalks.release.rows import EMAIL as SCAN

    plain = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
    chance = random.Random(17)
    for _ in range(20_000):
        text = "".join(chance.choice("ab1.-_%+@ x\n") for _ in range(chance.randint(0, 30)))
        found, expected = SCAN.search(text), plain.search(text)
        assert (found and found.span()) == (expected and expected.span()), text
    blob = "QmFzZTY0" * 125_000  # 1 MB of address characters, no @
    assert SCAN.search(blob) is None and SCAN.search(blob + "@example.org").span() == (0, len(blob) + 12)


def test_a_span_that_tokens_cannot_carry_fails_naming_document_span_and_rule(release_root: Root) -> None:
    schema = load_schema(release_root)
    annotation = next(iter_annotation_files(release_root))
    doc = release_doc(release_root, schema, annotation.document_id, annotation.annotators[GOLD])
    text = doc.document.text
    space = text.index(" ")
    bad = Span(id="bad1", start=space, end=text.index(" ", space + 1), label="PERSON", text=text[space:text.index(" ", space + 1)])
    with pytest.raises(PeacetalksError, match=rf"{doc.id}: gold/span bad1: bio-round-trip"):
        token_rows(release_root, schema, doc.__class__(doc.document, doc.gold, [bad]))


def test_empty_annotations_build_a_release_without_spans(tmp_root: Root, tmp_path: Path) -> None:
    for name in ("VERSION", "splits.json"):
        shutil.copyfile(Path(__file__).parents[1] / name, tmp_root.path / name)
    shutil.rmtree(tmp_root.annotations)
    report = build(tmp_root, tmp_path / "out")
    assert [c["config_name"] for c in card_metadata(report.out)["configs"]] == ["documents", "tokens"]
    documents = load(report.out, "documents", tmp_path / "cache")
    tokens = load(report.out, "tokens", tmp_path / "cache")
    assert sum(ds.num_rows for ds in documents.values()) == len(read_split_file(tmp_root))
    assert all(row["spans"] == [] and not row["annotated"] for ds in documents.values() for row in ds)
    assert all(set(row["entity_tags"]) <= {0} for ds in tokens.values() for row in ds)


def test_a_new_document_is_released_with_its_rule_split_and_only_split_records_it(release_root: Root, tmp_path: Path, cli: Any) -> None:
    splits = read_split_file(release_root)
    newcomer = sorted(splits)[-1]
    kept = {doc: split for doc, split in splits.items() if doc != newcomer}
    (release_root.path / "splits.json").write_text(json.dumps({"description": "test", "documents": kept}))
    before = (release_root.path / "splits.json").read_bytes()
    report = build(release_root, tmp_path / "out")
    assert report.new_documents == [newcomer] and "run `peacetalks split` to record them" in report.summary()
    assert (release_root.path / "splits.json").read_bytes() == before  # build never writes its input
    assert cli("split", "--root", release_root.path, "--check")[:2] == (1, f"split --check: {len(splits)} documents, STALE: no split for {newcomer}\n")
    assert cli("split", "--root", release_root.path)[0] == 0
    after = read_split_file(release_root)
    assert after == {**kept, newcomer: after[newcomer]} and after[newcomer] == splits[newcomer]
    assert cli("split", "--root", release_root.path, "--check")[0] == 0


def test_the_repository_data_builds_and_loads_whatever_annotations_exist(tmp_root: Root, tmp_path: Path) -> None:
    for name in ("VERSION", "splits.json"):
        shutil.copyfile(Path(__file__).parents[1] / name, tmp_root.path / name)
    report = build(tmp_root, tmp_path / "out")
    for config in report.sizes:
        if report.sizes[config]:
            loaded = load(report.out, config, tmp_path / "cache")
            assert {split: ds.num_rows for split, ds in loaded.items()} == report.examples(config)
    for ds in load(report.out, "documents", tmp_path / "cache").values():
        for row in ds:
            assert all(row["text"][s["start"]:s["end"]] == s["text"] for s in row["spans"])


# --- the datasheet shows the build's statistics --------------------------------------------------


def test_datasheet_statistics_equal_the_build(built_release: tuple[Root, Path], loaded: dict[str, datasets.DatasetDict]) -> None:
    root, _ = built_release
    assert sync_datasheet(root)  # the synthetic gold differs from the committed datasheet
    assert sync_datasheet(root, check=True) == []
    block = (root.path / "DATASHEET.md").read_text(encoding="utf-8").split(BEGIN)[1].split(END)[0]
    for split, documents in loaded["documents"].items():
        tokens = sum(len(row["tokens"]) for row in loaded["tokens"][split])
        characters = sum(len(row["text"]) for row in documents)
        annotated = sum(row["annotated"] for row in documents)
        quotes = loaded["quotes"][split].num_rows
        assert f"| {split} | {documents.num_rows} | {annotated} | {characters} | {tokens} | {quotes} |" in block
    names = loaded["documents"]["train"].features["spans"].feature["label"].names
    per_label = {split: Counter(names[s["label"]] for row in ds for s in row["spans"]) for split, ds in loaded["documents"].items()}
    for label in names:
        counts = [per_label[split][label] for split in ("train", "validation", "test")]
        assert f"| {label} | {' | '.join(map(str, counts))} | {sum(counts)} |" in block
    assert "not yet measured" in block


def test_datasheet_check_fails_when_stale_and_shows_agreement_when_measured(release_root: Root) -> None:
    sync_datasheet(release_root)
    report = {"annotators": ["ann1", "ann2"], "documents": ["d1"], "schema_version": "1.0.0",
              "layers": {"entity": {"exact_f1": 0.9, "overlap_f1": 0.95, "token_alpha": 0.81, "tokens": 120}},
              "labels": {"PERSON": {"spans_a": 4, "spans_b": 5, "exact_f1": 0.889, "overlap_f1": 0.889, "token_alpha": 0.8}},
              "attribution": {"quotes_compared": 4, "source_agreement": 1.0, "cue_agreement": 0.75, "attribution_agreement": 0.75}}
    write_text_atomic(release_root.annotations / "agreement" / "agreement.json", json.dumps(report))
    stale = sync_datasheet(release_root, check=True)
    assert [p.name for p in stale] == ["DATASHEET.md"]
    sync_datasheet(release_root)
    block = (release_root.path / "DATASHEET.md").read_text(encoding="utf-8").split(BEGIN)[1].split(END)[0]
    assert "| entity | 120 | 0.810 | 0.900 | 0.950 |" in block and "| attribution agreement | 0.750 |" in block
    assert "not yet measured" not in block


def test_datasheet_shows_the_statistics_of_the_release_it_is_given(release_root: Root, tmp_path: Path) -> None:
    out = build(release_root, tmp_path / "out").out
    assert sync_datasheet(release_root, release=out)
    assert sync_datasheet(release_root, check=True) == []  # the same as a fresh build's
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    stats["splits"]["test"]["documents"] = 999
    (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    assert [p.name for p in sync_datasheet(release_root, check=True, release=out)] == ["DATASHEET.md"]
    sync_datasheet(release_root, release=out)
    assert "| test | 999 |" in (release_root.path / "DATASHEET.md").read_text(encoding="utf-8")


def test_datasheet_refuses_a_root_whose_release_would_carry_an_email_address(release_root: Root, cli: Any) -> None:
    """The datasheet's statistics come from a real build, so it refuses what the build refuses."""
    datasheet = release_root.path / "DATASHEET.md"
    before = datasheet.read_bytes()
    with (release_root.path / "CHANGELOG.md").open("a", encoding="utf-8") as changelog:
        changelog.write("\nReport problems to maintainer@example.org.\n")
    code, _, err = cli("datasheet", "--check", "--root", release_root.path)
    assert code == 2
    assert err.strip() == "peacetalks datasheet: error: release files contain an e-mail address: CHANGELOG.md; nothing built"
    assert datasheet.read_bytes() == before


def test_figures_are_deterministic_pngs_without_metadata(release_root: Root, tmp_path: Path) -> None:
    twin = Root(tmp_path / "twin")
    shutil.copytree(release_root.path, twin.path)
    sync_datasheet(release_root)
    sync_datasheet(twin)
    for name in ("label_distribution.png", "span_lengths.png", "document_lengths.png"):
        data = (release_root.path / "docs" / "figures" / name).read_bytes()
        assert data.startswith(b"\x89PNG") and data == (twin.path / "docs" / "figures" / name).read_bytes()
        assert b"matplotlib" not in data and b"tEXt" not in data


def test_a_split_file_with_an_unknown_split_is_refused(release_root: Root, tmp_path: Path) -> None:
    splits = read_split_file(release_root)
    first = sorted(splits)[0]
    (release_root.path / "splits.json").write_text(json.dumps({"documents": {**splits, first: "dev"}}))
    with pytest.raises(PeacetalksError, match=r"splits.json: unknown split names \['dev'\]"):
        build(release_root, tmp_path / "out")
    assert not (tmp_path / "out").exists()
