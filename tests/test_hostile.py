"""Hostile inputs, odd paths and concurrency (issue 12): the tool deletes only what it made, reads and
writes only where it should, and turns every bad input into one clear error line.

Each test runs the real CLI on a real data root. The Label Studio cases are in
test_hostile_labelstudio.py, the schema and validator cases in test_hostile_schema.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from peacetalks.models import CorpusSidecar
from peacetalks.storage import Root, dump_model, read_model, sha256_text

REPO = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones and .git included) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def peacetalks(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "peacetalks.cli", *map(str, args)]


@pytest.fixture
def root(tmp_path: Path, cli: Cli) -> Root:
    """Three synthetic documents that validate, with a release's inputs and a .git folder to protect."""
    assert cli("synth", "--root", REPO, "--docs", 3, "--out", tmp_path / "root", "--seed", 5)[0] == 0
    data = Root(tmp_path / "root")
    (data.path / "VERSION").write_text("1.0.0\n", encoding="utf-8")
    (data.path / ".git").mkdir()
    (data.path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return data


def refused(cli: Cli, root: Root, *args: str | Path) -> str:
    """Run a command that must be refused: exit 2, one error line, nothing under the root changed."""
    before = tree(root.path)
    code, _, err = cli(*args, "--root", root.path)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"peacetalks {args[0]}: error: "), err
    assert tree(root.path) == before
    return err


# --- the tool deletes or replaces only what it made ------------------------------------------------


@pytest.mark.parametrize("where", [".", "corpus", "annotations", "seeds/sub", ".git", ".."])
def test_build_never_replaces_the_root_a_folder_above_it_or_a_stage_folder(root: Root, cli: Cli, where: str) -> None:
    out = (root.path / where)
    before = tree(root.path.parent)
    err = refused(cli, root, "build", "--out", out)
    assert "is the data root, a folder above it, or a stage's input folder" in err
    assert tree(root.path.parent) == before


def test_build_never_replaces_a_folder_holding_files_it_did_not_make(root: Root, cli: Cli, tmp_path: Path) -> None:
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    err = refused(cli, root, "build", "--out", mine)
    assert f"{mine}: is not empty and is not a release this tool built" in err
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "years of work\n"


@pytest.mark.parametrize("forge", ["sha256sum", "link"])
def test_a_checksummed_folder_or_a_forged_manifest_does_not_pass_for_a_release(root: Root, cli: Cli, tmp_path: Path, forge: str) -> None:
    """A user's `sha256sum * > MANIFEST.sha256`, or a manifest that is a link, is not the tool's mark."""
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    digest = hashlib.sha256((mine / "thesis.tex").read_bytes()).hexdigest()
    lines = "".join(f"{digest}  {name}\n" for name in ("thesis.tex", "stats.json"))
    if forge == "link":
        (tmp_path / "forged").write_text(lines, encoding="utf-8")
        (mine / "MANIFEST.sha256").symlink_to(tmp_path / "forged")
    else:
        (mine / "MANIFEST.sha256").write_text(lines, encoding="utf-8")
    assert "is not a release this tool built" in refused(cli, root, "build", "--out", mine)
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "years of work\n"


def test_a_users_dot_old_folder_beside_the_release_is_never_removed(root: Root, cli: Cli, tmp_path: Path) -> None:
    keep = tmp_path / ".release.old"
    keep.mkdir()
    (keep / "NOTES.md").write_text("mine\n", encoding="utf-8")
    for _ in range(2):  # a first build and a replacing one
        assert cli("build", "--root", root.path, "--out", tmp_path / "release")[0] == 0
    assert (keep / "NOTES.md").read_text(encoding="utf-8") == "mine\n"


