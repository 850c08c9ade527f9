"""Stages 1 and 2 (seeds, clean), I/O: the ``add``, ``clean`` and ``clean-text`` subcommands."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from ..storage import PeacetalksError, Root, atomic_output
from .registry import command, say, writes_unless_check
from .scaling import engine_arguments


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, help=".txt (UTF-8, BOM and CRLF allowed) or .html/.htm files")
    for field in ("outlet", "url", "author", "published", "source", "notes"):
        parser.add_argument(f"--{field}", default=None, help=f"known {field} (leave out when unknown: it stays null)")


@command("add", "Add raw articles to seeds/ byte for byte and record them in the manifest.",
         "peacetalks add new/article.txt --outlet Reuters --url https://example.org/a",
         arguments=_add_arguments)
def cmd_add(args: argparse.Namespace, root: Root) -> int:
    from ..models import SeedMetadata
    from ..seeds import add_seeds

    metadata = SeedMetadata(outlet=args.outlet, url=args.url, author=args.author, published=args.published,
                            source=args.source, notes=args.notes)
    added = add_seeds(root, args.files, metadata)
    print(f"add: {len(added)} seeds added ({', '.join(e.id for e in added)}); run `peacetalks clean` next")
    return 0


def _clean_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when corpus/ is stale")
    engine_arguments(parser)


@command("clean", "Clean every seed into corpus/<id>.txt plus a sidecar (title, removed blocks, flags, alignment).",
         "peacetalks clean            # rewrite what changed\n  peacetalks clean --check    # CI: fail when corpus/ is stale\n"
         "  peacetalks clean --tasks 8 --workers 2    # datatrove: 8 tasks, 2 at a time (--executor ray|slurm for a cluster)",
         arguments=_clean_arguments,
         lock=writes_unless_check)
def cmd_clean(args: argparse.Namespace, root: Root) -> int:
    from ..corpus import run_clean

    report = run_clean(root, check=args.check)
    print(report.summary(args.check))
    return 1 if args.check and not report.in_step else 0


def _clean_text_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", type=Path, default=None, help='JSON Lines of {"id", "text"} (default: stdin)')
    parser.add_argument("--out", type=Path, default=None, help="write here atomically instead of stdout")


def _utf8_stdin() -> TextIO:
    """Standard input as UTF-8 (a BOM skipped) whatever the locale says."""
    buffer = getattr(sys.stdin, "buffer", None)
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="\n") if buffer is not None else sys.stdin


@command("clean-text", "Clean any text: JSON Lines {id, text} in, {id, text, title, removed, flags, language} out, streamed.",
         "peacetalks clean-text pages.jsonl --out clean.jsonl\n"
         "  echo '{\"id\": \"a\", \"text\": \"Headline\\nBody sentence ...\"}' | peacetalks clean-text",
         arguments=_clean_text_arguments, lock=lambda args: None)
def cmd_clean_text(args: argparse.Namespace, root: Root) -> int:
    from ..clean import clean_json_lines, format_counts
    from ..progress import progress

    source = str(args.input) if args.input else "<stdin>"
    count = 0
    removed: Counter[tuple[str, str]] = Counter()
    with contextlib.ExitStack() as stack:
        try:
            lines = stack.enter_context(args.input.open(encoding="utf-8-sig", newline="\n")) if args.input else _utf8_stdin()
        except OSError as exc:
            raise PeacetalksError(f"{source}: cannot read: {exc.strerror}") from exc
        out = stack.enter_context(atomic_output(args.out, text=True)) if args.out else sys.stdout
        try:
            for record in progress(clean_json_lines(lines, source, removed), desc="clean-text"):
                out.write(record)
                count += 1
        except UnicodeDecodeError as exc:
            raise PeacetalksError(f"{source}: not valid UTF-8 (byte {exc.start} of a read block)") from exc
    say(f"clean-text: {count} documents cleaned from {source} to {args.out or '<stdout>'}; lines removed: {format_counts(removed)}")
    return 0
