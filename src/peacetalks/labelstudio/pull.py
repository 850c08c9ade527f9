"""Stage 4, I/O (reads the export, writes annotations/): pull annotations back, one set per annotator pseudonym.

Every task of the export is checked on its own (convert.py); nothing is written before the whole
export is read and checked, nor after the deadline. Sets not in the export are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotations import canonical, read_annotation_file, write_annotation_file
from ..corpus import load_document
from ..models import GOLD, AnnotationFile, AnnotationSet, Document, Provenance
from ..progress import progress, shown_ids
from ..schema import Schema, load_schema
from ..storage import PeacetalksError, Root, dump_model, is_current
from ..validate import FileContext, annotation_problems
from .authors import set_of
from .client import DEFAULT_PROJECT, Connection, Totals, find_project, positive_seconds, project_totals, server_errors
from .convert import ExportAnnotation, ExportTask, TaskWork, is_unchanged_push, parsed_task, pulled_file, set_from_results
from .export import Deadline, export_tasks, server_emails
from .guidelines import load_guidelines
from .passes import Assignment
from .pseudonyms import Pseudonyms
from .pull_record import (PulledTask, PullPlan, Seen, load_record, local_inputs, plan_pull, project_key, record_path, save_record,
                          shared_inputs)

PULL_TIMEOUT = 1800.0  # seconds for a whole pull; 10k tasks take about 200 s (BENCHMARKS.md)
Refusal = tuple[tuple[str, int], str]  # (document, task or position) to sort by, message


@dataclass
class PullReport:
    tasks: int = 0
    annotations: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    changed: int | None = None  # tasks exported as changed since the last pull; None for a full pull

    def summary(self) -> str:
        since = "" if self.changed is None else f" ({self.changed} exported: changed since the last pull)"
        return (f"pull: {self.tasks} tasks{since}, {self.annotations} annotations by {len(self.annotators)} annotators; "
                f"{len(self.written)} files written{' (' + shown_ids(self.written) + ')' if self.written else ''}, "
                f"{self.unchanged} unchanged, {len(self.refused)} refused" + "".join(f"\n  note: {n}" for n in self.notes))


def task_document(root: Root, task: ExportTask) -> tuple[Document, AnnotationFile | None]:
    """The task's local document and annotation file, refused when either is out of step with the task."""
    doc_id = task.data.doc_id
    doc = load_document(root, doc_id)
    if task.data.text != doc.text:
        raise PeacetalksError(f"task {task.id} holds another text than corpus/{doc_id}.txt (push again, or realign first)")
    local = read_annotation_file(root, doc_id)
    if local is not None and local.text_sha256 != doc.sidecar.text_sha256:
        raise PeacetalksError(f"{root.annotation_file(doc_id)} was made on another clean text (run `peacetalks realign` first)")
    return doc, local


def task_work(task: ExportTask, root: Root, emails: dict[int, str | None], schema: Schema) -> TaskWork:
    """Each user's latest submitted annotation on a task, checked, leaving out unedited copies of local sets; an edited
    copy is its set's (by its author account, see authors.py): only the gold set may be edited on a review server; another
    set comes back only where annotations/ has lost it."""
    doc, local = task_document(root, task)
    latest: dict[str, tuple[ExportAnnotation, AnnotationSet]] = {}
    for annotation in sorted(task.annotations or [], key=lambda a: a.id):
        if annotation.user not in emails:
            raise PeacetalksError(f"task {task.id}: annotation {annotation.id} by user {annotation.user}, who is not listed by the server")
        email = emails[annotation.user]
        if email is None:
            raise PeacetalksError(f"task {task.id}: annotation {annotation.id} by user {annotation.user}, who has no e-mail address "
                                  "(pseudonyms are made from it): give the user one in Label Studio")
        if annotation.was_cancelled:
            continue
        try:
            as_set = set_from_results(annotation.result or [], doc.text, schema, Provenance(annotator="-", method="label-studio"))
        except PeacetalksError as exc:
            raise PeacetalksError(f"task {task.id}: annotation {annotation.id}: {exc}") from exc
        if not is_unchanged_push(annotation, local, as_set):
            edited = set_of(email)
            if edited not in (None, GOLD) and local is not None and edited in local.annotators:  # an edit is not that annotator's work
                raise PeacetalksError(f"task {task.id}: annotation {annotation.id} is set {edited} as push loaded it, edited on this "
                                      f"server: {edited} comes only from its own pass; make the gold in the gold tab or an annotation "
                                      "of your own, and delete this one (push --with-annotations loads the set again)")
            latest[email] = (annotation, as_set)
    return TaskWork(task, doc, local, latest)


