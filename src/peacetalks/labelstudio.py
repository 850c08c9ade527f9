"""Stage 4, I/O: run a local Label Studio, push the corpus into it, pull annotations back.

The server is Label Studio 1.23 (the ``labelstudio`` extra) bound to 127.0.0.1 with
telemetry, Sentry and the version check off. Push and pull talk to any server through
the SDK with ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` (a legacy token).
Tasks are keyed by ``data.doc_id`` because Label Studio has no external ids or upsert.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .annotations import canonical, iter_annotation_files, read_annotation_file, write_annotation_file
from .corpus import document_ids, load_document
from .models import GOLD, AnnotationFile, AnnotationSet, Document, Provenance, Relation, Span
from .preannotate import EntityLexicon, model_version, preannotate
from .progress import progress, shown_ids
from .schema import TEXT_CONTROL, Schema, label_config, load_schema
from .storage import PeacetalksError, Root, canonical_json, dump_model, read_json, write_text_atomic
from .validate import check_annotation_file

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
            return cls(**read_json(saved)), False
        creds = cls("admin@peacetalks.local", secrets.token_urlsafe(12), secrets.token_hex(20))
        data_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(saved, json.dumps(creds.__dict__, indent=2) + "\n")
        saved.chmod(0o600)
        return creds, True


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
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / LOG_FILE
    command = [executable, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
               "--enable-legacy-api-token"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=child_environment(data_dir, creds), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
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


def set_from_results(results: list[dict[str, Any]], text: str, schema: Schema, provenance: Provenance) -> AnnotationSet:
    """An annotation set from Label Studio results; span text is recomputed from the offsets.

    Unknown labels and offsets outside the text are kept for the validator to name; a
    result that is not a span or relation at all is refused here.
    """
    spans, relations = [], []
    for item in results:
        try:
            if item.get("type") == "relation":
                label = "+".join(item.get("labels") or [])
                relation_id = f"{item['from_id']}-{label or 'unlabelled'}-{item['to_id']}"
                relations.append(Relation(id=relation_id, head=item["from_id"], tail=item["to_id"], label=label))
            elif item.get("type") == "labels":
                value = item["value"]
                label = "+".join(value.get("labels") or [])
                if schema.layer_of.get(label, item.get("from_name")) != item.get("from_name"):
                    label = f"{item.get('from_name')}:{label}"  # sent through the wrong control: span-label names it
                start, end = int(value["start"]), int(value["end"])
                spans.append(Span(id=item["id"], start=start, end=end, label=label, text=text[start:end]))
            else:
                raise ValueError(f"unsupported result type {item.get('type')!r}")
        except (KeyError, TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            raise PeacetalksError(f"result {item.get('id', '?')}: not a usable span or relation: {exc}") from exc
    return AnnotationSet(provenance=provenance, spans=spans, relations=relations)


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
    annotations: list[dict[str, Any]]
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


def server_tasks(connection: Connection, project_id: int) -> dict[str, TaskState]:
    """The project's tasks by ``data.doc_id``; a doc_id on two tasks is an error (an import was duplicated)."""
    tasks: dict[str, TaskState] = {}
    for raw in listed_tasks(connection, project_id):
        doc_id = raw["data"].get("doc_id")
        if doc_id in tasks:
            raise PeacetalksError(f"{connection.url}: project {project_id}: tasks {tasks[doc_id].id} and {raw['id']} both hold document {doc_id}; delete one")
        tasks[doc_id] = TaskState(raw["id"], raw["data"], raw.get("annotations") or [], raw.get("predictions") or [])
    return tasks


def listed_tasks(connection: Connection, project_id: int) -> Iterator[dict[str, Any]]:
    """Every task with its annotations and predictions, page by page, as plain JSON: the SDK's models
    took the client as long as the server to list 10k tasks with predictions."""
    listed = 0
    for page in itertools.count(1):
        response = connection.http.get("/api/tasks", params={"project": project_id, "fields": "all", "page": page, "page_size": LIST_PAGE})
        checked(response)
        body = response.json()
        yield from body["tasks"]
        listed += len(body["tasks"])
        if not body["tasks"] or listed >= body["total"]:
            return


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
    loaded = {item.get(REVIEW_TAG) for ann in (task.annotations if task else []) for item in ann.get("result") or []}
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


