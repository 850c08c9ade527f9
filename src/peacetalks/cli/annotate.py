"""Stage 4 (annotate), I/O: ``labelstudio start|push|pull`` (each action with only its own flags) and ``realign``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..storage import PeacetalksError, Root
from .registry import actions, command, say
from .scaling import engine_arguments


def _pass_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--pass", dest="pass_", default=None, metavar="NAME", help=what)


def _start_arguments(parser: argparse.ArgumentParser) -> None:
    _pass_argument(parser, "run the server of one annotation pass, with its data in <root>/.labelstudio/passes/NAME")
    parser.add_argument("--data-dir", type=Path, default=None, help="server data (default <root>/.labelstudio, git-ignored)")
    parser.add_argument("--port", type=int, default=8080, help="preferred port (Label Studio moves on when it is busy)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the server (default 600: a first "
                        "start migrates its database)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1); another needs "
                        "LABEL_STUDIO_USERNAME, LABEL_STUDIO_PASSWORD (12+ characters) and LABEL_STUDIO_USER_TOKEN set")


def _server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None, help="server URL (default $LABEL_STUDIO_URL)")
    parser.add_argument("--api-key", default=None, help="legacy API token (default $LABEL_STUDIO_API_KEY)")
    parser.add_argument("--project", default="peacetalks", help="project title (default peacetalks; a pass's is 'TITLE · NAME')")
    _pass_argument(parser, "the project of one annotation pass, on that pass's server")


def _push_arguments(parser: argparse.ArgumentParser) -> None:
    _server_arguments(parser)
    parser.add_argument("--with-annotations", action="store_true", help="also load annotations/<id>.json sets into tasks for review")
    parser.add_argument("--no-predictions", action="store_true", help="send no pre-annotations (and remove earlier ones)")
    engine_arguments(parser)  # the pre-annotator's work, per document
    # in this process unless --tasks says otherwise: there the server imports each batch while the next is pre-annotated,
    # where tasks pre-annotate every document before the first import (BENCHMARKS.md measured the push that way)
    parser.set_defaults(tasks=1)


def _pull_arguments(parser: argparse.ArgumentParser) -> None:
    _server_arguments(parser)
    parser.add_argument("--timeout", type=float, default=None, help="give up (writing nothing) after this many seconds (default 1800)")
    parser.add_argument("--full", action="store_true", help="export every task, not only those changed since the last pull "
                        "(the files written are the same; the record of what was pulled is in .labelstudio/pulls/)")


def _labelstudio_arguments(parser: argparse.ArgumentParser) -> None:
    actions(parser, {
        "start": ("Run a local Label Studio 1.23 on 127.0.0.1 (telemetry, Sentry and the version check off) until Ctrl-C or "
                  "SIGTERM; print its URL, the admin login and the API token to export.",
                  "peacetalks labelstudio start --port 8080     # then export the LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY it prints",
                  _start_arguments),
        "push": ("Create or update the project: one task per clean document, with pre-annotations as predictions; only what "
                 "changed is sent, and a text changed under annotated tasks is refused. Pre-annotation runs in this process, "
                 "overlapping the server's imports, unless --tasks asks for the engine's tasks.",
                 "peacetalks labelstudio push --project peacetalks --with-annotations", _push_arguments),
        "pull": ("Write each task's submitted annotations into annotations/<id>.json, one set per annotator pseudonym; a "
                 "document that fails the checks is left untouched and reported (exit 1). Only tasks changed since the last "
                 "pull are exported (--full exports all; the result is the same).",
                 "peacetalks labelstudio pull --project peacetalks --timeout 600", _pull_arguments),
        "assign": ("Record the one annotator of a pass by the pseudonym of the e-mail they sign up with (the address is not "
                   "stored); pull --pass refuses sets by anyone else.",
                   "peacetalks labelstudio assign --pass p1 --email jane@example.org", _assign_arguments),
    })


def _assign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pass", dest="pass_", required=True, metavar="NAME", help="the pass")
    parser.add_argument("--email", required=True, help="the address the annotator signs up with (only its keyed hash is kept)")


@command("labelstudio", "Run a local Label Studio, push corpus documents as tasks with pre-annotations, pull annotations back.",
         "peacetalks labelstudio start          # prints LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY; Ctrl-C stops it\n"
         "  peacetalks labelstudio push           # create/update project 'peacetalks', one task per document\n"
         "  peacetalks labelstudio pull           # write annotations/<id>.json, one set per annotator pseudonym",
         arguments=_labelstudio_arguments,
         lock=lambda args: {"start": None, "push": "shared", "pull": "exclusive", "assign": "exclusive"}[args.action])  # type: ignore[return-value]
def cmd_labelstudio(args: argparse.Namespace, root: Root) -> int:
    from .. import labelstudio
    from ..labelstudio import passes

    pass_ = args.pass_ and passes.pass_name(args.pass_)
    if args.action == "start":
        if pass_ and args.data_dir:
            raise PeacetalksError("--pass and --data-dir: give one (a pass's data dir is <root>/.labelstudio/passes/NAME)")
        data_dir = args.data_dir or (passes.pass_data_dir(root, pass_) if pass_ else root.path / ".labelstudio")
        return labelstudio.run_server(data_dir, args.port, args.timeout, args.host)
    if args.action == "assign":
        pseudonym, notes = passes.assign(root, pass_, args.email)
        print(f"assign: pass {pass_} is {pseudonym}'s" + "".join(f"\n  note: {n}" for n in notes))
        return 0
    title = passes.project_title(args.project, pass_)
    assignment = passes.Assignment.of(root, pass_) if pass_ and args.action == "pull" else None
    connection = labelstudio.connect(args.url, args.api_key)
    if args.action == "push":
        print(labelstudio.push(root, connection, title, args.with_annotations, not args.no_predictions, pass_).summary(title))
        return 0
    report = labelstudio.pull(root, connection, title, args.timeout, assignment, args.full)
    for problem in report.refused:
        say(f"pull: refused: {problem}")
    print(report.summary())
    return 1 if report.refused else 0


@command("realign", "Move annotations onto a changed clean text through the old and new alignments; set aside what moved.",
         "git archive HEAD corpus | tar -x -C /tmp/old && peacetalks clean && peacetalks realign --old-corpus /tmp/old/corpus",
         arguments=lambda p: p.add_argument("--old-corpus", type=Path, required=True,
                                            help="folder with the previous corpus/<id>.txt and <id>.json the annotations were made on"))
def cmd_realign(args: argparse.Namespace, root: Root) -> int:
    from ..realign import realign_root

    report = realign_root(root, args.old_corpus)
    for line in report.review_lines():
        say(line)
    print(report.summary())
    return 0
