"""Label Studio without a server: credentials, the server's environment, pull's summary, the export read as it arrives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetalks.labelstudio.export import NotAJSONArray, array_items


# --- the server's credentials and environment (no server needed) ------------------------------------


def test_credentials_come_from_the_environment_or_are_generated_once_and_kept_in_the_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from peacetalks.labelstudio.server import CREDENTIALS_FILE, Credentials, child_environment

    for key in ("USERNAME", "PASSWORD", "USER_TOKEN"):
        monkeypatch.delenv(f"LABEL_STUDIO_{key}", raising=False)
    generated, fresh = Credentials.from_env_or_new(tmp_path)
    assert fresh and 6 <= len(generated.token) <= 40 and "@" in generated.username
    assert (tmp_path / CREDENTIALS_FILE).stat().st_mode & 0o777 == 0o600
    assert Credentials.from_env_or_new(tmp_path) == (generated, False)  # the admin exists now: same credentials

    monkeypatch.setenv("LABEL_STUDIO_USERNAME", "lead@example.org")
    monkeypatch.setenv("LABEL_STUDIO_PASSWORD", "lead-pass-123")
    monkeypatch.setenv("LABEL_STUDIO_USER_TOKEN", "lead-token-123456")
    from_env, fresh = Credentials.from_env_or_new(tmp_path)
    assert not fresh and from_env == Credentials("lead@example.org", "lead-pass-123", "lead-token-123456")

    for stray in ("USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG"):
        monkeypatch.setenv(stray, "stray")
    env = child_environment(tmp_path, from_env)
    assert not {"USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG"} & env.keys()
    assert env["LABEL_STUDIO_USER_TOKEN"] == "lead-token-123456" and env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert (env["LATEST_VERSION_CHECK"], env["COLLECT_ANALYTICS"], env["SENTRY_DSN"]) == ("false", "false", "")


def test_a_pull_summary_names_at_most_ten_documents() -> None:
    from peacetalks.labelstudio import PullReport

    report = PullReport(tasks=12, written=[f"doc{i:02d}" for i in range(12)])
    assert report.summary() == ("pull: 12 tasks, 0 annotations by 0 annotators; 12 files written "
                                "(doc00, doc01, doc02, doc03, doc04, doc05, doc06, doc07, doc08, doc09, … (+2 more)), 0 unchanged, 0 refused")


# --- the export, parsed as it arrives --------------------------------------------------------

INT64 = st.integers(1 - 2**63, 2**63 - 1)  # what a server's ids are; a larger number is refused (MALFORMED)
TASKS = st.lists(st.fixed_dictionaries({"id": INT64, "data": st.dictionaries(st.text(max_size=3), st.text("a\"\\ 🇺é,[]{}\n", max_size=8))}),
                 max_size=5)


@settings(max_examples=300, deadline=None)
@given(TASKS, st.lists(st.integers(0, 400), max_size=8), st.sampled_from([0, 2]))
def test_the_export_is_read_item_by_item_from_chunks_cut_anywhere(tasks: list[dict[str, Any]], cuts: list[int], indent: int) -> None:
    raw = json.dumps(tasks, ensure_ascii=False, indent=indent or None).encode()  # cuts may split a UTF-8 character
    bounds = [0, *sorted(c % (len(raw) + 1) for c in cuts), len(raw)]
    assert list(array_items(raw[a:b] for a, b in zip(bounds, bounds[1:]))) == tasks
    with pytest.raises(NotAJSONArray):
        list(array_items([raw[:-1]]))


MALFORMED = {  # an answer, cut in chunks as it arrives → the refusal: what is wrong, and where
    "an HTML page": ([b"<!DOCTYPE html><html><body>Log in</body></html>"],
                     "not a JSON array of records: expected a JSON array at character 0 (near '<!DOCTYPE html><html><body>Log in</body>')"),
    "an object after whitespace": ([b"\n  ", b' {"detail": "Not found"}'],
                                   "not a JSON array of records: expected a JSON array at character 4 (near '{\"detail\": \"Not found\"}')"),
    "an empty answer": ([], "not a JSON array of records: expected a JSON array at character 0 (the answer ends there)"),
    "whitespace only": ([b" \n", b"\t"], "not a JSON array of records: expected a JSON array at character 3 (the answer ends there)"),
    "a truncated array": ([b'[{"id": 1}, ', b'{"id": 2, "data": {"te'], "not a JSON array of records: parse error: premature EOF at byte 34, the end"),
    "bytes that are not UTF-8 before the array": ([b"\xff\xfe[]"], "not a JSON array of records: expected a JSON array at character 0 (near '\ufffd\ufffd[]')"),
    "bytes that are not UTF-8 in a string": ([b'[{"id": 1}, ', b'{"text": "\xff"}]'],
                                             "not UTF-8 JSON: lexical error: invalid bytes in UTF8 string in bytes 12-26 (near '{\"text\": \"\ufffd\"}]')"),
    "a missing comma": ([b'[{"id": 1} {"id": 2}]'],
                        "not a JSON array of records: parse error: after array element, I expect ',' or ']' in bytes 0-21 (near '[{\"id\": 1} {\"id\": 2}]')"),
    "something after the array": ([b'[{"id": 1}] <p>'], "not a JSON array of records: parse error: trailing garbage in bytes 0-15 (near '[{\"id\": 1}] <p>')"),
    "a number past 64 bits": ([b'[{"id": 9223372036854775808}]'],
                              "not a JSON array of records: parse error: integer overflow in bytes 0-29 (near '[{\"id\": 9223372036854775808}]')"),
    "an item nested past 100 levels": ([b'[{"id": 1}, ' + b'[' * 200_000], "not a JSON array of records: an item nested deeper than 100 levels in bytes 0-65536"),
    "NaN": ([b'[{"id": NaN}]'], "not a JSON array of records: lexical error: invalid char in json text in bytes 0-13 (near '[{\"id\": NaN}]')"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_an_answer_that_is_not_one_json_array_is_refused_saying_what_and_where(case: str) -> None:
    chunks, message = MALFORMED[case]
    with pytest.raises(NotAJSONArray) as refused:
        list(array_items(chunks))
    assert str(refused.value) == message


def test_the_exports_numbers_are_read_as_json_reads_them() -> None:
    raw = b'[{"id": 9223372036854775807, "value": {"start": 1.0, "end": 2.5e1}, "flag": true, "none": null}]'
    assert list(array_items([raw])) == json.loads(raw)
    assert [type(v) for v in next(array_items([raw]))["value"].values()] == [float, float]



@pytest.mark.parametrize(("url", "api_key", "expected"), [
    ("http://localhost:abc", "token", "--url/LABEL_STUDIO_URL 'http://localhost:abc': not a URL"),
    ("http://[::1", "token", "--url/LABEL_STUDIO_URL 'http://[::1': not a URL"),
    ("http://127.0.0.1:1", "é", "--api-key/LABEL_STUDIO_API_KEY: not a Label Studio token"),
    ("http://127.0.0.1:1", "two words", "--api-key/LABEL_STUDIO_API_KEY: not a Label Studio token"),
], ids=["port-not-a-number", "unclosed-bracket", "non-ascii-key", "key-with-space"])
def test_a_malformed_url_or_api_key_is_refused_in_one_line(tmp_path: Path, cli: Any, url: str, api_key: str, expected: str) -> None:
    for action in ("push", "pull"):
        code, out, err = cli("labelstudio", action, "--root", tmp_path, "--url", url, "--api-key", api_key)
        assert code == 2 and out == ""
        assert err == f"peacetalks labelstudio: error: {expected}" + err.split(expected, 1)[1] and "Traceback" not in err
        assert err.count("\n") == 1


# --- passes, the guidelines, a remote server and unfinished work (no server needed) ---------------------


def test_another_bind_address_is_refused_without_a_chosen_admin_password_and_no_data_dir_is_made(
        tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("USERNAME", "PASSWORD", "USER_TOKEN"):
        monkeypatch.delenv(f"LABEL_STUDIO_{key}", raising=False)
    code, _, err = cli("labelstudio", "start", "--host", "0.0.0.0", "--root", tmp_path, "--data-dir", tmp_path / "ls")
    assert code == 2 and err.strip() == (
        "peacetalks labelstudio: error: --host 0.0.0.0: other machines could reach this server; set LABEL_STUDIO_USERNAME, "
        "LABEL_STUDIO_PASSWORD (at least 12 characters, not a generated one kept in a file) and LABEL_STUDIO_USER_TOKEN, "
        "or keep the default 127.0.0.1 and give annotators an SSH tunnel")
    assert not (tmp_path / "ls").exists()
    monkeypatch.setenv("LABEL_STUDIO_USERNAME", "lead@example.org")
    monkeypatch.setenv("LABEL_STUDIO_PASSWORD", "short-pass")
    monkeypatch.setenv("LABEL_STUDIO_USER_TOKEN", "lead-token-123456")
    assert cli("labelstudio", "start", "--host", "0.0.0.0", "--root", tmp_path, "--data-dir", tmp_path / "ls")[0] == 2

    from peacetalks.labelstudio.server import Credentials, child_environment

    creds = Credentials("lead@example.org", "a-long-chosen-password", "lead-token-123456")
    assert child_environment(tmp_path, creds, "0.0.0.0")["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK" not in child_environment(tmp_path, creds)


def test_the_guidelines_version_is_read_from_their_own_header_and_they_render_to_html(tmp_root: Any) -> None:
    from peacetalks.labelstudio.guidelines import load_guidelines
    from peacetalks.storage import PeacetalksError

    guidelines = load_guidelines(tmp_root)
    header = (tmp_root.schema_dir / "GUIDELINES.md").read_text(encoding="utf-8").splitlines()[2]
    assert header.startswith(f"**Guidelines version {guidelines.version} ")
    assert guidelines.html.startswith("<h1>peacetalks annotation guidelines</h1>") and "<table>" in guidelines.html
    (tmp_root.schema_dir / "GUIDELINES.md").write_text("# guidelines\n\nno version here\n", encoding="utf-8")
    with pytest.raises(PeacetalksError, match=r"GUIDELINES.md: no '\*\*Guidelines version X.Y.Z' line in its first 10 lines"):
        load_guidelines(tmp_root)


def test_a_pass_keeps_its_one_annotator_and_an_annotator_has_one_pass(tmp_root: Any, cli: Any) -> None:
    meta = tmp_root.annotations / "_meta"
    code, out, _ = cli("labelstudio", "assign", "--pass", "p1", "--email", " Jane.Doe@Example.org ", "--root", tmp_root.path)
    assert code == 0 and out.startswith("assign: pass p1 is ann")
    jane = out.split()[4][:-2]
    assert json.loads((meta / "passes.json").read_text(encoding="utf-8")) == {"passes": {"p1": jane}}
    assert "jane" not in (meta / "passes.json").read_text(encoding="utf-8").lower()
    assert cli("labelstudio", "assign", "--pass", "p1", "--email", "jane.doe@example.org", "--root", tmp_root.path)[0] == 0  # the same
    code, _, err = cli("labelstudio", "assign", "--pass", "p1", "--email", "max@example.org", "--root", tmp_root.path)
    assert code == 2 and f"pass p1 is assigned to {jane} already; a pass keeps its annotator" in err
    code, _, err = cli("labelstudio", "assign", "--pass", "p2", "--email", "jane.doe@example.org", "--root", tmp_root.path)
    assert code == 2 and f"{jane} is assigned to pass p1 already; one annotator, one pass" in err
    code, _, err = cli("labelstudio", "assign", "--pass", "P 1", "--email", "max@example.org", "--root", tmp_root.path)
    assert code == 2 and "--pass 'P 1': name a pass with a lower-case letter" in err
    code, _, err = cli("labelstudio", "pull", "--pass", "p9", "--root", tmp_root.path, "--url", "http://127.0.0.1:9", "--api-key", "x" * 20)
    assert code == 2 and "pass p9 has no annotator: run `peacetalks labelstudio assign --pass p9 --email ADDRESS` first" in err
    code, _, err = cli("labelstudio", "push", "--pass", "p1", "--project", "x" * 46, "--root", tmp_root.path)
    assert code == 2 and f"the project title '{'x' * 46} · p1' has 51 characters; Label Studio takes 3 to 50" in err
    code, _, err = cli("labelstudio", "start", "--pass", "p1", "--data-dir", tmp_root.path / "ls", "--root", tmp_root.path)
    assert code == 2 and "--pass and --data-dir: give one" in err and not (tmp_root.path / "ls").exists()


def test_a_document_awaiting_gold_is_a_warning_unless_the_check_is_release_ready(tmp_root: Any, cli: Any) -> None:
    from peacetalks.annotations import read_annotation_file, write_annotation_file

    first = sorted(tmp_root.annotations.glob("*.json"))[0].stem
    annotation = read_annotation_file(tmp_root, first)
    gold = annotation.annotators.pop("gold")
    annotation.annotators["ann1"] = gold
    write_annotation_file(tmp_root, annotation)
    code, out, _ = cli("validate", "--root", tmp_root.path)
    assert code == 0
    assert f"annotations/{first}.json: {first}: file: set-gold: warning: no gold set yet (awaiting adjudication)" in out.splitlines()
    code, out, _ = cli("validate", "--release-ready", "--root", tmp_root.path)
    assert code == 1 and f"annotations/{first}.json: {first}: file: set-gold: no gold set" in out.splitlines()


# --- each layer on its own view of the text ------------------------------------------------------------


def test_each_layer_is_drawn_on_its_own_view_there_and_back_and_a_region_on_another_view_is_refused(repo_root: Any) -> None:
    from peacetalks.labelstudio.convert import results_from_set, set_from_results
    from peacetalks.models import AnnotationSet, Provenance, Relation, Span
    from peacetalks.schema import load_schema
    from peacetalks.storage import PeacetalksError

    schema = load_schema(repo_root)
    assert schema.view_of == {"entity": "text", "attribution": "attribution_text"}
    text = "Zelensky said: “No deal.”"
    spans = [Span(id="p1", start=0, end=8, label="PERSON", text="Zelensky"), Span(id="s1", start=0, end=8, label="SOURCE", text="Zelensky"),
             Span(id="q1", start=16, end=24, label="QUOTE", text="No deal.")]
    aset = AnnotationSet(provenance=Provenance(annotator="ann1", method="test"), spans=spans,
                         relations=[Relation(id="q1-source-s1", head="q1", tail="s1", label="source")])
    sent = results_from_set(aset, schema)
    assert [(r["from_name"], r["to_name"]) for r in sent if r["type"] == "labels"] == \
           [("entity", "text"), ("attribution", "attribution_text"), ("attribution", "attribution_text")]
    back = set_from_results([parsed(r) for r in sent], text, schema, aset.provenance)
    assert back.spans == spans and back.relations == aset.relations

    one_view = [r | {"to_name": "text"} for r in sent if r["type"] == "labels"]  # an export made with the one-view config
    assert set_from_results([parsed(r) for r in one_view], text, schema, aset.provenance).spans == spans
    wrong = sent[0] | {"to_name": "attribution_text"}  # a PERSON drawn on the attribution view
    with pytest.raises(PeacetalksError, match="^result p1: a region of layer entity on view 'attribution_text': that layer is "
                                              "labelled on view 'text'"):
        set_from_results([parsed(wrong)], text, schema, aset.provenance)


def parsed(result: dict[str, Any]) -> Any:
    from pydantic import TypeAdapter

    from peacetalks.labelstudio.convert import ExportAnnotation

    return TypeAdapter(ExportAnnotation.model_fields["result"].annotation).validate_python([result], strict=True)[0]


@pytest.mark.parametrize("region_id", ["_5RGzp8agD", "__Xhe-XFEK", "-aB3", "x"])
def test_the_region_ids_label_studio_makes_pull_and_validate_as_they_are(repo_root: Any, region_id: str) -> None:
    """The editor names a drawn region with a nanoid, which may start with "_" or "-": an annotator cannot
    change it, so pull keeps it (it names no file)."""
    from peacetalks.labelstudio.convert import set_from_results
    from peacetalks.models import AnnotationFile, Provenance
    from peacetalks.schema import load_schema

    schema = load_schema(repo_root)
    drawn = {"id": region_id, "type": "labels", "from_name": "entity", "to_name": "text", "origin": "manual",
             "value": {"start": 0, "end": 8, "text": "Zelensky", "labels": ["PERSON"]}}
    pulled = set_from_results([parsed(drawn)], "Zelensky said.", schema, Provenance(annotator="ann1", method="test"))
    assert [span.id for span in pulled.spans] == [region_id]
    stored = AnnotationFile.model_validate_json(AnnotationFile(document_id="d1", text_sha256="0" * 64, schema_version=schema.version, annotators={"ann1": pulled}).model_dump_json())
    assert stored.annotators["ann1"].spans[0].id == region_id


def test_a_pushed_sets_author_is_named_by_the_set_at_a_reserved_domain_and_read_back_as_that_set() -> None:
    from peacetalks.labelstudio.authors import set_email, set_of
    from peacetalks.storage import PeacetalksError

    assert set_email("ann1") == "ann1@sets.peacetalks.invalid" and set_of("ann1@sets.peacetalks.invalid") == "ann1"
    assert set_of("gold@sets.peacetalks.invalid") == "gold"
    assert set_of("ann1@example.org") is None and set_of("../x@sets.peacetalks.invalid") is None
    with pytest.raises(PeacetalksError, match="set 'Gold': Label Studio keeps addresses in lower case"):
        set_email("Gold")


def test_a_start_that_outlasts_its_timeout_says_how_long_it_waited_where_the_log_is_and_to_give_it_longer(tmp_path: Path) -> None:
    import subprocess
    import sys

    from peacetalks.labelstudio.server import wait_until_healthy
    from peacetalks.storage import PeacetalksError

    log = tmp_path / "server.log"
    log.write_text("an earlier start: Starting development server at http://127.0.0.1:1/\n", encoding="utf-8")
    started = log.stat().st_size
    migrating = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # a server still migrating: no URL yet
    try:
        with pytest.raises(PeacetalksError) as refused:
            wait_until_healthy(migrating, log, started, 1.5)
    finally:
        migrating.kill()
        migrating.wait()
    assert str(refused.value) == (f"Label Studio did not become healthy within 1.5 s (log: {log}); a first start migrates its database: "
                                  "on a loaded machine, give it longer with --timeout")
