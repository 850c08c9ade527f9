"""All stages, I/O: the ``peacetalks`` command, one subcommand per pipeline step, each with ``--root``.

Each stage's subcommands live in a module of this package (``corpus``, ``validation``, ``release``,
``annotate``, ``tools``), registered with ``registry.command`` in the order ``--help`` lists them.
Here: the parser, the per-command lock on the root, and the one top-level error handler.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

from .. import engine
from ..storage import PeacetalksError, Root, locked, os_error_text
from . import corpus, validation, release, annotate, tools  # noqa: F401, I001 (they register the subcommands, in this order)
from .registry import COMMANDS, Command, add_root, explained
from .scaling import engine_for

__all__ = ["COMMANDS", "build_parser", "main"]


def default_root() -> Path:
    """The nearest folder at or above the working directory that holds ``schema/schema.json``."""
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / "schema" / "schema.json").exists()), here)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peacetalks",
        description="Build the peace-talks span-annotated news dataset: seeds → corpus → annotations → release.",
        epilog="Example: peacetalks clean && peacetalks validate && peacetalks build --out release",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        child = explained(sub, name, spec.summary, spec.example)
        add_root(child)
        spec.arguments(child)
    return parser


def run(spec: Command, args: argparse.Namespace, root: Root, argv: list[str]) -> int:
    mode = spec.lock(args)
    with contextlib.ExitStack() as stack:
        if mode:
            stack.enter_context(locked(root, mode, f"peacetalks {args.command}"))
        if hasattr(args, "executor"):  # a stage that scales out (clean, validate, build)
            stack.enter_context(engine.using(engine_for(args, root, argv)))
        return spec.handler(args, root)


EXPECTED_FAILURES = (PeacetalksError, OSError, RecursionError)


def failure_text(exc: BaseException) -> str:
    """One line for an expected failure: bad input (named by the stage), or the file system (named here)."""
    if isinstance(exc, OSError):  # a full disk, a read-only or vanished file
        return os_error_text(exc)
    if isinstance(exc, RecursionError):
        return "an input is nested too deeply to read (RecursionError); nothing written"
    return str(exc)


def escape_undecodable_output() -> None:
    """At the boundary, for what no command escapes itself (validate's problems already go through
    :func:`peacetalks.validate.printable`): a name that is not UTF-8 (Python holds its bytes as surrogates) is printed
    escaped, ``bad\\udcff.json``, never as a UnicodeEncodeError traceback."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; every expected failure becomes one line ``peacetalks CMD: error: …`` and exit 2."""
    argv = sys.argv[1:] if argv is None else argv
    escape_undecodable_output()
    args = build_parser().parse_args(argv)
    root = Root((args.root or default_root()).resolve())
    try:
        return run(COMMANDS[args.command], args, root, argv)
    except engine.Submitted as submitted:  # --executor slurm: the jobs finish the command
        print(f"peacetalks {args.command}: {submitted}")
        return 0
    except KeyboardInterrupt:
        print(f"peacetalks {args.command}: interrupted", file=sys.stderr)
        return 130
    except EXPECTED_FAILURES as exc:
        print(f"peacetalks {args.command}: error: {failure_text(exc)}", file=sys.stderr)
        return 2
