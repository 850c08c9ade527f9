"""Stage 4, pure: Label Studio tasks, predictions and annotations ↔ this project's models, and the span check.

Nothing here reads a file or talks to a server: push and pull (the I/O shell) call these on what
they read. Export records are parsed strictly (no float or string offsets, no bool ids), and every
refusal names the task, annotation, result and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..models import AnnotationFile, AnnotationSet, Document, Identifier, Provenance, RegionId, Relation, Span
from ..preannotate import EntityLexicon, model_version, preannotate
from ..schema import TEXT_CONTROL, Schema
from ..storage import PeacetalksError

LS_VERSION = "1.23.2"
TOOL = f"label-studio {LS_VERSION}"
REVIEW_TAG = "peacetalks_set"  # marks a result item pushed from a local set by --with-annotations
WHITESPACE = re.compile(r"\s+")


# --- to Label Studio ---------------------------------------------------------------------


def results_from_set(aset: AnnotationSet, schema: Schema, tag: str | None = None) -> list[dict[str, Any]]:
    """Label Studio result items for a set's spans (each on its layer's Labels control and view) and relations."""
    extra = {REVIEW_TAG: tag} if tag else {}
    spans = [{"id": s.id, "from_name": (layer := schema.layer_of[s.label]), "to_name": schema.view_of[layer], "type": "labels", **extra,
              "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]}} for s in aset.spans]
    relations = [{"type": "relation", "from_id": r.head, "to_id": r.tail, "direction": "right", "labels": [r.label], **extra}
                 for r in aset.relations]
    return spans + relations


def task_data(doc: Document) -> dict[str, str]:
    title = doc.sidecar.title.text if doc.sidecar.title else ""
    return {"doc_id": doc.id, "title": title, "text": doc.text, "text_sha256": doc.sidecar.text_sha256}


def prediction_for(doc: Document, lexicon: EntityLexicon, schema: Schema) -> dict[str, Any]:
    suggestions = preannotate(doc.text, lexicon.excluding(doc.id), schema, lexicon.index)
    return {"model_version": model_version(schema.version), "result": results_from_set(suggestions, schema)}


# --- the export, as pull reads it ----------------------------------------------------------


class Loose(BaseModel):
    """An export record: strict types for what pull reads (no float or string offsets, no bool ids), the rest ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class SpanValue(Loose):
    start: int
    end: int
    text: str = Field(description="What the annotator saw selected: checked against the offsets, never overwritten")
    labels: list[str] = []


class TaggedResult(Loose):
    peacetalks_set: str | None = None  # REVIEW_TAG: the local set a result was pushed from


class SpanResult(TaggedResult):
    type: Literal["labels"]
    id: RegionId
    from_name: str
    to_name: str
    value: SpanValue


class RelationResult(TaggedResult):
    type: Literal["relation"]
    from_id: RegionId
    to_id: RegionId
    labels: list[str] = []


class UserRef(Loose):
    id: int


class ExportAnnotation(Loose):
    id: int
    completed_by: int | UserRef
    was_cancelled: bool = False
    result: list[Annotated[SpanResult | RelationResult, Field(discriminator="type")]] | None = None
    updated_at: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}")]

    @property
    def user(self) -> int:
        return self.completed_by.id if isinstance(self.completed_by, UserRef) else self.completed_by


class TaskData(Loose):
    doc_id: Identifier  # it names annotations/<doc_id>.json: checked before any path is built from it
    text: str


class ExportTask(Loose):
    id: int
    data: TaskData
    annotations: list[ExportAnnotation] | None = None
    predictions: list[Any] | None = None
    meta: dict[str, Any] | None = None


def parsed_task(raw: Any) -> ExportTask:
    """One exported task in the shape pull reads, or a refusal naming the task, annotation, result and field."""
    try:
        return ExportTask.model_validate(raw)
    except ValidationError as exc:
        given = raw.get("id") if isinstance(raw, dict) else None
        task = given if isinstance(given, int) else "?" if given is None else repr(given)[:40]
        data = raw.get("data") if isinstance(raw, dict) else None
        doc = f" (document {data['doc_id']!r})" if isinstance(data, dict) and "doc_id" in data else ""
        problems = "; ".join(described(raw, error) for error in exc.errors()[:3])
        raise PeacetalksError(f"task {task}{doc}: not a task pull can read: {problems}") from exc


def described(raw: Any, error: Any) -> str:
    """A pydantic error as a path through the export, naming the annotation and result ids met on the way."""
    names, path, node, parent = [], [], raw, ""
    for depth, key in enumerate(error["loc"], start=1):
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            if parent in ("annotations", "result"):
                ident = node.get("id", key) if isinstance(node, dict) else key
                names.append(f"{'annotation' if parent == 'annotations' else 'result'} {ident}")
                path = []  # the name says where it is
            else:
                path.append(f"[{key}]")
        elif isinstance(node, dict) and key in node:
            node, parent = node[key], str(key)
            path.append(f".{key}")
        elif depth == len(error["loc"]) and error["type"] == "missing":
            path.append(f".{key}")  # the absent field; any other key not in the export is a union's tag
    place = ": ".join([*names, "".join(path).lstrip(".") or "it"])
    got = "" if error["type"] == "missing" else f" (got {json.dumps(error['input'])[:60]})"
    return f"{place}: {error['msg']}{got}"


