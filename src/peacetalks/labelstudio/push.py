"""Stage 4, I/O (reads corpus/ and annotations/, writes to the server): push the corpus as tasks.

One task per document, with pre-annotations as predictions; only what changed is sent, new tasks
in bulk imports from a background thread. A clean text that changed under an annotated task is
refused, never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..annotations import iter_annotation_files, read_annotation_file
from ..corpus import document_ids, load_document
from ..engine import ordered_map
from ..models import GOLD, CorpusSidecar, Document
from ..preannotate import EntityLexicon, model_version
from ..progress import progress
from ..schema import Schema, label_config, load_schema
from ..storage import PeacetalksError, Root, read_model, sha256_text
from .authors import SetAuthors
from .client import DEFAULT_PROJECT, Connection, TaskState, checked, find_project, server_errors, server_tasks
from .convert import prediction_for, results_from_set, task_data
from .guidelines import Guidelines, load_guidelines

IMPORT_BATCH = 100  # tasks per import request


@dataclass
class PushReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    predictions: list[str] = field(default_factory=list)
    annotations: int = 0
    unchanged: int = 0

    def summary(self, project: str) -> str:
        return (f"push: project {project!r}: {len(self.created)} tasks created, {len(self.updated)} updated, "
                f"{len(self.predictions)} with new predictions, {self.annotations} annotations loaded, {self.unchanged} unchanged")


def project_settings(schema: Schema, guidelines: Guidelines) -> dict[str, Any]:
    """The labelling config, the guidelines shown before labelling, and one annotation per task: a project is one
    pass's (one annotator) or the adjudicator's, who opens tasks from the Data Manager (see passes.py). The
    project's model version is the predictions': the editor pre-fills only those (a task import sets it when
    it is empty, ``/import/predictions`` never does, and neither moves it when the schema's version changes)."""
    return {"label_config": label_config(schema), "expert_instruction": guidelines.html, "show_instruction": True,
            "maximum_annotations": 1, "model_version": model_version(schema.version)}


def ensure_project(connection: Connection, title: str, settings: dict[str, Any]) -> Any:
    client = connection.client
    project = find_project(connection, title)
    if project is None:
        return client.projects.create(title=title, **settings)
    changed = {key: value for key, value in settings.items() if getattr(project, key, None) != value}
    return client.projects.update(project.id, **changed) if changed else project


def entity_lexicon(root: Root, schema: Schema) -> EntityLexicon:
    """Gold entity strings per document, for projecting them onto the other documents."""
    entity_labels = set(schema.mention_labels)
    lexicon = EntityLexicon()
    for annotation in iter_annotation_files(root):
        if GOLD in annotation.annotators:
            lexicon.add(annotation.document_id, annotation.annotators[GOLD].spans, entity_labels)
    return lexicon


def refused_updates(root: Root, tasks: dict[str, TaskState]) -> list[str]:
    """Documents whose clean text changed under a task that already has annotations.

    Compared by the sidecar's text hash, so the clean texts are read once, by the push loop.
    """
    refused = []
    for doc_id in document_ids(root):
        task = tasks.get(doc_id)
        if task and task.annotations and not text_is(task.data.get("text"), read_model(root.corpus_sidecar(doc_id), CorpusSidecar)):
            refused.append(f"{doc_id} (task {task.id}, {len(task.annotations)} annotations)")
    return refused


def text_is(text: object, sidecar: CorpusSidecar) -> bool:
    return isinstance(text, str) and sha256_text(text) == sidecar.text_sha256


def local_sets_to_load(root: Root, doc: Document, schema: Schema, task: TaskState | None, authors: SetAuthors) -> list[dict[str, Any]]:
    """Local annotation sets as Label Studio annotations, tagged with their set name and authored by its account
    (the tab shows the set's name), minus those already loaded."""
    annotation = read_annotation_file(root, doc.id)
    if annotation is None:
        return []
    if annotation.text_sha256 != doc.sidecar.text_sha256:
        raise PeacetalksError(f"{root.annotation_file(doc.id)}: {doc.id}: made on another clean text (run `peacetalks realign` first)")
    loaded = {tag for listed in (task.annotations if task else []) for tag in listed.tags}
    return [{"result": results_from_set(aset, schema, tag=name), "ground_truth": name == GOLD, "completed_by": authors.id_of(name)}
            for name, aset in sorted(annotation.annotators.items()) if name not in loaded and (aset.spans or aset.relations)]


def same_prediction(task: TaskState, prediction: dict[str, Any]) -> bool:
    current = [(p.get("model_version"), p.get("result")) for p in task.predictions]
    wanted = [(prediction["model_version"], prediction["result"])] if prediction["result"] else []
    return current == wanted


def push(root: Root, connection: Connection, title: str = DEFAULT_PROJECT, with_annotations: bool = False,
         predictions: bool = True, pass_: str | None = None) -> PushReport:
    """Create or update the project and one task per document; send only what changed.

    ``predictions=False`` pushes tasks without pre-annotations (and removes old ones), for
    passes that must be made, and recorded, without suggestions. A pass's project (``pass_``) never
    gets local sets: its annotator would see the other passes' work.
    """
    if pass_ and with_annotations:
        raise PeacetalksError(f"--pass {pass_} --with-annotations: a pass's annotator must not see other sets; load them "
                              "into the review project (push --with-annotations without --pass)")
    schema, guidelines = load_schema(root), load_guidelines(root)
    lexicon = entity_lexicon(root, schema) if predictions else EntityLexicon()  # reading every gold set takes a while
    client = connection.client
    report = PushReport()
    with server_errors(connection):
        project = ensure_project(connection, title, project_settings(schema, guidelines))
        authors = SetAuthors.on(connection) if with_annotations else None
        tasks = server_tasks(connection, project.id)
        refused = refused_updates(root, tasks)
        if refused:
            raise PeacetalksError("clean text changed under annotated tasks, refusing to update them (pull their annotations, "
                                  f"run `peacetalks realign`, then resolve in Label Studio): {', '.join(refused)}")
        with background_imports(connection, project.id) as send:
            new_tasks: list[dict[str, Any]] = []
            ids = document_ids(root)
            for doc, prediction in progress(documents_to_push(root, schema, lexicon if predictions else None, ids), total=len(ids), desc="push"):
                doc_id = doc.id
                task, data = tasks.get(doc_id), task_data(doc)
                annotations = local_sets_to_load(root, doc, schema, task, authors) if authors else []
                report.annotations += len(annotations)
                if task is None:
                    new_tasks.append({"data": data, "meta": {"predictions": prediction["model_version"]},
                                      "predictions": [prediction] if prediction["result"] else [], "annotations": annotations})
                    report.created.append(doc_id)
                    if len(new_tasks) == IMPORT_BATCH:
                        send(new_tasks)
                        new_tasks = []
                    continue
                changed = False
                if task.data != data:
                    client.tasks.update(str(task.id), data=data)
                    report.updated.append(doc_id)
                    changed = True
                if not same_prediction(task, prediction):
                    replace_predictions(connection, task, prediction)
                    report.predictions.append(doc_id)
                    changed = True
                for annotation in annotations:
                    client.annotations.create(task.id, **annotation)
                    changed = True
                report.unchanged += not changed
            if new_tasks:
                send(new_tasks)
    return report


def documents_to_push(root: Root, schema: Schema, lexicon: EntityLexicon | None, ids: list[str]) -> Iterator[tuple[Document, dict[str, Any]]]:
    """Each document with its prediction, in id order; documents are independent, so the pre-annotator runs on the
    engine's tasks (``--tasks``/``--workers``/``--executor``)."""
    key = "no predictions" if lexicon is None else "predictions"
    return ordered_map("preannotate", partial(document_to_push, root, schema, lexicon), ids, (root.corpus, root.annotations, root.schema_dir), key)


def document_to_push(root: Root, schema: Schema, lexicon: EntityLexicon | None, doc_id: str) -> tuple[Document, dict[str, Any]]:
    """The clean document ``doc_id`` and its prediction (an empty one with ``lexicon`` None: a push without suggestions)."""
    doc = load_document(root, doc_id)
    if not text_is(doc.text, doc.sidecar):
        raise PeacetalksError(f"{root.corpus_text(doc_id)}: does not hash to its sidecar (edited by hand?): run "
                              f"`peacetalks clean`; tasks before {doc_id} were pushed, nothing after")
    if lexicon is None:
        return doc, {"model_version": model_version(schema.version), "result": []}
    return doc, prediction_for(doc, lexicon, schema)


@contextmanager
def background_imports(connection: Connection, project_id: int) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    """``send(tasks)`` imports from one background thread, so the server imports a batch while the next is
    prepared; one batch in flight at most, its error raised by the next ``send`` or on leaving."""
    pending: list[Future[None]] = []
    separate = predictions_skip_validation(connection, project_id)

    def wait() -> None:
        while pending:
            pending.pop().result()

    def send(tasks: list[dict[str, Any]]) -> None:
        wait()
        pending.append(pool.submit(import_tasks, connection, project_id, tasks, separate))

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield send
        wait()


def predictions_skip_validation(connection: Connection, project_id: int) -> bool:
    """Whether the server's ``/import/predictions`` stores predictions without validating each one.

    Label Studio 1.23 does so behind PREDICTIONS_FLAG (``peacetalks labelstudio start`` sets it); its
    task import, and the other path, check every prediction with a test quadratic in its regions
    (BENCHMARKS.md). Asked with a prediction for task 0, which no project has: the fast path
    names the missing task "task ID 0 not found", the validating one says it otherwise. Nothing is stored either way.
    """
    probe = [{"task": 0, "result": [], "model_version": "peacetalks-probe"}]
    response = post_json(connection, f"/api/projects/{project_id}/import/predictions", probe, check=False)
    return response.status_code == 400 and "task ID 0 not found in project" in response.text


def import_tasks(connection: Connection, project_id: int, tasks: list[dict[str, Any]], separate_predictions: bool) -> None:
    """One import request with its body encoded by ``json.dumps``: the SDK's encoder walks every result
    item in Python (minutes for 10k tasks with predictions). Not retried, so no import is doubled.

    With ``separate_predictions`` the tasks go first and their predictions after, through the path
    that skips the per-prediction check; interrupted between the two, the tasks lack predictions,
    which the next push sees and adds (``same_prediction``).
    """
    path = f"/api/projects/{project_id}/import"
    if not separate_predictions:
        post_json(connection, path, tasks)
        return
    bare = [{key: value for key, value in task.items() if key != "predictions"} for task in tasks]
    created = post_json(connection, f"{path}?return_task_ids=true", bare).json().get("task_ids")
    if not isinstance(created, list) or len(created) != len(tasks):
        raise PeacetalksError(f"{connection.url}{path}: imported {len(tasks)} tasks but was told of {created!r}: push again to add "
                              "their predictions")
    predictions = [{"task": task_id, **prediction} for task_id, task in zip(created, tasks) for prediction in task["predictions"]]
    if predictions:
        post_json(connection, f"{path}/predictions", predictions)


def post_json(connection: Connection, path: str, body: Any, check: bool = True) -> Any:
    response = connection.http.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    if check:
        checked(response)
    return response


def replace_predictions(connection: Connection, task: TaskState, prediction: dict[str, Any]) -> None:
    """Label Studio only adds predictions: delete the old ones, then add the current one."""
    client = connection.client
    for old in task.predictions:
        client.predictions.delete(old["id"])
    if prediction["result"]:
        client.predictions.create(task=task.id, result=prediction["result"], model_version=prediction["model_version"])
    client.tasks.update(str(task.id), meta={"predictions": prediction["model_version"]})
