"""The ``peacetalks`` command: one subcommand per pipeline step, each with ``--root``."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .export import add_arguments as export_arguments
from .storage import LockMode, PeacetalksError, Root, atomic_output, locked

Handler = Callable[[argparse.Namespace, Root], int]
LockFor = Callable[[argparse.Namespace], LockMode | None]


@dataclass(frozen=True)
class Command:
    summary: str
    example: str
    arguments: Callable[[argparse.ArgumentParser], None]
    handler: Handler
    lock: LockFor  # how the command holds the root: writers alone, readers together, or not at all


COMMANDS: dict[str, Command] = {}


def default_root() -> Path:
    """The nearest folder at or above the working directory that holds ``schema/schema.json``."""
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / "schema" / "schema.json").exists()), here)


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """For subcommands that take only ``--root``."""


def writes(args: argparse.Namespace) -> LockMode:
    return "exclusive"


def writes_unless_check(args: argparse.Namespace) -> LockMode:
    return "shared" if getattr(args, "check", False) else "exclusive"


def reads(args: argparse.Namespace) -> LockMode:
    return "shared"


def command(
    name: str, summary: str, example: str, arguments: Callable[[argparse.ArgumentParser], None] = no_arguments,
    lock: LockFor = writes,
) -> Callable[[Handler], Handler]:
    """Register a subcommand with its one-line summary, an example for --help, its arguments, and its lock on the root."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(summary, example, arguments, handler, lock)
        return handler

    return register


def say(message: str) -> None:
    print(message, file=sys.stderr)


# --- seeds and corpus --------------------------------------------------------


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, help=".txt (UTF-8, BOM and CRLF allowed) or .html/.htm files")
    for field in ("outlet", "url", "author", "published", "source", "notes"):
        parser.add_argument(f"--{field}", default=None, help=f"known {field} (leave out when unknown: it stays null)")


@command("add", "Add raw articles to seeds/ byte for byte and record them in the manifest.",
         "peacetalks add new/article.txt --outlet Reuters --url https://example.org/a",
         arguments=_add_arguments)
def cmd_add(args: argparse.Namespace, root: Root) -> int:
    from .models import SeedMetadata
    from .seeds import add_seeds

    metadata = SeedMetadata(outlet=args.outlet, url=args.url, author=args.author, published=args.published,
                            source=args.source, notes=args.notes)
    added = add_seeds(root, args.files, metadata)
    print(f"add: {len(added)} seeds added ({', '.join(e.id for e in added)}); run `peacetalks clean` next")
    return 0


@command("clean", "Clean every seed into corpus/<id>.txt plus a sidecar (title, removed blocks, flags, alignment).",
         "peacetalks clean            # rewrite what changed\n  peacetalks clean --check    # CI: fail when corpus/ is stale",
         arguments=lambda p: p.add_argument("--check", action="store_true", help="write nothing; exit 1 when corpus/ is stale"),
         lock=writes_unless_check)
def cmd_clean(args: argparse.Namespace, root: Root) -> int:
    from .corpus import run_clean

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
    from .clean import clean_json_lines, format_counts
    from .progress import progress

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


# --- schema and validation -----------------------------------------------------


def add_root(parser: argparse.ArgumentParser, default: Path | None | str = None) -> None:
    parser.add_argument("--root", type=Path, default=default,
                        help="data root with seeds/, corpus/, schema/, annotations/ (default: this repository)")


Actions = dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]]  # name → summary, example, arguments


def actions(parser: argparse.ArgumentParser, choices: Actions, default: str | None = None) -> None:
    """Nested subcommands (``peacetalks schema rename OLD NEW``): each with only its own arguments, and ``--root``."""
    sub = parser.add_subparsers(dest="action", required=default is None, metavar="ACTION")
    for name, (summary, example, arguments) in choices.items():
        child = sub.add_parser(name, help=summary, description=summary, epilog=f"Example:\n  {example}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        add_root(child, default=argparse.SUPPRESS)  # given after the action, it still sets args.root
        arguments(child)
    if default:
        parser.set_defaults(action=default)


def _rename_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="the label's name now")
    parser.add_argument("new", help="its new name")


def _schema_arguments(parser: argparse.ArgumentParser) -> None:
    actions(parser, {
        "generate": ("regenerate schema/labelstudio.xml and the JSON Schema (the default)",
                     "peacetalks schema generate", no_arguments),
        "check": ("exit 1 when a generated artefact differs from what schema.json generates",
                  "peacetalks schema check", no_arguments),
        "rename": ("rename a label (a major version bump, recorded for migrate)",
                   "peacetalks schema rename NORP GROUP && peacetalks schema migrate", _rename_arguments),
        "migrate": ("rewrite every annotation file to the schema's version", "peacetalks schema migrate", no_arguments),
    }, default="generate")


