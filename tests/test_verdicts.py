"""validate's verdicts (peacetalks.verdicts): `validate` records each annotation file's problems keyed on
what it read; `build` reuses a verdict that is current, validates a file again when its verdict is
stale, missing or damaged, and refuses with exactly what `validate` lists either way."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from peacetalks.annotations import iter_annotation_files, write_annotation_file
from peacetalks.models import GOLD
from peacetalks.problems import RULES
from peacetalks.schema import load_schema
from peacetalks.storage import Root
from peacetalks.verdicts import VERDICTS, read_verdicts


def record(root: Root) -> dict[str, Any]:
    return json.loads((root.path / VERDICTS).read_text(encoding="utf-8"))


def manifest(out: Path) -> str:
    return (out / "MANIFEST.sha256").read_text(encoding="utf-8")


def refusal(err: str) -> list[str]:
    return [line.removeprefix("  ") for line in err.split("nothing built:\n")[1].splitlines()]


def shown(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.startswith("validate:")]


def break_first_gold_span(root: Root) -> str:
    """Give the first file's first gold span a wrong text; returns its document id."""
    annotation = next(iter_annotation_files(root))
    gold = annotation.annotators[GOLD]
    broken = gold.model_copy(update={"spans": [gold.spans[0].model_copy(update={"text": "wrong"})] + gold.spans[1:]})
    write_annotation_file(root, annotation.model_copy(update={"annotators": {**annotation.annotators, GOLD: broken}}))
    return annotation.document_id


def test_validate_records_a_verdict_for_every_file_and_the_build_from_them_is_byte_identical(release_root: Root, tmp_path: Path, cli: Any) -> None:
    assert cli("build", "--root", release_root.path, "--out", tmp_path / "unjudged")[0] == 0
    assert cli("validate", "--root", release_root.path)[0] == 0
    files = record(release_root)["files"]
    assert sorted(files) == sorted(p.name for p in release_root.annotations.glob("*.json")) and all(problems == [] for _, problems in files.values())
    assert cli("build", "--root", release_root.path, "--out", tmp_path / "judged")[0] == 0
    assert manifest(tmp_path / "judged") == manifest(tmp_path / "unjudged")


def test_the_build_trusts_a_current_verdict_and_reports_its_problems(release_root: Root, tmp_path: Path, cli: Any) -> None:
    """A verdict whose key matches is not checked again: a problem written into it by hand is what the build refuses with."""
    cli("validate", "--root", release_root.path)
    data = record(release_root)
    name = sorted(data["files"])[0]
    planted = {"file": f"annotations/{name}", "doc": name.removesuffix(".json"), "item": "gold/span e1", "rule": "span-text",
               "message": "planted in the verdict", "level": "error"}
    data["files"][name][1].append(planted)
    (release_root.path / VERDICTS).write_text(json.dumps(data), encoding="utf-8")
    code, _, err = cli("build", "--root", release_root.path, "--out", tmp_path / "out")
    assert code == 2 and refusal(err) == [f"annotations/{name}: {planted['doc']}: gold/span e1: span-text: planted in the verdict"]


def test_a_file_changed_since_validate_is_validated_again_and_refused_as_validate_lists_it(release_root: Root, tmp_path: Path, cli: Any) -> None:
    cli("validate", "--root", release_root.path)
    doc_id = break_first_gold_span(release_root)
    code, _, err = cli("build", "--root", release_root.path, "--out", tmp_path / "out")
    _, validated, _ = cli("validate", "--root", release_root.path)
    assert code == 2 and refusal(err) == shown(validated) and any(doc_id in line and "span-text" in line for line in refusal(err))


def test_a_changed_clean_text_makes_the_verdict_stale(release_root: Root, tmp_path: Path, cli: Any) -> None:
    cli("validate", "--root", release_root.path)
    doc_id = next(iter_annotation_files(release_root)).document_id
    text = release_root.corpus_text(doc_id)
    text.write_text(text.read_text(encoding="utf-8") + "\nA new line.", encoding="utf-8")
    code, _, err = cli("build", "--root", release_root.path, "--out", tmp_path / "out")
    assert code == 2 and any(f"{doc_id}: file: doc-text-hash" in line for line in refusal(err))


