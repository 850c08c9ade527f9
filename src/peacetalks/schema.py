"""Schema stage, I/O (schema/schema.json and its artefacts): the annotation schema: one data file, and everything generated from it.

``schema/schema.json`` is the single source of truth for labels, layers,
relations and validation rules. The Label Studio config and the JSON Schema of
annotation files are generated from it, committed, and checked for staleness.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from .models import AnnotationFile, SemVer, version_tuple
from .storage import PeacetalksError, Root, canonical_json, read_model, sync_files, validation_errors, write_text_atomic

SCHEMA_FILE = "schema.json"
LABEL_CONFIG_FILE = "labelstudio.xml"
JSON_SCHEMA_FILE = "annotation-file.schema.json"
TEXT_CONTROL = "text"  # the first layer's view, and before issue 15's attribution view the one view of every layer
VIEW_SUFFIX = "_text"  # every other layer labels a view of its own, "<layer>_text" (see Schema.view_of)

# Whatever becomes a name, value or attribute of the Label Studio config, a Parquet column or a BIO tag
# ("B-PERSON") matches a strict pattern; the XML is escaped as well (see ``label_config``).
LayerName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
RelationName = LayerName
LabelName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,31}$")]
Hotkey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]$")]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
NOT_XML = {"Cc", "Cs"}  # control characters and lone surrogates: XML 1.0 cannot hold them, even escaped


def xml_text(value: str) -> str:
    for at, char in enumerate(value):
        if unicodedata.category(char) in NOT_XML or char in "\ufffe\uffff":
            raise ValueError(f"character U+{ord(char):04X} at {at} cannot be written to the Label Studio config")
    return value


Prose = Annotated[str, AfterValidator(xml_text)]

# What the completeness rule and the attribution parts of the pipeline need, marked on labels and relations.
LabelRole = Literal["quote", "not-quote", "source", "cue"]
RelationRole = Literal["source", "cue"]


class SchemaPart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class LabelDef(SchemaPart):
    name: LabelName
    hotkey: Hotkey
    color: Color
    description: Prose
    examples: list[Prose]
    export: bool = True
    role: LabelRole | None = Field(default=None, description="quote: direct speech; not-quote: quoted words that are not; "
                                   "source, cue: the two ends of a quote's attribution")


class RelationDef(SchemaPart):
    name: RelationName
    head: list[LabelName] = Field(min_length=1)
    tail: list[LabelName] = Field(min_length=1)
    description: Prose
    role: RelationRole | None = Field(default=None, description="source: who said a quote; cue: what introduces it")


class LayerDef(SchemaPart):
    name: LayerName
    description: Prose
    complete_mentions: bool = Field(default=False, description="rule complete-entity-mention: a string annotated in this "
                                    "layer is annotated wherever it occurs as a whole word")
    labels: list[LabelDef] = Field(min_length=1)
    relations: list[RelationDef]

    @cached_property
    def exported_labels(self) -> list[str]:
        return [label.name for label in self.labels if label.export]


class RuleDef(SchemaPart):
    id: RuleId
    description: Prose


class RenameDef(SchemaPart):
    old: LabelName
    new: LabelName
    since: SemVer


def repeated(kind: str, names: Iterable[str]) -> list[str]:
    return [f"{kind} {name!r} is declared {count} times" for name, count in Counter(names).items() if count > 1]


class Schema(SchemaPart):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
    version: SemVer
    description: Prose
    layers: list[LayerDef] = Field(min_length=1)
    rules: list[RuleDef]
    renames: list[RenameDef]

    @model_validator(mode="after")
    def names_are_unique_and_declared(self) -> Schema:
        """Refuse what a dict by name would silently merge: each name once, every reference declared."""
        labels = [label for layer in self.layers for label in layer.labels]
        relations = [rel for layer in self.layers for rel in layer.relations]
        problems = [
            *repeated("layer", (layer.name for layer in self.layers)),
            *repeated("label", (label.name for label in labels)),
            *repeated("hotkey", (label.hotkey for label in labels)),
            *repeated("relation", (rel.name for rel in relations)),
            *repeated("rule", (rule.id for rule in self.rules)),
            *repeated("label role", (label.role for label in labels if label.role)),
            *repeated("relation role", (rel.role for rel in relations if rel.role)),
            *(f"layer {layer.name!r} would clash with the Label Studio text view {layer.name!r}" for layer in self.layers
              if layer.name in self.view_of.values()),
            *(f"relation {rel.name!r}: {end} label {name!r} is not declared" for rel in relations
              for end, names in (("head", rel.head), ("tail", rel.tail)) for name in names if name not in self.layer_of),
        ]
        quote = self.label_roles.get("quote")
        problems += [f"relation {rel.name!r} has role {rel.role!r} but its head is not the quote label {quote!r}"
                     for rel in relations if rel.role and (quote is None or quote not in rel.head)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def major(self) -> int:
        return version_tuple(self.version)[0]

    @cached_property
    def layer_of(self) -> dict[str, str]:
        """Label name → layer name."""
        return {label.name: layer.name for layer in self.layers for label in layer.labels}

    @cached_property
    def view_of(self) -> dict[str, str]:
        """Layer name → the Label Studio view (a ``<Text>`` of the same text) its regions are drawn on.

        One view per layer, so a click on a region selects a region of that layer: on one view a click
        on a SOURCE lying over a PERSON selects the innermost region, and a relation lands on the PERSON.
        The first layer keeps ``text``, the name of the one view every layer shared before.
        """
        return {layer.name: TEXT_CONTROL if at == 0 else f"{layer.name}{VIEW_SUFFIX}" for at, layer in enumerate(self.layers)}

    @cached_property
    def relations(self) -> dict[str, RelationDef]:
        return {rel.name: rel for layer in self.layers for rel in layer.relations}

    @cached_property
    def label_roles(self) -> dict[str, str]:
        """Role → the one label that plays it."""
        return {label.role: label.name for layer in self.layers for label in layer.labels if label.role}

    @cached_property
    def relation_roles(self) -> dict[str, str]:
        """Role → the one relation that plays it."""
        return {rel.role: rel.name for rel in self.relations.values() if rel.role}

    @cached_property
    def mention_labels(self) -> frozenset[str]:
        """Labels of the layers whose every mention is annotated (``complete_mentions``)."""
        return frozenset(label.name for layer in self.layers if layer.complete_mentions for label in layer.labels)


def load_schema(root: Root) -> Schema:
    return read_model(root.schema_dir / SCHEMA_FILE, Schema)


# --- generated artefacts ---------------------------------------------------


def label_config(schema: Schema) -> str:
    """The Label Studio labeling config: per layer, a header naming it, its Labels control and its own view of the
    text (``Schema.view_of``); then the relations, drawn between regions of any view.

    Built with ElementTree, which escapes every attribute value, on top of the schema's name patterns.
    """
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="$title")
    for layer in schema.layers:
        ET.SubElement(view, "Header", value=f"Layer {layer.name}: {layer.description}", size="5")
        labels = ET.SubElement(view, "Labels", name=layer.name, toName=schema.view_of[layer.name], choice="single")
        for label in layer.labels:
            ET.SubElement(labels, "Label", value=label.name, background=label.color, hotkey=label.hotkey, hint=label.description)
        ET.SubElement(view, "Text", name=schema.view_of[layer.name], value="$text", granularity="symbol")
    relations = ET.SubElement(view, "Relations")
    for name in schema.relations:
        ET.SubElement(relations, "Relation", value=name)
    ET.indent(view, space="  ")
    comment = ET.Comment(f" Generated from schema/{SCHEMA_FILE} v{schema.version} by `peacetalks schema`; do not edit. ")
    # ElementTree writes "<a />"; the committed file has "<a/>" (" />" cannot occur in an escaped value)
    return "\n".join(ET.tostring(node, encoding="unicode").replace(" />", "/>") for node in (comment, view)) + "\n"


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
    major, minor, patch = version_tuple(version)
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
    try:
        updated = Schema.model_validate(data)
    except ValidationError as exc:
        raise PeacetalksError(f"{root.schema_dir / SCHEMA_FILE}: cannot rename {old!r} to {new!r}: {'; '.join(validation_errors(exc))}") from exc
    write_text_atomic(root.schema_dir / SCHEMA_FILE, canonical_json(updated.model_dump()) + "\n")
    return updated
