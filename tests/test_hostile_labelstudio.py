"""Issue 12, the Label Studio part: nothing an annotator did is lost or silently changed, nothing hostile is let in.

Annotations are crafted through the real server's API, as in test_labelstudio.py. What a real server
cannot be made to send (an HTML export, a task without data, an export that drips) comes from a real
HTTP server on 127.0.0.1 in front of it, which passes every request on and rewrites chosen answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from label_studio_sdk import LabelStudio
from test_labelstudio import REPO, ls_root, results, server_args, span_at, tasks_of, tree_digest  # noqa: F401 (fixtures)

from peacetalks.annotations import read_annotation_file
from peacetalks.labelstudio import Server, sign_up
from peacetalks.labelstudio.pseudonyms import PSEUDONYM_FILE
from peacetalks.schema import Schema, load_schema
from peacetalks.storage import Root

pytestmark = pytest.mark.labelstudio
Cli = Callable[..., tuple[int, str, str]]
Rewrite = Callable[[BaseHTTPRequestHandler, httpx.Response], None]
KEY_ENV = "PEACETALKS_PSEUDONYM_KEY"  # where pull finds the pseudonym key when it is not <root>/.labelstudio/pseudonym.key
EXPORT = r"/api/projects/\d+/export"
USERS = r"/api/users/?"


# --- a real HTTP server in front of Label Studio ------------------------------------------------


class Front(ThreadingHTTPServer):
    """Passes every request on to ``upstream``; answers whose path fully matches a pattern go through its rewrite."""

    daemon_threads = True

    def __init__(self, upstream: str, rewrites: dict[str, Rewrite]) -> None:
        super().__init__(("127.0.0.1", 0), FrontHandler)
        self.upstream, self.rewrites = upstream, rewrites

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FrontHandler(BaseHTTPRequestHandler):
    server: Front

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures, not traffic
        pass

    def forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "accept-encoding")}
        upstream = httpx.request(self.command, self.server.upstream + self.path, headers=headers, content=body, timeout=600)
        path = self.path.split("?", 1)[0]
        rewrite = next((r for pattern, r in self.server.rewrites.items() if re.fullmatch(pattern, path)), None)
        if rewrite is not None:
            rewrite(self, upstream)
        else:
            answer(self, upstream.status_code, upstream.content, upstream.headers.get("Content-Type", "application/json"))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = forward


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/json") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def edited(change: Callable[[Any], Any]) -> Rewrite:
    """The real answer's JSON, changed by ``change`` (which edits it in place or returns a new value)."""
    def rewrite(handler: BaseHTTPRequestHandler, upstream: httpx.Response) -> None:
        value = upstream.json()
        new = change(value)
        answer(handler, 200, json.dumps(value if new is None else new).encode())
    return rewrite


def replaced(body: bytes, content_type: str = "application/json") -> Rewrite:
    return lambda handler, upstream: answer(handler, 200, body, content_type)


def dripping(interval: float, first: bytes, then: bytes, for_at_most: float = 30.0) -> Rewrite:
    """Headers, ``first``, then ``then`` every ``interval`` seconds (b"": nothing, a stall) until the client leaves
    or ``for_at_most`` seconds have passed: the server stops by itself."""
    def rewrite(handler: BaseHTTPRequestHandler, upstream: httpx.Response) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        ends = time.monotonic() + for_at_most
        try:
            handler.wfile.write(first)
            handler.wfile.flush()
            while time.monotonic() < ends:
                time.sleep(interval)
                if then:
                    handler.wfile.write(then)
                    handler.wfile.flush()
        except OSError:
            pass  # the client hung up: what a deadline does
    return rewrite


@pytest.fixture
def front(labelstudio_server: Server) -> Iterator[Callable[[dict[str, Rewrite]], Front]]:
    started: list[Front] = []

    def start(rewrites: dict[str, Rewrite]) -> Front:
        server = Front(labelstudio_server.url, rewrites)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def project(request: pytest.FixtureRequest) -> str:
    """A project of its own for each test and parameter (they share one server; long names would collide when cut)."""
    return f"hostile {hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]}"


