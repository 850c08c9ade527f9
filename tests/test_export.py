"""`peacetalks export`: the release as a spaCy DocBin and as CoNLL-2003-style BIO columns, each loaded back
with a real reader and compared with the gold spans of the `documents` config; written whole, only
over a folder an export made; refused on a release that is not what a build wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from peacetalks.bio import bio_to_spans
from peacetalks.release.build import manifest
from peacetalks.storage import Root

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

Spans = set[tuple[int, int, str]]


@pytest.fixture(scope="module")
def documents(gold_release: tuple[Root, Path], tmp_path_factory: pytest.TempPathFactory) -> datasets.DatasetDict:
    return datasets.load_dataset(str(gold_release[1]), "documents", cache_dir=str(tmp_path_factory.mktemp("hf-cache")))


def gold(documents: datasets.DatasetDict, split: str, labels: set[str] | None = None) -> list[Spans]:
    names = documents[split].features["spans"].feature["label"].names
    return [{(s["start"], s["end"], names[s["label"]]) for s in row["spans"] if labels is None or names[s["label"]] in labels}
            for row in documents[split]]


ENTITY = {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "DATE", "MONEY", "LAW"}
ATTRIBUTION = {"QUOTE", "SOURCE", "CUE"}


def exported(cli: Any, release: Path, out: Path, fmt: str) -> Path:
    code, stdout, stderr = cli("export", "--format", fmt, "--release", release, "--out", out)
    assert code == 0, stderr
    assert f"export: {fmt} files of {release} in {out}" in stdout
    return out


# --- spaCy -------------------------------------------------------------------------------------


def test_the_spacy_docbin_loads_back_with_the_gold_entities_attribution_and_sentences(
        gold_release: tuple[Root, Path], documents: datasets.DatasetDict, cli: Any, tmp_path: Path) -> None:
    out = exported(cli, gold_release[1], tmp_path / "spacy", "spacy")
    vocab = spacy.blank("en").vocab
    tokens = datasets.load_dataset(str(gold_release[1]), "tokens", cache_dir=str(tmp_path / "cache"))
    for split in ("train", "validation", "test"):
        docs = list(DocBin().from_disk(out / f"{split}.spacy").get_docs(vocab))
        assert [doc.text for doc in docs] == documents[split]["text"]
        assert [{(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in docs] == gold(documents, split, ENTITY)
        assert [{(s.start_char, s.end_char, s.label_) for s in doc.spans["attribution"]} for doc in docs] == gold(documents, split, ATTRIBUTION)
        sentence_starts = [[row["token_starts"][0] for row in tokens[split] if row["document_id"] == doc_id] for doc_id in documents[split]["id"]]
        assert [[sent[0].idx for sent in doc.sents] for doc in docs] == sentence_starts


# --- CoNLL -------------------------------------------------------------------------------------


def read_conll(path: Path) -> Iterator[list[list[list[str]]]]:
    """Documents → sentences → [token, tag per layer], as a CoNLL-2003 reader splits them."""
    document: list[list[list[str]]] | None = None
    sentence: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        columns = line.split(" ")
        if columns[0] == "-DOCSTART-":
            if document is not None:
                yield document
            document = []
        elif line == "":
            if sentence:
                document.append(sentence)
            sentence = []
        else:
            sentence.append(columns)
    if document is not None:
        yield document


def aligned(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Offsets of ``words`` in ``text``, in order, only whitespace between them."""
    offsets, at = [], 0
    for word in words:
        start = at + len(text[at:]) - len(text[at:].lstrip())
        assert text.startswith(word, start), (word, text[start : start + 20])
        offsets.append((start, start + len(word)))
        at = start + len(word)
    assert text[at:].strip() == ""
    return offsets