def problems_in(root: Root, annotation: AnnotationFile, text: str, schema: Schema, pulled: dict[str, int], task_id: int) -> str | None:
    """Validator findings for the pulled sets (and the file as a whole), one refusal for the task: each a
    ``file: doc: item: rule: message`` line that names the task and annotation to fix in Label Studio
    (``pulled``: each pulled set's annotation id)."""
    shown = str(root.annotation_file(annotation.document_id).relative_to(root.path))
    lines = []
    for problem in annotation_problems(annotation, FileContext(text, require_gold=False), schema, shown):
        made_in = pulled.get(problem.item.split("/", 1)[0])
        if problem.is_error and (problem.item == "file" or made_in is not None):
            where = f"annotation {made_in}" if made_in is not None else f"annotations {', '.join(map(str, sorted(pulled.values())))}"
            lines.append(f"{problem} (in Label Studio: task {task_id}, {where})")
    return "\n  ".join(lines) or None


@dataclass
class Exported:
    """The export's checked work: tasks with new sets, refusals, what each task was (for the record), and the refused tasks."""

    works: list[TaskWork] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    seen: dict[int, Seen] = field(default_factory=dict)
    unsettled: set[int] = field(default_factory=set)
    complete: bool = True  # every refused task is known by id, so the next pull can export it again


def exported_work(root: Root, raw_tasks: Iterable[Any], emails: dict[int, str | None], schema: Schema,
                  carried: dict[int, PulledTask], report: PullReport) -> Exported:
    """Every exported task's checked work, and a refusal for each task or document that cannot be pulled.

    A document held by two tasks (exported or carried over from the last pull) is refused whole:
    either could be the annotators' (an import was doubled).
    """
    out = Exported()
    idle: list[str] = []
    holders: dict[str, list[int]] = {}
    for task_id, task in carried.items():
        holders.setdefault(task.doc_id, []).append(task_id)
    for position, raw in enumerate(progress(raw_tasks, desc="pull")):
        report.tasks += 1
        try:
            task = parsed_task(raw)
        except PeacetalksError as exc:
            out.refused.append((("", position), str(exc)))
            given = raw.get("id") if isinstance(raw, dict) else None
            if type(given) is int:
                out.unsettled.add(given)
            else:
                out.complete = False
            continue
        doc_id = task.data.doc_id
        holders.setdefault(doc_id, []).append(task.id)
        stamp = raw.get("updated_at")
        out.seen[task.id] = Seen(doc_id, stamp if isinstance(stamp, str) else None,
                                 sum(not a.was_cancelled for a in task.annotations or []))
        try:
            work = task_work(task, root, emails, schema)
        except PeacetalksError as exc:
            out.refused.append(((doc_id, task.id), f"{doc_id}: {exc}"))
            out.unsettled.add(task.id)
            continue
        if work.sets:
            out.works.append(work)
        else:
            idle.append(doc_id)
    report.tasks += len(carried)
    doubled = {doc_id: ids for doc_id, ids in holders.items() if len(ids) > 1}
    out.refused += [((doc_id, min(ids)), f"{doc_id}: tasks {', '.join(map(str, sorted(ids)))} all hold this document (an import was "
                     "doubled): delete all but one in Label Studio; nothing was pulled for it") for doc_id, ids in doubled.items()]
    out.unsettled.update(task_id for ids in doubled.values() for task_id in ids)
    report.unchanged += sum(doc_id not in doubled for doc_id in idle) + sum(t.doc_id not in doubled for t in carried.values())
    out.works = [w for w in out.works if w.doc.id not in doubled]
    return out


