"""The schema is data; the Label Studio config and JSON Schema are generated from it and kept current."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from label_studio_sdk.label_interface import LabelInterface

from peacetalks.annotations import read_annotation_file, write_annotation_file
from peacetalks.models import AnnotationFile, AnnotationSet, Provenance, Span
from peacetalks.schema import JSON_SCHEMA_FILE, LABEL_CONFIG_FILE, bump, label_config, load_schema, stale_artefacts
from peacetalks.storage import Root, sha256_text, write_text_atomic


def test_generated_artefacts_are_current(repo_root: Root) -> None:
    assert stale_artefacts(repo_root, load_schema(repo_root)) == []


def test_every_label_has_a_description_examples_and_a_unique_hotkey(repo_root: Root) -> None:
    labels = [label for layer in load_schema(repo_root).layers for label in layer.labels]
    assert all(label.description and label.examples for label in labels)
    assert len({label.hotkey for label in labels}) == len(labels)


def test_label_studio_reads_both_layers_each_on_its_own_view_and_the_relations(repo_root: Root) -> None:
    schema = load_schema(repo_root)
    interface = LabelInterface(label_config(schema))
    controls = {control.name: control for control in interface.controls}
    for layer in schema.layers:
        assert controls[layer.name].labels == [label.name for label in layer.labels]
        assert controls[layer.name].to_name == [schema.view_of[layer.name]]  # a view of its own: a click selects this layer's regions
    assert sorted(o.name for o in interface.objects) == sorted(schema.view_of.values()) == ["attribution_text", "text"]
    assert {o.value for o in interface.objects} == {"$text"}  # every view shows the one text, so offsets are the same on each
    xml = (repo_root.schema_dir / LABEL_CONFIG_FILE).read_text(encoding="utf-8")
    assert all(f'<Relation value="{name}"/>' in xml for name in schema.relations)
    assert 'hotkey="p"' in xml and 'background="#e6194b"' in xml and "hint=" in xml


def annotation(label: str = "PERSON", version: str = "1.0.0") -> AnnotationFile:
    text = "Putin spoke."
    spans = [Span(id="s1", start=0, end=5, label=label, text="Putin")]
    aset = AnnotationSet(provenance=Provenance(annotator="gold", method="adjudication"), spans=spans)
    return AnnotationFile(document_id="d1", text_sha256=sha256_text(text), schema_version=version, annotators={"gold": aset})


def test_the_json_schema_accepts_a_good_file_and_rejects_an_unknown_label(repo_root: Root) -> None:
    document: dict[str, Any] = json.loads((repo_root.schema_dir / JSON_SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.validate(annotation().model_dump(mode="json"), document)
    with pytest.raises(jsonschema.ValidationError, match="'CITY' is not one of"):
        jsonschema.validate(annotation("CITY").model_dump(mode="json"), document)


def test_editing_the_schema_makes_the_artefacts_stale(tmp_root: Root, cli: Any) -> None:
    path = tmp_root.schema_dir / "schema.json"
    write_text_atomic(path, path.read_text(encoding="utf-8").replace("Monetary values", "Amounts of money"))
    assert cli("schema", "check", "--root", tmp_root.path)[0] == 1
    assert cli("validate", "--root", tmp_root.path)[0] == 1
    assert cli("schema", "--root", tmp_root.path)[0] == 0
    assert cli("schema", "check", "--root", tmp_root.path)[0] == 0


def test_renaming_a_label_bumps_major_and_migrate_rewrites_annotation_files(tmp_root: Root, cli: Any) -> None:
    write_annotation_file(tmp_root, annotation("PERSON"))
    code, out, _ = cli("schema", "rename", "PERSON", "PER", "--root", tmp_root.path)
    assert code == 0 and "version 2.0.0" in out
    schema = load_schema(tmp_root)
    assert schema.version == "2.0.0" and "PER" in schema.layer_of and "PERSON" not in schema.layer_of
    assert [(r.old, r.new, r.since) for r in schema.renames] == [("PERSON", "PER", "2.0.0")]
    assert stale_artefacts(tmp_root, schema) == []
    assert cli("schema", "migrate", "--root", tmp_root.path)[0] == 0
    migrated = read_annotation_file(tmp_root, "d1")
    assert migrated is not None and migrated.schema_version == "2.0.0"
    assert [s.label for s in migrated.annotators["gold"].spans] == ["PER"]


def test_renaming_to_an_existing_label_is_refused(tmp_root: Root, cli: Any) -> None:
    code, _, err = cli("schema", "rename", "PERSON", "ORG", "--root", tmp_root.path)
    assert code == 2 and "label 'ORG' exists already" in err


@pytest.mark.parametrize(("part", "expected"), [("major", "2.0.0"), ("minor", "1.3.0"), ("patch", "1.2.4")])
def test_version_bumps_follow_semver(part: str, expected: str) -> None:
    assert bump("1.2.3", part) == expected


def test_a_layer_named_like_a_text_view_is_refused(repo_root: Root) -> None:
    """Label Studio names controls and views in one namespace: a layer called like a view would clash with it."""
    from pydantic import ValidationError

    from peacetalks.schema import Schema

    data = load_schema(repo_root).model_dump()
    extra = dict(data["layers"][0], name="attribution_text", labels=[dict(data["layers"][0]["labels"][0], name="EXTRA", hotkey="z")])
    with pytest.raises(ValidationError, match="layer 'attribution_text' would clash with the Label Studio text view 'attribution_text'"):
        Schema.model_validate({**data, "layers": [*data["layers"], extra]})
