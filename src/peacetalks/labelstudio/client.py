"""Stage 4, I/O (HTTP): talk to a Label Studio server through its SDK and plain requests.

A connection is checked with one authenticated request before anything changes; the SDK's
connection and HTTP errors become one-line refusals naming the server. Tasks are keyed by
``data.doc_id`` because Label Studio has no external ids or upsert.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..storage import PeacetalksError
from .convert import REVIEW_TAG, Loose, described

DEFAULT_PROJECT = "peacetalks"
LIST_PAGE = 100  # tasks per listing request (the server's time per task grows with bigger pages)
# Label Studio 1.23's feature flag for importing predictions without validating each (see push.predictions_skip_validation)
PREDICTIONS_FLAG = "fflag_fix_back_4620_memory_efficient_predictions_import_08012025_short"


@dataclass(frozen=True)
class Connection:
    url: str
    client: Any  # label_studio_sdk.LabelStudio, imported lazily: the server extra is optional
    http: Any  # an httpx.Client with the same token, for bulk bodies the SDK would encode item by item


def positive_seconds(timeout: float) -> float:
    """A ``--timeout`` the server can be given: a finite number of seconds above zero."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise PeacetalksError(f"--timeout {timeout}: give a positive number of seconds")
    return timeout


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

    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise PeacetalksError(f"--url/LABEL_STUDIO_URL {url!r}: not a URL ({exc})") from exc
    if not (api_key.isascii() and api_key.isprintable()) or any(c.isspace() for c in api_key):
        raise PeacetalksError("--api-key/LABEL_STUDIO_API_KEY: not a Label Studio token (tokens are printable ASCII without "
                              "spaces; copy it from `peacetalks labelstudio start` or the account page)")
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


def checked(response: Any) -> None:
    """An HTTP error from a request made without the SDK, raised as the SDK would (see server_errors)."""
    from label_studio_sdk.core.api_error import ApiError

    if response.is_error:
        response.read()  # a streamed response's body is not read yet
        raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=response.text)


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


def find_project(connection: Connection, title: str) -> Any | None:
    matches = [p for p in connection.client.projects.list() if p.title == title]
    if len(matches) > 1:
        raise PeacetalksError(f"{connection.url}: {len(matches)} projects are titled {title!r}; rename all but one")
    return matches[0] if matches else None


# --- the project's tasks ---------------------------------------------------------------


@dataclass
class TaskState:
    """What the server holds for one document's task."""

    id: int
    data: dict[str, Any]
    annotations: list[ListedAnnotation]
    predictions: list[dict[str, Any]]


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


class Page(BaseModel):
    """A page of the task listing; ``server_time`` is its ``Date`` header, set after parsing."""

    model_config = ConfigDict(extra="ignore", strict=True)
    tasks: list[Any]
    total: int
    server_time: str | None = None


PageT = TypeVar("PageT", bound=Page)


class TaskPage(Page):
    tasks: list[ListedTask]


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
    for body in task_pages(connection, project_id, {"fields": "all"}, TaskPage):
        yield from body.tasks


def task_pages(connection: Connection, project_id: int, params: dict[str, Any], page: type[PageT]) -> Iterator[PageT]:
    """The Data Manager's task listing (``/api/tasks``) with ``params``, page by page, each read as ``page``."""
    listed = 0
    for number in itertools.count(1):
        body = listing_page(connection, project_id, {**params, "page": number, "page_size": LIST_PAGE}, page)
        yield body
        listed += len(body.tasks)
        if not body.tasks or listed >= body.total:
            return


def listing_page(connection: Connection, project_id: int, params: dict[str, Any], page: type[PageT]) -> PageT:
    response = connection.http.get("/api/tasks", params={"project": project_id, **params})
    checked(response)
    try:
        body = page.model_validate_json(response.content)
    except ValidationError as exc:
        raise PeacetalksError(f"{connection.url}/api/tasks: page {params.get('page', 1)} of project {project_id} is not a task "
                              f"listing: {described(safe_json(response.content), exc.errors()[0])}") from exc
    body.server_time = response.headers.get("date")
    return body


# --- what changed since a time, and how much there is ------------------------------------


class StampedTask(Loose):
    id: int
    updated_at: str


class StampedPage(Page):
    tasks: list[StampedTask]
    total_annotations: int = 0  # submitted (not cancelled) annotations of the tasks listed


def changed_tasks(connection: Connection, project_id: int, since: str) -> dict[int, str]:
    """The tasks updated after ``since`` (the server's ``%Y-%m-%dT%H:%M:%S.%fZ``), with their ``updated_at``.

    Label Studio 1.23 stamps a task whenever one of its annotations is saved or deleted (and when
    its data or predictions change), so a filter on the stamp finds the tasks a pull must export.
    """
    query = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime", "value": since}]}}
    params = {"include": "id,updated_at", "query": json.dumps(query)}
    return {task.id: task.updated_at for body in task_pages(connection, project_id, params, StampedPage) for task in body.tasks}


@dataclass(frozen=True)
class Totals:
    """How many tasks and submitted annotations a project holds, and the server's clock when it said so."""

    tasks: int
    annotations: int
    server_time: datetime


def project_totals(connection: Connection, project_id: int) -> Totals:
    """One page of one task: the server counts the rest, and its ``Date`` header says when."""
    body = listing_page(connection, project_id, {"include": "id,updated_at", "page_size": 1}, StampedPage)
    try:
        when = email.utils.parsedate_to_datetime(body.server_time or "")
    except (TypeError, ValueError) as exc:
        raise PeacetalksError(f"{connection.url}/api/tasks: no readable Date header ({body.server_time!r}): a pull needs the server's "
                              "clock to know what changed after it") from exc
    return Totals(body.total, body.total_annotations, when.astimezone(timezone.utc))


def safe_json(raw: bytes) -> Any:
    """``raw`` parsed, or None: only to name the place of an error in it."""
    try:
        return json.loads(raw)
    except ValueError:
        return None
