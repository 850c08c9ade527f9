"""All stages, no I/O: the subcommand registry, each command's lock on the root, and nested actions.

A stage's module in this package registers its subcommands with ``@command``; ``cli/__init__.py``
builds the parser from ``COMMANDS`` in the order they were registered.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..storage import LockMode, Root

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


def add_root(parser: argparse.ArgumentParser, default: Path | None | str = None) -> None:
    parser.add_argument("--root", type=Path, default=default,
                        help="data root with seeds/, corpus/, schema/, annotations/ (default: this repository)")


Actions = dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]]  # name → summary, example, arguments


def actions(parser: argparse.ArgumentParser, choices: Actions, default: str | None = None) -> None:
    """Nested subcommands (``peacetalks schema rename OLD NEW``): each with only its own arguments, and ``--root``."""
    sub = parser.add_subparsers(dest="action", required=default is None, metavar="ACTION")
    for name, (summary, example, arguments) in choices.items():
        child = explained(sub, name, summary, example)
        add_root(child, default=argparse.SUPPRESS)  # given after the action, it still sets args.root
        arguments(child)
    if default:
        parser.set_defaults(action=default)


def explained(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str, example: str) -> argparse.ArgumentParser:
    """A (sub)subcommand whose --help says what it does and shows an example."""
    return sub.add_parser(name, help=summary, description=summary, epilog=f"Example:\n  {example}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