@command("schema", "Generate the Label Studio config and JSON Schema from schema/schema.json; rename labels; migrate files.",
         "peacetalks schema                 # regenerate schema/labelstudio.xml and the JSON Schema\n"
         "  peacetalks schema rename NORP GROUP && peacetalks schema migrate",
         arguments=_schema_arguments, lock=lambda args: "shared" if args.action == "check" else "exclusive")
def cmd_schema(args: argparse.Namespace, root: Root) -> int:
    from .annotations import migrate_root
    from .schema import load_schema, rename_label, stale_artefacts, write_artefacts

    schema = load_schema(root)
    if args.action == "check":
        stale = stale_artefacts(root, schema)
        print(f"schema check: {len(stale)} stale artefacts {[str(p.name) for p in stale]}")
        return 1 if stale else 0
    if args.action == "rename":
        schema = rename_label(root, args.old, args.new)
        write_artefacts(root, schema)
        print(f"schema: renamed {args.old} to {args.new}, version {schema.version}; run `peacetalks schema migrate`")
        return 0
    if args.action == "migrate":
        changed = migrate_root(root, schema)
        print(f"schema migrate: {len(changed)} annotation files moved to schema {schema.version}")
        return 0
    written = write_artefacts(root, schema)
    print(f"schema: {len(written)} artefacts regenerated from schema {schema.version}")
    return 0


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument("--level", choices=["warning", "error"], default="warning",
                        help="the least severe level shown (default warning: every problem)")
    parser.add_argument("--no-warnings", dest="level", action="store_const", const="error", help="show errors only (--level error)")
    parser.add_argument("--exclude", action="append", default=[], metavar="RULE", help="leave out one rule's problems (repeatable)")


@command("validate", "Check every annotation file against the schema and corpus; exit 1 when an error is shown.",
         "peacetalks validate --no-warnings --exclude complete-quote\n  peacetalks validate --format json | jq '.problems[].rule'",
         arguments=_validate_arguments, lock=reads)