@dataclass
class Pseudonyms:
    """``annotations/_meta/annotators.json``: salted hashes of e-mail addresses → ``annN``.

    Committed so pseudonyms stay stable across pulls and machines; it holds no e-mail,
    name or server user id. It lives in a subfolder so ``annotations/*.json`` stays
    one annotation file per document.
    """

    root: Root
    path: Path
    salt: str
    by_hash: dict[str, str]
    changed: bool = False

    @classmethod
    def load(cls, root: Root) -> Pseudonyms:
        path = root.annotations / "_meta" / PSEUDONYM_FILE
        if not path.exists():
            return cls(root, path, secrets.token_hex(16), {})  # saved once it holds a pseudonym
        data = read_json(path)
        return cls(root, path, data["salt"], {entry["hash"]: entry["pseudonym"] for entry in data["annotators"]})

    @functools.cached_property
    def taken(self) -> set[str]:
        """Set names already in annotations/ (e.g. from another tool): never reused. Read only for a
        new annotator, as it means reading every annotation file."""
        return {name for annotation in iter_annotation_files(self.root) for name in annotation.annotators}

    def of(self, email: str) -> str:
        digest = hashlib.sha256(f"{self.salt}:{email.strip().lower()}".encode()).hexdigest()
        if digest not in self.by_hash:
            used = self.taken | set(self.by_hash.values())
            self.by_hash[digest] = next(name for n in itertools.count(1) if (name := f"ann{n}") not in used)
            self.changed = True
        return self.by_hash[digest]

    def save(self) -> None:
        entries = [{"pseudonym": name, "hash": digest} for digest, name in sorted(self.by_hash.items(), key=lambda kv: int(kv[1][3:]))]
        write_text_atomic(self.path, canonical_json({"salt": self.salt, "annotators": entries}) + "\n")
        self.changed = False


# --- pull ----------------------------------------------------------------------------


@dataclass
class PullReport:
    tasks: int = 0
    annotations: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (f"pull: {self.tasks} tasks, {self.annotations} annotations by {len(self.annotators)} annotators; "
                f"{len(self.written)} files written{' (' + shown_ids(self.written) + ')' if self.written else ''}, "
                f"{self.unchanged} unchanged, {len(self.refused)} refused")


def export_tasks(connection: Connection, project_id: int) -> Iterator[dict[str, Any]]:
    """Every task of the full JSON export (relations included), parsed as it arrives.

    Not through the SDK: its 120 s timeout is too short for 10k annotated tasks (the server
    builds the whole export first), and the export is never held whole in memory.
    """
    params = {"exportType": "JSON", "download_all_tasks": "true"}
    with connection.http.stream("GET", f"/api/projects/{project_id}/export", params=params) as response:
        checked(response)
        yield from json_array_items(response.iter_bytes(1 << 20))


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


def task_document(root: Root, task: dict[str, Any]) -> tuple[Document, AnnotationFile | None]:
    """The task's local document and annotation file, refused when either is out of step with the task."""
    doc_id = task["data"].get("doc_id")
    doc = load_document(root, doc_id)
    if task["data"].get("text") != doc.text:
        raise PeacetalksError(f"task {task['id']} holds another text than corpus/{doc_id}.txt (push again, or realign first)")
    local = read_annotation_file(root, doc_id)
    if local is not None and local.text_sha256 != doc.sidecar.text_sha256:
        raise PeacetalksError(f"{root.annotation_file(doc_id)} was made on another clean text (run `peacetalks realign` first)")
    return doc, local


def new_annotations(task: dict[str, Any], root: Root, emails: dict[int, str], schema: Schema) -> dict[str, dict[str, Any]]:
    """Each user's latest submitted annotation on a task, by e-mail, leaving out unedited copies of local sets."""
    doc, local = task_document(root, task)
    latest: dict[str, dict[str, Any]] = {}
    for annotation in sorted(task.get("annotations") or [], key=lambda a: a["id"]):
        user = annotation["completed_by"]
        user_id = user["id"] if isinstance(user, dict) else user
        if user_id not in emails:
            raise PeacetalksError(f"task {task['id']}: annotation {annotation['id']} by user {user_id}, who is not listed by the server")
        if annotation.get("was_cancelled"):
            continue
        as_set = set_from_results(annotation.get("result") or [], doc.text, schema, Provenance(annotator="-", method="label-studio"))
        if not is_unchanged_push(annotation, local, as_set):
            latest[emails[user_id]] = annotation
    return latest


def is_unchanged_push(annotation: dict[str, Any], local: AnnotationFile | None, pulled: AnnotationSet) -> bool:
    """An annotation loaded by ``push --with-annotations`` that still equals its local set brings nothing new."""
    tags = {item.get(REVIEW_TAG) for item in annotation.get("result") or []}
    source = local.annotators.get(tags.pop()) if local is not None and len(tags) == 1 and None not in tags else None
    return source is not None and content_of(source) == content_of(pulled)