def test_the_conll_file_reads_back_to_the_gold_spans_and_the_release_sentences(
        gold_release: tuple[Root, Path], documents: datasets.DatasetDict, cli: Any, tmp_path: Path) -> None:
    out = exported(cli, gold_release[1], tmp_path / "conll", "conll")
    tokens = datasets.load_dataset(str(gold_release[1]), "tokens", cache_dir=str(tmp_path / "cache"))
    for split in ("train", "validation", "test"):
        read = list(read_conll(out / f"{split}.conll"))
        assert len(read) == documents[split].num_rows
        for doc, row, sentences in zip(gold(documents, split), documents[split], read):
            lines = [line for sentence in sentences for line in sentence]
            assert {len(line) for line in lines} == {3}  # token, entity tag, attribution tag
            offsets = aligned(row["text"], [line[0] for line in lines])
            spans = {(s.start, s.end, s.label) for column in (1, 2) for s in bio_to_spans(offsets, [line[column] for line in lines])}
            assert spans == doc, row["id"]
            rows = [r for r in tokens[split] if r["document_id"] == row["id"]]
            assert [[line[0] for line in sentence] for sentence in sentences] == [r["tokens"] for r in rows]


def test_help_names_the_conll_columns_and_the_spacy_layers(capsys: pytest.CaptureFixture[str]) -> None:
    from peacetalks.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--help"])
    shown = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "TOKEN ENTITY_TAG ATTRIBUTION_TAG" in shown and 'doc.spans["<layer>"]' in shown and "-DOCSTART-" in shown


# --- the same bytes every time, whole outputs, refusals -------------------------------------------


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["spacy", "conll"])
def test_an_export_is_byte_identical_whatever_the_hash_seed(gold_release: tuple[Root, Path], tmp_path: Path, fmt: str) -> None:
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "peacetalks.cli", "export", "--format", fmt, "--release", str(gold_release[1]),
                        "--out", str(tmp_path / seed), "--root", str(gold_release[0].path)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
    assert folder_bytes(tmp_path / "1") == folder_bytes(tmp_path / "2")
    assert sorted(folder_bytes(tmp_path / "1")) == ["EXPORT.sha256", "export.json", *sorted(f"{s}.{fmt}" for s in ("test", "train", "validation"))]


def test_an_export_replaces_the_folder_an_export_made(gold_release: tuple[Root, Path], cli: Any, tmp_path: Path) -> None:
    out = exported(cli, gold_release[1], tmp_path / "out", "conll")
    exported(cli, gold_release[1], out, "spacy")
    assert (out / "train.spacy").exists() and not (out / "train.conll").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp folder left beside it


@pytest.mark.parametrize("place", ["foreign", "release", "inside-release"])
def test_an_export_never_writes_over_what_it_did_not_make(gold_release: tuple[Root, Path], cli: Any, tmp_path: Path, place: str) -> None:
    release = tmp_path / "release"
    shutil.copytree(gold_release[1], release)
    out = {"foreign": tmp_path / "mine", "release": release, "inside-release": release / "spacy"}[place]
    out.mkdir(exist_ok=True)
    if place == "foreign":
        (out / "notes.txt").write_text("keep me")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, _, err = cli("export", "--format", "spacy", "--release", release, "--out", out, "--root", gold_release[0].path)
    assert code == 2 and err.startswith(f"peacetalks export: error: {out}")
    assert ("not empty" in err) if place != "inside-release" else ("is the release folder, inside it or above it" in err)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def replaced(table: pa.Table, column: str, change: Callable[[Any], Any]) -> pa.Table:
    """``table`` with ``change`` applied to every item of the list column ``column``."""
    field = table.schema.field(column)
    values = [[change(item) for item in row] for row in table.column(column).to_pylist()]
    return table.set_column(table.schema.get_field_index(column), field, pa.array(values, type=field.type))


def swapped_equal_tokens(table: pa.Table) -> pa.Table:
    """``table`` with the offsets of the first two equal tokens of a row exchanged."""
    rows = table.to_pylist()
    for row in rows:
        seen: dict[str, int] = {}
        for j, token in enumerate(row["tokens"]):
            if token in seen:
                i = seen[token]
                for column in ("token_starts", "token_ends"):
                    row[column][i], row[column][j] = row[column][j], row[column][i]
                return pa.Table.from_pylist(rows, schema=table.schema)
            seen[token] = j
    raise AssertionError("no row repeats a token")


