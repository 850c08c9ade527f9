"""Issue 12, schema and validator: nothing hostile let in through the schema or an annotation file, nothing lost.

Every test here reproduces an adversarial trial: the schema refuses what would inject into the Label
Studio config or be silently merged by name, every rule works from what the schema declares (not from
a layer or label name), annotation files are read as written (no coercion, no newer schema), and no
input makes validate or schema raise a traceback.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import annotation_data, only_document
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetalks.labelstudio import Server
from peacetalks.schema import LabelDef, LayerDef, RelationDef, Schema, label_config, load_schema
from peacetalks.storage import Root, sha256_text, write_text_atomic
from peacetalks.validate import validate_root

CLI = Callable[..., tuple[int, str, str]]
DOC = "doc1"
TEXT = "Trump said: “We want peace now.” Putin agreed with Trump in Moscow."


def read_schema(root: Root) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root.schema_dir / "schema.json").read_text(encoding="utf-8"))
    return data


def write_schema(root: Root, data: dict[str, Any]) -> None:
    write_text_atomic(root.schema_dir / "schema.json", json.dumps(data, ensure_ascii=False, indent=1))


def edited_schema(root: Root, edit: Callable[[dict[str, Any]], None]) -> None:
    data = read_schema(root)
    edit(data)
    write_schema(root, data)


def layer(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in data["layers"] if item["name"] == name)
    return found


def span(sid: str, start: int, end: int, label: str) -> dict[str, Any]:
    return {"id": sid, "start": start, "end": end, "label": label, "text": TEXT[start:end]}


def gold(spans: list[dict[str, Any]], relations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"provenance": {"annotator": "gold", "method": "adjudication"}, "spans": spans, "relations": relations}


def complete_gold(quote: str = "QUOTE", source: str = "SOURCE", cue: str = "CUE", source_relation: str = "source") -> dict[str, Any]:
    """Every entity mention of TEXT, its quote with source and cue: valid under the committed schema."""
    return gold([span("e1", 0, 5, "PERSON"), span("e2", 33, 38, "PERSON"), span("e3", 51, 56, "PERSON"), span("e4", 60, 66, "GPE"),
                 span("a1", 0, 5, source), span("a2", 6, 10, cue), span("a3", 13, 31, quote)],
                [{"id": "r1", "head": "a3", "tail": "a1", "label": source_relation}, {"id": "r2", "head": "a3", "tail": "a2", "label": "cue"}])


def annotation_file(aset: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    return annotation_data(DOC, TEXT, aset or complete_gold(), **overrides)


@pytest.fixture
def root(tmp_root: Root) -> Root:
    """The repository's schema and corpus, with one document (TEXT) and no annotation file."""
    return only_document(tmp_root, DOC, TEXT)