def push(cli: Cli, server: Server, root: Root, project: str) -> None:
    code, _, err = cli("labelstudio", "push", "--root", root.path, *server_args(server, project))
    assert code == 0, err


def pull(cli: Cli, url: str, server: Server, root: Root, project: str, *extra: str) -> tuple[int, str, str]:
    return cli("labelstudio", "pull", "--root", root.path, "--url", url, "--api-key", server.credentials.token, "--project", project, *extra)


def pushed(cli: Cli, server: Server, root: Root, project: str) -> tuple[dict[str, Any], Schema, tuple[str, str]]:
    """Push; then the tasks, the schema, and the clean texts of alpha and bravo."""
    push(cli, server, root, project)
    texts = tuple(root.corpus_text(d).read_text(encoding="utf-8") for d in ("alpha", "bravo"))
    return tasks_of(server, project), load_schema(root), texts  # type: ignore[return-value]


def annotator(server: Server, email: str) -> LabelStudio:
    return LabelStudio(base_url=server.url, api_key=sign_up(server.url, email, "annotator-pass-9"))


def annotate_both(cli: Cli, server: Server, root: Root, project: str, email: str) -> dict[str, Any]:
    """Push, then a valid Kremlin span by ``email`` on alpha and bravo; returns the tasks."""
    push(cli, server, root, project)
    tasks, schema, person = tasks_of(server, project), load_schema(root), annotator(server, email)
    for doc_id in ("alpha", "bravo"):
        text = root.corpus_text(doc_id).read_text(encoding="utf-8")
        person.annotations.create(tasks[doc_id].id, result=results([span_at(text, "Kremlin", "ORG", "k1")], [], schema))
    return tasks


def for_doc(doc_id: str, change: Callable[[dict[str, Any]], None]) -> Callable[[list[dict[str, Any]]], None]:
    """An export edit: ``change`` applied to the task of ``doc_id``."""
    def edit(tasks: list[dict[str, Any]]) -> None:
        for task in tasks:
            if task["data"].get("doc_id") == doc_id:
                change(task)
    return edit


def assert_only_bravo_pulled(code: int, out: str, err: str, root: Root, alpha_before: bytes) -> None:
    assert code == 1, err
    assert "1 files written (bravo)" in out and "1 refused" in out
    assert root.annotation_file("alpha").read_bytes() == alpha_before
    assert "Traceback" not in err


# --- 1. what an annotator saw is checked, never overwritten ------------------------------------------

SHIFTS = {
    "shifted by one": lambda v, text: v.update(start=v["start"] + 1, end=v["end"] + 1),  # like "oe Biden," for "Joe Biden"
    "another word": lambda v, text: v.update(text="Putin"),  # the text there is "Ukraine"
    "float start": lambda v, text: v.update(start=v["start"] + 0.9),
    "string start": lambda v, text: v.update(start=str(v["start"])),
    "bool end": lambda v, text: v.update(start=0, end=True),
    "past the end": lambda v, text: v.update(start=len(text) - 2, end=len(text) + 2),
    "no text": lambda v, text: v.pop("text"),
}
MESSAGES = {
    "shifted by one": "the annotator saw 'Ukraine' but the text there is 'kraine,'",
    "another word": "the annotator saw 'Putin' but the text there is 'Ukraine'",
    "float start": "value.start: Input should be a valid integer (got ",
    "string start": "value.start: Input should be a valid integer (got \"",
    "bool end": "value.end: Input should be a valid integer (got true)",
    "past the end": "lies outside the text",
    "no text": "value.text: Field required",
}


