"""Stages 7 to 10 (split, build, datasheet, publish), I/O: the release subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..export import add_arguments as export_arguments
from ..storage import Root
from .registry import command, writes_unless_check
from .scaling import engine_arguments


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="release folder (built in a temp folder, then swapped in whole)")
    engine_arguments(parser)


@command("build", "Build the Hugging Face dataset folder (card, Parquet configs, splits, leakage report, manifest) from corpus and gold.",
         "peacetalks build --out release && python -c 'import datasets; print(datasets.load_dataset(\"release\"))'\n"
         "  peacetalks build --out release --executor slurm --tasks 256 --slurm-partition cpu   # submit to Slurm",
         arguments=_build_arguments)
def cmd_build(args: argparse.Namespace, root: Root) -> int:
    from ..release.build import build

    report = build(root, args.out)
    print(report.how_to_load())
    print(report.summary())
    return 0


@command("split", "Give every new clean document its train/validation/test split and record it in splits.json "
         "(recorded splits never change; near-duplicates share one).",
         "peacetalks split            # record new documents' splits\n  peacetalks split --check    # CI: exit 1 when a document has none",
         arguments=lambda p: p.add_argument("--check", action="store_true", help="write nothing; exit 1 when a document has no recorded split"),
         lock=writes_unless_check)
def cmd_split(args: argparse.Namespace, root: Root) -> int:
    from ..progress import shown_ids
    from ..splits import run_split

    assignment = run_split(root, check=args.check)
    new = shown_ids(assignment.new) if assignment.new else "none"
    if args.check:
        print(f"split --check: {len(assignment.splits)} documents, {'STALE: no split for ' + new if assignment.new else 'every one recorded'}")
        return 1 if assignment.new else 0
    print(f"split: {len(assignment.splits)} documents, {len(assignment.new)} new ones recorded in splits.json ({new})")
    return 0


@command("export", "Export a built release for training tools: a spaCy DocBin or CoNLL-2003-style BIO columns per split.",
         "peacetalks export --format spacy --release release --out export-spacy\n"
         "  peacetalks export --format conll --release release --out export-conll",
         arguments=export_arguments, lock=lambda args: None)  # reads a release folder, writes only --out
def cmd_export(args: argparse.Namespace, root: Root) -> int:
    from ..export import run

    return run(args, root)


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo-id", required=True, help="Hugging Face dataset repository, ORG/NAME")
    parser.add_argument("--out", type=Path, default=None, help="folder to build the release into (default: <root>/release)")
    parser.add_argument("--dry-run", action="store_true", help="build and print the plan; no network, no tag")


@command("publish", "Build, then upload the release to the Hugging Face Hub and tag it vX.Y.Z (refuses a dirty tree or an existing tag).",
         "peacetalks publish --repo-id my-org/peacetalks --dry-run\n  HF_TOKEN=... peacetalks publish --repo-id my-org/peacetalks",
         arguments=_publish_arguments)
def cmd_publish(args: argparse.Namespace, root: Root) -> int:
    from ..publish import publish

    print(publish(root, args.repo_id, args.out or root.path / "release", dry_run=args.dry_run))
    return 0


@command("datasheet", "Regenerate DATASHEET.md's statistics block and docs/figures/*.png from the build; --check fails when stale.",
         "peacetalks datasheet            # rewrite the block between <!-- stats:begin --> and <!-- stats:end -->\n"
         "  peacetalks datasheet --check    # CI: exit 1 when the datasheet or its figures are stale",
         arguments=lambda p: p.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale"),
         lock=writes_unless_check)
def cmd_datasheet(args: argparse.Namespace, root: Root) -> int:
    from ..datasheet import sync_datasheet

    stale = sync_datasheet(root, check=args.check)
    names = ", ".join(str(p.relative_to(root.path)) for p in stale)
    if args.check:
        print(f"datasheet --check: {'STALE: ' + names if stale else 'up to date'}")
        return 1 if stale else 0
    print(f"datasheet: {len(stale)} files rewritten{': ' + names if stale else ''}")
    return 0
