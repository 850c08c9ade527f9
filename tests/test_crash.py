"""Crash safety: `clean`, `build` and `labelstudio pull` are killed with SIGKILL at random points.

After every kill the previous outputs are intact (each file is the old or the new complete
version, nothing half-written; leftovers only under hidden temp names), and a rerun converges
to the bytes of an uninterrupted run. Kill points are drawn from a seeded generator.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from peacetalks.annotations import read_annotation_file, write_annotation_file
from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
SEED = 20261122
Tree = dict[str, bytes]
PSEUDONYMS = "_meta/annotators.json"


# --- helpers -----------------------------------------------------------------------------


def snapshot(folder: Path) -> Tree:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def is_hidden_temp(relative: str) -> bool:
    """A writer's temp name: a dot-file ending in .tmp, or anything inside a hidden .<name>.building.* folder."""
    parts = relative.split("/")
    return any(part.startswith(".") and (part.endswith(".tmp") or ".building." in part or part.endswith(".old")) for part in parts)


def assert_each_file_old_or_new(after: Tree, old: Tree, new: Tree) -> str:
    """Every data file is byte for byte its old or its new version; returns 'old', 'new' or 'mixed'."""
    data = {name: content for name, content in after.items() if not is_hidden_temp(name)}
    for name, content in data.items():
        assert content in (old.get(name), new.get(name)), f"{name} is neither the old nor the new version (partial write?)"
    assert set(old) & set(new) <= set(data), f"files lost: {sorted(set(old) & set(new) - set(data))}"
    assert set(data) <= set(old) | set(new), f"unexpected files: {sorted(set(data) - set(old) - set(new))}"
    states = {"old" if content == old.get(name) else "new" for name, content in data.items() if old.get(name) != new.get(name)}
    return states.pop() if len(states) == 1 else ("mixed" if states else "same")


def peacetalks(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "peacetalks.cli", *map(str, args)]