# --- from Label Studio ------------------------------------------------------------------------


def set_from_results(results: Iterable[SpanResult | RelationResult], text: str, schema: Schema, provenance: Provenance) -> AnnotationSet:
    """An annotation set from checked Label Studio results.

    Every span's offsets must hold the text the annotator saw (``value.text``); unknown labels
    are kept for the validator to name.
    """
    spans, relations = [], []
    for item in results:
        try:
            if isinstance(item, RelationResult):
                label = "+".join(item.labels)
                relation_id = f"{item.from_id}-{label or 'unlabelled'}-{item.to_id}"
                relations.append(Relation(id=relation_id, head=item.from_id, tail=item.to_id, label=label))
                continue
            value, label = item.value, "+".join(item.value.labels)
            check_view(item, schema)
            if schema.layer_of.get(label, item.from_name) != item.from_name:
                label = f"{item.from_name}:{label}"  # sent through the wrong control: span-label names it
            spans.append(Span(id=item.id, start=value.start, end=value.end, label=label, text=seen_text(value, text)))
        except ValidationError as exc:  # e.g. a relation id over 64 characters
            problem = exc.errors()[0]
            raise PeacetalksError(f"result {result_name(item)}: not a usable span or relation: {problem['loc'][0]}: {problem['msg']}") from exc
        except PeacetalksError as exc:
            raise PeacetalksError(f"result {result_name(item)}: {exc}") from exc
    return AnnotationSet(provenance=provenance, spans=spans, relations=relations)


def check_view(item: SpanResult, schema: Schema) -> None:
    """A region of a layer lies on that layer's view, or on ``text``: the one view of every layer in configs before
    issue 15, whose exports pull as before (every view shows the same text, and the control names the layer)."""
    view = schema.view_of.get(item.from_name)
    if view is not None and item.to_name not in (view, TEXT_CONTROL):
        raise PeacetalksError(f"a region of layer {item.from_name} on view {item.to_name!r}: that layer is labelled on view {view!r} "
                              "(was the project's labelling config edited? push again, then redraw the region)")


def result_name(item: SpanResult | RelationResult) -> str:
    return item.id if isinstance(item, SpanResult) else f"{item.from_id}->{item.to_id}"


def seen_text(value: SpanValue, text: str) -> str:
    """The text at a span's offsets, refused unless it is what the annotator saw there.

    Label Studio may render a line break inside a selection differently, so whitespace inside a
    span may differ; the span's first and last characters may not (a shifted span changes them).
    """
    if not 0 <= value.start <= value.end <= len(text):
        raise PeacetalksError(f"span [{value.start}:{value.end}] ({value.text!r}) lies outside the text ({len(text)} characters)")
    there = text[value.start:value.end]
    if there != value.text and not (there.strip() == there and value.text.strip() == value.text
                                    and WHITESPACE.sub("", there) == WHITESPACE.sub("", value.text)):
        raise PeacetalksError(f"span [{value.start}:{value.end}]: the annotator saw {value.text!r} but the text there is {there!r} "
                              "(the task's text or the offsets were changed)")
    return there


@dataclass
class TaskWork:
    """One task's checked annotations: its document, the local file, and each annotator's latest set by e-mail."""

    task: ExportTask
    doc: Document
    local: AnnotationFile | None
    sets: dict[str, tuple[ExportAnnotation, AnnotationSet]]


def is_unchanged_push(annotation: ExportAnnotation, local: AnnotationFile | None, pulled: AnnotationSet) -> bool:
    """An annotation loaded by ``push --with-annotations`` that still equals its local set brings nothing new."""
    tags = {item.peacetalks_set for item in annotation.result or []}
    source = local.annotators.get(tags.pop()) if local is not None and len(tags) == 1 and None not in tags else None
    return source is not None and content_of(source) == content_of(pulled)


def content_of(aset: AnnotationSet) -> tuple[set[tuple[int, int, str]], set[tuple[str, str, str]]]:
    """What a set says, without ids (relation ids are rebuilt on pull)."""
    spans = {s.id: (s.start, s.end, s.label) for s in aset.spans}
    relations = {(str(spans.get(r.head)), r.label, str(spans.get(r.tail))) for r in aset.relations}
    return set(spans.values()), relations


def pulled_file(work: TaskWork, by_pseudonym: dict[str, tuple[ExportAnnotation, AnnotationSet]], schema: Schema,
                guidelines_version: str) -> AnnotationFile:
    """The local annotation file with the task's annotation sets (by pseudonym) merged in, made under ``guidelines_version``."""
    shown = (work.task.meta or {}).get("predictions")
    model = shown if isinstance(shown, str) and shown else "unrecorded"
    pre_annotation = f"{model} predictions shown in Label Studio" if work.task.predictions else None
    sets = {name: AnnotationSet(provenance=Provenance(annotator=name, method="label-studio", tool=TOOL, pre_annotation=pre_annotation,
                                                      guidelines_version=guidelines_version, updated=annotation.updated_at[:10]),
                                spans=aset.spans, relations=aset.relations)
            for name, (annotation, aset) in by_pseudonym.items()}
    kept = work.local.annotators if work.local else {}
    return AnnotationFile(document_id=work.doc.id, text_sha256=work.doc.sidecar.text_sha256,
                          schema_version=work.local.schema_version if work.local else schema.version, annotators={**kept, **sets})
