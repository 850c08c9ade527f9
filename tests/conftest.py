"""Shared fixtures: the repository, temporary data roots, and the CLI run in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from peacetalks.cli import main
from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo_root() -> Root:
    return Root(REPO)


@pytest.fixture
def tmp_root(tmp_path: Path) -> Root:
    """A copy of the repository's data (seeds, corpus, schema, annotations) to break freely."""
    for folder in ("seeds", "corpus", "schema", "annotations"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "annotations").mkdir(exist_ok=True)
    return Root(tmp_path)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `peacetalks ARGS` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