def run_until_killed(argv: list[str], after: float) -> bool:
    """Run ``argv``; SIGKILL it ``after`` seconds in. True if it was killed, False if it finished first."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def kill_trials(argv: list[str], trials: int, duration: float, restore: Callable[[], None],
                check: Callable[[], str], rng: random.Random) -> list[str]:
    """Restore the old outputs, start ``argv``, kill it at a random point of a normal run; check after each kill."""
    outcomes = []
    for _ in range(trials):
        restore()
        killed = run_until_killed(argv, rng.uniform(0.2, 1.0) * duration)
        outcomes.append(check() if killed else "finished")
    return outcomes


def synth(path: Path, docs: int, seed: int) -> Root:
    subprocess.run(peacetalks("synth", "--root", REPO, "--docs", docs, "--out", path, "--seed", seed), check=True,
                   stdout=subprocess.DEVNULL)
    return Root(path)


# --- clean ---------------------------------------------------------------------------------


def test_killed_clean_leaves_every_corpus_file_old_or_new_and_a_rerun_converges(tmp_path: Path) -> None:
    root = synth(tmp_path / "root", 360, 5)  # twelve batches of 32: most of a run is writing, not start-up, so kills land mid-run
    new = snapshot(root.corpus)
    old = {name: content + (b"\n\nA line an older cleaner kept.\n" if name.endswith(".txt") else b" ") for name, content in new.items()}

    def restore() -> None:
        shutil.rmtree(root.corpus)
        root.corpus.mkdir()
        for name, content in old.items():
            (root.corpus / name).write_bytes(content)

    restore()
    argv = peacetalks("clean", "--root", root.path)
    duration = timed(argv)
    assert snapshot(root.corpus) == new
    outcomes = kill_trials(argv, 12, duration, restore, lambda: assert_each_file_old_or_new(snapshot(root.corpus), old, new),
                           random.Random(SEED))
    assert outcomes.count("mixed") >= 3, f"kills should land mid-run: {outcomes}"
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    converged = {name: content for name, content in snapshot(root.corpus).items() if not is_hidden_temp(name)}
    assert converged == new


# --- build ---------------------------------------------------------------------------------


def test_killed_build_leaves_the_old_release_or_the_new_one_and_a_rerun_converges(tmp_path: Path) -> None:
    root = synth(tmp_path / "root", 30, 6)
    release = tmp_path / "release"
    argv = peacetalks("build", "--root", root.path, "--out", release)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    old = snapshot(release)
    (root.path / "VERSION").write_text("0.1.1\n", encoding="utf-8")  # the next release differs in its card and stats
    duration = timed(argv)
    new = snapshot(release)
    assert new != old

    def restore() -> None:
        shutil.rmtree(release)
        for name, content in old.items():
            (release / name).parent.mkdir(parents=True, exist_ok=True)
            (release / name).write_bytes(content)

    def check() -> str:
        state = assert_each_file_old_or_new(snapshot(release), old, new)
        assert state in ("old", "new"), "a release folder is replaced whole, never file by file"
        strays = [p.name for p in tmp_path.iterdir() if p.name not in ("root", "release")]
        assert all(name.startswith(".release.") for name in strays), strays
        return state

    outcomes = kill_trials(argv, 5, duration, restore, check, random.Random(SEED + 1))
    assert "old" in outcomes, outcomes
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    assert snapshot(release) == new


# --- labelstudio pull ------------------------------------------------------------------------


@pytest.mark.labelstudio
def test_killed_pull_leaves_every_annotation_file_old_or_new_and_a_rerun_converges(labelstudio_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = labelstudio_server
    root = synth(tmp_path / "root", 15, 8)
    connection = ["--url", server.url, "--api-key", server.credentials.token, "--project", f"crash {tmp_path.name}"[:50]]
    # Every task carries the local sets as annotations, each authored by its set's account. ann2 is then forgotten
    # locally, so the next pull has a file to write per document: it brings ann2 back from its tab.
    subprocess.run(peacetalks("labelstudio", "push", "--with-annotations", "--root", root.path, *connection), check=True,
                   stdout=subprocess.DEVNULL)
    argv = peacetalks("labelstudio", "pull", "--root", root.path, *connection)
    duration = timed(argv)
    for path in root.annotations.glob("*.json"):
        annotation = read_annotation_file(root, path.stem)
        write_annotation_file(root, annotation.model_copy(update={"annotators": {k: v for k, v in annotation.annotators.items() if k != "ann2"}}))
    old = snapshot(root.annotations)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    new = snapshot(root.annotations)
    assert sum(old.get(name) != content for name, content in new.items()) >= 15
    assert PSEUDONYMS not in new  # a set's account is read back as its set, never given a pseudonym

    def restore() -> None:
        shutil.rmtree(root.annotations)
        for name, content in old.items():
            (root.annotations / name).parent.mkdir(parents=True, exist_ok=True)
            (root.annotations / name).write_bytes(content)

    outcomes = kill_trials(argv, 4, duration, restore, lambda: assert_each_file_old_or_new(snapshot(root.annotations), old, new),
                           random.Random(SEED + 2))
    assert set(outcomes) - {"finished"}, outcomes
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    assert {n: c for n, c in snapshot(root.annotations).items() if not is_hidden_temp(n)} == new


def test_a_release_folder_is_exchanged_with_the_old_one_in_one_step(tmp_path: Path) -> None:
    from peacetalks.storage import exchange_paths, replace_folder

    old, new = tmp_path / "release", tmp_path / ".release.building.x"
    for folder, content in ((old, b"old"), (new, b"new")):
        folder.mkdir()
        (folder / "README.md").write_bytes(content)
    assert exchange_paths(new, old), "Linux file systems exchange two folders atomically"
    assert ((old / "README.md").read_bytes(), (new / "README.md").read_bytes()) == (b"new", b"old")
    replace_folder(new, old)
    assert (old / "README.md").read_bytes() == b"old" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]
