"""Shared fixtures: the repository, temporary data roots, and the CLI run in-process."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from peacetalks.cli import main
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


# --- a real Label Studio server, once per test session ---------------------------------

LS_TEMPLATE = Path.home() / ".cache" / "peacetalks" / "ls-template-1.23.2"


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
