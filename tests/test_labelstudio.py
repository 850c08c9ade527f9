"""Stage 4: the Label Studio round trip against a real server (started once per session in conftest.py).

push → an annotator signs up and annotates through the API → pull → the canonical file,
validated, equal to what the annotator meant; pushes are idempotent; failures change nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio

from peacetalks.annotations import canonical, read_annotation_file, write_annotation_file
from peacetalks.engine import WORK_FOLDER
from peacetalks.labelstudio import TOOL, Server, connect, server_tasks, sign_up
from peacetalks.labelstudio.guidelines import load_guidelines
from peacetalks.models import GOLD, AnnotationFile, AnnotationSet, Provenance, Relation, Span
from peacetalks.schema import Schema, load_schema
from peacetalks.storage import Root, read_json, sha256_text
from peacetalks.validate import FileContext, annotation_problems

pytestmark = pytest.mark.labelstudio
REPO = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]

ALPHA = ("Zelensky met European leaders in Kyiv on Monday.\n\n"
         "“We will not accept any deal made without Ukraine,” Zelensky said.\n\n"
         "The Kremlin did not comment.\n")
# CRLF newlines and emoji (a flag is two code points) before every span.
BRAVO = ("Diplomats met again in Riyadh 🇺🇦🙂 on Tuesday, and the talks went on late into the night.\r\n\r\n"
         "Zelensky told reporters: “We want a just peace for Ukraine.”\r\n\r\n"
         "The Kremlin did not reply 😶.\r\n")


# --- helpers -------------------------------------------------------------------------------


def span_at(text: str, needle: str, label: str, span_id: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span(id=span_id, start=start, end=start + len(needle), label=label, text=needle)


def results(spans: list[Span], relations: list[Relation], schema: Schema) -> list[dict[str, Any]]:
    """What the Label Studio frontend sends for spans (each on its layer's view) and relations."""
    return ([{"id": s.id, "from_name": schema.layer_of[s.label], "to_name": schema.view_of[schema.layer_of[s.label]], "type": "labels", "origin": "manual",
              "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]}} for s in spans]
            + [{"type": "relation", "from_id": r.head, "to_id": r.tail, "direction": "right", "labels": [r.label]} for r in relations])


def tree_digest(root: Root) -> dict[str, str]:
    """Every file's hash, but the record of the last pull: a cache every pull renews (not data, not committed)."""
    return {str(p.relative_to(root.path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.path.rglob("*")) if p.is_file() and not p.is_relative_to(root.path / ".labelstudio" / "pulls")}


@pytest.fixture
def ls_root(tmp_path: Path, cli: Cli) -> Root:
    """A data root built with `peacetalks add` + `clean`: alpha (LF, with a gold set) and bravo (CRLF, emoji)."""
    root = Root(tmp_path / "root")
    shutil.copytree(REPO / "schema", root.schema_dir)
    root.seeds.mkdir(parents=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "alpha.txt").write_text(ALPHA, encoding="utf-8", newline="")
    (inbox / "bravo.txt").write_bytes(BRAVO.encode("utf-8"))
    assert cli("add", inbox / "alpha.txt", inbox / "bravo.txt", "--root", root.path)[0] == 0
    assert cli("clean", "--root", root.path)[0] == 0
    text = root.corpus_text("alpha").read_text(encoding="utf-8")
    quote, source, cue = span_at(text, "We will not accept any deal made without Ukraine", "QUOTE", "q1"), span_at(text, "Zelensky", "SOURCE", "s1", 1), span_at(text, "said", "CUE", "c1")
    gold = AnnotationSet(
        provenance=Provenance(annotator="adjudicator", method="test fixture"),
        spans=[span_at(text, "Zelensky", "PERSON", "e1"), span_at(text, "Kyiv", "GPE", "e2"), span_at(text, "Ukraine", "GPE", "e3"),
               span_at(text, "Zelensky", "PERSON", "e4", 1), span_at(text, "Kremlin", "ORG", "e5"), quote, source, cue],
        relations=[Relation(id="r1", head="q1", tail="s1", label="source"), Relation(id="r2", head="q1", tail="c1", label="cue")],
    )
    write_annotation_file(root, AnnotationFile(document_id="alpha", text_sha256=sha256_text(text), schema_version=load_schema(root).version,
                                               annotators={GOLD: gold}))
    return root


@pytest.fixture
def project(request: pytest.FixtureRequest) -> str:
    """A project title of its own for each test: they share one server (45 characters leave room for a pass's name)."""
    return f"test {request.node.name}"[:45]


def server_args(server: Server, project: str) -> list[str]:
    return ["--url", server.url, "--api-key", server.credentials.token, "--project", project]


def project_id(server: Server, project: str) -> int:
    connection = connect(server.url, server.credentials.token)
    return next(p.id for p in connection.client.projects.list() if p.title == project)


def tasks_of(server: Server, project: str) -> dict[str, Any]:
    return server_tasks(connect(server.url, server.credentials.token), project_id(server, project))


# --- the round trip ----------------------------------------------------------------------------


def test_push_annotate_pull_gives_the_annotators_file(labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    code, out, _ = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "2 tasks created" in out

    tasks = tasks_of(server, project)
    bravo_text = ls_root.corpus_text("bravo").read_text(encoding="utf-8")
    assert "\r" not in bravo_text
    assert tasks["bravo"].data | {"title": ""} == {"doc_id": "bravo", "title": "", "text": bravo_text, "text_sha256": sha256_text(bravo_text)}
    predicted = {(r["value"]["labels"][0], bravo_text[r["value"]["start"]:r["value"]["end"]])
                 for r in tasks["bravo"].predictions[0]["result"] if r["type"] == "labels"}
    assert {("PERSON", "Zelensky"), ("GPE", "Ukraine"), ("ORG", "Kremlin"), ("QUOTE", "We want a just peace for Ukraine."),
            ("CUE", "told"), ("SOURCE", "Zelensky")} <= predicted  # entities projected from alpha's gold, the quote found
    assert tasks["bravo"].predictions[0]["model_version"] == f"peacetalks-preannotate-{schema.version}"

    token = sign_up(server.url, "jane.doe@example.org", "annotator-pass-1")
    annotator = LabelStudio(base_url=server.url, api_key=token)
    spans = [span_at(bravo_text, "Zelensky", "PERSON", "ent1"), span_at(bravo_text, "Zelensky", "SOURCE", "src1"),
             span_at(bravo_text, "told", "CUE", "cue1"), span_at(bravo_text, "We want a just peace for Ukraine.", "QUOTE", "quo1"),
             span_at(bravo_text, "Ukraine", "GPE", "ent2"), span_at(bravo_text, "Kremlin", "ORG", "ent3")]
    relations = [Relation(id="quo1-source-src1", head="quo1", tail="src1", label="source"),
                 Relation(id="quo1-cue-cue1", head="quo1", tail="cue1", label="cue")]
    sent = results(spans, relations, schema)
    created = annotator.annotations.create(tasks["bravo"].id, result=sent, lead_time=12.5)
    first_paragraph = "Diplomats met again in Riyadh 🇺🇦🙂 on Tuesday, and the talks went on late into the night.\n\n"
    assert bravo_text.index("Zelensky") == len(first_paragraph) == 90  # code points (a flag is two), CRLF became LF

    code, out, err = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 0, err
    assert out.splitlines()[0] == "pull: 2 tasks, 1 annotations by 1 annotators; 1 files written (bravo), 1 unchanged, 0 refused"
    assert "note: made a new pseudonym key in" in out  # the first pull makes the key, outside annotations/
    expected = AnnotationFile(
        document_id="bravo", text_sha256=sha256_text(bravo_text), schema_version=schema.version,
        annotators={"ann1": AnnotationSet(
            provenance=Provenance(annotator="ann1", method="label-studio", tool=TOOL,
                                  pre_annotation=f"peacetalks-preannotate-{schema.version} predictions shown in Label Studio",
                                  guidelines_version=load_guidelines(ls_root).version, updated=str(created.updated_at)[:10]),
            spans=spans, relations=relations)})
    pulled = read_annotation_file(ls_root, "bravo")
    assert pulled is not None
    assert annotation_problems(pulled, FileContext(bravo_text, require_gold=False), schema, "-") == []
    assert pulled == canonical(expected)

    pseudonyms = (ls_root.annotations / "_meta" / "annotators.json").read_text(encoding="utf-8")
    assert "ann1" in pseudonyms and "jane" not in pseudonyms and "example.org" not in pseudonyms
    assert "jane" not in (ls_root.annotations / "bravo.json").read_text(encoding="utf-8")
    assert read_annotation_file(ls_root, "alpha").annotators.keys() == {GOLD}  # a set the export lacks stays

    # Pull after push after pull changes nothing.
    before = tree_digest(ls_root)
    assert "0 tasks created, 0 updated" in cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[1]
    code, out, _ = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "0 files written" in out
    assert tree_digest(ls_root) == before


def test_push_preannotates_on_the_engines_tasks_and_sends_what_one_process_sends(labelstudio_server: Server, ls_root: Root,
                                                                                   project: str, cli: Cli) -> None:
    server = labelstudio_server
    code, out, _ = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "2 tasks created" in out
    on_tasks = f"{project[:40]} two"
    code, out, err = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, on_tasks), "--tasks", "2")
    assert code == 0 and "2 tasks created" in out and "preannotate: 2 tasks on datatrove's local executor" in err
    one, two = tasks_of(server, project), tasks_of(server, on_tasks)
    assert {doc: (task.data, [p["result"] for p in task.predictions]) for doc, task in one.items()} == \
           {doc: (task.data, [p["result"] for p in task.predictions]) for doc, task in two.items()}
    assert any(task.predictions for task in two.values())  # there were suggestions to compare
    assert not (ls_root.path / WORK_FOLDER).exists()


def test_a_second_push_creates_nothing_and_sends_no_task_data(labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    connection = connect(server.url, server.credentials.token)
    before = [t.dict() for t in connection.client.tasks.list(project=next(p.id for p in connection.client.projects.list() if p.title == project), fields="all")]

    code, out, _ = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 0
    assert out.strip() == f"push: project {project!r}: 0 tasks created, 0 updated, 0 with new predictions, 0 annotations loaded, 2 unchanged"
    after = [t.dict() for t in connection.client.tasks.list(project=before[0]["project"], fields="all")]
    assert [(t["id"], t["updated_at"], [p["id"] for p in t["predictions"]]) for t in after] == \
           [(t["id"], t["updated_at"], [p["id"] for p in t["predictions"]]) for t in before]


def test_a_changed_clean_text_updates_an_unannotated_task_and_is_refused_under_annotations(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    tasks = tasks_of(server, project)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    token = sign_up(server.url, "changed.text@example.org", "annotator-pass-2")
    LabelStudio(base_url=server.url, api_key=token).annotations.create(
        tasks["alpha"].id, result=results([span_at(alpha, "Kyiv", "GPE", "k1")], [], load_schema(ls_root)))

    def change_clean_text(doc_id: str) -> None:  # what a new cleaner version would do
        text = ls_root.corpus_text(doc_id).read_text(encoding="utf-8") + "\nA new closing line.\n"
        ls_root.corpus_text(doc_id).write_text(text, encoding="utf-8")
        sidecar = read_json(ls_root.corpus_sidecar(doc_id)) | {"text_sha256": sha256_text(text)}
        ls_root.corpus_sidecar(doc_id).write_text(json.dumps(sidecar), encoding="utf-8")

    change_clean_text("bravo")
    code, out, _ = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "1 updated" in out
    assert tasks_of(server, project)["bravo"].data["text"].endswith("A new closing line.\n")

    change_clean_text("alpha")
    code, out, err = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 2
    assert "refusing to update them" in err and "alpha (task" in err and "1 annotations" in err
    assert tasks_of(server, project)["alpha"].data["text"] == alpha


def test_a_clean_text_edited_by_hand_is_refused_by_push_and_its_task_keeps_the_old_text(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    bravo = ls_root.corpus_text("bravo").read_text(encoding="utf-8")
    ls_root.corpus_text("bravo").write_text(bravo + "\nA line nobody cleaned.\n", encoding="utf-8")  # the sidecar still hashes the old text
    code, _, err = cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))
    assert code == 2
    assert f"{ls_root.corpus_text('bravo')}: does not hash to its sidecar" in err and "run `peacetalks clean`" in err
    assert tasks_of(server, project)["bravo"].data["text"] == bravo


@pytest.mark.parametrize("action", ["push", "pull"])
def test_server_down_or_wrong_token_is_a_clear_error_and_changes_nothing(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, action: str) -> None:
    from conftest import free_port

    before = tree_digest(ls_root)
    code, _, err = cli("labelstudio", action, "--root", ls_root.path, "--url", f"http://127.0.0.1:{free_port()}",
                       "--api-key", labelstudio_server.credentials.token, "--project", project)
    assert code == 2 and "cannot reach Label Studio at http://127.0.0.1:" in err
    code, _, err = cli("labelstudio", action, "--root", ls_root.path, "--url", labelstudio_server.url,
                       "--api-key", "not-the-token-0000", "--project", project)
    assert code == 2 and f"Label Studio at {labelstudio_server.url} answered HTTP 401 (wrong LABEL_STUDIO_API_KEY?" in err
    assert tree_digest(ls_root) == before
    assert project not in [p.title for p in connect(labelstudio_server.url, labelstudio_server.credentials.token).client.projects.list()]


def test_an_invalid_annotation_is_refused_with_doc_span_and_rule_and_writes_nothing_for_that_doc(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    tasks = tasks_of(server, project)
    alpha, bravo = (ls_root.corpus_text(d).read_text(encoding="utf-8") for d in ("alpha", "bravo"))
    annotator = LabelStudio(base_url=server.url, api_key=sign_up(server.url, "sloppy@example.org", "annotator-pass-3"))
    kyiv = span_at(alpha, "Kyiv", "GPE", "bad1")
    sloppy = kyiv.model_copy(update={"start": kyiv.start - 1, "text": " Kyiv"})  # a leading space
    zelensky = span_at(alpha, "Zelensky", "PERSON", "bad2")
    trailing = zelensky.model_copy(update={"end": zelensky.end + 1, "text": "Zelensky "})  # and a trailing one
    made = annotator.annotations.create(tasks["alpha"].id, result=results([sloppy, trailing], [], schema))
    annotator.annotations.create(tasks["bravo"].id, result=results([span_at(bravo, "Kremlin", "ORG", "ok1")], [], schema))
    alpha_before = ls_root.annotation_file("alpha").read_bytes()

    code, out, err = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 1
    # one refusal for the task, a line per problem, each naming where to fix it
    lines = [line for line in err.splitlines() if "alpha.json" in line]
    assert len(lines) == 2, err
    first, second = lines
    assert first.startswith("pull: refused: annotations/alpha.json: alpha: ann1/span bad1: span-whitespace:")
    assert second.startswith("  annotations/alpha.json: alpha: ann1/span bad2: span-whitespace:")
    assert all(line.endswith(f"(in Label Studio: task {tasks['alpha'].id}, annotation {made.id})") for line in (first, second))
    assert "1 files written (bravo)" in out and "1 refused" in out
    assert ls_root.annotation_file("alpha").read_bytes() == alpha_before


def test_an_interrupted_pull_converges_when_rerun(labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    tasks = tasks_of(server, project)
    annotator = LabelStudio(base_url=server.url, api_key=sign_up(server.url, "steady@example.org", "annotator-pass-4"))
    for doc_id in ("alpha", "bravo"):
        text = ls_root.corpus_text(doc_id).read_text(encoding="utf-8")
        annotator.annotations.create(tasks[doc_id].id, result=results([span_at(text, "Kremlin", "ORG", "k1")], [], schema))
    pristine = tree_digest(ls_root)
    alpha_before = ls_root.annotation_file("alpha").read_bytes()
    assert cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))[0] == 0
    complete = tree_digest(ls_root)
    assert complete != pristine

    # Writes are atomic per file, so an interruption leaves some files new, others old, and maybe a temp file.
    ls_root.annotation_file("alpha").write_bytes(alpha_before)
    ls_root.annotation_file("bravo").unlink()
    (ls_root.annotations / ".bravo.json.x1y2.tmp").write_text("{", encoding="utf-8")
    code, out, _ = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "2 files written" in out
    (ls_root.annotations / ".bravo.json.x1y2.tmp").unlink()
    assert tree_digest(ls_root) == complete


def test_push_with_annotations_loads_each_set_under_an_account_named_by_it_and_pull_brings_only_gold_edits(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    local = read_annotation_file(ls_root, "alpha")
    ann1 = AnnotationSet(provenance=Provenance(annotator="ann1", method="label-studio"), spans=[span_at(alpha, "Kyiv", "GPE", "k1")])
    write_annotation_file(ls_root, local.model_copy(update={"annotators": {**local.annotators, "ann1": ann1}}))
    code, out, _ = cli("labelstudio", "push", "--with-annotations", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "2 annotations loaded" in out
    connection = connect(server.url, server.credentials.token)
    users = {user.id: user for user in connection.client.users.list()}
    loaded = {users[a.completed_by].first_name: a for a in connection.client.annotations.list(tasks_of(server, project)["alpha"].id)}
    assert loaded.keys() == {GOLD, "ann1"}  # the editor names each tab by its author's first name: the set's
    assert {users[a.completed_by].email for a in loaded.values()} == {"gold@sets.peacetalks.invalid", "ann1@sets.peacetalks.invalid"}
    assert len(loaded[GOLD].result or []) == 10 and {r["to_name"] for r in loaded[GOLD].result if r["type"] == "labels"} == {"text", "attribution_text"}
    assert "0 annotations loaded" in cli("labelstudio", "push", "--with-annotations", "--root", ls_root.path, *server_args(server, project))[1]

    before = tree_digest(ls_root)
    code, out, _ = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "0 files written" in out
    assert tree_digest(ls_root) == before  # unedited copies are not pulled back

    kremlin = [r for r in loaded[GOLD].result if r.get("value", {}).get("labels") != ["ORG"]]  # the adjudicator deletes ORG Kremlin, Update
    connection.client.annotations.update(loaded[GOLD].id, result=kremlin)
    code, out, err = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and "1 files written (alpha)" in out, err
    pulled = read_annotation_file(ls_root, "alpha")
    assert pulled.annotators.keys() == {GOLD, "ann1"} and pulled.annotators["ann1"] == ann1
    assert "Kremlin" not in [s.text for s in pulled.annotators[GOLD].spans] and pulled.annotators[GOLD].provenance.annotator == GOLD
    assert not (ls_root.annotations / "_meta" / "annotators.json").exists()  # no pseudonym was made for a set's account

    connection.client.annotations.update(loaded["ann1"].id, result=[])  # an edit of a pass's set on the review server
    after_gold = tree_digest(ls_root)
    code, _, err = cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))
    assert code == 1 and f"annotation {loaded['ann1'].id} is set ann1 as push loaded it, edited on this server: ann1 comes only " \
                         "from its own pass" in err
    assert tree_digest(ls_root) == after_gold
    assert not any("@" in p.read_text(encoding="utf-8") for p in ls_root.annotations.rglob("*.json"))


def test_a_pass_project_shows_the_guidelines_takes_one_annotation_per_task_and_gets_no_local_sets(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server = labelstudio_server
    code, out, err = cli("labelstudio", "push", "--pass", "p1", "--root", ls_root.path, *server_args(server, project))
    assert code == 0 and f"project '{project} · p1': 2 tasks created" in out, err
    settings = connect(server.url, server.credentials.token).client.projects.get(project_id(server, f"{project} · p1"))
    assert settings.show_instruction and settings.maximum_annotations == 1
    assert settings.expert_instruction == load_guidelines(ls_root).html and "<h1>peacetalks annotation guidelines</h1>" in settings.expert_instruction
    code, _, err = cli("labelstudio", "push", "--pass", "p1", "--with-annotations", "--root", ls_root.path, *server_args(server, project))
    assert code == 2 and "--pass p1 --with-annotations: a pass's annotator must not see other sets" in err
    assert len(tasks_of(server, f"{project} · p1")["alpha"].annotations) == 0


def test_a_set_made_in_a_pass_by_another_account_than_its_annotator_is_refused_by_pull_by_name(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    args = [*server_args(server, project), "--pass", "p1", "--root", ls_root.path]
    assert cli("labelstudio", "push", *args)[0] == 0
    code, _, err = cli("labelstudio", "pull", *args)
    assert code == 2 and "pass p1 has no annotator: run `peacetalks labelstudio assign --pass p1 --email ADDRESS` first" in err
    ada, bob = "ada.pass@example.org", "bob.pass@example.org"
    assert cli("labelstudio", "assign", "--pass", "p1", "--email", ada, "--root", ls_root.path)[1].startswith("assign: pass p1 is ann1's")
    assert cli("labelstudio", "assign", "--pass", "p2", "--email", bob, "--root", ls_root.path)[1].startswith("assign: pass p2 is ann2's")
    tasks = tasks_of(server, f"{project} · p1")
    def kremlin(doc_id: str) -> list[dict[str, Any]]:
        return results([span_at(ls_root.corpus_text(doc_id).read_text(encoding="utf-8"), "Kremlin", "ORG", "k1")], [], schema)

    LabelStudio(base_url=server.url, api_key=sign_up(server.url, ada, "annotator-pass-1")).annotations.create(tasks["alpha"].id, result=kremlin("alpha"))
    wrong = LabelStudio(base_url=server.url, api_key=sign_up(server.url, bob, "annotator-pass-2")).annotations.create(tasks["bravo"].id, result=kremlin("bravo"))
    before = (ls_root.annotations / "_meta" / "annotators.json").read_bytes()

    code, out, err = cli("labelstudio", "pull", *args)
    assert code == 1
    assert f"pull: refused: bravo: task {tasks['bravo'].id}: pass p1 is assigned to ann1, but annotation {wrong.id} was made by ann2: " \
           "nothing was pulled for this document" in err
    assert "1 files written (alpha), 0 unchanged, 1 refused" in out, err
    assert read_annotation_file(ls_root, "bravo") is None and read_annotation_file(ls_root, "alpha").annotators.keys() == {GOLD, "ann1"}
    assert (ls_root.annotations / "_meta" / "annotators.json").read_bytes() == before
    assert not any("@" in p.read_text(encoding="utf-8") for p in ls_root.annotations.rglob("*.json"))


@pytest.mark.parametrize(("stop", "ignored"), [("SIGINT", False), ("SIGTERM", False), ("SIGINT", True)])
def test_start_moves_to_a_free_port_prints_the_url_and_stops_on_ctrl_c_or_sigterm(labelstudio_server: Server, tmp_path: Path,
                                                                                  stop: str, ignored: bool) -> None:
    """SIGTERM (a service manager's stop, `kill`) must stop the server too: it runs in its own session. So must SIGINT when
    the command was started with it ignored, as `peacetalks labelstudio start &` in a script starts it."""
    import os
    import signal
    import subprocess
    import sys

    from conftest import LS_TEMPLATE
    from peacetalks.labelstudio.server import health

    data_dir = tmp_path / "ls"
    shutil.copytree(LS_TEMPLATE, data_dir)
    (data_dir / "server.log").write_text("an earlier start's output\n", encoding="utf-8")
    creds = labelstudio_server.credentials
    busy = labelstudio_server.url.rsplit(":", 1)[1]
    env = os.environ | {"LABEL_STUDIO_USERNAME": creds.username, "LABEL_STUDIO_PASSWORD": creds.password,
                        "LABEL_STUDIO_USER_TOKEN": creds.token, "USERNAME": "stray", "PORT": "1", "DEBUG": "maybe"}
    process = subprocess.Popen([sys.executable, "-m", "peacetalks.cli", "labelstudio", "start", "--root", str(REPO),
                                "--data-dir", str(data_dir), "--port", busy, "--timeout", "900"], env=env, stdout=subprocess.PIPE, text=True,
                               preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignored else None)
    try:
        first = process.stdout.readline()
        assert first.startswith("labelstudio: running at http://127.0.0.1:"), first
        url = first.split()[3]
        assert not url.endswith(f":{busy}") and health(url)
        printed = [process.stdout.readline().rstrip("\n") for _ in range(5)]
        assert printed == [f"  admin login: {creds.username}, password from LABEL_STUDIO_PASSWORD", "  for push and pull, in another terminal:",
                           f"export LABEL_STUDIO_URL={url}", f"export LABEL_STUDIO_API_KEY={creds.token}", "  press Ctrl-C to stop"]
        assert connect(url, creds.token).client.users.whoami().email == creds.username  # the legacy token works
        log = (data_dir / "server.log").read_text(encoding="utf-8")
        assert log.startswith("an earlier start's output\n--- peacetalks labelstudio start, ")  # appended, not overwritten
    finally:
        process.send_signal(getattr(signal, stop))
        rest, _ = process.communicate(timeout=60)  # Server.stop gives Label Studio 15 s, then kills it; a loaded machine is slow
    assert process.returncode == 0 and rest.strip().endswith("labelstudio: stopped")
    assert not health(url)


def test_pull_keeps_local_sets_it_did_not_receive_and_never_reuses_their_names(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    alpha = ls_root.corpus_text("alpha").read_text(encoding="utf-8")
    local = read_annotation_file(ls_root, "alpha")
    from_elsewhere = AnnotationSet(provenance=Provenance(annotator="ann1", method="plain-text pass"), spans=[span_at(alpha, "Kyiv", "GPE", "x1")])
    write_annotation_file(ls_root, local.model_copy(update={"annotators": {**local.annotators, "ann1": from_elsewhere}}))
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    annotator = LabelStudio(base_url=server.url, api_key=sign_up(server.url, "second.pass@example.org", "annotator-pass-5"))
    annotator.annotations.create(tasks_of(server, project)["alpha"].id, result=results([span_at(alpha, "Kremlin", "ORG", "k1")], [], schema))

    assert cli("labelstudio", "pull", "--root", ls_root.path, *server_args(server, project))[0] == 0
    pulled = read_annotation_file(ls_root, "alpha")
    assert pulled.annotators.keys() == {GOLD, "ann1", "ann2"}
    assert pulled.annotators["ann1"] == from_elsewhere and pulled.annotators[GOLD] == local.annotators[GOLD]
    assert [s.text for s in pulled.annotators["ann2"].spans] == ["Kremlin"]
