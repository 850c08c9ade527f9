"""Stage 4, I/O (reads the data root, writes <root>/.labelstudio/pulls/): what the last pull of a project saw,
so the next one exports only the tasks that changed since.

The record is a cache, not data: nothing in it is needed to pull correctly, so it is kept out of
version control (``.labelstudio/`` is gitignored) and a clone without it makes a full pull. Every
part is checked before it is trusted:

- the server, project and pass it was made for, and the local inputs every task's result depends
  on (schema, guidelines, pseudonyms and their key, passes) and the address of each server user
  it knew (salted and hashed): any change, and the pull is full;
- each task's local files (its clean text, sidecar and annotation file, by hash): a task whose
  files changed since (a checkout, a merge, a hand edit) is exported again;
- the server's side: tasks stamped (``updated_at``) after the last pull began, less a margin, are
  listed by Label Studio's task filter and exported again; then the project's counts of tasks and
  submitted annotations must equal the record's plus the export's, or the pull is done again in
  full (a task deleted, annotations moved by a bulk action that leaves the stamp alone).

Tasks refused last time are exported again, so a refusal is repeated until it is resolved.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..models import Identifier
from ..schema import SCHEMA_FILE
from ..storage import PeacetalksError, Root, parse_model, write_model
from .client import Connection, Totals, changed_tasks
from .guidelines import GUIDELINES
from .passes import Assignment, pass_file
from .pseudonyms import PSEUDONYM_FILE, key_path

RECORD_FORMAT = 1
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # Label Studio's Data Manager filter format
MARGIN = timedelta(minutes=5)  # listed again before the last pull began: clocks of a proxy and the app may differ
FULL_SHARE = 0.5  # exporting more than this share of the tasks by id costs more than one full export


class PulledTask(BaseModel):
    """A task as the last pull left it: its stamp, its submitted annotations, and the local files it was settled against."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doc_id: Identifier  # names local files: checked before a path is built from it
    updated_at: str
    annotations: int
    local: str


class PullRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: int
    project: str  # server URL, project id and creation time, and the pass
    inputs: str  # hash of the local inputs every task's result depends on
    since: str  # the server's clock just before the last pull listed anything, in STAMP_FORMAT
    salt: str
    users: dict[int, str]  # user_digests: a known user whose address changed would get another pseudonym
    tasks: dict[int, PulledTask]  # settled: pulled (or found idle) and not refused
    unsettled: list[int]  # refused last time: exported again until resolved


@dataclass(frozen=True)
class Seen:
    """What the export said of one task (a refused task is not settled, so it is exported again next time)."""

    doc_id: str
    updated_at: str | None
    annotations: int


@dataclass
class PullPlan:
    """Which tasks to export (``ids``; None for all) and which the record carries over unchanged."""

    ids: list[int] | None
    carried: dict[int, PulledTask]
    totals: Totals

    @property
    def full(self) -> bool:
        return self.ids is None

    def consistent(self, seen: dict[int, Seen]) -> bool:
        """Whether the server's counts are the carried tasks' plus the exported ones': nothing changed unstamped."""
        if self.full:
            return True
        tasks = len(self.carried) + len(seen.keys() - self.carried.keys())
        annotations = sum(t.annotations for i, t in self.carried.items() if i not in seen) + sum(s.annotations for s in seen.values())
        return tasks == self.totals.tasks and annotations == self.totals.annotations


def record_path(root: Root, project_key: str) -> Path:
    return root.path / ".labelstudio" / "pulls" / f"{hashlib.sha256(project_key.encode()).hexdigest()[:16]}.json"


def project_key(connection: Connection, project: Any, assignment: Assignment | None) -> str:
    return f"{connection.url} project {project.id} created {project.created_at} pass {assignment.pass_ if assignment else '-'}"


def file_digest(paths: Iterable[Path]) -> str:
    """One hash of the files' bytes in order, a missing file counted as such."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            digest.update(b"absent\0")
            continue
        except OSError as exc:
            raise PeacetalksError(f"{path}: cannot read: {exc.strerror}") from exc
        digest.update(b"%d\0" % len(data) + data)
    return digest.hexdigest()


def local_inputs(root: Root, doc_id: str) -> str:
    """The local files one task's pull result depends on: its clean text and sidecar, and its annotation file."""
    return file_digest([root.corpus_text(doc_id), root.corpus_sidecar(doc_id), root.annotation_file(doc_id)])


def shared_inputs(root: Root, assignment: Assignment | None) -> str:
    """What every task's result depends on beyond its own files: schema, guidelines, pseudonyms and their key, passes."""
    files = file_digest([root.schema_dir / SCHEMA_FILE, root.path / GUIDELINES, root.annotations / "_meta" / PSEUDONYM_FILE,
                         pass_file(root), key_path(root)])
    return hashlib.sha256(f"{RECORD_FORMAT} {files} {assignment}".encode()).hexdigest()


def user_digests(emails: dict[int, str | None], salt: str) -> dict[int, str]:
    """Each server user's address, salted and hashed: the record names no one, yet shows an address that changed."""
    return {user: hashlib.sha256(f"{salt}:{email}".encode()).hexdigest()[:16] for user, email in emails.items()}


def load_record(path: Path, notes: list[str]) -> PullRecord | None:
    """The record, or None when there is none; a damaged one is noted and set aside (the pull is full)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        notes.append(f"{path}: cannot read the record of the last pull ({exc.strerror}): pulling every task")
        return None
    try:
        return parse_model(PullRecord, raw)
    except (ValidationError, ValueError) as exc:
        notes.append(f"{path}: not a record of a pull ({str(exc).splitlines()[0]}): pulling every task")
        return None


def plan_pull(root: Root, connection: Connection, project_id: int, totals: Totals, record: PullRecord | None, project: str,
              inputs: str, emails: dict[int, str | None], full: bool) -> PullPlan:
    """Export everything, or only the tasks changed on the server or locally since the record was made.

    New server users need no full pull (their annotations stamp their tasks); a known one whose address changed does.
    """
    if (full or record is None or record.format != RECORD_FORMAT or record.project != project or record.inputs != inputs
            or record.users.items() - user_digests(emails, record.salt).items()):
        return PullPlan(None, {}, totals)
    since = datetime.strptime(record.since, STAMP_FORMAT) - MARGIN
    stamped = changed_tasks(connection, project_id, since.strftime(STAMP_FORMAT))
    carried, changed = {}, set(record.unsettled)
    for task_id, task in record.tasks.items():
        if task_id in stamped and stamped[task_id] != task.updated_at or local_inputs(root, task.doc_id) != task.local:
            changed.add(task_id)
        else:
            carried[task_id] = task
    changed |= stamped.keys() - record.tasks.keys()
    if len(changed) > FULL_SHARE * max(totals.tasks, 1):
        return PullPlan(None, {}, totals)
    return PullPlan(sorted(changed), carried, totals)


def save_record(path: Path, project: str, inputs: str, emails: dict[int, str | None], totals: Totals, settled: dict[int, PulledTask],
                unsettled: Iterable[int]) -> None:
    salt = secrets.token_hex(8)
    record = PullRecord(format=RECORD_FORMAT, project=project, inputs=inputs, since=totals.server_time.strftime(STAMP_FORMAT),
                        salt=salt, users=user_digests(emails, salt), tasks=dict(sorted(settled.items())), unsettled=sorted(set(unsettled)))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_model(path, record)