def content_of(aset: AnnotationSet) -> tuple[set[tuple[int, int, str]], set[tuple[str, str, str]]]:
    """What a set says, without ids (relation ids are rebuilt on pull)."""
    spans = {s.id: (s.start, s.end, s.label) for s in aset.spans}
    relations = {(str(spans.get(r.head)), r.label, str(spans.get(r.tail))) for r in aset.relations}
    return set(spans.values()), relations


def pulled_file(root: Root, task: dict[str, Any], annotations: dict[str, dict[str, Any]], schema: Schema) -> AnnotationFile:
    """The local annotation file with the task's annotation sets (by pseudonym) merged in."""
    doc, local = task_document(root, task)
    shown = (task.get("meta") or {}).get("predictions") if task.get("predictions") else None
    sets: dict[str, AnnotationSet] = {}
    for name, annotation in annotations.items():
        provenance = Provenance(annotator=name, method="label-studio", tool=TOOL,
                                pre_annotation=f"{shown} predictions shown in Label Studio" if shown else None,
                                guidelines_version=schema.version, updated=annotation["updated_at"][:10])
        sets[name] = set_from_results(annotation.get("result") or [], doc.text, schema, provenance)
    kept = local.annotators if local else {}
    return AnnotationFile(document_id=doc.id, text_sha256=doc.sidecar.text_sha256,
                          schema_version=local.schema_version if local else schema.version, annotators={**kept, **sets})


def problems_in(root: Root, annotation: AnnotationFile, text: str, schema: Schema, pulled: set[str]) -> list[str]:
    """Validator findings for the pulled sets (and the file as a whole), as ``file: doc: item: rule: message``."""
    shown = root.annotation_file(annotation.document_id).relative_to(root.path)
    findings = check_annotation_file(annotation, text, schema, require_gold=False)
    return [f"{shown}: {annotation.document_id}: {item}: {rule}: {message}" for item, rule, message in findings
            if item == "file" or item.split("/", 1)[0] in pulled]


def pull(root: Root, connection: Connection, title: str = DEFAULT_PROJECT) -> PullReport:
    """Write every task's annotations into annotations/<doc>.json, one set per annotator pseudonym.

    Sets not in the export (``gold``, other annotators) are kept; a document whose pulled
    sets fail validation is left untouched and reported.
    """
    schema = load_schema(root)
    report = PullReport()
    with server_errors(connection):
        project = find_project(connection, title)
        if project is None:
            raise PeacetalksError(f"{connection.url}: no project titled {title!r} (run `peacetalks labelstudio push` first)")
        emails = {user.id: user.email for user in connection.client.users.list()}
        with_work: list[tuple[tuple[str, int], dict[str, Any], dict[str, dict[str, Any]]]] = []  # only these are kept
        refused: list[tuple[tuple[str, int], str]] = []
        for task in progress(export_tasks(connection, project.id), desc="pull"):
            report.tasks += 1
            key = (str(task["data"].get("doc_id")), task["id"])  # the export's order is not the documents'
            try:
                work = new_annotations(task, root, emails, schema)
            except PeacetalksError as exc:
                refused.append((key, f"{task['data'].get('doc_id')}: {exc}"))
                continue
            if work:
                with_work.append((key, task, work))
            else:
                report.unchanged += 1
    report.refused = [message for _, message in sorted(refused)]
    pseudonyms = Pseudonyms.load(root)
    by_pseudonym = [(task, {pseudonyms.of(email): a for email, a in sorted(work.items(), key=lambda kv: kv[1]["id"])})
                    for _, task, work in sorted(with_work, key=lambda item: item[0])]
    if pseudonyms.changed:
        pseudonyms.save()  # before any file that uses a new pseudonym, so an interrupted pull reruns the same
    for task, by_annotator in by_pseudonym:
        report.annotations += len(by_annotator)
        report.annotators.update(by_annotator)
        merged = pulled_file(root, task, by_annotator, schema)
        problems = problems_in(root, merged, task["data"]["text"], schema, set(by_annotator))
        if problems:
            report.refused.extend(problems)
        elif write_if_changed(root, merged):
            report.written.append(merged.document_id)
        else:
            report.unchanged += 1
    return report


def write_if_changed(root: Root, annotation: AnnotationFile) -> bool:
    path = root.annotation_file(annotation.document_id)
    content = dump_model(canonical(annotation))
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    write_annotation_file(root, annotation)
    return True
