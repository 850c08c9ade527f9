"""Stages 3, 5 and 6 (schema, validate, agreement), I/O: the ``schema``, ``validate`` and ``agreement`` subcommands."""

from __future__ import annotations

import argparse
import json

from ..storage import Root
from .registry import actions, command, no_arguments, reads, writes_unless_check
from .scaling import engine_arguments


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
    from ..annotations import migrate_root
    from ..schema import load_schema, rename_label, stale_artefacts, write_artefacts

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
    parser.add_argument("--release-ready", action="store_true", help="check as build does: a document awaiting gold is an "
                        "error (otherwise a warning); CI runs this")
    engine_arguments(parser)


@command("validate", "Check every annotation file against the schema and corpus; exit 1 when an error is shown.",
         "peacetalks validate --no-warnings --exclude complete-quote\n  peacetalks validate --format json | jq '.problems[].rule'\n"
         "  RAY_ADDRESS=auto peacetalks validate --executor ray --tasks 64    # on a Ray cluster",
         arguments=_validate_arguments, lock=reads)
def cmd_validate(args: argparse.Namespace, root: Root) -> int:
    from ..schema import load_schema
    from ..problems import Selection
    from ..validate import annotation_names, validate_root
    from ..verdicts import Recording

    selection = Selection(args.level, frozenset(args.exclude))
    schema = load_schema(root)
    problems, hidden = [], 0
    with Recording(root, schema) as record:
        for problem in validate_root(root, schema, args.release_ready, record):
            if selection.shows(problem):
                problems.append(problem)
            else:
                hidden += 1
    files = len(annotation_names(root))
    if args.format == "json":
        print(json.dumps({"files": files, "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        warnings = sum(not p.is_error for p in problems)
        print(f"validate: {files} annotation files, {len(problems)} problems" + (f" ({warnings} warnings)" if warnings else "")
              + (f"; {hidden} not shown (--level, --exclude)" if hidden else ""))
    return 1 if any(p.is_error for p in problems) else 0


def _agreement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--first", default="ann1", help="first annotator pseudonym (default ann1)")
    parser.add_argument("--second", default="ann2", help="second annotator pseudonym (default ann2)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the committed report is stale")


@command("agreement", "Measure agreement between two annotators; write annotations/agreement/{agreement.json,AGREEMENT.md}.",
         "peacetalks agreement                      # ann1 vs ann2\n  peacetalks agreement --check              # CI: the report is current",
         arguments=_agreement_arguments, lock=writes_unless_check)
def cmd_agreement(args: argparse.Namespace, root: Root) -> int:
    from ..agreement import as_report, iter_with_texts, measure, report_files
    from ..annotations import iter_annotation_files
    from ..schema import load_schema
    from ..storage import sync_files

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