def test_a_release_folder_with_a_file_added_by_hand_is_not_replaced(root: Root, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert cli("build", "--root", root.path, "--out", out)[0] == 0
    (out / "my-notes.md").write_text("notes\n", encoding="utf-8")
    err = refused(cli, root, "build", "--out", out)
    assert "holds files its MANIFEST.sha256 does not list, which the tool did not make: my-notes.md" in err
    assert (out / "my-notes.md").exists()
    (out / "my-notes.md").unlink()
    assert cli("build", "--root", root.path, "--out", out)[0] == 0  # its own release it replaces


def test_build_never_replaces_through_a_symbolic_link(root: Root, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine\n", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(target)
    err = refused(cli, root, "build", "--out", link)
    assert f"{link}: is a symbolic link" in err
    assert (target / "keep.txt").read_text(encoding="utf-8") == "mine\n" and link.is_symlink()


def test_build_into_an_existing_file_is_refused(root: Root, cli: Cli, tmp_path: Path) -> None:
    existing = tmp_path / "release.txt"
    existing.write_text("a file\n", encoding="utf-8")
    err = refused(cli, root, "build", "--out", existing)
    assert err == f"peacetalks build: error: {existing}: exists and is not a folder\n"


def test_building_folders_left_by_killed_builds_are_removed_and_ignored_by_git(root: Root, cli: Cli, tmp_path: Path) -> None:
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # no process can have this pid
    leftover = tmp_path / f".release.building.{dead}.abc123"
    leftover.mkdir()
    (leftover / "half.parquet").write_bytes(b"PAR1")
    (leftover / ".peacetalks-building").touch()
    live = tmp_path / f".release.building.{os.getpid()}.xyz789"  # a build still running (this process)
    live.mkdir()
    (live / ".peacetalks-building").touch()
    users = [tmp_path / f".release.building.{dead}.mine", tmp_path / ".release.building.².x",
             tmp_path / ".release.building.99999999999999999999.x"]  # no mark, or pids no process has
    for folder in users:
        folder.mkdir()
        (folder / "thesis.tex").write_text("mine\n", encoding="utf-8")
    assert cli("build", "--root", root.path, "--out", tmp_path / "release")[0] == 0
    assert not leftover.exists() and live.exists()
    assert all((folder / "thesis.tex").exists() for folder in users)
    ignored = subprocess.run(["git", "-C", REPO, "check-ignore", "-q", "--no-index", ".release.building.123.abc/"])
    assert ignored.returncode == 0


def test_clean_removes_its_own_orphans_but_never_a_file_it_did_not_make(root: Root, cli: Cli) -> None:
    orphan = "syn_0000002"
    keep = {name: (root.corpus / name).read_bytes() for name in (f"{orphan}.txt", f"{orphan}.json")}
    for name, data in keep.items():
        (root.corpus / name.replace(orphan, "syn_gone")).write_bytes(data.replace(orphan.encode(), b"syn_gone"))
    (root.corpus / "README.txt").write_text("What this folder is.\n", encoding="utf-8")
    code, out, _ = cli("clean", "--root", root.path)
    assert code == 0 and "2 orphaned files removed; left alone, not made by clean: README.txt" in out
    assert not (root.corpus / "syn_gone.txt").exists() and not (root.corpus / "syn_gone.json").exists()
    assert (root.corpus / "README.txt").read_text(encoding="utf-8") == "What this folder is.\n"
    code, out, _ = cli("clean", "--root", root.path, "--check")
    assert code == 1 and "STALE: README.txt" in out



def test_clean_removes_the_temp_files_its_interrupted_writes_left_and_no_other(root: Root, cli: Cli) -> None:
    """A run killed mid-write leaves ``.<file>.<8 letters>.tmp`` beside the file; the next clean holds the lock for writing."""
    abandoned = [root.corpus / ".syn_0000002.txt.k3j_9x2a.tmp", root.corpus / ".syn_0000001.json.abcdefgh.tmp"]
    others = [root.corpus / ".notes.txt.abcdefgh.tmp", root.corpus / ".syn_0000002.txt.tmp",  # not writes of clean's outputs
              root.corpus / ".syn_0000009.json.abcdefgh.tmp"]  # (no such document)
    for path in abandoned + others:
        path.write_text("half a file", encoding="utf-8")
    code, out, _ = cli("clean", "--root", root.path)
    assert code == 0 and ", 0 orphaned files removed, 2 temp files of interrupted runs removed" in out
    assert not any(path.exists() for path in abandoned) and all(path.exists() for path in others)

# --- every path is confined ---------------------------------------------------------------------------


def edit_manifest(root: Root, change: Callable[[dict], None]) -> None:
    manifest = json.loads(root.manifest.read_text(encoding="utf-8"))
    change(manifest["seeds"][0])
    root.manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def test_a_manifest_cannot_point_a_seed_outside_seeds(root: Root, cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "outside_secret.txt"
    secret.write_text("Dear diary, the password is hunter2.\n", encoding="utf-8")
    data = secret.read_bytes()

    def point_outside(seed: dict) -> None:
        (root.seeds / seed["file"]).unlink()
        seed.update(file="../../outside_secret.txt", sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    edit_manifest(root, point_outside)
    err = refused(cli, root, "clean")
    assert err == (f"peacetalks clean: error: {root.manifest}: seeds[0] does not match SeedEntry: "
                   "Value error, file '../../outside_secret.txt' must be the id 'syn_0000000' plus .txt\n")
    assert not any(b"hunter2" in content for content in tree(root.corpus).values())


def test_a_seed_that_is_a_symbolic_link_is_refused(root: Root, cli: Cli, tmp_path: Path) -> None:
    seed = root.seeds / "syn_0000000.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(outside)
    assert refused(cli, root, "clean") == f"peacetalks clean: error: {seed}: is a symbolic link; a seed is a file kept byte for byte in seeds/\n"


@pytest.mark.parametrize("name", ["bad\nname.txt", "..txt", "-rf.txt", "a b.txt"])
def test_a_seed_whose_name_is_no_safe_id_is_refused(root: Root, cli: Cli, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("An article with a strange file name. It has two sentences.\n", encoding="utf-8")
    err = refused(cli, root, "add", path)
    assert "must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$" in err


# --- no input crashes the tool ------------------------------------------------------------------------


def make_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def make_dangling(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.with_name("nowhere"))


@pytest.mark.parametrize("kind,expected", [(make_folder, "is a folder, expected a file"),
                                           (make_dangling, "missing (a dangling symbolic link)")])
@pytest.mark.parametrize("which", ["seeds/manifest.json", "corpus/syn_0000001.json", "corpus/syn_0000001.txt"])
def test_a_data_file_that_is_a_folder_or_a_dangling_link_is_named(root: Root, cli: Cli, which: str,
                                                                    kind: Callable[[Path], None], expected: str) -> None:
    path = root.path / which
    kind(path)
    command = "clean" if which.startswith("seeds") else "build"
    err = refused(cli, root, command, *(["--out", root.path / "release"] if command == "build" else []))
    assert err == f"peacetalks {command}: error: {path}: {expected}\n"


def test_a_seed_that_is_a_folder_is_named(root: Root, cli: Cli) -> None:
    make_folder(root.seeds / "syn_0000001.txt")
    assert refused(cli, root, "clean") == f"peacetalks clean: error: {root.seeds / 'syn_0000001.txt'}: is a folder, expected a file\n"


def test_clean_repairs_a_corpus_file_that_is_not_utf8_and_build_names_it(root: Root, cli: Cli) -> None:
    text = root.corpus_text("syn_0000001")
    good = text.read_bytes()
    broken = good[:10] + b"\xff" + good[10:]
    text.write_bytes(broken)
    err = refused(cli, root, "build", "--out", root.path / "release")
    assert err == f"peacetalks build: error: {text}: not valid UTF-8 at byte 10 ({broken[10:14]!r})\n"
    assert cli("clean", "--root", root.path)[0] == 0
    assert text.read_bytes() == good


def mount_tmpfs(path: Path, options: str) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")


def test_a_full_or_read_only_disk_fails_build_clearly_and_keeps_the_old_release(root: Root, cli: Cli, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "size=64m")
    try:
        out = disk / "release"
        assert cli("build", "--root", root.path, "--out", out)[0] == 0
        old = tree(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        code, _, err = cli("build", "--root", root.path, "--out", out)
        assert code == 2 and err.startswith(f"peacetalks build: error: {disk}") and "Read-only file system" in err, err
        assert err.endswith(f"{out} left as it was\n")
        subprocess.run(["mount", "-o", "remount,rw,size=" + str(sum(map(len, old.values())) + 100_000), str(disk)], check=True)
        filler = disk / "filler"
        with filler.open("wb") as handle:
            try:
                while handle.write(b"\0" * 65536):
                    handle.flush()
            except OSError:
                pass
        code, _, err = cli("build", "--root", root.path, "--out", out)
        assert code == 2 and "No space left on device" in err and err.endswith(f"{out} left as it was\n"), err
        assert tree(out) == old
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "release"]  # no building folder left
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# --- refuse what would mislead ------------------------------------------------------------------------


def set_clean_text(root: Root, doc_id: str, text: str) -> None:
    """What a cleaner that emptied a seed (or let a control character through) would have written."""
    root.corpus_text(doc_id).write_text(text, encoding="utf-8")
    sidecar = read_model(root.corpus_sidecar(doc_id), CorpusSidecar)
    root.corpus_sidecar(doc_id).write_text(dump_model(sidecar.model_copy(update={"text_sha256": sha256_text(text)})), encoding="utf-8")
    root.annotation_file(doc_id).unlink()


@pytest.mark.parametrize("text,rule", [("", "doc-empty: the clean text is empty"),
                                       ("Before.\x00After.", "doc-control-character: U+0000 at offset 7")])
def test_build_refuses_an_empty_text_or_one_with_control_characters(root: Root, cli: Cli, text: str, rule: str) -> None:
    set_clean_text(root, "syn_0000001", text)
    err = refused(cli, root, "build", "--out", root.path / "release")
    assert err.startswith(f"peacetalks build: error: {root.corpus_text('syn_0000001')}: syn_0000001: {rule}")


def test_a_seed_with_nul_bytes_is_refused(root: Root, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"Looks like text.\x00\x01\x02")
    assert refused(cli, root, "add", path) == f"peacetalks add: error: {path}: holds NUL bytes (the first at byte 16): not a text file\n"


def test_agreement_with_an_annotator_no_file_holds_keeps_the_report(root: Root, cli: Cli) -> None:
    err = refused(cli, root, "agreement", "--first", "nobody", "--second", "gold")
    assert "no file holds both 'nobody' and 'gold' (annotators found: ann1, ann2, gold); report left as it was" in err
    assert "both 'gold'" in refused(cli, root, "agreement", "--first", "gold", "--second", "gold")


@pytest.mark.parametrize("repo_id", ["../..", "org/na me", "org/..", "org/a--b", "org", "a/b/c"])
def test_publish_refuses_a_repository_id_the_hub_would_not_take(root: Root, cli: Cli, repo_id: str) -> None:
    assert f"--repo-id {repo_id!r}" in refused(cli, root, "publish", "--repo-id", repo_id, "--dry-run")


def test_realign_refuses_an_old_corpus_that_does_not_exist(root: Root, cli: Cli, tmp_path: Path) -> None:
    err = refused(cli, root, "realign", "--old-corpus", tmp_path / "nonexistent")
    assert err == f"peacetalks realign: error: {tmp_path / 'nonexistent'}: --old-corpus is not a folder (give the corpus/ the annotations were made on)\n"


# --- concurrent runs are safe -------------------------------------------------------------------------


def run_at_once(*argvs: list[str]) -> list[tuple[int, bytes]]:
    processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for argv in argvs]
    return [(process.wait(timeout=600), process.communicate()[0]) for process in processes]


def test_concurrent_adds_all_land_in_the_manifest(root: Root, tmp_path: Path) -> None:
    """HTML pages widen the window between reading and rewriting the manifest (the extractor is imported there)."""
    pages = []
    for number in range(8):
        page = tmp_path / f"new_{number}.html"
        page.write_text(f"<html><body><article><p>Article number {number} says something new. "
                        f"It has a second sentence, number {number}.</p></article></body></html>", encoding="utf-8")
        pages.append(page)
    for first in range(0, 8, 4):
        results = run_at_once(*(peacetalks("add", page, "--root", root.path) for page in pages[first:first + 4]))
        assert [code for code, _ in results] == [0, 0, 0, 0], results
    listed = {seed["id"] for seed in json.loads(root.manifest.read_text(encoding="utf-8"))["seeds"]}
    assert listed == {"syn_0000000", "syn_0000001", "syn_0000002", *(f"new_{number}" for number in range(8))}
    assert subprocess.run(peacetalks("clean", "--root", root.path), capture_output=True).returncode == 0


def test_two_cleans_at_once_both_succeed_and_leave_the_corpus_in_step(cli: Cli, tmp_path: Path) -> None:
    assert cli("synth", "--root", REPO, "--docs", 400, "--out", tmp_path / "big", "--seed", 3)[0] == 0
    big = Root(tmp_path / "big")
    for text in big.corpus.glob("*.txt"):
        text.write_text("stale\n", encoding="utf-8")
    for number in range(50):  # orphans both runs would remove
        for suffix in (".txt", ".json"):
            data = big.corpus_sidecar("syn_0000000").read_text(encoding="utf-8") if suffix == ".json" else "old\n"
            (big.corpus / f"gone_{number}{suffix}").write_text(data.replace("syn_0000000", f"gone_{number}"), encoding="utf-8")
    results = run_at_once(*(peacetalks("clean", "--root", big.path) for _ in range(2)))
    assert [code for code, _ in results] == [0, 0], results
    assert subprocess.run(peacetalks("clean", "--root", big.path, "--check"), capture_output=True).returncode == 0


# --- found by an adversarial review of the above ----------------------------------------------------


def test_an_annotation_file_named_after_another_document_is_refused_before_realign_writes(root: Root, cli: Cli, tmp_path: Path) -> None:
    shutil.copytree(root.corpus, tmp_path / "old")
    shutil.copyfile(root.annotation_file("syn_0000001"), root.annotations / "syn_0000001-old.json")
    err = refused(cli, root, "realign", "--old-corpus", tmp_path / "old")
    assert f"{root.annotations / 'syn_0000001-old.json'}: file-name: holds document 'syn_0000001', not 'syn_0000001-old'" in err
    assert "file-name" in refused(cli, root, "agreement")  # the same file would count the document twice


@pytest.mark.parametrize("content", [b"{}", b"[1, 2]", b"\xff\xfe"])
def test_a_broken_agreement_report_is_named_by_datasheet_and_rewritten_by_agreement(root: Root, cli: Cli, content: bytes) -> None:
    assert cli("agreement", "--root", root.path, "--first", "ann1", "--second", "ann2")[0] == 0
    (root.path / "DATASHEET.md").write_text("# Datasheet\n\n<!-- stats:begin -->\n<!-- stats:end -->\n", encoding="utf-8")
    report = root.annotations / "agreement" / "agreement.json"
    report.write_bytes(content)
    code, _, err = cli("datasheet", "--root", root.path)
    assert code == 2 and err.startswith(f"peacetalks datasheet: error: {report}: not "), err
    assert cli("agreement", "--root", root.path, "--first", "ann1", "--second", "ann2")[0] == 0
    assert json.loads(report.read_text(encoding="utf-8"))["annotators"] == ["ann1", "ann2"]


def test_build_refuses_a_clean_text_that_is_a_link_or_does_not_hash_to_its_sidecar(root: Root, cli: Cli, tmp_path: Path) -> None:
    text = root.corpus_text("syn_0000001")
    root.annotation_file("syn_0000001").unlink()  # an unannotated document: only the release's own checks stand guard
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET: the password is hunter2\n", encoding="utf-8")
    text.write_text(secret.read_text(encoding="utf-8"), encoding="utf-8")
    assert "doc-text-hash" in refused(cli, root, "build", "--out", root.path / "release")
    text.unlink()
    text.symlink_to(secret)
    assert "doc-file: a symbolic link" in refused(cli, root, "build", "--out", root.path / "release")


def test_a_manifest_listing_one_id_twice_is_refused(root: Root, cli: Cli) -> None:
    manifest = json.loads(root.manifest.read_text(encoding="utf-8"))
    manifest["seeds"].append(dict(manifest["seeds"][0]))
    root.manifest.write_text(json.dumps(manifest), encoding="utf-8")
    assert refused(cli, root, "clean") == (f"peacetalks clean: error: {root.manifest}: seeds[3]: document id 'syn_0000000' "
                                           "is listed twice\n")


def test_add_refuses_a_pipe_and_copies_the_bytes_it_checked(root: Root, cli: Cli, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert refused(cli, root, "add", pipe) == f"peacetalks add: error: {pipe}: not a regular file (a pipe or a device?)\n"


def test_validate_reports_a_pipe_in_annotations_at_once_instead_of_waiting_on_it(root: Root) -> None:
    os.mkfifo(root.annotations / "pipe.json")
    done = subprocess.run(peacetalks("validate", "--root", root.path), capture_output=True, text=True, timeout=120)  # it used to wait for ever
    assert done.returncode == 1, done.stderr
    assert "annotations/pipe.json: pipe: file: file-json: not a regular file (a pipe or a device?)\n" in done.stdout, done.stdout


def test_validate_prints_a_file_name_with_a_newline_on_one_line(root: Root, cli: Cli) -> None:
    shutil.copy(next(root.annotations.glob("*.json")), root.annotations / "two\nlines.json")
    code, out, _ = cli("validate", "--root", root.path)
    assert code == 1
    copied = next(line for line in out.splitlines() if "lines" in line)
    assert copied.startswith("annotations/two\\nlines.json: syn_") and copied.endswith(": file: file-name: file is named 'two\\nlines' "
                                                                             f"but holds document {copied.split(': ')[1]!r}"), out
    assert "lines" not in out.replace(copied, ""), out  # the name did not break the line in two


def test_a_refused_publish_leaves_the_release_as_it_was(root: Root, cli: Cli, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root.path)], check=True)
    shutil.rmtree(root.path / ".git" / "HEAD", ignore_errors=True)
    out = tmp_path / "release"
    assert cli("build", "--root", root.path, "--out", out)[0] == 0
    before = out.stat().st_ino
    subprocess.run(["git", "-C", str(root.path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root.path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "data"], check=True)
    code, _, err = cli("publish", "--root", root.path, "--repo-id", "org/name", "--out", out, "--dry-run")
    assert code == 2 and "splits.json records no split" in err, err
    assert out.stat().st_ino == before


def test_clean_never_deletes_half_an_orphan_pair_whose_text_is_a_folder(root: Root, cli: Cli) -> None:
    sidecar = root.corpus_sidecar("syn_0000002").read_text(encoding="utf-8").replace("syn_0000002", "ghost")
    (root.corpus / "ghost.json").write_text(sidecar, encoding="utf-8")
    (root.corpus / "ghost.txt").mkdir()
    (root.corpus / "ghost.txt" / "keep.md").write_text("mine\n", encoding="utf-8")
    code, out, _ = cli("clean", "--root", root.path)
    assert code == 0 and "left alone, not made by clean: ghost.txt" in out
    assert (root.corpus / "ghost.txt" / "keep.md").exists()
