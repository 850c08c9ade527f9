"""Stage 5 (validate), I/O (reads and writes ``.peacetalks/verdicts.json`` in the data root): validate's verdict on
each annotation file, kept so that the build does not validate an unchanged file again.

``peacetalks validate`` records, for every annotation file, its problems and a key: the sha256 of the
file's bytes and of the clean text it was checked against. The whole record is also keyed on the
validator (the source of every module of this package, the pydantic-core version and the rule
registry with its levels) and on the schema, so a new rule, a changed level or a schema edit makes
every verdict stale. The build reuses a verdict whose key matches what it reads and then models only
the gold set (plus each set's small provenance); a missing, unreadable or stale verdict means it
validates that file again, as it did before verdicts existed. Problems are kept as the build would see
them (a document awaiting gold is an error), so a verdict of ``validate`` serves the build whatever its
``--release-ready``.

The file is written atomically (temp file + rename), so two validates at once leave one whole record,
and a reader never sees half of one. It lives in a gitignored folder and is never released.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import pydantic_core

from .problems import RULES, Problem
from .schema import Schema
from .storage import PeacetalksError, Root, atomic_output

VERDICTS = Path(".peacetalks") / "verdicts.json"  # under the data root
FORMAT = 1  # of the file; a file of another format is ignored


@cache
def source_digest() -> str:
    """sha256 over every module of this package and the pydantic-core that parses the files: a change of code is a new validator."""
    digest = hashlib.sha256(pydantic_core.__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def validator_key(schema: Schema) -> str:
    """What every verdict depends on besides its file: the code, the rule registry as it stands (a rule's level
    can change at run time) and the schema."""
    registry = sorted((rule, entry.scope, entry.level) for rule, entry in RULES.items())
    return hashlib.sha256(json.dumps([FORMAT, source_digest(), registry, schema.model_dump_json()]).encode()).hexdigest()


def file_key(raw: bytes, text: str | None, why_no_text: str | None) -> str:
    """The key of one file's verdict: its bytes and the clean text it was checked against (or why there was none)."""
    digest = hashlib.sha256(hashlib.sha256(raw).digest())
    digest.update(hashlib.sha256(text.encode("utf-8")).digest() if text is not None else f"\0{why_no_text}".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)  # slots: a build holds one per annotation file
class Verdict:
    """validate's problems for one annotation file (as the build sees them), and the key of what it read."""

    key: str
    problems: tuple[Problem, ...]

    def as_json(self) -> list[Any]:
        return [self.key, [p.as_dict() for p in self.problems]]

    @classmethod
    def from_json(cls, value: list[Any]) -> Verdict:
        key, problems = value
        return cls(key, tuple(Problem(**p) for p in problems))


class Verdicts(dict[str, Verdict]):
    """Annotation file name → its verdict."""


Record = Callable[[str, Verdict], None]  # takes one file's verdict, by the file's name


class Recording:
    """The record of one validate run, as a context whose value is a :data:`Record`: each verdict is written as it
    comes (in the run's order, by file name) into a temp file, which replaces the last record when the block ends
    without an error; so validate never holds them all (100k verdicts were 40 MiB). A root that cannot be written
    (read-only, a full disk) records nothing, said on stderr: it only loses the time verdicts save; the run goes on.
    The record is JSON: ``{"format", "validator", "files": {name: [key, problems]}}``."""

    def __init__(self, root: Root, schema: Schema) -> None:
        self.path = root.path / VERDICTS
        self.output = atomic_output(self.path, text=True)
        self.header = f'{{"format":{FORMAT},"validator":{json.dumps(validator_key(schema))},"files":{{'
        self.handle: TextIO | None = None
        self.separator = ""

    def __enter__(self) -> Record:
        self.remove_abandoned()
        try:
            self.handle = self.output.__enter__()
        except PeacetalksError as exc:
            not_kept(str(exc))
        else:
            with contextlib.suppress(OSError):  # a file system without locks: no run's temp file is removed there
                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)  # held until it is closed: the temp file of a live run
        self.write(self.header)
        return self.add

    def remove_abandoned(self) -> None:
        """The temp files of runs that were killed (a live run holds a lock on its own): each could be tens of MB."""
        for temp in self.path.parent.glob(f".{self.path.name}.*.tmp") if self.path.parent.is_dir() else ():
            with contextlib.suppress(OSError), temp.open("rb") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                temp.unlink()

    def add(self, name: str, verdict: Verdict) -> None:
        if not is_utf8(name):
            return  # a name that is not UTF-8 cannot be a JSON key: that file gets no verdict (the build validates it again)
        self.write(self.separator + json.dumps(name, ensure_ascii=False) + ":"
                   + json.dumps(verdict.as_json(), ensure_ascii=False, separators=(",", ":")))
        self.separator = ","

    def write(self, text: str) -> None:
        if self.handle is None:
            return
        try:
            self.handle.write(text)
        except OSError as exc:
            self.drop(f"{self.path}: cannot write: {exc.strerror}")

    def drop(self, why: str) -> None:
        """Stop writing: the temp file is removed, the last record stays (said on stderr)."""
        self.discard()
        not_kept(why)

    def discard(self) -> None:
        if self.handle is not None:
            self.handle = None
            with contextlib.suppress(PeacetalksError):  # closing flushes what is buffered, which a full disk refuses
                self.output.__exit__(Unrecorded, Unrecorded(), None)  # atomic_output removes its temp file

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if error is not None:  # the run failed: its verdicts are not recorded, and its error stands
            self.discard()
            return
        self.write("}}\n")
        if self.handle is not None:
            self.handle = None
            try:
                self.output.__exit__(None, None, None)
            except PeacetalksError as exc:  # the rename or the sync failed
                not_kept(str(exc))


class Unrecorded(Exception):
    """Thrown into the record's temp file to drop it."""


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def not_kept(why: str) -> None:
    print(f"validate: verdicts not kept for the build ({why})", file=sys.stderr)


def read_verdicts(root: Root, schema: Schema) -> Verdicts:
    """The recorded verdicts if they were made by this validator on this schema; none otherwise (validate again)."""
    try:
        record = json.loads((root.path / VERDICTS).read_bytes())
        if record.get("format") != FORMAT or record.get("validator") != validator_key(schema):
            return Verdicts()
        return Verdicts((name, Verdict.from_json(value)) for name, value in record["files"].items())
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # missing or damaged: it only ever saves time
        return Verdicts()
