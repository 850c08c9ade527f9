"""Stage 4 at scale, against a real server: a pull exports only what changed since the last one and writes what a
full pull writes; push imports predictions apart where the server skips their check, inline where it does not.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio

from conftest import free_port, load_benchmark, ls_template
from peacetalks.annotations import read_annotation_file
from peacetalks.labelstudio import Credentials, Server, connect, sign_up, start_server
from peacetalks.labelstudio.client import PREDICTIONS_FLAG
from peacetalks.models import GOLD
from peacetalks.storage import Root, read_json, write_model
from test_labelstudio import REPO, Cli, project, project_id, server_args, tasks_of, tree_digest  # noqa: F401 (fixture)

change = load_benchmark("labelstudio_change")  # the edits the 10k benchmark makes, made here the same way

pytestmark = pytest.mark.labelstudio
DOCS = 12  # five change below: under half, so the pull exports them by id


@pytest.fixture
def synth_root(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Root:
    """Twelve synthetic documents with three sets each; one pseudonym key for this root and its copies."""
    monkeypatch.setenv("PEACETALKS_PSEUDONYM_KEY", str(tmp_path / "pseudonym.key"))
    assert cli("synth", "--docs", DOCS, "--out", tmp_path / "root", "--seed", 3, "--root", REPO)[0] == 0
    return Root(tmp_path / "root")


def annotations_of(server: Server, task_id: int) -> list[dict[str, Any]]:
    response = connect(server.url, server.credentials.token).http.get(f"/api/tasks/{task_id}/annotations")
    response.raise_for_status()
    return sorted(response.json(), key=lambda a: a["id"])


def annotations_digest(root: Root) -> dict[str, str]:
    return {name: digest for name, digest in tree_digest(root).items() if name.startswith("annotations/")}


def reviewed(server: Server, root: Root, project: str, cli: Cli) -> None:
    """The root's sets loaded into a review project, and pulled back once (a full pull: there is no record yet)."""
    assert cli("labelstudio", "push", "--with-annotations", "--no-predictions", "--root", root.path, *server_args(server, project))[0] == 0
    code, out, err = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 0, err
    assert out.startswith(f"pull: {DOCS} tasks, 0 annotations") and "changed since the last pull" not in out


def test_an_incremental_pull_exports_only_the_changed_tasks_and_writes_what_a_full_pull_writes(
        labelstudio_server: Server, synth_root: Root, project: str, cli: Cli, tmp_path: Path) -> None:
    server, root = labelstudio_server, synth_root
    reviewed(server, root, project, cli)
    twin = Root(tmp_path / "twin")
    shutil.copytree(root.path, twin.path)
    tasks = tasks_of(server, project)
    docs = sorted(tasks)
    http = connect(server.url, server.credentials.token).http

    # On the server: the gold annotation edited, one added by a new annotator, one deleted, one that fails the checks.
    edited = change.gold_annotation(http, tasks[docs[0]].id)
    http.patch(f"/api/annotations/{edited['id']}", json={"result": change.without_a_free_region(edited["result"])}).raise_for_status()
    newcomer = LabelStudio(base_url=server.url, api_key=sign_up(server.url, "scale.newcomer@example.org", "annotator-pass-9"))
    newcomer.annotations.create(tasks[docs[1]].id, result=change.without_a_free_region(annotations_of(server, tasks[docs[1]].id)[0]["result"]))
    http.delete(f"/api/annotations/{annotations_of(server, tasks[docs[2]].id)[0]['id']}").raise_for_status()
    sloppy = annotations_of(server, tasks[docs[3]].id)[0]["result"]
    region = next(item for item in sloppy if item["type"] == "labels")
    region["value"]["text"] = "not what the text holds there"
    newcomer.annotations.create(tasks[docs[3]].id, result=sloppy)
    # Locally, in both copies: the gold set of a fifth document taken out by hand (its loaded copy is now new work).
    for each in (root, twin):
        local = read_annotation_file(each, docs[4])
        write_model(each.annotation_file(docs[4]), local.model_copy(update={"annotators": {k: v for k, v in local.annotators.items() if k != GOLD}}))
    before = annotations_digest(root)

    code, out, err = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 1 and f"pull: {DOCS} tasks (5 exported: changed since the last pull)" in out, out + err
    assert f"{docs[3]}: task {tasks[docs[3]].id}: annotation" in err  # refused, naming the task and annotation
    assert f"files written ({docs[0]}, {docs[1]}, {docs[4]})" in out, out + err
    code, full_out, full_err = cli("labelstudio", "pull", "--full", "--root", twin.path, *server_args(server, project))
    assert code == 1 and "changed since the last pull" not in full_out
    assert full_out.splitlines()[0] == out.splitlines()[0].replace(" (5 exported: changed since the last pull)", "") and full_err == err
    assert annotations_digest(root) == annotations_digest(twin) != before

    # Nothing new: nothing exported but the refused task, which is refused again until it is resolved.
    code, out, again = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 1 and "(1 exported: changed since the last pull)" in out and "0 files written" in out and again == err
    assert annotations_digest(root) == annotations_digest(twin)