def write_file(root: Root, data: dict[str, Any] | str, name: str = DOC) -> Path:
    path = root.annotations / f"{name}.json"
    write_text_atomic(path, data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    return path


def problems(root: Root) -> list[str]:
    return [str(p) for p in validate_root(root, load_schema(root))]


def test_the_committed_schema_and_the_example_file_are_valid(root: Root) -> None:
    write_file(root, annotation_file())
    assert problems(root) == []


# --- 1. the schema cannot inject into the Label Studio config --------------------------------


INJECTED_LAYER = 'entity" toName="text"><Choice value="injected"/></Labels><Labels name="x'


def refused_injection(root: Root, cli: CLI, *command: str | Path) -> None:
    edited_schema(root, lambda data: layer(data, "entity").update(name=INJECTED_LAYER))
    code, _, err = cli(*command, "--root", root.path)
    assert code == 2
    assert f"{root.schema_dir / 'schema.json'}: does not match Schema: layers.0.name: String should match pattern" in err
    assert "injected" not in (root.schema_dir / "labelstudio.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [("schema",), ("schema", "check"), ("validate",)])
def test_a_layer_name_with_xml_in_it_is_refused_by_every_command(root: Root, cli: CLI, command: tuple[str, ...]) -> None:
    refused_injection(root, cli, *command)


def test_labelstudio_push_refuses_a_layer_name_with_xml_in_it(root: Root, cli: CLI, labelstudio_server: Server) -> None:
    server = labelstudio_server
    refused_injection(root, cli, "labelstudio", "push", "--url", server.url, "--api-key", server.credentials.token, "--project", "hostile-schema")


@pytest.mark.parametrize(("where", "value"), [
    (("labels", 0, "name"), 'PERSON" background="#000'), (("labels", 0, "color"), '#e6194b" hotkey="z'),
    (("labels", 0, "hotkey"), 'p"/><Label value="X'), (("relations",), [{"name": 'a"/><b c="', "head": ["PERSON"], "tail": ["PERSON"], "description": "x"}]),
    (("labels", 0, "description"), "a hint\u0007 with a control character"),
])
def test_every_value_that_reaches_the_config_matches_a_strict_pattern(root: Root, cli: CLI, where: tuple[Any, ...], value: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        target = layer(data, "entity")
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value

    edited_schema(root, edit)
    code, _, err = cli("schema", "--root", root.path)
    assert code == 2 and "schema.json: does not match Schema: layers.0." in err


XML_SAFE = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(layer_name=XML_SAFE, label=XML_SAFE, hint=XML_SAFE, relation=XML_SAFE)
def test_the_config_builder_escapes_every_attribute_whatever_the_names(layer_name: str, label: str, hint: str, relation: str) -> None:
    """Built past the schema's patterns (model_construct), the XML still holds exactly the names given."""
    defs = LabelDef.model_construct(name=label, hotkey="p", color="#000000", description=hint, examples=[], export=True, role=None)
    rel = RelationDef.model_construct(name=relation, head=[label], tail=[label], description="", role=None)
    layer_def = LayerDef.model_construct(name=layer_name, description="", complete_mentions=False, labels=[defs], relations=[rel])
    schema = Schema.model_construct(name="x", version="1.0.0", description="", layers=[layer_def], rules=[], renames=[])
    view = ET.fromstring(label_config(schema).split("\n", 1)[1])
    labels = view.findall("Labels")
    assert [(c.get("name"), c.get("toName")) for c in labels] == [(layer_name, "text")]
    assert [(x.get("value"), x.get("hint")) for x in labels[0]] == [(label, hint)]
    assert [x.get("value") for x in view.iter("Relation")] == [relation]
    assert [child.tag for child in view] == ["Header", "Header", "Labels", "Text", "Relations"]  # the layer's heading, then its view
    assert view[1].get("value") == f"Layer {layer_name}: "


# --- 2. duplicates are refused when the schema is loaded ----------------------------------------


def add_label(layer_name: str, **label: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        base = {"name": "EXTRA", "hotkey": "9", "color": "#123456", "description": "d", "examples": []}
        layer(data, layer_name)["labels"].append({**base, **label})
    return edit


DUPLICATES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "layer": (lambda data: data["layers"].append(dict(layer(data, "entity"))), "layer 'entity' is declared 2 times"),
    "label in one layer": (add_label("entity", name="PERSON"), "label 'PERSON' is declared 2 times"),
    "label in two layers": (add_label("attribution", name="GPE"), "label 'GPE' is declared 2 times"),
    "hotkey": (add_label("entity", hotkey="p"), "hotkey 'p' is declared 2 times"),
    "relation": (lambda data: layer(data, "attribution")["relations"].append(dict(layer(data, "attribution")["relations"][0])),
                 "relation 'source' is declared 2 times"),
    "rule": (lambda data: data["rules"].append(dict(data["rules"][0])), "rule 'file-json' is declared 2 times"),
}


@pytest.mark.parametrize("kind", sorted(DUPLICATES))
def test_a_duplicate_name_is_refused_naming_the_schema_file_and_the_duplicate(root: Root, cli: CLI, kind: str) -> None:
    edit, message = DUPLICATES[kind]
    edited_schema(root, edit)
    for command in (("schema", "check"), ("validate",), ("build", "--out", root.path / "release")):
        code, _, err = cli(*command, "--root", root.path)
        assert code == 2, command
        assert err.startswith(f"peacetalks {command[0]}: error: {root.schema_dir / 'schema.json'}: does not match Schema: ")
        assert message in err


def test_a_relation_end_that_is_not_a_declared_label_is_refused(root: Root, cli: CLI) -> None:
    edited_schema(root, lambda data: layer(data, "attribution")["relations"][0].update(tail=["SPEAKER"]))
    code, _, err = cli("schema", "check", "--root", root.path)
    assert code == 2 and "relation 'source': tail label 'SPEAKER' is not declared" in err


def test_renaming_a_label_to_a_name_outside_the_pattern_is_refused_not_a_traceback(root: Root, cli: CLI) -> None:
    version = load_schema(root).version
    code, _, err = cli("schema", "rename", "PERSON", 'PER" x="', "--root", root.path)
    assert code == 2 and "cannot rename 'PERSON' to 'PER\" x=\"'" in err and "String should match pattern" in err
    assert load_schema(root).version == version


# --- 3. every rule works from the schema, not from a name --------------------------------------------


def test_renaming_the_entity_layer_keeps_complete_entity_mention_checking(root: Root, cli: CLI) -> None:
    edited_schema(root, lambda data: layer(data, "entity").update(name="names"))
    assert cli("schema", "--root", root.path)[0] == 0
    aset = complete_gold()
    aset["spans"] = [s for s in aset["spans"] if s["id"] != "e3"]
    write_file(root, annotation_file(aset))
    assert problems(root) == [
        'annotations/doc1.json: doc1: gold/chars 51-56: complete-entity-mention: "Trump" is annotated elsewhere but not here']


def test_a_layer_without_complete_mentions_is_not_checked_for_them(root: Root) -> None:
    edited_schema(root, lambda data: layer(data, "entity").update(complete_mentions=False))
    aset = complete_gold()
    aset["spans"] = [s for s in aset["spans"] if s["id"] != "e3"]
    write_file(root, annotation_file(aset))
    assert problems(root) == []


def test_renamed_quote_labels_and_relation_keep_complete_quote_checking(root: Root, cli: CLI) -> None:
    for old, new in (("QUOTE", "SPEECH"), ("NOT_SPEECH", "SCARE")):
        assert cli("schema", "rename", old, new, "--root", root.path)[0] == 0

    def rename_relation(data: dict[str, Any]) -> None:
        layer(data, "attribution")["relations"][0]["name"] = "speaker"
    edited_schema(root, rename_relation)
    assert cli("schema", "--root", root.path)[0] == 0
    text = TEXT + " The “peace through strength” plan."
    write_text_atomic(root.corpus_text(DOC), text)
    aset = complete_gold(quote="SPEECH", source_relation="speaker")
    aset["relations"] = [r for r in aset["relations"] if r["label"] != "speaker"]
    write_file(root, annotation_file(aset, schema_version="3.0.0", text_sha256=sha256_text(text)))
    assert text.index("peace through") == 73
    assert problems(root) == [
        'annotations/doc1.json: doc1: gold/chars 73-95: complete-quote: quoted "peace through strength" is neither SPEECH nor SCARE',
        'annotations/doc1.json: doc1: gold/span a3: complete-quote: SPEECH "We want peace now." has no speaker relation']


def test_preannotation_suggests_the_labels_that_play_the_quote_roles(root: Root, cli: CLI) -> None:
    from peacetalks.preannotate import preannotate

    assert cli("schema", "rename", "QUOTE", "SPEECH", "--root", root.path)[0] == 0
    aset = preannotate(TEXT, {}, load_schema(root))
    assert sorted(s.label for s in aset.spans) == ["CUE", "SOURCE", "SPEECH"]


def test_a_layer_declaring_overlap_is_refused_because_no_layer_may_overlap(root: Root, cli: CLI) -> None:
    """The field was never read: every layer forbids overlap (GUIDELINES §1, one BIO column per layer), attribution too."""
    aset = complete_gold()
    aset["spans"].append(span("a4", 6, 11, "CUE"))
    write_file(root, annotation_file(aset))
    assert problems(root) == ['annotations/doc1.json: doc1: gold/span a4: span-overlap: "said:" overlaps a2 "said" in layer attribution']
    edited_schema(root, lambda data: layer(data, "attribution").update(overlap="allowed"))
    code, _, err = cli("validate", "--root", root.path)
    assert code == 2 and "layers.1.overlap: Extra inputs are not permitted" in err


# --- 5. annotation files are read as written ------------------------------------------------------


@pytest.mark.parametrize("start", ['"23"', "65.0", "true"])
def test_an_offset_that_is_not_a_json_integer_is_refused_not_coerced(root: Root, start: str) -> None:
    body = json.dumps(annotation_file()).replace('"start": 33', f'"start": {start}', 1)
    write_file(root, body)
    assert problems(root) == ["annotations/doc1.json: doc1: file: file-shape: annotators.gold.spans.1.start: Input should be a valid integer"]


def test_a_file_written_by_a_newer_minor_schema_is_refused(root: Root) -> None:
    write_file(root, annotation_file(schema_version="1.2.0"))
    assert problems(root) == ["annotations/doc1.json: doc1: file: schema-version: annotated with schema 1.2.0, newer than this schema "
                              f"{load_schema(root).version} (update schema/schema.json)"]


def test_migrate_refuses_to_move_a_newer_file_back(root: Root, cli: CLI) -> None:
    path = write_file(root, annotation_file(schema_version="1.2.0"))
    before = path.read_bytes()
    code, _, err = cli("schema", "migrate", "--root", root.path)
    assert code == 2 and f"annotations/doc1.json: schema-version: annotated with schema 1.2.0, newer than this schema {load_schema(root).version}" in err
    assert path.read_bytes() == before


# --- 6. no traceback: hostile files become problems or refusals naming the file ----------------------


def test_an_annotation_file_that_is_a_directory_is_a_problem(root: Root, cli: CLI) -> None:
    (root.annotations / f"{DOC}.json").mkdir()
    code, out, _ = cli("validate", "--root", root.path)
    assert code == 1 and "annotations/doc1.json: doc1: file: file-json: is a folder, expected a file" in out


def test_an_annotation_file_that_is_a_dangling_symlink_is_a_problem(root: Root, cli: CLI) -> None:
    os.symlink(root.path / "gone.json", root.annotations / f"{DOC}.json")
    code, out, _ = cli("validate", "--root", root.path)
    assert code == 1 and "annotations/doc1.json: doc1: file: file-json: missing (a dangling symbolic link)" in out


def test_a_lone_surrogate_in_a_span_text_is_a_problem_naming_the_span(root: Root) -> None:
    write_file(root, json.dumps(annotation_file()).replace('"text": "Putin"', '"text": "Put\\ud800"', 1))
    assert problems(root) == ["annotations/doc1.json: doc1: file: file-shape: annotators.gold.spans.1.text: "
                              "Value error, lone surrogate U+D800 at character 3 is not a Unicode character"]


def test_json_nested_200k_deep_is_a_file_json_problem(root: Root) -> None:
    write_file(root, "[" * 200_000 + "]" * 200_000)
    assert problems(root) == ["annotations/doc1.json: doc1: file: file-json: arrays or objects nested too deeply: line 1 column 1 (char 0)"]


def test_a_clean_text_that_cannot_be_read_is_a_doc_exists_problem(root: Root) -> None:
    write_file(root, annotation_file())
    root.corpus_text(DOC).write_bytes(b"\xff not utf-8")
    assert problems(root) == ["annotations/doc1.json: doc1: file: doc-exists: corpus/doc1.txt is not UTF-8: "
                              "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"]


def test_a_file_name_that_is_not_utf8_is_reported_printably(root: Root) -> None:
    write_file(root, annotation_file(), name=os.fsdecode(b"\xff"))
    shown = problems(root)
    assert shown == ["annotations/\\udcff.json: doc1: file: file-name: file is named '\\udcff' but holds document 'doc1'"]
    assert shown[0].encode("utf-8")


@pytest.mark.parametrize(("hostile", "message"), [
    (lambda path: path.write_text("[" * 200_000 + "]" * 200_000), "not valid JSON: arrays or objects nested too deeply"),
    (lambda path: (path.unlink(), path.mkdir()), "is a folder, expected a file"),
    (lambda path: path.write_text(re.sub(r'"version": "[^"]*"', f'"version": "{"9" * 5000}.0.0"', path.read_text(), count=1)), "version: String should match pattern"),
    (lambda path: path.write_text(path.read_text().replace('"layers": [', '"layers": [], "x": [', 1)), "layers: List should have at least 1 item"),
    (lambda path: path.write_text(path.read_text().replace('"export": false', '"export": "no"')), "export: Input should be a valid boolean"),
])
def test_a_hostile_schema_file_is_refused_naming_it(root: Root, cli: CLI, hostile: Callable[[Path], Any], message: str) -> None:
    path = root.schema_dir / "schema.json"
    hostile(path)
    for command in ("schema", "validate"):
        code, _, err = cli(command, "--root", root.path)
        assert code == 2 and err.startswith(f"peacetalks {command}: error: {path}: ") and message in err