def broken_release(source: Path, folder: Path, change: str) -> Path:
    """A copy of the release with one change a hand or an old build could make (the manifest kept true where said)."""
    shutil.copytree(source, folder)
    path = folder / "data/tokens/train.parquet"
    table = pq.read_table(path)
    if change == "no-manifest":
        (folder / "MANIFEST.sha256").unlink()
        return folder
    if change == "edited":
        pq.write_table(table.slice(1), path)
        return folder
    if change == "document-rows":  # a release built before sentence rows: one row per document, no whitespace
        table = table.drop_columns(["document_id", "sentence_index", "paragraph_index", "leading_whitespace", "whitespace_after"])
    elif change == "shifted-offsets":
        table = replaced(table, "token_starts", lambda start: start + 1)
    elif change == "swapped-offsets":  # two equal tokens trade places: every text[start:end] still reads right
        table = swapped_equal_tokens(table)
    elif change == "token-with-a-space":
        table = replaced(table, "tokens", lambda token: token + " x")
    elif change == "unknown-tag":
        table = replaced(table, "entity_tags", lambda tag: 99)
    pq.write_table(table, path)
    (folder / "MANIFEST.sha256").write_text(manifest(folder), encoding="utf-8")
    return folder


@pytest.mark.parametrize("change, message", [
    ("no-manifest", "not a release `peacetalks build` made (no MANIFEST.sha256)"),
    ("edited", "data/tokens/train.parquet: release-manifest: missing or not the file MANIFEST.sha256 lists"),
    ("document-rows", "data/tokens/train.parquet: tokens-columns: document_id, sentence_index, leading_whitespace, whitespace_after missing"),
    ("shifted-offsets", "tokens-rows: token offsets do not match the text"),
    ("swapped-offsets", "tokens-rows: token offsets do not match the text"),
    ("unknown-tag", "tokens-rows: the sentence rows are not 0, 1, 2, … in order, or a row has"),
    ("token-with-a-space", "a token with whitespace"),
])
def test_a_release_that_is_not_what_a_build_wrote_is_refused_and_the_old_export_kept(
        gold_release: tuple[Root, Path], cli: Any, tmp_path: Path, change: str, message: str) -> None:
    out = exported(cli, gold_release[1], tmp_path / "out", "conll")
    before = folder_bytes(out)
    release = broken_release(gold_release[1], tmp_path / "release", change)
    code, _, err = cli("export", "--format", "conll", "--release", release, "--out", out)
    assert code == 2 and message in err and "Traceback" not in err, err
    assert folder_bytes(out) == before


def test_the_training_example_trains_on_the_export_and_prints_entity_scores(gold_release: tuple[Root, Path], cli: Any, tmp_path: Path) -> None:
    out = exported(cli, gold_release[1], tmp_path / "spacy", "spacy")
    script = Path(__file__).resolve().parents[1] / "examples" / "train_spacy_ner.py"
    shown = subprocess.run([sys.executable, str(script), str(out), "--iterations", "2"], check=True, capture_output=True, text=True).stdout
    lines = shown.splitlines()
    assert lines[:2] == ["| split | entity P | entity R | entity F |", "|---|---:|---:|---:|"]
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| validation", "| test"]
    scores = [float(cell) for line in lines[2:] for cell in line.strip("| ").split(" | ")[1:]]
    assert len(scores) == 6 and all(0 <= score <= 1 for score in scores) and max(scores) > 0  # it learned something in two passes


def test_the_spacy_format_without_spacy_installed_says_which_extra_to_install(
        gold_release: tuple[Root, Path], cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # what Python does when the package is not installed: ImportError
    code, _, err = cli("export", "--format", "spacy", "--release", gold_release[1], "--out", tmp_path / "out")
    assert code == 2 and "--format spacy needs spaCy" in err and "pip install 'peacetalks[export]'" in err
    assert not (tmp_path / "out").exists()
