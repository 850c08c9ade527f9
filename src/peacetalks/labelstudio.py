"""Stage 4, I/O: run a local Label Studio, push the corpus into it, pull annotations back.

The server is Label Studio 1.23 (the ``labelstudio`` extra) bound to 127.0.0.1 with
telemetry, Sentry and the version check off. Push and pull talk to any server through
the SDK with ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` (a legacy token).
Tasks are keyed by ``data.doc_id`` because Label Studio has no external ids or upsert.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import hmac
import itertools
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from .annotations import canonical, iter_annotation_files, read_annotation_file, write_annotation_file
from .corpus import document_ids, load_document
from .models import GOLD, AnnotationFile, AnnotationSet, Document, Identifier, Provenance, Relation, Sha256, Span, Strict
from .preannotate import EntityLexicon, model_version, preannotate
from .progress import progress, shown_ids
from .schema import TEXT_CONTROL, Schema, label_config, load_schema
from .storage import PeacetalksError, Root, dump_model, parse_model, read_json, write_model, write_text_atomic
from .validate import FileContext, annotation_problems

LS_VERSION = "1.23.2"
TOOL = f"label-studio {LS_VERSION}"
DEFAULT_PROJECT = "peacetalks"
DEFAULT_PORT = 8080
CREDENTIALS_FILE = "peacetalks-credentials.json"
LOG_FILE = "server.log"
PSEUDONYM_FILE = "annotators.json"
IMPORT_BATCH = 100  # tasks per import request
LIST_PAGE = 100  # tasks per listing request (the server's time per task grows with bigger pages)
REVIEW_TAG = "peacetalks_set"  # marks a result item pushed from a local set by --with-annotations
SERVER_LINE = re.compile(r"Starting development server at (http://\S+?)/?\s*$", re.MULTILINE)
WHITESPACE = re.compile(r"\s+")
STRAY_SETTINGS = ("USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG")  # LS reads these unprefixed


# --- the server process --------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """The admin user of a local server and its legacy API token (never committed)."""

    username: str
    password: str
    token: str

    @classmethod
    def from_env_or_new(cls, data_dir: Path) -> tuple[Credentials, bool]:
        """Credentials from LABEL_STUDIO_USERNAME/PASSWORD/USER_TOKEN, else the data dir's saved ones, else new ones.

        Label Studio creates the admin only on the first start of a data dir, so generated
        credentials are saved there (outside version control) to stay valid on later starts.
        Returns the credentials and whether they were generated just now.
        """
        env = {key: os.environ.get(f"LABEL_STUDIO_{key.upper()}") for key in ("username", "password", "user_token")}
        if all(env.values()):
            return cls(env["username"], env["password"], env["user_token"]), False  # type: ignore[arg-type]
        saved = data_dir / CREDENTIALS_FILE
        if saved.exists():
            return cls.read(saved), False
        creds = cls("admin@peacetalks.local", secrets.token_urlsafe(12), secrets.token_hex(20))
        private_folder(data_dir)
        write_text_atomic(saved, json.dumps(creds.__dict__, indent=2) + "\n", mode=0o600)
        return creds, True

    @classmethod
    def read(cls, path: Path) -> Credentials:
        """Saved credentials: exactly the three fields, each a non-empty string (the token 6 to 40 characters)."""
        saved = read_json(path)
        fields = set(cls.__dataclass_fields__)
        if not isinstance(saved, dict) or saved.keys() != fields or not all(isinstance(v, str) and v for v in saved.values()):
            raise PeacetalksError(f"{path}: not saved credentials: expected exactly the non-empty strings {', '.join(sorted(fields))} "
                                  "(delete the file only together with the data dir: the admin exists already)")
        if not 6 <= len(saved["token"]) <= 40:
            raise PeacetalksError(f"{path}: the token must be 6 to 40 characters long (Label Studio's rule)")
        return cls(**saved)


def private_folder(folder: Path) -> None:
    """``folder`` (a server's data dir: tokens, the SQLite database) and all in it for its owner only (0700, files 0600)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # an existing data dir may come from an older version or a copy
        for path in folder.rglob("*"):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & 0o700)
    except OSError as exc:
        raise PeacetalksError(f"{folder}: cannot make it private: {exc.strerror}") from exc


def child_environment(data_dir: Path, creds: Credentials) -> dict[str, str]:
    """The server's environment: our data dir and admin, no outbound calls, no stray settings."""
    env = {key: value for key, value in os.environ.items() if key not in STRAY_SETTINGS}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": creds.username,
        "LABEL_STUDIO_PASSWORD": creds.password,
        "LABEL_STUDIO_USER_TOKEN": creds.token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@dataclass
