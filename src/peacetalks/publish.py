"""Publish stage, I/O (git, the Hub): publish a built release to the Hugging Face Hub as a tagged version.

Refusals come first and need no network: a repository id the Hub would refuse, a
dirty git tree, a local git tag ``vX.Y.Z`` that exists, a failing validation (the
build refuses), documents whose splits are not recorded, a stale datasheet. Then, unless
``dry_run``, the Hub's own tags are checked, the folder is uploaded in one
commit, that commit is tagged, and the local git tag is created.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .datasheet import sync_datasheet
from .release.build import build
from .release.layout import MANIFEST_FILE
from .release.plan import read_version
from .splits import run_split
from .storage import PeacetalksError, Root

REPO_TYPE = "dataset"


def git(root: Root, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root.path), *args], capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise PeacetalksError(f"{root.path}: git {' '.join(args)} failed: {exc.stderr.strip()}") from exc
    return result.stdout


def require_clean_tree(root: Root, when: str) -> None:
    dirty = git(root, "status", "--porcelain", "--untracked-files=all", "--", ".").splitlines()
    if dirty:
        listing = "\n  ".join(dirty)
        raise PeacetalksError(f"{root.path}: git tree is dirty {when}; commit or stash first:\n  {listing}")


def require_new_local_tag(root: Root, tag: str) -> None:
    if git(root, "tag", "--list", tag).strip():
        raise PeacetalksError(f"{root.path}: git tag {tag} exists already; bump VERSION (and CHANGELOG.md) first")


def require_new_remote_tag(api: object, repo_id: str, tag: str) -> bool:
    """Whether the Hub repository exists; raises when it already has ``tag``."""
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)  # type: ignore[attr-defined]
    except RepositoryNotFoundError:
        return False
    if any(ref.name == tag for ref in refs.tags):
        raise PeacetalksError(f"{repo_id}: the Hub repository has tag {tag} already; bump VERSION (and CHANGELOG.md) first")
    return True


def plan_text(repo_id: str, tag: str, out: Path, dry_run: bool) -> str:
    files = (out / MANIFEST_FILE).read_text(encoding="utf-8").splitlines()
    lines = [f"publish{' --dry-run' if dry_run else ''}: {repo_id} (dataset) at tag {tag}",
             f"  upload folder {out} ({len(files) + 1} files, sha256 in {MANIFEST_FILE}):"]
    lines += [f"    {line.split('  ', 1)[1]}  {line.split('  ', 1)[0][:12]}" for line in files]
    lines += [f"  then: create tag {tag} on the upload commit; git tag {tag}",
              "  new repositories are created private and gated (manual approval): the texts' rights are unknown"]
    return "\n".join(lines)


def require_repo_id(repo_id: str) -> None:
    """``ORG/NAME`` by the Hub's own rules (``huggingface_hub.utils.validate_repo_id``), checked offline."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise PeacetalksError(f"--repo-id {repo_id!r}: not a Hub repository id: {exc}") from exc
    if repo_id.count("/") != 1:
        raise PeacetalksError(f"--repo-id {repo_id!r}: expected ORG/NAME")


def publish(root: Root, repo_id: str, out: Path, dry_run: bool = False) -> str:
    """Build into ``out`` and upload it as version ``vX.Y.Z`` of ``repo_id``; returns what was (or would be) done."""
    require_repo_id(repo_id)
    tag = f"v{read_version(root)}"
    require_clean_tree(root, "before the build")
    require_new_local_tag(root, tag)
    unrecorded = run_split(root, check=True).new  # refused before the build replaces ``out``
    if unrecorded:
        raise PeacetalksError(f"splits.json records no split for {', '.join(unrecorded)}; "
                              "run `peacetalks split` and commit splits.json first")
    report = build(root, out)
    stale = sync_datasheet(root, check=True, release=report.out)  # the corpus is streamed once
    if stale:
        raise PeacetalksError(f"stale: {', '.join(p.name for p in stale)}; run `peacetalks datasheet` and commit")
    plan = plan_text(repo_id, tag, report.out, dry_run)
    if dry_run:
        return plan
    return plan + "\n" + upload(root, repo_id, tag, report.out)


def upload(root: Root, repo_id: str, tag: str, out: Path) -> str:
    from huggingface_hub import HfApi

    api = HfApi()
    if not require_new_remote_tag(api, repo_id, tag):
        api.create_repo(repo_id, repo_type=REPO_TYPE, private=True)
        api.update_repo_settings(repo_id, repo_type=REPO_TYPE, gated="manual")
    commit = api.upload_folder(repo_id=repo_id, folder_path=out, repo_type=REPO_TYPE, commit_message=f"Release {tag}")
    api.create_tag(repo_id, tag=tag, revision=commit.oid, repo_type=REPO_TYPE, tag_message=f"peacetalks dataset {tag}")
    git(root, "tag", tag)
    return f"publish: uploaded {out} to {repo_id} commit {commit.oid[:12]}, tagged {tag} on the Hub and in git"