@pytest.mark.parametrize("change", list(SHIFTS))
def test_a_span_whose_offsets_do_not_hold_what_the_annotator_saw_refuses_that_document_only(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, change: str) -> None:
    server = labelstudio_server
    tasks, schema, (alpha, bravo) = pushed(cli, server, ls_root, project)
    person = annotator(server, f"{change.replace(' ', '.')}@example.org")
    sent = results([span_at(alpha, "Ukraine", "GPE", "ukr1")], [], schema)  # "… without Ukraine,”"
    SHIFTS[change](sent[0]["value"], alpha)  # the server stores results as sent
    person.annotations.create(tasks["alpha"].id, result=sent)
    person.annotations.create(tasks["bravo"].id, result=results([span_at(bravo, "Kremlin", "ORG", "k1")], [], schema))
    alpha_before = ls_root.annotation_file("alpha").read_bytes()

    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert_only_bravo_pulled(code, out, err, ls_root, alpha_before)
    assert re.search(rf"pull: refused: (alpha: task {tasks['alpha'].id}|task {tasks['alpha'].id} \(document 'alpha'\)): .*"
                     rf"annotation \d+: result ukr1: ", err), err
    assert MESSAGES[change] in err


def test_a_line_break_rendered_differently_inside_a_span_is_still_what_the_annotator_saw(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    push(cli, server, ls_root, project)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    sent = results([span_at(alpha, "Kyiv on Monday.\n\n“We", "GPE", "x1")], [], load_schema(ls_root))
    sent[0]["value"]["text"] = "Kyiv on Monday.\n“We"
    annotator(server, "line.break@example.org").annotations.create(tasks_of(server, project)["alpha"].id, result=sent)

    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert code == 0 and "annotator saw" not in err
    assert [s.text for s in read_annotation_file(ls_root, "alpha").annotators["ann1"].spans] == ["Kyiv on Monday.\n\n“We"]
    shifted = results([span_at(alpha, "yiv on Monday.\n\n“We", "GPE", "x2")], [], load_schema(ls_root))
    shifted[0]["value"]["text"] = "Kyiv on Monday.\n“We"
    annotator(server, "line.break2@example.org").annotations.create(tasks_of(server, project)["alpha"].id, result=shifted)
    assert "the annotator saw 'Kyiv on Monday.\\n“We'" in pull(cli, server.url, server, ls_root, project)[2]


# --- 2. one document, two tasks ------------------------------------------------------------------------


def test_two_tasks_holding_one_document_refuse_it_and_pull_the_others(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    tasks = annotate_both(cli, server, ls_root, project, "twice@example.org")
    client = LabelStudio(base_url=server.url, api_key=server.credentials.token)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    project_id = next(p.id for p in client.projects.list() if p.title == project)
    other = client.projects.import_tasks(id=project_id, request=[{"data": tasks["alpha"].data}], return_task_ids=True).task_ids[0]
    annotator(server, "second@example.org").annotations.create(
        other, result=results([span_at(alpha, "Kyiv", "GPE", "k2")], [], load_schema(ls_root)))
    alpha_before = ls_root.annotation_file("alpha").read_bytes()

    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert_only_bravo_pulled(code, out, err, ls_root, alpha_before)
    assert f"alpha: tasks {tasks['alpha'].id}, {other} all hold this document" in err


# --- ids from the export never leave their folder --------------------------------------------------------


def test_an_export_doc_id_that_is_not_a_safe_file_name_is_refused_before_any_path_is_built(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    push(cli, server, ls_root, project)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    client = LabelStudio(base_url=server.url, api_key=server.credentials.token)
    project_id = next(p.id for p in client.projects.list() if p.title == project)
    hostile = client.projects.import_tasks(id=project_id, request=[{"data": {"doc_id": "../corpus/alpha", "text": alpha}}],
                                           return_task_ids=True).task_ids[0]
    annotator(server, "escape@example.org").annotations.create(
        hostile, result=results([span_at(alpha, "Kyiv", "GPE", "k1")], [], load_schema(ls_root)))
    before = tree_digest(ls_root)

    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert code == 1 and "Traceback" not in err
    assert f"task {hostile} (document '../corpus/alpha'): not a task pull can read: data.doc_id: String should match pattern" in err
    assert tree_digest(ls_root) == before  # corpus/alpha.json was not overwritten through annotations/../corpus


# --- exports that are not what pull reads ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"<!DOCTYPE html><html><body>Log in</body></html>", b'{"detail": "Not found"}',
                                  b'[{"id": 1, "data": {"doc_id": "alpha", "te', b"\xff\xfe[]",
                                  pytest.param(b"[" * 300_000, id="300k-brackets")])
def test_an_export_that_is_not_a_json_array_is_refused_naming_it_and_changes_nothing(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, front: Any, body: bytes) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, f"shape.{project[-12:]}@example.org")
    before = tree_digest(ls_root)
    proxy = front({EXPORT: replaced(body)})

    code, _, err = pull(cli, proxy.url, server, ls_root, project)
    assert code == 2, err
    assert re.search(rf"peacetalks labelstudio: error: {proxy.url}/api/projects/\d+/export: not (a JSON array of records|UTF-8 JSON)", err), err
    assert tree_digest(ls_root) == before