class Server:
    """A running Label Studio child process and the URL it really listens on."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    credentials: Credentials

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data_dir: Path, port: int = DEFAULT_PORT, creds: Credentials | None = None, timeout: float = 180.0) -> Server:
    """Start Label Studio on 127.0.0.1 and return once it answers ``/health``.

    Label Studio silently moves to the next free port when ``port`` is busy, so the URL
    is read from its own log line rather than assumed.
    """
    executable = shutil.which("label-studio", path=str(Path(sys.executable).parent)) or shutil.which("label-studio")
    if executable is None:
        raise PeacetalksError("label-studio is not installed: pip install -e '.[labelstudio]'")
    data_dir = data_dir.resolve()
    creds = creds or Credentials.from_env_or_new(data_dir)[0]
    private_folder(data_dir)
    log = data_dir / LOG_FILE
    command = [executable, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
               "--enable-legacy-api-token"]
    with open(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as sink:
        # umask 077: the server's SQLite database (the admin's token in plain text) and media are born private
        process = subprocess.Popen(command, env=child_environment(data_dir, creds), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077)
    server = Server(process, "", log, creds)
    try:
        server.url = wait_until_healthy(process, log, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_healthy(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise PeacetalksError(f"Label Studio exited with code {process.returncode}; end of {log}:\n{tail}")
        if url is None:
            match = SERVER_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
            url = match.group(1).replace("0.0.0.0", "127.0.0.1") if match else None
        if url is not None and health(url):
            return url
        time.sleep(0.3)
    raise PeacetalksError(f"Label Studio did not become healthy within {timeout:.0f} s (log: {log})")


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (local URL)
            return json.loads(response.read()).get("status") == "UP"
    except (OSError, ValueError):
        return False


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_server(data_dir: Path, port: int) -> int:
    """``peacetalks labelstudio start``: run until Ctrl-C or SIGTERM, then stop the server cleanly."""
    signal.signal(signal.SIGTERM, interrupt)  # the server has its own session: without this, `kill` would orphan it
    creds, generated = Credentials.from_env_or_new(data_dir.resolve())
    server = start_server(data_dir, port, creds)
    try:
        connect(server.url, creds.token)
    except PeacetalksError as exc:
        server.stop()
        raise PeacetalksError(f"{exc}\nThe admin of {data_dir} was created with other credentials (Label Studio sets them "
                              "only on a data dir's first start): use those, or a new --data-dir") from exc
    print(f"labelstudio: running at {server.url} (log: {server.log})")
    if generated:
        print(f"  generated admin {creds.username} / {creds.password} (kept in {data_dir / CREDENTIALS_FILE}, not committed)")
    else:
        print(f"  log in as {creds.username}")
    print(f"  export LABEL_STUDIO_URL={server.url} LABEL_STUDIO_API_KEY={creds.token}")
    print("  press Ctrl-C to stop", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("labelstudio: stopped")
    return 0


# --- talking to a server -------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    url: str
    client: Any  # label_studio_sdk.LabelStudio, imported lazily: the server extra is optional
    http: Any  # an httpx.Client with the same token, for bulk bodies the SDK would encode item by item


def connect(url: str | None, api_key: str | None) -> Connection:
    """An SDK client for the server, checked with one authenticated request before anything changes."""
    url = (url or os.environ.get("LABEL_STUDIO_URL") or "").rstrip("/")
    api_key = api_key or os.environ.get("LABEL_STUDIO_API_KEY")
    if not url or not api_key:
        raise PeacetalksError("set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (or --url/--api-key); "
                              "`peacetalks labelstudio start` prints both")
    try:
        from label_studio_sdk import LabelStudio
    except ImportError as exc:
        raise PeacetalksError("label-studio-sdk is not installed: pip install -e '.[labelstudio]'") from exc
    import httpx

    connection = Connection(url, LabelStudio(base_url=url, api_key=api_key, timeout=120),
                            httpx.Client(base_url=url, headers={"Authorization": f"Token {api_key}"}, timeout=600))
    with server_errors(connection):
        connection.client.users.whoami()
    return connection


@contextmanager
def server_errors(connection: Connection) -> Iterator[None]:
    """Turn the SDK's connection and HTTP errors into one-line PeacetalksErrors naming the server."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except httpx.TransportError as error:
        raise PeacetalksError(f"cannot reach Label Studio at {connection.url} ({error.__class__.__name__}: {error}); "
                              "is `peacetalks labelstudio start` running?") from error
    except ApiError as error:
        hint = " (wrong LABEL_STUDIO_API_KEY? it must be a legacy token)" if error.status_code in (401, 403) else ""
        raise PeacetalksError(f"Label Studio at {connection.url} answered HTTP {error.status_code}{hint}: {str(error.body)[:300]}") from error


# --- Label Studio results <-> annotation sets ---------------------------------------------


