"""`peacetalks publish`: the dry run shows the plan without network; every refusal happens before any upload."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peacetalks.annotations import iter_annotation_files, write_annotation_file
from peacetalks.datasheet import sync_datasheet
from peacetalks.models import GOLD
from peacetalks.storage import Root

REPO_ID = "peacetalks-test/peacetalks"
RECORDING: list[Counter[str]] = []  # while a test records: real path → times this process opened it


def record_open(event: str, args: tuple[Any, ...]) -> None:
    if RECORDING and event == "open" and isinstance(args[0], (str, os.PathLike)):
        RECORDING[-1][os.path.realpath(args[0])] += 1


sys.addaudithook(record_open)


def version_tag(root: Root) -> str:
    """The tag publish gives the root's dataset VERSION."""
    return "v" + (root.path / "VERSION").read_text(encoding="utf-8").strip()  # the interpreter's own "open" audit events: every file read counts


@contextlib.contextmanager
def opened_files() -> Iterator[Counter[str]]:
    RECORDING.append(Counter())
    try:
        yield RECORDING[-1]
    finally:
        RECORDING.pop()


def git(root: Root, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *identity, "-C", str(root.path), *args], capture_output=True, text=True, check=True).stdout


def commit_all(root: Root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def git_root(release_root: Root, monkeypatch: pytest.MonkeyPatch) -> Root:
    """A committed data root with a current datasheet; the Hub client is forced offline."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    sync_datasheet(release_root)
    git(release_root, "init", "-q")
    commit_all(release_root, "data")
    return release_root


def publish(cli: Any, root: Root, out: Path, *extra: str) -> tuple[int, str, str]:
    return cli("publish", "--root", root.path, "--repo-id", REPO_ID, "--out", out, *extra)


def test_dry_run_builds_and_prints_the_plan_without_tagging(git_root: Root, tmp_path: Path, cli: Any) -> None:
    code, out, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code == 0, err
    assert f"{REPO_ID} (dataset) at tag {version_tag(git_root)}" in out
    for name in ("README.md", "MANIFEST.sha256", "data/documents/train.parquet", "data/quotes/test.parquet"):
        assert name in out
    assert (tmp_path / "out" / "README.md").exists()
    assert git(git_root, "tag", "--list") == ""
    assert git(git_root, "status", "--porcelain") == ""


def test_a_dry_run_reads_every_annotation_file_once(git_root: Root, tmp_path: Path, cli: Any) -> None:
    """publish checks the datasheet against its own build's stats.json: the corpus is streamed once."""
    with opened_files() as opened:
        code, _, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code == 0, err
    annotation_files = [os.path.realpath(path) for path in sorted(git_root.annotations.glob("*.json"))]
    assert annotation_files and [opened[path] for path in annotation_files] == [1] * len(annotation_files)


def test_refuses_a_dirty_tree_before_building(git_root: Root, tmp_path: Path, cli: Any) -> None:
    (git_root.path / "notes.txt").write_text("uncommitted")
    code, _, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code != 0 and "dirty" in err and "notes.txt" in err
    assert not (tmp_path / "out").exists()


def test_refuses_a_version_whose_git_tag_exists(git_root: Root, tmp_path: Path, cli: Any) -> None:
    git(git_root, "tag", version_tag(git_root))
    code, _, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code != 0 and f"tag {version_tag(git_root)} exists" in err
    assert not (tmp_path / "out").exists()


def test_refuses_a_failing_validation(git_root: Root, tmp_path: Path, cli: Any) -> None:
    annotation = next(iter_annotation_files(git_root))
    gold = annotation.annotators[GOLD]
    shifted = gold.spans[0].model_copy(update={"start": gold.spans[0].start + 1})
    broken = gold.model_copy(update={"spans": [shifted, *gold.spans[1:]]})
    write_annotation_file(git_root, annotation.model_copy(update={"annotators": {**annotation.annotators, GOLD: broken}}))
    commit_all(git_root, "broken annotation")
    code, _, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code != 0 and "peacetalks validate" in err and "span-text" in err
    assert not (tmp_path / "out").exists()


def test_refuses_a_stale_datasheet(git_root: Root, tmp_path: Path, cli: Any) -> None:
    next(git_root.annotations.glob("*.json")).unlink()
    commit_all(git_root, "drop a gold set without regenerating the datasheet")
    code, _, err = publish(cli, git_root, tmp_path / "out", "--dry-run")
    assert code != 0 and "DATASHEET.md" in err and "peacetalks datasheet" in err


def test_refuses_a_malformed_repo_id(git_root: Root, tmp_path: Path, cli: Any) -> None:
    code, _, err = cli("publish", "--root", git_root.path, "--repo-id", "no-org", "--out", tmp_path / "out", "--dry-run")
    assert code != 0 and "ORG/NAME" in err
