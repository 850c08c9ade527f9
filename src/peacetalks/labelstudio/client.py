"""Stage 4, I/O (HTTP): talk to a Label Studio server through its SDK and plain requests.

A connection is checked with one authenticated request before anything changes; the SDK's
connection and HTTP errors become one-line refusals naming the server. Tasks are keyed by
``data.doc_id`` because Label Studio has no external ids or upsert.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..storage import PeacetalksError
from .convert import REVIEW_TAG, Loose, described

DEFAULT_PROJECT = "peacetalks"
LIST_PAGE = 100  # tasks per listing request (the server's time per task grows with bigger pages)


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