def results_from_set(aset: AnnotationSet, schema: Schema, tag: str | None = None) -> list[dict[str, Any]]:
    """Label Studio result items for a set's spans (one Labels control per layer) and relations."""
    extra = {REVIEW_TAG: tag} if tag else {}
    spans = [{"id": s.id, "from_name": schema.layer_of[s.label], "to_name": TEXT_CONTROL, "type": "labels", **extra,
              "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]}} for s in aset.spans]
    relations = [{"type": "relation", "from_id": r.head, "to_id": r.tail, "direction": "right", "labels": [r.label], **extra}
                 for r in aset.relations]
    return spans + relations


class Loose(BaseModel):
    """An export record: strict types for what pull reads (no float or string offsets, no bool ids), the rest ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class SpanValue(Loose):
    start: int
    end: int
    text: str = Field(description="What the annotator saw selected: checked against the offsets, never overwritten")
    labels: list[str] = []


class TaggedResult(Loose):
    peacetalks_set: str | None = None  # REVIEW_TAG: the local set a result was pushed from


class SpanResult(TaggedResult):
    type: Literal["labels"]
    id: Identifier
    from_name: str
    value: SpanValue


class RelationResult(TaggedResult):
    type: Literal["relation"]
    from_id: Identifier
    to_id: Identifier
    labels: list[str] = []


class UserRef(Loose):
    id: int


class ExportAnnotation(Loose):
    id: int
    completed_by: int | UserRef
    was_cancelled: bool = False
    result: list[Annotated[SpanResult | RelationResult, Field(discriminator="type")]] | None = None
    updated_at: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}")]

    @property
    def user(self) -> int:
        return self.completed_by.id if isinstance(self.completed_by, UserRef) else self.completed_by


class TaskData(Loose):
    doc_id: Identifier  # it names annotations/<doc_id>.json: checked before any path is built from it
    text: str


class ExportTask(Loose):
    id: int
    data: TaskData
    annotations: list[ExportAnnotation] | None = None
    predictions: list[Any] | None = None
    meta: dict[str, Any] | None = None


def parsed_task(raw: Any) -> ExportTask:
    """One exported task in the shape pull reads, or a refusal naming the task, annotation, result and field."""
    try:
        return ExportTask.model_validate(raw)
    except ValidationError as exc:
        given = raw.get("id") if isinstance(raw, dict) else None
        task = given if isinstance(given, int) else "?" if given is None else repr(given)[:40]
        data = raw.get("data") if isinstance(raw, dict) else None
        doc = f" (document {data['doc_id']!r})" if isinstance(data, dict) and "doc_id" in data else ""
        problems = "; ".join(described(raw, error) for error in exc.errors()[:3])
        raise PeacetalksError(f"task {task}{doc}: not a task pull can read: {problems}") from exc


def described(raw: Any, error: Any) -> str:
    """A pydantic error as a path through the export, naming the annotation and result ids met on the way."""
    names, path, node, parent = [], [], raw, ""
    for depth, key in enumerate(error["loc"], start=1):
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            if parent in ("annotations", "result"):
                ident = node.get("id", key) if isinstance(node, dict) else key
                names.append(f"{'annotation' if parent == 'annotations' else 'result'} {ident}")
                path = []  # the name says where it is
            else:
                path.append(f"[{key}]")
        elif isinstance(node, dict) and key in node:
            node, parent = node[key], str(key)
            path.append(f".{key}")
        elif depth == len(error["loc"]) and error["type"] == "missing":
            path.append(f".{key}")  # the absent field; any other key not in the export is a union's tag
    place = ": ".join([*names, "".join(path).lstrip(".") or "it"])
    got = "" if error["type"] == "missing" else f" (got {json.dumps(error['input'])[:60]})"
    return f"{place}: {error['msg']}{got}"


def set_from_results(results: Iterable[SpanResult | RelationResult], text: str, schema: Schema, provenance: Provenance) -> AnnotationSet:
    """An annotation set from checked Label Studio results.

    Every span's offsets must hold the text the annotator saw (``value.text``); unknown labels
    are kept for the validator to name.
    """
    spans, relations = [], []
    for item in results:
        try:
            if isinstance(item, RelationResult):
                label = "+".join(item.labels)
                relation_id = f"{item.from_id}-{label or 'unlabelled'}-{item.to_id}"
                relations.append(Relation(id=relation_id, head=item.from_id, tail=item.to_id, label=label))
                continue
            value, label = item.value, "+".join(item.value.labels)
            if schema.layer_of.get(label, item.from_name) != item.from_name:
                label = f"{item.from_name}:{label}"  # sent through the wrong control: span-label names it
            spans.append(Span(id=item.id, start=value.start, end=value.end, label=label, text=seen_text(value, text)))
        except ValidationError as exc:  # e.g. a relation id over 64 characters
            problem = exc.errors()[0]
            raise PeacetalksError(f"result {result_name(item)}: not a usable span or relation: {problem['loc'][0]}: {problem['msg']}") from exc
        except PeacetalksError as exc:
            raise PeacetalksError(f"result {result_name(item)}: {exc}") from exc
    return AnnotationSet(provenance=provenance, spans=spans, relations=relations)


def result_name(item: SpanResult | RelationResult) -> str:
    return item.id if isinstance(item, SpanResult) else f"{item.from_id}->{item.to_id}"


def seen_text(value: SpanValue, text: str) -> str:
    """The text at a span's offsets, refused unless it is what the annotator saw there.

    Label Studio may render a line break inside a selection differently, so whitespace inside a
    span may differ; the span's first and last characters may not (a shifted span changes them).
    """
    if not 0 <= value.start <= value.end <= len(text):
        raise PeacetalksError(f"span [{value.start}:{value.end}] ({value.text!r}) lies outside the text ({len(text)} characters)")
    there = text[value.start:value.end]
    if there != value.text and not (there.strip() == there and value.text.strip() == value.text
                                    and WHITESPACE.sub("", there) == WHITESPACE.sub("", value.text)):
        raise PeacetalksError(f"span [{value.start}:{value.end}]: the annotator saw {value.text!r} but the text there is {there!r} "
                              "(the task's text or the offsets were changed)")
    return there


def task_data(doc: Document) -> dict[str, str]:
    title = doc.sidecar.title.text if doc.sidecar.title else ""
    return {"doc_id": doc.id, "title": title, "text": doc.text, "text_sha256": doc.sidecar.text_sha256}


def entity_lexicon(root: Root, schema: Schema) -> EntityLexicon:
    """Gold entity strings per document, for projecting them onto the other documents."""
    entity_labels = set(schema.mention_labels)
    lexicon = EntityLexicon()
    for annotation in iter_annotation_files(root):
        if GOLD in annotation.annotators:
            lexicon.add(annotation.document_id, annotation.annotators[GOLD].spans, entity_labels)
    return lexicon


def prediction_for(doc: Document, lexicon: EntityLexicon, schema: Schema) -> dict[str, Any]:
    suggestions = preannotate(doc.text, lexicon.excluding(doc.id), schema, lexicon.index)
    return {"model_version": model_version(schema.version), "result": results_from_set(suggestions, schema)}


def sign_up(url: str, email: str, password: str) -> str:
    """Sign up through the web form as a new annotator would, and return their API token."""
    import httpx

    with httpx.Client(base_url=url) as browser:
        browser.get("/user/signup/")
        form = {"email": email, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        browser.post("/user/signup/", data=form, headers={"Referer": f"{url}/user/signup/"})
        response = browser.get("/api/current-user/token")
        response.raise_for_status()
        return str(response.json()["token"])


# --- push ----------------------------------------------------------------------------


@dataclass
class TaskState:
    """What the server holds for one document's task."""

    id: int
    data: dict[str, Any]
    annotations: list[ListedAnnotation]
    predictions: list[dict[str, Any]]


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


def ensure_project(connection: Connection, title: str, config: str) -> Any:
    client = connection.client
    project = find_project(connection, title)
    if project is None:
        return client.projects.create(title=title, label_config=config)
    if project.label_config != config:
        return client.projects.update(project.id, label_config=config)
    return project


def find_project(connection: Connection, title: str) -> Any | None:
    matches = [p for p in connection.client.projects.list() if p.title == title]
    if len(matches) > 1:
        raise PeacetalksError(f"{connection.url}: {len(matches)} projects are titled {title!r}; rename all but one")
    return matches[0] if matches else None


class ListedAnnotation(Loose):
    result: list[dict[str, Any]] | None = None

    @property
    def tags(self) -> set[Any]:
        return {item.get(REVIEW_TAG) for item in self.result or []}


class ListedTask(Loose):
    id: int
    data: dict[str, Any]
    annotations: list[ListedAnnotation] | None = None
    predictions: list[dict[str, Any]] | None = None


class TaskPage(Loose):
    tasks: list[ListedTask]
    total: int


def server_tasks(connection: Connection, project_id: int) -> dict[str, TaskState]:
    """The project's tasks by ``data.doc_id``; a doc_id on two tasks is an error (an import was duplicated)."""
    tasks: dict[str, TaskState] = {}
    for listed in listed_tasks(connection, project_id):
        doc_id = listed.data.get("doc_id")
        if not isinstance(doc_id, str):
            continue  # not a task push made: it holds none of our documents
        if doc_id in tasks:
            raise PeacetalksError(f"{connection.url}: project {project_id}: tasks {tasks[doc_id].id} and {listed.id} both hold document {doc_id}; delete one")
        tasks[doc_id] = TaskState(listed.id, listed.data, listed.annotations or [], listed.predictions or [])
    return tasks


def listed_tasks(connection: Connection, project_id: int) -> Iterator[ListedTask]:
    """Every task with its annotations and predictions, page by page, as plain JSON: the SDK's models
    took the client as long as the server to list 10k tasks with predictions."""
    listed = 0
    for page in itertools.count(1):
        response = connection.http.get("/api/tasks", params={"project": project_id, "fields": "all", "page": page, "page_size": LIST_PAGE})
        checked(response)
        try:
            body = TaskPage.model_validate_json(response.content)
        except ValidationError as exc:
            raise PeacetalksError(f"{connection.url}/api/tasks: page {page} of project {project_id} is not a task listing: "
                                  f"{described(safe_json(response.content), exc.errors()[0])}") from exc
        yield from body.tasks
        listed += len(body.tasks)
        if not body.tasks or listed >= body.total:
            return


def safe_json(raw: bytes) -> Any:
    """``raw`` parsed, or None: only to name the place of an error in it."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def refused_updates(root: Root, tasks: dict[str, TaskState]) -> list[str]:
    """Documents whose clean text changed under a task that already has annotations."""
    refused = []
    for doc_id in document_ids(root):
        task = tasks.get(doc_id)
        if task and task.annotations and task.data.get("text") != root.corpus_text(doc_id).read_text(encoding="utf-8"):
            refused.append(f"{doc_id} (task {task.id}, {len(task.annotations)} annotations)")
    return refused


def local_sets_to_load(root: Root, doc: Document, schema: Schema, task: TaskState | None) -> list[dict[str, Any]]:
    """Local annotation sets as Label Studio annotations, tagged with their set name, minus those already loaded."""
    annotation = read_annotation_file(root, doc.id)
    if annotation is None:
        return []
    if annotation.text_sha256 != doc.sidecar.text_sha256:
        raise PeacetalksError(f"{root.annotation_file(doc.id)}: {doc.id}: made on another clean text (run `peacetalks realign` first)")
    loaded = {tag for listed in (task.annotations if task else []) for tag in listed.tags}
    return [{"result": results_from_set(aset, schema, tag=name), "ground_truth": name == GOLD}
            for name, aset in sorted(annotation.annotators.items()) if name not in loaded and (aset.spans or aset.relations)]


def same_prediction(task: TaskState, prediction: dict[str, Any]) -> bool:
    current = [(p.get("model_version"), p.get("result")) for p in task.predictions]
    wanted = [(prediction["model_version"], prediction["result"])] if prediction["result"] else []
    return current == wanted


def push(root: Root, connection: Connection, title: str = DEFAULT_PROJECT, with_annotations: bool = False,
         predictions: bool = True) -> PushReport:
    """Create or update the project and one task per document; send only what changed.

    ``predictions=False`` pushes tasks without pre-annotations (and removes old ones), for
    passes that must be made, and recorded, without suggestions.
    """
    schema = load_schema(root)
    lexicon = entity_lexicon(root, schema) if predictions else EntityLexicon()  # reading every gold set takes a while
    client = connection.client
    report = PushReport()
    with server_errors(connection):
        project = ensure_project(connection, title, label_config(schema))
        tasks = server_tasks(connection, project.id)
        refused = refused_updates(root, tasks)
        if refused:
            raise PeacetalksError("clean text changed under annotated tasks, refusing to update them (pull their annotations, "
                                  f"run `peacetalks realign`, then resolve in Label Studio): {', '.join(refused)}")
        with background_imports(connection, project.id) as send:
            new_tasks: list[dict[str, Any]] = []
            for doc_id in progress(document_ids(root), desc="push"):
                doc = load_document(root, doc_id)
                prediction = prediction_for(doc, lexicon, schema) if predictions else {"model_version": model_version(schema.version), "result": []}
                task, data = tasks.get(doc_id), task_data(doc)
                annotations = local_sets_to_load(root, doc, schema, task) if with_annotations else []
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


@contextmanager
def background_imports(connection: Connection, project_id: int) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    """``send(tasks)`` imports from one background thread, so the server imports a batch while the next is
    prepared; one batch in flight at most, its error raised by the next ``send`` or on leaving."""
    pending: list[Future[None]] = []

    def wait() -> None:
        while pending:
            pending.pop().result()

    def send(tasks: list[dict[str, Any]]) -> None:
        wait()
        pending.append(pool.submit(import_tasks, connection, project_id, tasks))

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield send
        wait()


def import_tasks(connection: Connection, project_id: int, tasks: list[dict[str, Any]]) -> None:
    """One import request with its body encoded by ``json.dumps``: the SDK's encoder walks every result
    item in Python (minutes for 10k tasks with predictions). Not retried, so no import is doubled."""
    checked(connection.http.post(f"/api/projects/{project_id}/import", content=json.dumps(tasks).encode(),
                                 headers={"Content-Type": "application/json"}))


def checked(response: Any) -> None:
    """An HTTP error from a request made without the SDK, raised as the SDK would (see server_errors)."""
    from label_studio_sdk.core.api_error import ApiError

    if response.is_error:
        response.read()  # a streamed response's body is not read yet
        raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=response.text)


def replace_predictions(connection: Connection, task: TaskState, prediction: dict[str, Any]) -> None:
    """Label Studio only adds predictions: delete the old ones, then add the current one."""
    client = connection.client
    for old in task.predictions:
        client.predictions.delete(old["id"])
    if prediction["result"]:
        client.predictions.create(task=task.id, result=prediction["result"], model_version=prediction["model_version"])
    client.tasks.update(str(task.id), meta={"predictions": prediction["model_version"]})


# --- pseudonyms ----------------------------------------------------------------------

KEY_ENV = "PEACETALKS_PSEUDONYM_KEY"  # the key file's path, when it is not <root>/.labelstudio/pseudonym.key
KEY_FILE = "pseudonym.key"
KEY_ID_MESSAGE = b"peacetalks pseudonym key id"  # HMAC'd under the key, names it without revealing it
SCHEME = "hmac-sha256 of the lower-cased e-mail address under a key that is never committed"
Pseudonym = Annotated[str, StringConstraints(pattern=r"^ann[1-9][0-9]{0,8}$")]
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class PseudonymEntry(Strict):
    """An annotator: their pseudonym and HMAC-SHA256(key, e-mail) under the key ``key_id`` names.

    Without a key and hash the pseudonym is retired: no annotator is recognised as it, and it is never reused.
    """

    pseudonym: Pseudonym
    key_id: KeyId | None = None
    hmac: Sha256 | None = None

    @model_validator(mode="after")
    def key_with_hash(self) -> PseudonymEntry:
        if (self.key_id is None) != (self.hmac is None):
            raise ValueError("key_id and hmac are both given or both null")
        return self


class PseudonymFile(Strict):
    scheme: Literal[SCHEME]
    annotators: list[PseudonymEntry]

    @model_validator(mode="after")
    def each_once(self) -> PseudonymFile:
        names, hashes = [e.pseudonym for e in self.annotators], [(e.key_id, e.hmac) for e in self.annotators if e.hmac]
        if len(set(names)) < len(names) or len(set(hashes)) < len(hashes):
            raise ValueError("a pseudonym or an annotator is listed twice")
        return self


class SaltedEntry(Strict):
    pseudonym: Pseudonym
    hash: Sha256


class SaltedPseudonymFile(Strict):
    """The format before issue 12: a committed salt next to sha256(salt:e-mail), which anyone can test guesses against."""

    salt: str
    annotators: list[SaltedEntry]


def normalised_email(email: str | None) -> str | None:
    address = (email or "").strip().lower()
    return address or None


def key_path(root: Root) -> Path:
    """Where the key lives: never in a folder that is committed."""
    path = Path(os.environ[KEY_ENV]) if os.environ.get(KEY_ENV) else root.path / ".labelstudio" / KEY_FILE
    committed = (root.seeds, root.corpus, root.schema_dir, root.annotations)
    if any(path.resolve().is_relative_to(folder.resolve()) for folder in committed):
        raise PeacetalksError(f"{KEY_ENV}={path}: the pseudonym key would be committed with the data; keep it outside "
                              "seeds/, corpus/, schema/ and annotations/")
    return path


def pseudonym_key(path: Path, notes: list[str]) -> bytes:
    """The key pseudonyms are made with, read from ``path`` (0600), or made there on first use."""
    try:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_text_atomic(path, secrets.token_hex(32) + "\n", mode=0o600)
            notes.append(f"made a new pseudonym key in {path}: back it up (without it, known annotators get new pseudonyms)")
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise PeacetalksError(f"{path}: the pseudonym key is readable by others (mode {mode:04o}): chmod 600 {path}")
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PeacetalksError(f"{path}: cannot read the pseudonym key: {exc}") from exc
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        raise PeacetalksError(f"{path}: not a pseudonym key (64 hexadecimal digits); restore it from its backup")
    return bytes.fromhex(key)


@dataclass
class Pseudonyms:
    """``annotations/_meta/annotators.json``: pseudonyms ``annN`` by keyed hash of the e-mail address.

    Committed so pseudonyms stay stable across pulls and machines that share the key; it holds no
    e-mail, name, server user id or key. It lives in a subfolder so ``annotations/*.json`` stays
    one annotation file per document.
    """

    root: Root
    path: Path
    entries: dict[str, PseudonymEntry]
    salted: tuple[str, dict[str, str]] | None = None  # an old file's salt and hashes: carried over, then dropped
    changed: bool = False
    notes: list[str] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)  # e-mail → pseudonym, this run only

    @classmethod
    def load(cls, root: Root) -> Pseudonyms:
        path = root.annotations / "_meta" / PSEUDONYM_FILE
        if not path.exists():
            return cls(root, path, {})  # saved once it holds a pseudonym
        try:
            raw = path.read_bytes()
            current = parse_model(PseudonymFile, raw)
        except ValidationError as exc:
            try:
                old = parse_model(SaltedPseudonymFile, raw)
            except ValidationError:
                raise PeacetalksError(f"{path}: not a pseudonym file: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
            retired = {e.pseudonym: PseudonymEntry(pseudonym=e.pseudonym) for e in old.annotators}
            return cls(root, path, retired, (old.salt, {e.hash: e.pseudonym for e in old.annotators}), changed=True)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PeacetalksError(f"{path}: cannot read: {exc}") from exc
        return cls(root, path, {e.pseudonym: e for e in current.annotators})

    @functools.cached_property
    def key(self) -> tuple[bytes, str]:
        """The key and its id, read (or made) only when an annotator needs a pseudonym."""
        key = pseudonym_key(key_path(self.root), self.notes)
        key_id = hmac.new(key, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]
        others = sum(e.key_id not in (None, key_id) for e in self.entries.values())
        if others:
            self.notes.append(f"{others} pseudonyms in {self.path.name} were made under another key than {key_path(self.root)}: "
                              "their annotators get new pseudonyms unless that key is restored")
        return key, key_id

    @functools.cached_property
    def taken(self) -> set[str]:
        """Set names already in annotations/ (e.g. from another tool): never reused. Read only for a
        new annotator, as it means reading every annotation file."""
        return {name for annotation in iter_annotation_files(self.root) for name in annotation.annotators}

    def of(self, email: str) -> str:
        if email not in self.known:
            key, key_id = self.key
            digest = hmac.new(key, email.encode(), hashlib.sha256).hexdigest()
            name = next((e.pseudonym for e in self.entries.values() if (e.key_id, e.hmac) == (key_id, digest)), None)
            if name is None:
                name = self.carried_over(email) or self.new_name()
                self.entries[name] = PseudonymEntry(pseudonym=name, key_id=key_id, hmac=digest)
                self.changed = True
            self.known[email] = name
        return self.known[email]

    def carried_over(self, email: str) -> str | None:
        """An annotator's pseudonym from an old salted file, which can still recognise them (once)."""
        if self.salted is None:
            return None
        salt, by_hash = self.salted
        return by_hash.pop(hashlib.sha256(f"{salt}:{email}".encode()).hexdigest(), None)

    def new_name(self) -> str:
        used = self.taken | set(self.entries)
        return next(name for n in itertools.count(1) if (name := f"ann{n}") not in used)

    def save(self) -> None:
        entries = sorted(self.entries.values(), key=lambda e: int(e.pseudonym[3:]))
        write_model(self.path, PseudonymFile(scheme=SCHEME, annotators=entries))
        self.changed = False


# --- pull ----------------------------------------------------------------------------

PULL_TIMEOUT = 1800.0  # seconds for a whole pull; 10k tasks take about 200 s (BENCHMARKS.md)


@dataclass
class PullReport:
    tasks: int = 0
    annotations: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"pull: {self.tasks} tasks, {self.annotations} annotations by {len(self.annotators)} annotators; "
                f"{len(self.written)} files written{' (' + shown_ids(self.written) + ')' if self.written else ''}, "
                f"{self.unchanged} unchanged, {len(self.refused)} refused" + "".join(f"\n  note: {n}" for n in self.notes))


@dataclass
class Deadline:
    """One time limit for a whole pull: every request gets what is left, and a stream still open at the end is cut."""

    seconds: float
    what: str
    end: float = field(init=False)

    def __post_init__(self) -> None:
        self.end = time.monotonic() + self.seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end

    def left(self) -> float:
        if self.passed:
            raise self.error()
        return self.end - time.monotonic()

    def error(self) -> PeacetalksError:
        return PeacetalksError(f"{self.what} did not finish within {self.seconds:g} s (--timeout); nothing was written")

    def chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Stops a server that drips bytes: each read is quick, the sum is not."""
        for chunk in chunks:
            self.left()
            yield chunk

    @contextmanager
    def cutting(self, response: Any) -> Iterator[None]:
        """Shut the response's socket at the deadline, so a read that waits for a stalled server returns at once."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None

        def cut() -> None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.left(), cut)
        timer.daemon = True
        if sock is not None:
            timer.start()
        try:
            yield
        finally:
            timer.cancel()


def streamed_items(connection: Connection, path: str, params: dict[str, str], deadline: Deadline) -> Iterator[Any]:
    """The items of the JSON array the server answers ``path`` with, parsed as they arrive, within the deadline.

    Not through the SDK: its 120 s timeout is too short for an export of 10k annotated tasks (the
    server builds it whole first), its reads have no overall limit, and the export is never held
    whole in memory.
    """
    import httpx

    try:
        with connection.http.stream("GET", path, params=params, timeout=deadline.left()) as response:
            checked(response)
            with deadline.cutting(response):
                yield from json_array_items(deadline.chunks(response.iter_bytes(1 << 20)))
    except (httpx.TransportError, httpx.StreamError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        if deadline.passed:
            raise deadline.error() from exc
        if isinstance(exc, json.JSONDecodeError):
            near = exc.doc[exc.pos:exc.pos + 40]
            raise PeacetalksError(f"{connection.url}{path}: not a JSON array of records: {exc.msg} at character {exc.pos}"
                                  f"{f' (near {near!r})' if near else ''}") from exc
        if isinstance(exc, UnicodeDecodeError):
            raise PeacetalksError(f"{connection.url}{path}: not UTF-8 JSON: {exc.reason}") from exc
        raise


def export_tasks(connection: Connection, project_id: int, deadline: Deadline) -> Iterator[Any]:
    """Every task of the full JSON export (relations included), unchecked: each is checked on its own."""
    params = {"exportType": "JSON", "download_all_tasks": "true"}
    return streamed_items(connection, f"/api/projects/{project_id}/export", params, deadline)


class ServerUser(Loose):
    id: int
    email: str | None = None


def server_emails(connection: Connection, deadline: Deadline) -> dict[int, str | None]:
    """Each user's normalised e-mail address (None when the server has none) by user id."""
    users = {}
    for raw in streamed_items(connection, "/api/users/", {}, deadline):
        try:
            user = ServerUser.model_validate(raw)
        except ValidationError as exc:
            raise PeacetalksError(f"{connection.url}/api/users/: a user record pull cannot read: {described(raw, exc.errors()[0])}") from exc
        users[user.id] = normalised_email(user.email)
    return users


BEFORE_ARRAY = re.compile(r"\s*")
BETWEEN_ITEMS = re.compile(r"[\s,]*")


def json_array_items(chunks: Iterable[bytes]) -> Iterator[Any]:
    """The items of one JSON array of objects, each as soon as its bytes have arrived."""
    decoder, utf8 = json.JSONDecoder(), codecs.getincrementaldecoder("utf-8")()
    buffer, at, opened = "", 0, False
    for chunk in itertools.chain(chunks, [None]):
        buffer = buffer[at:] + utf8.decode(chunk or b"", final=chunk is None)
        at = 0
        while True:
            at = (BETWEEN_ITEMS if opened else BEFORE_ARRAY).match(buffer, at).end()  # type: ignore[union-attr]
            if at == len(buffer):
                break
            if not opened:
                if buffer[at] != "[":
                    raise json.JSONDecodeError("expected a JSON array", buffer, at)
                at, opened = at + 1, True
                continue
            if buffer[at] == "]":
                return
            try:
                item, at_end = decoder.raw_decode(buffer, at)
            except json.JSONDecodeError:
                if chunk is None:
                    raise
                break  # the item goes on in the next chunk
            at = at_end
            yield item
    raise json.JSONDecodeError("the array ends early", buffer, len(buffer))


@dataclass
class TaskWork:
    """One task's checked annotations: its document, the local file, and each annotator's latest set by e-mail."""

    task: ExportTask
    doc: Document
    local: AnnotationFile | None
    sets: dict[str, tuple[ExportAnnotation, AnnotationSet]]


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
    """Each user's latest submitted annotation on a task, checked, leaving out unedited copies of local sets."""
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
            latest[email] = (annotation, as_set)
    return TaskWork(task, doc, local, latest)


def is_unchanged_push(annotation: ExportAnnotation, local: AnnotationFile | None, pulled: AnnotationSet) -> bool:
    """An annotation loaded by ``push --with-annotations`` that still equals its local set brings nothing new."""
    tags = {item.peacetalks_set for item in annotation.result or []}
    source = local.annotators.get(tags.pop()) if local is not None and len(tags) == 1 and None not in tags else None
    return source is not None and content_of(source) == content_of(pulled)


def content_of(aset: AnnotationSet) -> tuple[set[tuple[int, int, str]], set[tuple[str, str, str]]]:
    """What a set says, without ids (relation ids are rebuilt on pull)."""
    spans = {s.id: (s.start, s.end, s.label) for s in aset.spans}
    relations = {(str(spans.get(r.head)), r.label, str(spans.get(r.tail))) for r in aset.relations}
    return set(spans.values()), relations


def pulled_file(work: TaskWork, by_pseudonym: dict[str, tuple[ExportAnnotation, AnnotationSet]], schema: Schema) -> AnnotationFile:
    """The local annotation file with the task's annotation sets (by pseudonym) merged in."""
    shown = (work.task.meta or {}).get("predictions")
    model = shown if isinstance(shown, str) and shown else "unrecorded"
    pre_annotation = f"{model} predictions shown in Label Studio" if work.task.predictions else None
    sets = {name: AnnotationSet(provenance=Provenance(annotator=name, method="label-studio", tool=TOOL, pre_annotation=pre_annotation,
                                                      guidelines_version=schema.version, updated=annotation.updated_at[:10]),
                                spans=aset.spans, relations=aset.relations)
            for name, (annotation, aset) in by_pseudonym.items()}
    kept = work.local.annotators if work.local else {}
    return AnnotationFile(document_id=work.doc.id, text_sha256=work.doc.sidecar.text_sha256,
                          schema_version=work.local.schema_version if work.local else schema.version, annotators={**kept, **sets})


def problems_in(root: Root, annotation: AnnotationFile, text: str, schema: Schema, pulled: set[str]) -> list[str]:
    """Validator findings for the pulled sets (and the file as a whole), as ``file: doc: item: rule: message``."""
    shown = str(root.annotation_file(annotation.document_id).relative_to(root.path))
    problems = annotation_problems(annotation, FileContext(text, require_gold=False), schema, shown)
    return [str(p) for p in problems if p.is_error and (p.item == "file" or p.item.split("/", 1)[0] in pulled)]


Refusal = tuple[tuple[str, int], str]  # (document, task or position) to sort by, message


def exported_work(root: Root, connection: Connection, project_id: int, schema: Schema, deadline: Deadline,
                  report: PullReport) -> tuple[list[TaskWork], list[Refusal]]:
    """Every task's checked work, and a refusal for each task or document that cannot be pulled.

    A document held by two tasks is refused whole: either could be the annotators' (an import was doubled).
    """
    emails = server_emails(connection, deadline)
    works: list[TaskWork] = []  # only tasks with new work are kept
    idle: list[str] = []
    refused: list[Refusal] = []
    holders: dict[str, list[int]] = {}
    for position, raw in enumerate(progress(export_tasks(connection, project_id, deadline), desc="pull")):
        report.tasks += 1
        try:
            task = parsed_task(raw)
        except PeacetalksError as exc:
            refused.append((("", position), str(exc)))
            continue
        doc_id = task.data.doc_id
        holders.setdefault(doc_id, []).append(task.id)
        try:
            work = task_work(task, root, emails, schema)
        except PeacetalksError as exc:
            refused.append(((doc_id, task.id), f"{doc_id}: {exc}"))
            continue
        if work.sets:
            works.append(work)
        else:
            idle.append(doc_id)
    doubled = {doc_id: ids for doc_id, ids in holders.items() if len(ids) > 1}
    refused += [((doc_id, min(ids)), f"{doc_id}: tasks {', '.join(map(str, sorted(ids)))} all hold this document (an import was "
                 "doubled): delete all but one in Label Studio; nothing was pulled for it") for doc_id, ids in doubled.items()]
    report.unchanged += sum(doc_id not in doubled for doc_id in idle)
    return [w for w in works if w.doc.id not in doubled], refused


def pull(root: Root, connection: Connection, title: str = DEFAULT_PROJECT, timeout: float | None = None) -> PullReport:
    """Write every task's annotations into annotations/<doc>.json, one set per annotator pseudonym.

    Sets not in the export (``gold``, other annotators) are kept; a document whose task cannot be
    read, whose spans do not hold what the annotator saw, or whose pulled sets fail validation is
    left untouched and reported. Nothing is written before the whole export is read and checked,
    nor after ``timeout`` seconds.
    """
    timeout = PULL_TIMEOUT if timeout is None else timeout
    if not (math.isfinite(timeout) and timeout > 0):
        raise PeacetalksError(f"--timeout {timeout}: give a positive number of seconds")
    schema = load_schema(root)
    report = PullReport()
    deadline = Deadline(timeout, f"pull from {connection.url}")
    with server_errors(connection):
        project = find_project(connection, title)
        if project is None:
            raise PeacetalksError(f"{connection.url}: no project titled {title!r} (run `peacetalks labelstudio push` first)")
        works, refused = exported_work(root, connection, project.id, schema, deadline, report)
    report.refused = [message for _, message in sorted(refused)]
    pseudonyms = Pseudonyms.load(root)
    outputs = []
    for work in sorted(works, key=lambda w: (w.doc.id, w.task.id)):
        by_annotator = {pseudonyms.of(email): pair for email, pair in sorted(work.sets.items(), key=lambda kv: kv[1][0].id)}
        report.annotations += len(by_annotator)
        report.annotators.update(by_annotator)
        merged = pulled_file(work, by_annotator, schema)
        problems = problems_in(root, merged, work.doc.text, schema, set(by_annotator))
        report.refused.extend(problems)
        if not problems:
            outputs.append(merged)
    deadline.left()
    if pseudonyms.changed:
        pseudonyms.save()  # before any file that uses a new pseudonym, so an interrupted pull reruns the same
    for merged in outputs:
        if write_if_changed(root, merged):
            report.written.append(merged.document_id)
        else:
            report.unchanged += 1
    report.notes = pseudonyms.notes
    return report


def write_if_changed(root: Root, annotation: AnnotationFile) -> bool:
    path = root.annotation_file(annotation.document_id)
    content = dump_model(canonical(annotation))
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    write_annotation_file(root, annotation)
    return True