BROKEN = {
    "a task without data": (for_doc("alpha", lambda t: t.pop("data")), ": not a task pull can read: data: Field required"),
    "an annotation without updated_at": (for_doc("alpha", lambda t: t["annotations"][0].pop("updated_at")), "updated_at: Field required"),
    "result as a string": (for_doc("alpha", lambda t: t["annotations"][0].update(result="spans")), ": result: Input should be a valid list (got \"spans\")"),
    "a span id with a slash": (for_doc("alpha", lambda t: t["annotations"][0]["result"][0].update(id="../k1")),
                               "result ../k1: id: String should match pattern"),
    "a task that is a number": (lambda tasks: tasks.append(7), "task ?: not a task pull can read: it: Input should be a valid dictionary"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_task_pull_cannot_read_is_refused_naming_it_and_the_others_are_pulled(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, front: Any, case: str) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, f"{case.replace(' ', '.')}@example.org")
    alpha_before = ls_root.annotation_file("alpha").read_bytes()
    change, message = BROKEN[case]
    proxy = front({EXPORT: edited(change)})

    code, out, err = pull(cli, proxy.url, server, ls_root, project)
    if case == "a task that is a number":  # every real task is pulled; the number is refused
        assert code == 1 and "2 files written" in out and message in err
        return
    assert_only_bravo_pulled(code, out, err, ls_root, alpha_before)
    task_id = tasks_of(server, project)["alpha"].id
    assert f"pull: refused: alpha: task {task_id}: " in err or f"pull: refused: task {task_id}" in err
    assert message in err
    temps = [p for p in ls_root.annotations.rglob("*") if p.name.endswith(".tmp")]
    assert temps == []


def test_an_annotator_without_an_e_mail_address_refuses_their_documents(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, front: Any) -> None:
    server = labelstudio_server
    tasks, schema, (alpha, bravo) = pushed(cli, server, ls_root, project)
    annotator(server, "nameless@example.org").annotations.create(
        tasks["alpha"].id, result=results([span_at(alpha, "Kyiv", "GPE", "k1")], [], schema))
    annotator(server, "named@example.org").annotations.create(
        tasks["bravo"].id, result=results([span_at(bravo, "Kremlin", "ORG", "k1")], [], schema))
    alpha_before = ls_root.annotation_file("alpha").read_bytes()

    def forget_email(users: Any) -> None:
        for user in users:
            if user.get("email") == "nameless@example.org":
                user["email"] = None

    proxy = front({USERS: edited(forget_email)})
    code, out, err = pull(cli, proxy.url, server, ls_root, project)
    assert_only_bravo_pulled(code, out, err, ls_root, alpha_before)
    assert "who has no e-mail address (pseudonyms are made from it)" in err


# --- 5. an overall deadline ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["drips", "stalls"])
def test_an_export_that_drips_or_stalls_stops_at_the_deadline_and_writes_nothing(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, front: Any, how: str) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, f"{how}@example.org")
    before = tree_digest(ls_root)
    proxy = front({EXPORT: dripping(0.2, b"[", b" " if how == "drips" else b"")})

    started = time.monotonic()
    code, _, err = pull(cli, proxy.url, server, ls_root, project, "--timeout", "4")
    took = time.monotonic() - started
    assert code == 2, err
    assert f"peacetalks labelstudio: error: pull from {proxy.url} did not finish within 4 s (--timeout); nothing was written" in err
    assert 4 <= took < 15, took  # a read no longer waits for the server: the socket is cut at the deadline
    assert tree_digest(ls_root) == before


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, value: str) -> None:
    code, _, err = pull(cli, labelstudio_server.url, labelstudio_server, ls_root, project, "--timeout", value)
    assert code == 2 and f"--timeout {float(value)}: give a positive number of seconds" in err