def test_a_change_the_stamps_do_not_show_or_a_damaged_record_makes_the_pull_full(
        labelstudio_server: Server, synth_root: Root, project: str, cli: Cli) -> None:
    server, root = labelstudio_server, synth_root
    reviewed(server, root, project, cli)
    [record] = (root.path / ".labelstudio" / "pulls").iterdir()
    assert len(read_json(record)["tasks"]) == DOCS
    tasks = tasks_of(server, project)
    connect(server.url, server.credentials.token).client.tasks.delete(str(tasks[sorted(tasks)[0]].id))

    code, out, err = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 0, err
    assert out.startswith(f"pull: {DOCS - 1} tasks, ") and "note: the project's counts" in out and "pulled every task" in out
    assert len(read_json(record)["tasks"]) == DOCS - 1

    record.write_text('{"format": 1, "tasks": "no"}', encoding="utf-8")
    code, out, err = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 0 and out.startswith(f"pull: {DOCS - 1} tasks, ") and f"note: {record}: not a record of a pull" in out, err
    code, out, err = cli("labelstudio", "pull", "--root", root.path, *server_args(server, project))
    assert code == 0 and out.startswith(f"pull: {DOCS - 1} tasks (0 exported: changed since the last pull)"), err


@pytest.fixture
def validating_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A second server with the flag off: its /import/predictions checks every prediction, so push imports them inline."""
    credentials = Credentials("admin@peacetalks.test", "peacetalks-admin-pass", "peacetalks-test-token-0123456789")
    data_dir = tmp_path / "validating"
    shutil.copytree(ls_template(credentials), data_dir)
    monkeypatch.setenv(PREDICTIONS_FLAG, "false")
    server = start_server(data_dir, free_port(), credentials)
    yield server
    server.stop()


def prediction_imports(server: Server, project: str) -> int:
    line = f'"POST /api/projects/{project_id(server, project)}/import/predictions HTTP/1.1" 201'
    return server.log.read_text(encoding="utf-8").count(line)


def test_push_imports_predictions_apart_where_the_server_skips_their_check_and_inline_where_it_does_not(
        labelstudio_server: Server, validating_server: Server, synth_root: Root, project: str, cli: Cli) -> None:
    predicted = {}
    for server in (labelstudio_server, validating_server):
        code, out, err = cli("labelstudio", "push", "--root", synth_root.path, *server_args(server, project))
        assert code == 0 and f"{DOCS} tasks created" in out, err
        predicted[server.url] = {doc_id: [(p["model_version"], p["result"]) for p in task.predictions]
                                 for doc_id, task in tasks_of(server, project).items()}
        assert f"{DOCS} unchanged" in cli("labelstudio", "push", "--root", synth_root.path, *server_args(server, project))[1]
        # the editor pre-fills only the predictions of the project's model version, which /import/predictions leaves unset
        settings = connect(server.url, server.credentials.token).client.projects.get(project_id(server, project))
        assert {settings.model_version} == {version for found in predicted[server.url].values() for version, _ in found}
    assert prediction_imports(labelstudio_server, project) > 0 and prediction_imports(validating_server, project) == 0
    fast, inline = predicted.values()
    assert fast == inline and len(fast) == DOCS and all(len(p) == 1 and p[0][1] for p in fast.values())