def cmd_validate(args: argparse.Namespace, root: Root) -> int:
    from .schema import load_schema
    from .validate import Selection, validate_root

    selection = Selection(args.level, frozenset(args.exclude))
    found = list(validate_root(root, load_schema(root)))
    problems = [p for p in found if selection.shows(p)]
    files = len(list(root.annotations.glob("*.json"))) if root.annotations.exists() else 0
    if args.format == "json":
        print(json.dumps({"files": files, "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        warnings = sum(not p.is_error for p in problems)
        print(f"validate: {files} annotation files, {len(problems)} problems" + (f" ({warnings} warnings)" if warnings else "")
              + (f"; {len(found) - len(problems)} not shown (--level, --exclude)" if len(found) > len(problems) else ""))
    return 1 if any(p.is_error for p in problems) else 0


def _agreement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--first", default="ann1", help="first annotator pseudonym (default ann1)")
    parser.add_argument("--second", default="ann2", help="second annotator pseudonym (default ann2)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the committed report is stale")


@command("agreement", "Measure agreement between two annotators; write annotations/agreement/{agreement.json,AGREEMENT.md}.",
         "peacetalks agreement                      # ann1 vs ann2\n  peacetalks agreement --check              # CI: the report is current",
         arguments=_agreement_arguments, lock=writes_unless_check)
def cmd_agreement(args: argparse.Namespace, root: Root) -> int:
    from .agreement import as_report, iter_with_texts, measure, report_files
    from .annotations import iter_annotation_files
    from .schema import load_schema
    from .storage import sync_files

    schema = load_schema(root)
    result = measure(iter_with_texts(root, iter_annotation_files(root)), args.first, args.second, schema)
    report = as_report(result, args.first, args.second, schema)
    changed = sync_files(report_files(root, report), check=args.check)
    if args.check:
        print(f"agreement --check: {len(result.documents)} documents, report {'STALE: ' + ', '.join(p.name for p in changed) if changed else 'up to date'}")
        return 1 if changed else 0
    layers = ", ".join(f"{name} α={v['token_alpha']}" for name, v in report["layers"].items())  # type: ignore[union-attr]
    print(f"agreement: {len(result.documents)} documents, {layers}; {len(changed)} report files changed")
    return 0


# --- release ---------------------------------------------------------------------


@command("build", "Build the Hugging Face dataset folder (card, Parquet configs, splits, leakage report, manifest) from corpus and gold.",
         "peacetalks build --out release && python -c 'import datasets; print(datasets.load_dataset(\"release\"))'",
         arguments=lambda p: p.add_argument("--out", type=Path, required=True, help="release folder (built in a temp folder, then swapped in whole)"))
def cmd_build(args: argparse.Namespace, root: Root) -> int:
    from .release.build import build

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
    from .progress import shown_ids
    from .splits import run_split

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
         arguments=export_arguments, lock=lambda args: None)
def cmd_export(args: argparse.Namespace, root: Root) -> int:
    from .export import run

    return run(args, root)


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo-id", required=True, help="Hugging Face dataset repository, ORG/NAME")
    parser.add_argument("--out", type=Path, default=None, help="folder to build the release into (default: <root>/release)")
    parser.add_argument("--dry-run", action="store_true", help="build and print the plan; no network, no tag")


@command("publish", "Build, then upload the release to the Hugging Face Hub and tag it vX.Y.Z (refuses a dirty tree or an existing tag).",
         "peacetalks publish --repo-id my-org/peacetalks --dry-run\n  HF_TOKEN=... peacetalks publish --repo-id my-org/peacetalks",
         arguments=_publish_arguments)
def cmd_publish(args: argparse.Namespace, root: Root) -> int:
    from .publish import publish

    print(publish(root, args.repo_id, args.out or root.path / "release", dry_run=args.dry_run))
    return 0


@command("datasheet", "Regenerate DATASHEET.md's statistics block and docs/figures/*.png from the build; --check fails when stale.",
         "peacetalks datasheet            # rewrite the block between <!-- stats:begin --> and <!-- stats:end -->\n"
         "  peacetalks datasheet --check    # CI: exit 1 when the datasheet or its figures are stale",
         arguments=lambda p: p.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale"),
         lock=writes_unless_check)
def cmd_datasheet(args: argparse.Namespace, root: Root) -> int:
    from .datasheet import sync_datasheet

    stale = sync_datasheet(root, check=args.check)
    names = ", ".join(str(p.relative_to(root.path)) for p in stale)
    if args.check:
        print(f"datasheet --check: {'STALE: ' + names if stale else 'up to date'}")
        return 1 if stale else 0
    print(f"datasheet: {len(stale)} files rewritten{': ' + names if stale else ''}")
    return 0


# --- Label Studio round trip -----------------------------------------------------


def _labelstudio_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["start", "push", "pull"],
                        help="start a local server, push the corpus as tasks, or pull annotations back")
    parser.add_argument("--data-dir", type=Path, default=None, help="start: server data (default <root>/.labelstudio, git-ignored)")
    parser.add_argument("--port", type=int, default=8080, help="start: preferred port (Label Studio moves on when it is busy)")
    parser.add_argument("--url", default=None, help="push/pull: server URL (default $LABEL_STUDIO_URL)")
    parser.add_argument("--api-key", default=None, help="push/pull: legacy API token (default $LABEL_STUDIO_API_KEY)")
    parser.add_argument("--project", default="peacetalks", help="push/pull: project title (default peacetalks)")
    parser.add_argument("--with-annotations", action="store_true", help="push: also load annotations/<id>.json sets into tasks for review")
    parser.add_argument("--no-predictions", action="store_true", help="push: send no pre-annotations (and remove earlier ones)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="pull: give up (writing nothing) after this many seconds (default 1800)")


@command("labelstudio", "Run a local Label Studio, push corpus documents as tasks with pre-annotations, pull annotations back.",
         "peacetalks labelstudio start          # prints LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY; Ctrl-C stops it\n"
         "  peacetalks labelstudio push           # create/update project 'peacetalks', one task per document\n"
         "  peacetalks labelstudio pull           # write annotations/<id>.json, one set per annotator pseudonym",
         arguments=_labelstudio_arguments,
         lock=lambda args: {"start": None, "push": "shared", "pull": "exclusive"}[args.action])  # type: ignore[return-value]
def cmd_labelstudio(args: argparse.Namespace, root: Root) -> int:
    from . import labelstudio

    if args.action == "start":
        return labelstudio.run_server(args.data_dir or root.path / ".labelstudio", args.port)
    connection = labelstudio.connect(args.url, args.api_key)
    if args.action == "push":
        print(labelstudio.push(root, connection, args.project, args.with_annotations, not args.no_predictions).summary(args.project))
        return 0
    report = labelstudio.pull(root, connection, args.project, args.timeout)
    for problem in report.refused:
        say(f"pull: refused: {problem}")
    print(report.summary())
    return 1 if report.refused else 0


@command("realign", "Move annotations onto a changed clean text through the old and new alignments; set aside what moved.",
         "git archive HEAD corpus | tar -x -C /tmp/old && peacetalks clean && peacetalks realign --old-corpus /tmp/old/corpus",
         arguments=lambda p: p.add_argument("--old-corpus", type=Path, required=True,
                                            help="folder with the previous corpus/<id>.txt and <id>.json the annotations were made on"))
def cmd_realign(args: argparse.Namespace, root: Root) -> int:
    from .realign import realign_root

    report = realign_root(root, args.old_corpus)
    for line in report.review_lines():
        say(line)
    print(report.summary())
    return 0


# --- the whole pipeline ---------------------------------------------------------------


@command("check", "Run every stage's check (see peacetalks.pipeline): exit 1 when any committed output is stale or invalid.",
         "peacetalks check     # CI: corpus, schema artefacts, annotations, agreement, splits, datasheet",
         lock=lambda args: None)  # each check locks the root for itself
def cmd_check(args: argparse.Namespace, root: Root) -> int:
    from .pipeline import checks

    failed = [" ".join(argv) for argv in checks() if main([*argv, "--root", str(root.path)]) != 0]
    print(f"check: {len(checks())} checks, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0


# --- scale ---------------------------------------------------------------------------


def _synth_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, required=True, help="number of documents to generate")
    parser.add_argument("--out", type=Path, required=True, help="the new data root (must not exist, or be an empty folder)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same --docs and --seed, same bytes")


@command("synth", "Generate a synthetic data root of N news-like documents (seeds, corpus, annotations that validate) "
         "for scale tests; schema/ is copied from --root.",
         "peacetalks synth --docs 10000 --out /tmp/synth10k --seed 1 && peacetalks validate --root /tmp/synth10k",
         arguments=_synth_arguments, lock=lambda args: None)
def cmd_synth(args: argparse.Namespace, root: Root) -> int:
    from .synth import synthesise

    synthesise(root, args.out.resolve(), args.docs, args.seed)
    print(f"synth: {args.docs} documents (seed {args.seed}) written to {args.out}")
    return 0


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stages", default="clean,validate,build", help="comma-separated stages to time (default all three)")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here (atomically)")
    parser.add_argument("--timeout", type=float, default=None, help="kill a stage after this many seconds and report it as such")


@command("bench", "Benchmark clean, validate and build on a data root, each stage in its own process: documents/s, MB/s, "
         "spans/s, peak RSS, and the pyarrow floor for the built tables.",
         "peacetalks synth --docs 1000 --out /tmp/s1k && peacetalks bench --root /tmp/s1k --out /tmp/s1k.json",
         arguments=_bench_arguments, lock=lambda args: None)  # its stages run in processes that lock for themselves
def cmd_bench(args: argparse.Namespace, root: Root) -> int:
    from .bench import run_bench

    report = run_bench(root, [stage.strip() for stage in args.stages.split(",") if stage.strip()], args.out, args.timeout)
    print(report.markdown())
    return 0 if report.ok else 1


# --- entry point -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peacetalks",
        description="Build the peace-talks span-annotated news dataset: seeds → corpus → annotations → release.",
        epilog="Example: peacetalks clean && peacetalks validate && peacetalks build --out release",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        child = sub.add_parser(name, help=spec.summary, description=spec.summary, epilog=f"Example:\n  {spec.example}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        add_root(child)
        spec.arguments(child)
    return parser


def run(spec: Command, args: argparse.Namespace, root: Root) -> int:
    mode = spec.lock(args)
    with locked(root, mode, f"peacetalks {args.command}") if mode else contextlib.nullcontext():
        return spec.handler(args, root)


EXPECTED_FAILURES = (PeacetalksError, OSError, RecursionError)


def failure_text(exc: BaseException) -> str:
    """One line for an expected failure: bad input (named by the stage), or the file system (named here)."""
    if isinstance(exc, OSError):  # a full disk, a read-only or vanished file
        return f"{exc.filename or 'a file'}: {exc.strerror or exc}"
    if isinstance(exc, RecursionError):
        return "an input is nested too deeply to read (RecursionError); nothing written"
    return str(exc)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; every expected failure becomes one line ``peacetalks CMD: error: …`` and exit 2."""
    args = build_parser().parse_args(argv)
    root = Root((args.root or default_root()).resolve())
    try:
        return run(COMMANDS[args.command], args, root)
    except KeyboardInterrupt:
        print(f"peacetalks {args.command}: interrupted", file=sys.stderr)
        return 130
    except EXPECTED_FAILURES as exc:
        print(f"peacetalks {args.command}: error: {failure_text(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