# --- 3. secrets are private from creation ------------------------------------------------------------------


def test_the_servers_data_dir_and_every_file_in_it_are_private(labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    push(cli, labelstudio_server, ls_root, project)  # the server writes to its database
    data_dir = labelstudio_server.log.parent
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "label_studio.sqlite3").stat().st_mode & 0o777 == 0o600
    opened = {str(p.relative_to(data_dir)): oct(p.stat().st_mode & 0o777) for p in data_dir.rglob("*") if p.stat().st_mode & 0o077}
    assert opened == {}


def test_generated_credentials_are_0600_from_creation_in_a_0700_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from peacetalks.labelstudio.server import CREDENTIALS_FILE, Credentials

    for key in ("USERNAME", "PASSWORD", "USER_TOKEN"):
        monkeypatch.delenv(f"LABEL_STUDIO_{key}", raising=False)
    modes: list[int] = []
    real_replace = os.replace

    def recording_replace(source: Any, target: Any) -> None:  # the real rename, after noting the mode it publishes
        modes.append(os.stat(source).st_mode & 0o777)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", recording_replace)
    Credentials.from_env_or_new(tmp_path / "ls")
    assert modes == [0o600]
    assert (tmp_path / "ls").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "ls" / CREDENTIALS_FILE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("saved", [{}, {"username": "a@b.c", "password": "p", "token": "token-123", "role": "admin"},
                                   {"username": "a@b.c", "password": "p", "token": 12345678}, [1, 2]])
def test_saved_credentials_that_are_not_three_strings_are_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli, saved: Any) -> None:
    from peacetalks.labelstudio.server import CREDENTIALS_FILE

    for key in ("USERNAME", "PASSWORD", "USER_TOKEN"):
        monkeypatch.delenv(f"LABEL_STUDIO_{key}", raising=False)
    (tmp_path / "ls").mkdir()
    (tmp_path / "ls" / CREDENTIALS_FILE).write_text(json.dumps(saved), encoding="utf-8")
    code, _, err = cli("labelstudio", "start", "--root", REPO, "--data-dir", tmp_path / "ls")
    assert code == 2
    assert f"{tmp_path / 'ls' / CREDENTIALS_FILE}: not saved credentials: expected exactly the non-empty strings password, token, username" in err


# --- 4. pseudonyms cannot be traced back ---------------------------------------------------------------------


def test_the_committed_pseudonym_file_holds_no_salt_and_nothing_tied_to_an_address() -> None:
    committed = json.loads((REPO / "annotations" / "_meta" / PSEUDONYM_FILE).read_text(encoding="utf-8"))
    assert "salt" not in committed
    assert committed["annotators"] == [{"pseudonym": "ann1", "key_id": None, "hmac": None},
                                       {"pseudonym": "ann2", "key_id": None, "hmac": None}]
    names = {name for path in (REPO / "annotations").glob("*.json")
             for name in json.loads(path.read_text(encoding="utf-8"))["annotators"]}
    assert {"ann1", "ann2"} <= names  # the retired pseudonyms stay in use in the committed files, never reused


