"""Shared fixtures: the repository, temporary data roots, and the CLI run in-process."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from peacetalks.cli import main
from peacetalks.models import AnnotationFile
from peacetalks.storage import Root

if TYPE_CHECKING:
    from peacetalks.labelstudio import Credentials, Server

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo_root() -> Root:
    return Root(REPO)


@pytest.fixture
def tmp_root(tmp_path: Path) -> Root:
    """A copy of the repository's data (seeds, corpus, schema, annotations) to break freely."""
    return copy_data(tmp_path)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `peacetalks ARGS` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --- a real Label Studio server, once per test session ---------------------------------

LS_TEMPLATE = Path.home() / ".cache" / "peacetalks" / "ls-template-1.23.2"


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module (the scripts are not a package): tests check what they measure with."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ls_template(credentials: Credentials) -> Path:
    """A migrated data dir with the test admin (a fresh migrate takes ~35 s, a copy starts in ~5 s)."""
    from peacetalks.labelstudio import start_server

    if not LS_TEMPLATE.exists():
        building = LS_TEMPLATE.with_name(f"{LS_TEMPLATE.name}.building-{os.getpid()}")
        start_server(building, free_port(), credentials).stop()
        try:
            building.rename(LS_TEMPLATE)  # atomic: a parallel session may have won the race
        except OSError:
            shutil.rmtree(building)
    return LS_TEMPLATE


@pytest.fixture(scope="session")
def labelstudio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Label Studio 1.23 on a free 127.0.0.1 port, from a copy of the cached template; stopped at the end."""
    from peacetalks.labelstudio import Credentials, start_server

    credentials = Credentials("admin@peacetalks.test", "peacetalks-admin-pass", "peacetalks-test-token-0123456789")
    data_dir = tmp_path_factory.mktemp("labelstudio") / "data"
    shutil.copytree(ls_template(credentials), data_dir)
    server = start_server(data_dir, free_port(), credentials)
    yield server
    server.stop()


# --- a data root with synthetic gold sets, for the release tests ---------------------------

RELEASE_FILES = ("VERSION", "splits.json", "CHANGELOG.md", "DATASHEET.md")
ENTITY_NAMES = {"Trump": "PERSON", "Putin": "PERSON", "Russia": "GPE"}


def synthetic_gold(doc_id: str, text: str) -> AnnotationFile:
    """A gold set that passes `peacetalks validate`: whole-word entities, every quotation decided,
    the first quotation a QUOTE with two sources and a cue; plus an ann1 set whose provenance
    carries an e-mail address that must never reach a release."""
    import re

    from peacetalks.models import AnnotationSet, Provenance, Relation, Span
    from peacetalks.storage import sha256_text
    from peacetalks.validate import quoted_passages

    spans = [Span(id=f"e{i}", start=m.start(), end=m.end(), label=label, text=m.group())
             for i, (m, label) in enumerate((m, label) for name, label in ENTITY_NAMES.items()
                                             for m in re.finditer(rf"(?<!\w){name}(?!\w)", text))]
    passages = []
    for start, end in quoted_passages(text):
        inner = text[start:end]
        start, end = start + len(inner) - len(inner.lstrip()), end - (len(inner) - len(inner.rstrip()))
        passages.append((start, end))
    taken = [(s - 1, e + 1) for s, e in passages]
    free_words = [m for m in re.finditer(r"\w+", text) if not any(a < m.end() and m.start() < b for a, b in taken)]
    relations = []
    for i, (start, end) in enumerate(passages):
        label = "QUOTE" if i == 0 else "NOT_SPEECH"
        spans.append(Span(id=f"q{i}", start=start, end=end, label=label, text=text[start:end]))
    if passages:
        for word, (label, relation) in zip(free_words, [("SOURCE", "source"), ("SOURCE", "source"), ("CUE", "cue")]):
            spans.append(Span(id=f"a{word.start()}", start=word.start(), end=word.end(), label=label, text=word.group()))
            relations.append(Relation(id=f"r{word.start()}", head="q0", tail=f"a{word.start()}", label=relation))
    gold = AnnotationSet(provenance=Provenance(annotator="gold", method="adjudication"), spans=spans, relations=relations)
    ann1 = AnnotationSet(provenance=Provenance(annotator="ann1", method="label-studio", tool="label-studio server ls-1 admin@peacetalks.test"))
    return AnnotationFile(document_id=doc_id, text_sha256=sha256_text(text), schema_version="1.0.0",
                          annotators={"gold": gold, "ann1": ann1})


def only_document(root: Root, doc_id: str, text: str) -> Root:
    """``root`` with the clean text ``doc_id`` and no annotation file: a stage to write one file on and validate."""
    from peacetalks.storage import write_text_atomic

    write_text_atomic(root.corpus_text(doc_id), text)
    for path in root.annotations.glob("*.json"):
        path.unlink()
    return root


def annotation_data(doc_id: str, text: str, gold: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """An annotation file as JSON data: one gold set over ``text``, schema 1.0.0, fields replaced by ``overrides``."""
    from peacetalks.storage import sha256_text

    data = {"document_id": doc_id, "text_sha256": sha256_text(text), "schema_version": "1.0.0", "annotators": {"gold": gold}}
    return {**data, **overrides}


def copy_data(path: Path) -> Root:
    """A copy of the repository's data (seeds, corpus, schema, annotations) under ``path``."""
    for folder in ("seeds", "corpus", "schema", "annotations"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, path / folder)
    (path / "annotations").mkdir(exist_ok=True)
    return Root(path)


def make_release_root(path: Path) -> Root:
    """A data root plus the release inputs (VERSION, splits.json, CHANGELOG, DATASHEET, figures), with
    annotations/ replaced by synthetic gold sets for every document but the last train document."""
    from peacetalks.annotations import write_annotation_file
    from peacetalks.corpus import document_ids
    from peacetalks.splits import read_split_file

    root = copy_data(path)
    for name in RELEASE_FILES:
        shutil.copyfile(REPO / name, path / name)
    shutil.copytree(REPO / "docs" / "figures", path / "docs" / "figures")
    shutil.rmtree(root.annotations)
    unannotated = [doc for doc, split in read_split_file(root).items() if split == "train"][-1]
    for doc_id in document_ids(root):
        if doc_id != unannotated:
            write_annotation_file(root, synthetic_gold(doc_id, root.corpus_text(doc_id).read_text(encoding="utf-8")))
    return root


@pytest.fixture
def release_root(tmp_path: Path) -> Root:
    return make_release_root(tmp_path / "root")


@pytest.fixture(scope="module")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Root, Path]:
    """One release built from a synthetic-gold root, shared by the read-only tests of a module."""
    from peacetalks.release.build import build

    base = tmp_path_factory.mktemp("release")
    root = make_release_root(base / "root")
    return root, build(root, base / "out").out


@pytest.fixture(scope="session")
def gold_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Root, Path]:
    """A release built once from a copy of the repository's own data and gold sets (every committed
    document), for read-only tests."""
    from peacetalks.release.build import build

    base = tmp_path_factory.mktemp("gold-release")
    root = copy_data(base / "root")
    for name in ("VERSION", "splits.json"):
        shutil.copyfile(REPO / name, root.path / name)
    return root, build(root, base / "out").out
