"""The annotation schema: one data file, and everything generated from it.

``schema/schema.json`` is the single source of truth for labels, layers,
relations and validation rules. The Label Studio config and the JSON Schema of
annotation files are generated from it, committed, and checked for staleness.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel, ConfigDict

from .models import AnnotationFile, SemVer
from .storage import PeacetalksError, Root, canonical_json, read_model, sync_files, write_text_atomic

SCHEMA_FILE = "schema.json"
LABEL_CONFIG_FILE = "labelstudio.xml"
JSON_SCHEMA_FILE = "annotation-file.schema.json"
TEXT_CONTROL = "text"


class LabelDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    hotkey: str
    color: str
    description: str
    examples: list[str]
    export: bool = True


class RelationDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    head: list[str]
    tail: list[str]
    description: str


class LayerDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str
    overlap: str
    labels: list[LabelDef]
    relations: list[RelationDef]

    @cached_property
    def exported_labels(self) -> list[str]:
        return [label.name for label in self.labels if label.export]


class RuleDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    description: str


class RenameDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    old: str
    new: str
    since: SemVer


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: SemVer
    description: str
    layers: list[LayerDef]
    rules: list[RuleDef]
    renames: list[RenameDef]

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @cached_property
    def layer_of(self) -> dict[str, str]:
        """Label name → layer name."""
        return {label.name: layer.name for layer in self.layers for label in layer.labels}

    @cached_property
    def relations(self) -> dict[str, RelationDef]:
        return {rel.name: rel for layer in self.layers for rel in layer.relations}

    def layer(self, name: str) -> LayerDef:
        return next(layer for layer in self.layers if layer.name == name)

    def rule(self, rule_id: str) -> RuleDef:
        return next(rule for rule in self.rules if rule.id == rule_id)


def load_schema(root: Root) -> Schema:
    return read_model(root.schema_dir / SCHEMA_FILE, Schema)


# --- generated artefacts ---------------------------------------------------


def label_config(schema: Schema) -> str:
    """The Label Studio labeling config: one Labels control per layer over one text, plus relations."""
    lines = [f"<!-- Generated from schema/{SCHEMA_FILE} v{schema.version} by `peacetalks schema`; do not edit. -->", "<View>"]
    lines.append('  <Header value="$title"/>')
    for layer in schema.layers:
        lines.append(f'  <Labels name="{layer.name}" toName="{TEXT_CONTROL}" choice="single">')
        for label in layer.labels:
            attrs = f"value={quoteattr(label.name)} background={quoteattr(label.color)} hotkey={quoteattr(label.hotkey)} hint={quoteattr(label.description)}"
            lines.append(f"    <Label {attrs}/>")
        lines.append("  </Labels>")
    lines.append(f'  <Text name="{TEXT_CONTROL}" value="$text" granularity="symbol"/>')
    lines.append("  <Relations>")
    lines.extend(f"    <Relation value={quoteattr(name)}/>" for name in schema.relations)
    lines.append("  </Relations>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def annotation_json_schema(schema: Schema) -> str:
    """JSON Schema of annotation files, with the schema's labels as enums."""
    document = AnnotationFile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = f"{schema.name} annotation file (schema v{schema.version})"
    document["$defs"]["Span"]["properties"]["label"]["enum"] = list(schema.layer_of)
    document["$defs"]["Relation"]["properties"]["label"]["enum"] = list(schema.relations)
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def generated_artefacts(root: Root, schema: Schema) -> dict[Path, str]:
    return {
        root.schema_dir / LABEL_CONFIG_FILE: label_config(schema),
        root.schema_dir / JSON_SCHEMA_FILE: annotation_json_schema(schema),
    }


def stale_artefacts(root: Root, schema: Schema) -> list[Path]:
    return sync_files(generated_artefacts(root, schema), check=True)


def write_artefacts(root: Root, schema: Schema) -> list[Path]:
    return sync_files(generated_artefacts(root, schema))


# --- evolution -------------------------------------------------------------


def bump(version: str, part: str) -> str:
    major, minor, patch = (int(x) for x in version.split("."))
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def rename_label(root: Root, old: str, new: str) -> Schema:
    """Rename a label in the schema (a major bump) and record it so annotation files can migrate."""
    schema = load_schema(root)
    if old not in schema.layer_of:
        raise PeacetalksError(f"{root.schema_dir / SCHEMA_FILE}: no label {old!r} to rename")
    if new in schema.layer_of:
        raise PeacetalksError(f"{root.schema_dir / SCHEMA_FILE}: label {new!r} exists already")
    data = schema.model_dump()
    for layer in data["layers"]:
        for label in layer["labels"]:
            if label["name"] == old:
                label["name"] = new
        for relation in layer["relations"]:
            relation["head"] = [new if x == old else x for x in relation["head"]]
            relation["tail"] = [new if x == old else x for x in relation["tail"]]
    data["version"] = bump(schema.version, "major")
    data["renames"].append({"old": old, "new": new, "since": data["version"]})
    updated = Schema.model_validate(data)
    write_text_atomic(root.schema_dir / SCHEMA_FILE, canonical_json(updated.model_dump()) + "\n")
    return updated