def pull(root: Root, connection: Connection, title: str = DEFAULT_PROJECT, timeout: float | None = None,
         assignment: Assignment | None = None, full: bool = False) -> PullReport:
    """Write every task's annotations into annotations/<doc>.json, one set per annotator pseudonym.

    Only the tasks changed since the last pull are exported (see pull_record.py), unless ``full``;
    the files written are the same either way. In a pass (``assignment``), a document with a set
    made by any account but the pass's annotator is refused whole.

    Sets not in the export (``gold``, other annotators) are kept; a document whose task cannot be
    read, whose spans do not hold what the annotator saw, or whose pulled sets fail validation is
    left untouched and reported. Nothing is written before the whole export is read and checked,
    nor after ``timeout`` seconds.
    """
    timeout = positive_seconds(PULL_TIMEOUT if timeout is None else timeout)
    schema, guidelines = load_schema(root), load_guidelines(root)
    report = PullReport()
    deadline = Deadline(timeout, f"pull from {connection.url}")
    with server_errors(connection):
        project = find_project(connection, title)
        if project is None:
            raise PeacetalksError(f"{connection.url}: no project titled {title!r} (run `peacetalks labelstudio push` first)")
        emails = server_emails(connection, deadline)
        key = project_key(connection, project, assignment)
        path = record_path(root, key)
        record = load_record(path, report.notes)
        totals = project_totals(connection, project.id)  # first: its clock bounds what the next pull lists
        plan = plan_pull(root, connection, project.id, totals, record, key, shared_inputs(root, assignment), emails, full)
        exported = exported_work(root, export_tasks(connection, project.id, deadline, plan.ids), emails, schema, plan.carried, report)
        if not plan.consistent(exported.seen):
            report = PullReport(notes=[*report.notes, f"the project's counts ({totals.tasks} tasks, {totals.annotations} submitted "
                                       "annotations) differ from the last pull's and the changes': pulled every task"])
            plan = PullPlan(None, {}, totals)
            exported = exported_work(root, export_tasks(connection, project.id, deadline), emails, schema, {}, report)
    report.changed = None if plan.full else len(plan.ids or [])
    report.refused = [message for _, message in sorted(exported.refused)]
    pseudonyms = Pseudonyms.load(root)
    outputs = []
    for work in sorted(exported.works, key=lambda w: (w.doc.id, w.task.id)):
        stranger = assignment.refusal(work, pseudonyms) if assignment else None
        if stranger:
            report.refused.append(stranger)
            exported.unsettled.add(work.task.id)
            continue
        by_annotator = {set_of(email) or pseudonyms.of(email): pair for email, pair in sorted(work.sets.items(), key=lambda kv: kv[1][0].id)}
        report.annotations += len(by_annotator)
        report.annotators.update(by_annotator)
        merged = pulled_file(work, by_annotator, schema, guidelines.version)
        refusal = problems_in(root, merged, work.doc.text, schema, {name: pair[0].id for name, pair in by_annotator.items()}, work.task.id)
        if refusal:
            report.refused.append(refusal)
            exported.unsettled.add(work.task.id)
        else:
            outputs.append(merged)
    deadline.left()
    if pseudonyms.changed:
        pseudonyms.save()  # before any file that uses a new pseudonym, so an interrupted pull reruns the same
    for merged in outputs:
        if write_if_changed(root, merged):
            report.written.append(merged.document_id)
        else:
            report.unchanged += 1
    report.notes += pseudonyms.notes
    remember(root, path, key, shared_inputs(root, assignment), emails, totals, plan, exported)
    return report


def remember(root: Root, path: Path, key: str, inputs: str, emails: dict[int, str | None], totals: Totals, plan: PullPlan,
             exported: Exported) -> None:
    """Record what this pull settled, once its files are written: the next pull exports only what changed since.

    A task is settled against its local files as they are now; a refused task is left unsettled.
    """
    if not exported.complete:  # a refused task without an id could not be exported again by id
        path.unlink(missing_ok=True)
        return
    settled = {task_id: task for task_id, task in plan.carried.items() if task_id not in exported.unsettled}
    settled |= {task_id: PulledTask(doc_id=seen.doc_id, updated_at=seen.updated_at, annotations=seen.annotations,
                                    local=local_inputs(root, seen.doc_id))
                for task_id, seen in exported.seen.items() if task_id not in exported.unsettled and seen.updated_at is not None}
    unsettled = exported.unsettled | {task_id for task_id, seen in exported.seen.items() if seen.updated_at is None}
    save_record(path, key, inputs, emails, totals, settled, unsettled)


def write_if_changed(root: Root, annotation: AnnotationFile) -> bool:
    if is_current(root.annotation_file(annotation.document_id), dump_model(canonical(annotation))):
        return False
    write_annotation_file(root, annotation)
    return True
