"""Realign: when the cleaner changes a clean text, annotations move through the raw text or are set aside, never lost."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from peacetalks.align import AlignedBuilder
from peacetalks.annotations import read_annotation_file, write_annotation_file
from peacetalks.corpus import load_document
from peacetalks.models import AnnotationFile, AnnotationSet, Provenance, Relation, Span
from peacetalks.schema import load_schema
from peacetalks.storage import Root, read_model, sha256_text, write_model
from peacetalks.validate import FileContext, annotation_problems

REPO = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]
# The current cleaner drops the headline (kept in the sidecar) and the "Advertisement" line.
RAW = ("Talks resume in Riyadh\n\nThe Kremlin said on Tuesday that talks would resume in Riyadh next week.\n\nAdvertisement\n\n"
       "“We are ready to listen,” Peskov told reporters in Moscow.\n\nThe Kremlin did not say who would attend.\n")


def span_in(text: str, needle: str, label: str, span_id: str, after: str = "") -> Span:
    start = text.index(needle, text.index(after) if after else 0)
    return Span(id=span_id, start=start, end=start + len(needle), label=label, text=needle)


@pytest.fixture
def changed(tmp_path: Path, cli: Cli) -> tuple[Root, Path]:
    """A root cleaned by the current cleaner, annotations made on an older clean text (the raw copied verbatim),
    and that older corpus kept aside as `old/`."""
    root = Root(tmp_path / "root")
    shutil.copytree(REPO / "schema", root.schema_dir)
    root.seeds.mkdir(parents=True)
    (tmp_path / "talks.txt").write_text(RAW, encoding="utf-8")
    assert cli("add", tmp_path / "talks.txt", "--root", root.path)[0] == 0
    assert cli("clean", "--root", root.path)[0] == 0
    new = load_document(root, "talks")

    builder = AlignedBuilder(RAW)
    builder.copy_normalised_to(len(RAW))
    old_text, old_alignment = builder.build()
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    (old_dir / "talks.txt").write_text(old_text, encoding="utf-8")
    write_model(old_dir / "talks.json", new.sidecar.model_copy(update={
        "text_sha256": sha256_text(old_text), "title": None, "removed": [], "alignment": list(old_alignment.segments)}))

    quote = span_in(old_text, "We are ready to listen", "QUOTE", "q1")
    first = AnnotationSet(provenance=Provenance(annotator="ann1", method="test"), spans=[
        span_in(old_text, "Kremlin", "ORG", "e1"), span_in(old_text, "Riyadh", "GPE", "e2"),  # e2 sits in the headline
        span_in(old_text, "Advertisement", "ORG", "e3"), quote, span_in(old_text, "Peskov", "SOURCE", "s1"),
        span_in(old_text, "told", "CUE", "c1"), span_in(old_text, "Kremlin", "ORG", "e4", after="Moscow")],
        relations=[Relation(id="r1", head="q1", tail="s1", label="source"), Relation(id="r2", head="q1", tail="c1", label="cue")])
    second = AnnotationSet(provenance=Provenance(annotator="ann2", method="test"), spans=[
        quote, span_in(old_text, "Talks", "SOURCE", "s9")],  # a wrong source in the headline
        relations=[Relation(id="r9", head="q1", tail="s9", label="source")])
    write_annotation_file(root, AnnotationFile(document_id="talks", text_sha256=sha256_text(old_text),
                                               schema_version=load_schema(root).version, annotators={"ann1": first, "ann2": second}))
    return root, old_dir


def test_surviving_spans_move_exactly_and_the_rest_wait_for_review(changed: tuple[Root, Path], cli: Cli) -> None:
    root, old_dir = changed
    old = read_annotation_file(root, "talks")
    new_text = root.corpus_text("talks").read_text(encoding="utf-8")
    schema = load_schema(root)

    code, out, err = cli("realign", "--old-corpus", old_dir, "--root", root.path)
    assert code == 0
    assert out.strip() == "realign: 1 annotation files moved to their new texts, 6 spans re-anchored, 3 spans and 1 relations set aside in annotations/_review/"
    assert "talks: ann1/span e3: ORG 'Advertisement' at [98, 111) does not survive in the new text; kept in annotations/_review/talks.json" in err

    moved = read_annotation_file(root, "talks")
    assert moved.text_sha256 == sha256_text(new_text)
    assert annotation_problems(moved, FileContext(new_text, require_gold=False), schema, "-") == []
    assert [(s.id, s.start, s.text) for s in moved.annotators["ann1"].spans] == [
        ("e1", new_text.index("Kremlin"), "Kremlin"), ("q1", new_text.index("We are"), "We are ready to listen"),
        ("s1", new_text.index("Peskov"), "Peskov"), ("c1", new_text.index("told"), "told"),
        ("e4", new_text.rindex("Kremlin"), "Kremlin")]
    assert [r.id for r in moved.annotators["ann1"].relations] == ["r2", "r1"]
    assert [s.id for s in moved.annotators["ann2"].spans] == ["q1"] and moved.annotators["ann2"].relations == []

    review = read_model(root.annotations / "_review" / "talks.json", AnnotationFile)
    old_text = (old_dir / "talks.txt").read_text(encoding="utf-8")
    assert review.text_sha256 == old.text_sha256  # anchored to the old text, so it stays checkable
    assert annotation_problems(review, FileContext(old_text, require_gold=False), schema, "-") == []
    assert [s.id for s in review.annotators["ann1"].spans] == ["e2", "e3"]
    assert [s.id for s in review.annotators["ann2"].spans] == ["s9", "q1"] and [r.id for r in review.annotators["ann2"].relations] == ["r9"]
    for name, aset in old.annotators.items():  # nothing dropped: every span moved or waits for review
        kept = {s.id for s in moved.annotators[name].spans} | {s.id for s in review.annotators[name].spans}
        assert kept == {s.id for s in aset.spans}

    assert cli("realign", "--old-corpus", old_dir, "--root", root.path)[1].startswith("realign: 0 annotation files")


def test_an_old_corpus_that_is_not_the_annotated_text_is_refused(changed: tuple[Root, Path], cli: Cli) -> None:
    root, old_dir = changed
    (old_dir / "talks.json").write_text((root.corpus / "talks.json").read_text(encoding="utf-8"), encoding="utf-8")
    before = root.annotation_file("talks").read_bytes()
    code, _, err = cli("realign", "--old-corpus", old_dir, "--root", root.path)
    assert code == 2 and "talks: not the text the annotations were made on" in err
    assert root.annotation_file("talks").read_bytes() == before
    assert not (root.annotations / "_review").exists()