def test_a_document_awaiting_gold_is_refused_as_validate_release_ready_lists_it(release_root: Root, tmp_path: Path, cli: Any) -> None:
    """validate alone calls it a warning; its verdict serves the build, which holds such a document back."""
    annotation = next(iter_annotation_files(release_root))
    write_annotation_file(release_root, annotation.model_copy(update={"annotators": {k: v for k, v in annotation.annotators.items() if k != GOLD}}))
    code, out, _ = cli("validate", "--root", release_root.path)
    assert code == 0 and "set-gold: warning" in out
    code, _, err = cli("build", "--root", release_root.path, "--out", tmp_path / "out")
    _, ready, _ = cli("validate", "--root", release_root.path, "--release-ready")
    assert code == 2 and refusal(err) == shown(ready) == [f"annotations/{annotation.document_id}.json: {annotation.document_id}: file: set-gold: no gold set"]


def test_another_schema_or_rule_level_makes_every_verdict_stale(release_root: Root, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = load_schema(release_root)
    cli("validate", "--root", release_root.path)
    assert len(read_verdicts(release_root, schema)) == len(list(release_root.annotations.glob("*.json")))
    assert read_verdicts(release_root, schema.model_copy(update={"version": "1.0.1"})) == {}
    monkeypatch.setitem(RULES, "span-text", replace(RULES["span-text"], level="warning"))
    assert read_verdicts(release_root, schema) == {}


@pytest.mark.parametrize("damage", ["", "{not json", '{"format": 1, "validator": 3, "files": []}', "[1, 2]"])
def test_a_missing_or_damaged_record_only_means_validating_again(release_root: Root, tmp_path: Path, cli: Any, damage: str) -> None:
    assert cli("build", "--root", release_root.path, "--out", tmp_path / "before")[0] == 0
    cli("validate", "--root", release_root.path)
    (release_root.path / VERDICTS).write_text(damage, encoding="utf-8")
    assert read_verdicts(release_root, load_schema(release_root)) == {}
    assert cli("build", "--root", release_root.path, "--out", tmp_path / "after")[0] == 0
    assert manifest(tmp_path / "after") == manifest(tmp_path / "before")


def test_validate_writes_the_record_as_the_verdicts_come_in_the_bytes_of_one_whole_dump(release_root: Root, cli: Any) -> None:
    """validate does not hold every verdict to write them at the end (100k of them were 40 MiB): the record is written
    one verdict at a time, and it is the JSON a dump of the whole record, files by name, would be."""
    cli("validate", "--root", release_root.path)
    raw = (release_root.path / VERDICTS).read_text(encoding="utf-8")
    whole = json.loads(raw)
    assert list(whole["files"]) == sorted(whole["files"]) and len(whole["files"]) == len(list(release_root.annotations.glob("*.json")))
    assert raw == json.dumps(whole, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_a_root_where_the_record_cannot_be_written_is_validated_all_the_same(release_root: Root, cli: Any) -> None:
    clean = cli("validate", "--root", release_root.path)
    (release_root.path / VERDICTS).unlink()
    (release_root.path / VERDICTS.parent).rmdir()
    (release_root.path / VERDICTS.parent).write_text("a file where the record's folder would be", encoding="utf-8")
    code, out, err = cli("validate", "--root", release_root.path)
    assert (code, out) == clean[:2]
    assert "validate: verdicts not kept for the build (" in err


def test_a_validate_run_that_fails_leaves_the_last_record_as_it_was(release_root: Root, cli: Any) -> None:
    from peacetalks.verdicts import Recording, Verdict

    cli("validate", "--root", release_root.path)
    before = (release_root.path / VERDICTS).read_bytes()
    with pytest.raises(KeyboardInterrupt), Recording(release_root, load_schema(release_root)) as record:
        record("a.json", Verdict("0" * 64, ()))
        raise KeyboardInterrupt  # the run stops half-way
    assert (release_root.path / VERDICTS).read_bytes() == before
    assert sorted(p.name for p in (release_root.path / VERDICTS.parent).iterdir()) == [VERDICTS.name]  # no temp file left


@pytest.mark.parametrize("documents, limit", [(None, 300), (120, 4000)])  # at the end of the run, or half-way (the first 8 KiB written)
def test_a_disk_that_fills_up_during_validate_costs_the_record_not_the_report(
        release_root: Root, tmp_path: Path, cli: Any, documents: int | None, limit: int) -> None:
    import os
    import resource
    import signal
    import subprocess
    import sys

    root = release_root
    if documents:
        root = Root(tmp_path / "synth")
        assert cli("synth", "--docs", str(documents), "--out", root.path, "--seed", "2")[0] == 0
    clean = cli("validate", "--root", root.path)
    before = (root.path / VERDICTS).read_bytes()
    assert len(before) > limit

    def full_disk() -> None:  # no file may grow past `limit` bytes: a write past it fails as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run([sys.executable, "-m", "peacetalks.cli", "validate", "--root", str(root.path)], capture_output=True,
                         text=True, preexec_fn=full_disk, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert (run.returncode, run.stdout) == clean[:2], run.stderr
    assert run.stderr == f"validate: verdicts not kept for the build ({root.path / VERDICTS}: cannot write: File too large)\n"
    assert (root.path / VERDICTS).read_bytes() == before
    assert sorted(p.name for p in (root.path / VERDICTS.parent).iterdir()) == [VERDICTS.name]


def test_a_full_disk_never_replaces_the_error_that_ended_the_run(release_root: Root, tmp_path: Path) -> None:
    """Dropping the record flushes what is buffered, which a full disk refuses: the run's own error still stands."""
    import subprocess
    import sys

    script = tmp_path / "interrupted.py"
    script.write_text(f"""
import resource, signal, sys
from pathlib import Path
from peacetalks.schema import load_schema
from peacetalks.storage import Root
from peacetalks.verdicts import Recording, Verdict
root = Root(Path({str(release_root.path)!r}))
schema = load_schema(root)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
try:
    with Recording(root, schema) as record:
        record("a.json", Verdict("0" * 64, ()))
        raise KeyboardInterrupt
except KeyboardInterrupt:
    print("the interrupt stands")
""", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert run.stdout == "the interrupt stands\n", run.stderr
    assert not list(release_root.path.glob(".peacetalks/*.tmp"))  # and the temp file is gone


def test_the_temp_record_of_a_killed_run_is_removed_and_a_live_runs_is_not(release_root: Root, cli: Any) -> None:
    import fcntl

    folder = release_root.path / VERDICTS.parent
    folder.mkdir(exist_ok=True)
    killed, live = folder / f".{VERDICTS.name}.killed1.tmp", folder / f".{VERDICTS.name}.live123.tmp"
    killed.write_text('{"format":1,"validator":"', encoding="utf-8")
    live.write_text('{"format":1,"validator":"', encoding="utf-8")
    with live.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # as a validate still writing holds its own
        assert cli("validate", "--root", release_root.path)[0] == 0
    assert not killed.exists() and live.exists()
    assert read_verdicts(release_root, load_schema(release_root))


def test_a_hidden_json_file_in_annotations_is_validated_as_any_other(release_root: Root, cli: Any) -> None:
    (release_root.annotations / ".draft.json").write_text("{not json", encoding="utf-8")
    code, out, _ = cli("validate", "--root", release_root.path)
    assert code == 1 and "annotations/.draft.json" in out


def test_an_annotation_file_whose_name_is_not_utf8_is_reported_by_name_not_a_traceback(release_root: Root) -> None:
    import os
    import subprocess
    import sys

    with open(os.path.join(os.fsencode(release_root.annotations), b"draft\xff.json"), "wb") as handle:
        handle.write(b"{}")
    run = subprocess.run([sys.executable, "-m", "peacetalks.cli", "validate", "--root", str(release_root.path)], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert "annotations/draft\\udcff.json: draft\\udcff: file: file-shape:" in run.stdout
    assert len(record(release_root)["files"]) == len(list(release_root.annotations.glob("*.json"))) - 1  # no key for that name