def test_pseudonyms_are_hmacs_under_a_private_key_kept_outside_annotations(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from peacetalks.labelstudio.pseudonyms import KEY_ID_MESSAGE

    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, "Keyed.Person@Example.org")
    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert code == 0, err
    key_file = ls_root.path / ".labelstudio" / "pseudonym.key"
    assert f"note: made a new pseudonym key in {key_file}: back it up" in out
    assert key_file.stat().st_mode & 0o777 == 0o600 and key_file.parent.stat().st_mode & 0o777 == 0o700
    key = bytes.fromhex(key_file.read_text(encoding="utf-8"))
    saved = json.loads((ls_root.annotations / "_meta" / PSEUDONYM_FILE).read_text(encoding="utf-8"))
    assert saved["annotators"] == [{"pseudonym": "ann1", "key_id": hmac.new(key, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16],
                                    "hmac": hmac.new(key, b"keyed.person@example.org", hashlib.sha256).hexdigest()}]
    assert key.hex() not in "".join(p.read_text(encoding="utf-8") for p in ls_root.annotations.rglob("*.json"))

    # Another key (lost, or another machine's): the known annotator is not recognised, gets a new name, and is told.
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "other" / "key"))
    code, out, err = pull(cli, server.url, server, ls_root, project)
    assert code == 0, err
    assert "note: 1 pseudonyms in annotators.json were made under another key" in out
    assert read_annotation_file(ls_root, "bravo").annotators.keys() == {"ann1", "ann2"}


def test_an_old_salted_pseudonym_file_keeps_its_annotators_names_and_loses_its_salt(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, "old.hand@example.org")
    salt = "69e4aa98c86b556347fe63e94d5f1ced"
    known = hashlib.sha256(f"{salt}:old.hand@example.org".encode()).hexdigest()
    (ls_root.annotations / "_meta").mkdir()
    (ls_root.annotations / "_meta" / PSEUDONYM_FILE).write_text(json.dumps(
        {"salt": salt, "annotators": [{"pseudonym": "ann4", "hash": "0" * 64}, {"pseudonym": "ann7", "hash": known}]}), encoding="utf-8")

    code, _, err = pull(cli, server.url, server, ls_root, project)
    assert code == 0, err
    assert read_annotation_file(ls_root, "bravo").annotators.keys() == {"ann7"}
    saved = (ls_root.annotations / "_meta" / PSEUDONYM_FILE).read_text(encoding="utf-8")
    assert salt not in saved and known not in saved and "salt" not in saved
    assert [e["pseudonym"] for e in json.loads(saved)["annotators"]] == ["ann4", "ann7"]  # ann4 retired, never reused


@pytest.mark.parametrize("content", ["{}", '{"scheme": "x", "annotators": []}',
                                     json.dumps({"salt": "s", "annotators": [{"pseudonym": "jane.doe@example.org", "hash": "0" * 64}]})])
def test_a_pseudonym_file_that_is_not_one_is_refused_and_nothing_is_written(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, content: str) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, f"unreadable.{project[-12:]}@example.org")
    (ls_root.annotations / "_meta").mkdir()
    (ls_root.annotations / "_meta" / PSEUDONYM_FILE).write_text(content, encoding="utf-8")
    before = tree_digest(ls_root)

    code, _, err = pull(cli, server.url, server, ls_root, project)
    assert code == 2 and "Traceback" not in err
    assert f"{ls_root.annotations / '_meta' / PSEUDONYM_FILE}: " in err
    assert tree_digest(ls_root) == before


def test_a_pseudonym_key_readable_by_others_not_a_key_or_inside_the_data_is_refused(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server = labelstudio_server
    annotate_both(cli, server, ls_root, project, "key.check@example.org")
    key_file = tmp_path / "key"
    monkeypatch.setenv(KEY_ENV, str(key_file))
    key_file.write_text("ab" * 32 + "\n", encoding="utf-8")
    key_file.chmod(0o644)
    before = tree_digest(ls_root)
    code, _, err = pull(cli, server.url, server, ls_root, project)
    assert code == 2 and f"{key_file}: the pseudonym key is readable by others (mode 0644): chmod 600" in err
    key_file.chmod(0o600)
    key_file.write_text("not a key", encoding="utf-8")
    code, _, err = pull(cli, server.url, server, ls_root, project)
    assert code == 2 and f"{key_file}: not a pseudonym key (64 hexadecimal digits)" in err
    monkeypatch.setenv(KEY_ENV, str(ls_root.annotations / "_meta" / "pseudonym.key"))
    code, _, err = pull(cli, server.url, server, ls_root, project)
    assert code == 2 and "the pseudonym key would be committed with the data" in err
    assert tree_digest(ls_root) == before
