"""Bad inputs the other stage tests do not cover (catalogued in docs/bad-inputs.md).

Each runs the real CLI on a real data root, and checks the exact error, a non-zero exit,
and that nothing was written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def synth_root(tmp_path: Path, cli: Cli) -> Root:
    """Three synthetic documents with corpus and annotations that validate."""
    assert cli("synth", "--root", REPO, "--docs", 3, "--out", tmp_path / "root", "--seed", 11)[0] == 0
    return Root(tmp_path / "root")


def refused(cli: Cli, root: Root, *args: str | Path) -> str:
    """Run a command that must fail; returns its stderr after checking the exit code and that the root is unchanged."""
    before = tree(root.path)
    code, _, err = cli(*args, "--root", root.path)
    assert code == 2, err
    assert tree(root.path) == before
    return err


# --- seeds -------------------------------------------------------------------------------


def test_a_missing_input_file_is_a_clear_error(synth_root: Root, tmp_path: Path, cli: Cli) -> None:
    err = refused(cli, synth_root, "add", tmp_path / "gone.txt")
    assert err == f"peacetalks add: error: {tmp_path / 'gone.txt'}: missing\n"


def test_an_html_page_without_article_text_is_empty(synth_root: Root, tmp_path: Path, cli: Cli) -> None:
    page = tmp_path / "menu.html"
    page.write_text("<html><head><script>var menu = 1;</script></head><body></body></html>", encoding="utf-8")
    err = refused(cli, synth_root, "add", page)
    assert err == f"peacetalks add: error: {page}: empty document (no text extracted from the HTML)\n"


def test_a_seed_edited_after_it_was_added_is_refused(synth_root: Root, cli: Cli) -> None:
    seed = synth_root.seeds / "syn_0000001.txt"
    seed.write_bytes(seed.read_bytes() + b"One more line.\n")
    err = refused(cli, synth_root, "clean")
    assert err == (f"peacetalks clean: error: {seed}: sha256 differs from the manifest: seeds are immutable; "
                   "add changed text as a new document\n")


def test_a_seed_listed_in_the_manifest_but_deleted_is_refused(synth_root: Root, cli: Cli) -> None:
    (synth_root.seeds / "syn_0000002.txt").unlink()
    err = refused(cli, synth_root, "clean")
    assert err == f"peacetalks clean: error: {synth_root.seeds / 'syn_0000002.txt'}: listed in the manifest but missing\n"


def test_a_file_dropped_into_seeds_without_add_is_refused_but_a_temp_file_is_not_data(synth_root: Root, cli: Cli) -> None:
    (synth_root.seeds / ".syn_0000003.txt.k2j4.tmp").write_text("half a seed", encoding="utf-8")  # an interrupted add
    assert cli("clean", "--root", synth_root.path, "--check")[0] == 0
    (synth_root.seeds / "dropped.txt").write_text("An article copied in by hand.\n", encoding="utf-8")
    err = refused(cli, synth_root, "clean")
    assert err == (f"peacetalks clean: error: {synth_root.seeds}: files not in the manifest: dropped.txt "
                   "(add them with `peacetalks add`)\n")


def test_a_truncated_manifest_is_refused(synth_root: Root, cli: Cli) -> None:
    data = synth_root.manifest.read_bytes()
    synth_root.manifest.write_bytes(data[: len(data) // 2])
    err = refused(cli, synth_root, "clean")
    assert err.startswith(f"peacetalks clean: error: {synth_root.manifest}: not valid JSON: ")


def test_a_manifest_entry_of_the_wrong_shape_is_refused(synth_root: Root, cli: Cli) -> None:
    manifest = json.loads(synth_root.manifest.read_text(encoding="utf-8"))
    manifest["seeds"][0]["encoding"] = "latin-1"
    synth_root.manifest.write_text(json.dumps(manifest), encoding="utf-8")
    err = refused(cli, synth_root, "clean")
    assert err == (f"peacetalks clean: error: {synth_root.manifest}: seeds[0] does not match SeedEntry: "
                   "encoding: Input should be 'utf-8' or 'utf-8-sig'\n")


def test_a_manifest_without_its_seeds_array_is_refused_not_read_as_empty(synth_root: Root, cli: Cli) -> None:
    """Read as an empty list, it would make `clean` delete the whole corpus as orphans."""
    manifest = json.loads(synth_root.manifest.read_text(encoding="utf-8"))
    synth_root.manifest.write_text(json.dumps({"description": manifest["description"], "documents": manifest["seeds"]}), encoding="utf-8")
    err = refused(cli, synth_root, "clean")
    assert err == (f"peacetalks clean: error: {synth_root.manifest}: does not match SeedManifest: needs exactly the keys "
                   "\"description\" and \"seeds\" (an array), has ['description', 'documents']\n")


# --- annotations and schema ------------------------------------------------------------------


def test_a_truncated_annotation_file_is_reported_with_its_rule(synth_root: Root, cli: Cli) -> None:
    path = synth_root.annotation_file("syn_0000000")
    path.write_bytes(path.read_bytes()[:100])
    code, out, _ = cli("validate", "--root", synth_root.path)
    assert code == 1
    assert out.splitlines() == ["annotations/syn_0000000.json: syn_0000000: file: file-json: Unterminated string starting at: line 3 column 18 (char 51)",
                                "validate: 3 annotation files, 1 problems"]


def test_an_annotation_file_in_another_encoding_is_reported(synth_root: Root, cli: Cli) -> None:
    path = synth_root.annotation_file("syn_0000000")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    code, out, _ = cli("validate", "--root", synth_root.path)
    assert (code, out.splitlines()[0]) == (1, "annotations/syn_0000000.json: syn_0000000: file: file-json: "
                                              "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte")


def test_a_broken_schema_stops_every_command_that_needs_it(synth_root: Root, cli: Cli) -> None:
    schema = synth_root.schema_dir / "schema.json"
    schema.write_text('{"name": "peacetalks", "version": "1.0.0",', encoding="utf-8")
    for command in ("validate", "schema"):
        err = refused(cli, synth_root, command)
        assert err == (f"peacetalks {command}: error: {schema}: not valid JSON: Expecting property name enclosed in "
                       "double quotes: line 1 column 43 (char 42)\n")


def test_a_root_without_a_schema_is_a_clear_error(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("validate", "--root", tmp_path)
    assert (code, err) == (2, f"peacetalks validate: error: {tmp_path / 'schema' / 'schema.json'}: missing\n")
    assert list(tmp_path.iterdir()) == []


# --- Label Studio ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["push", "pull"])
def test_no_label_studio_url_or_token_is_refused_before_anything_is_read(synth_root: Root, cli: Cli, command: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "a-token-without-a-server")
    err = refused(cli, synth_root, "labelstudio", command)
    assert err == ("peacetalks labelstudio: error: set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (or --url/--api-key); "
                   "`peacetalks labelstudio start` prints both\n")


# --- release and scale tools --------------------------------------------------------------------


def test_a_version_that_is_not_semver_stops_the_build(synth_root: Root, tmp_path: Path, cli: Cli) -> None:
    (synth_root.path / "VERSION").write_text("v2\n", encoding="utf-8")
    err = refused(cli, synth_root, "build", "--out", tmp_path / "release")
    assert err == f"peacetalks build: error: {synth_root.path / 'VERSION'}: 'v2' is not a semantic version MAJOR.MINOR.PATCH\n"
    assert not (tmp_path / "release").exists()


def test_bench_refuses_a_folder_that_is_not_a_data_root(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("bench", "--root", tmp_path, "--stages", "validate")
    assert (code, err) == (2, f"peacetalks bench: error: {tmp_path / 'seeds' / 'manifest.json'}: missing; "
                              "bench needs a data root (make one with `peacetalks synth`)\n")
    assert list(tmp_path.iterdir()) == []


def test_synth_refuses_zero_documents(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("synth", "--root", REPO, "--docs", 0, "--out", tmp_path / "root")
    assert (code, err) == (2, "peacetalks synth: error: --docs must be at least 1, got 0\n")
    assert list(tmp_path.iterdir()) == []


# --- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs (needs root and mount rights; skipped otherwise), unmounted afterwards."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill_up(folder: Path) -> None:
    """Write a filler file until the file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_fails_clean_with_the_path_and_keeps_the_old_corpus(synth_root: Root, tiny_disk: Path, cli: Cli) -> None:
    root = Root(tiny_disk / "root")
    for folder in ("seeds", "schema", "corpus"):
        shutil.copytree(synth_root.path / folder, root.path / folder)
    old_text = root.corpus_text("syn_0000000")
    old_text.write_text("An older clean text.\n", encoding="utf-8")  # so clean has something to rewrite
    before = tree(root.path)
    fill_up(tiny_disk)
    code, _, err = cli("clean", "--root", root.path)
    assert (code, err) == (2, f"peacetalks clean: error: {old_text}: cannot write: No space left on device\n")
    assert tree(root.path) == before  # the old file is whole and no temp file is left


def test_a_disk_that_fills_up_mid_build_fails_it_naming_the_release_and_leaves_nothing_behind(tmp_path: Path, tiny_disk: Path, cli: Cli) -> None:
    """Enough documents that the release outgrows the disk after some row groups are written: the first write that
    fails ends the build; nothing more is written, no traceback, no building folder left."""
    assert cli("synth", "--root", REPO, "--docs", 300, "--out", tmp_path / "root", "--seed", 11)[0] == 0
    out = tiny_disk / "release"
    code, _, err = cli("build", "--root", tmp_path / "root", "--out", out)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"peacetalks build: error: {out}: cannot write the release: ") and "No space left on device" in err, err
    assert tree(tiny_disk) == {}
