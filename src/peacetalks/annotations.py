"""Annotate and validate stages, I/O: annotation files on disk: read, write atomically, migrate across schema renames."""

from __future__ import annotations

from collections.abc import Iterator

from .models import AnnotationFile, AnnotationSet, Relation, Span, version_tuple
from .schema import Schema
from .storage import PeacetalksError, Root, read_model, write_model


def sorted_set(aset: AnnotationSet) -> AnnotationSet:
    """Canonical order: spans by position, relations by id, so files diff cleanly."""
    return aset.model_copy(update={
        "spans": sorted(aset.spans, key=lambda s: (s.start, s.end, s.label, s.id)),
        "relations": sorted(aset.relations, key=lambda r: (r.head, r.label, r.tail, r.id)),
    })


def canonical(annotation: AnnotationFile) -> AnnotationFile:
    sets = {name: sorted_set(annotation.annotators[name]) for name in sorted(annotation.annotators)}
    return annotation.model_copy(update={"annotators": sets})


def write_annotation_file(root: Root, annotation: AnnotationFile) -> None:
    write_model(root.annotation_file(annotation.document_id), canonical(annotation))


def read_annotation_file(root: Root, doc_id: str) -> AnnotationFile | None:
    path = root.annotation_file(doc_id)
    return read_model(path, AnnotationFile) if path.exists() else None


def iter_annotation_files(root: Root) -> Iterator[AnnotationFile]:
    """Every annotation file, in name order; one named after another document is refused (it would
    be read as that document, and written back over its real file)."""
    for path in sorted(root.annotations.glob("*.json")) if root.annotations.exists() else []:
        annotation = read_model(path, AnnotationFile)
        if annotation.document_id != path.stem:
            raise PeacetalksError(f"{path}: file-name: holds document {annotation.document_id!r}, not {path.stem!r} "
                                  "(rename or remove it; `peacetalks validate` lists it)")
        yield annotation


def migrate(annotation: AnnotationFile, schema: Schema) -> AnnotationFile:
    """Apply the schema's recorded renames made since the file's schema version (never back from a newer one)."""
    file_version = version_tuple(annotation.schema_version)
    if file_version > version_tuple(schema.version):
        raise PeacetalksError(f"annotations/{annotation.document_id}.json: schema-version: annotated with schema "
                              f"{annotation.schema_version}, newer than this schema {schema.version} (update schema/schema.json)")
    renames = [r for r in schema.renames if version_tuple(r.since) > file_version]

    def relabel(label: str) -> str:
        for rename in renames:
            label = rename.new if label == rename.old else label
        return label

    sets = {
        name: aset.model_copy(update={
            "spans": [Span(**{**s.model_dump(), "label": relabel(s.label)}) for s in aset.spans],
            "relations": [Relation(**{**r.model_dump(), "label": relabel(r.label)}) for r in aset.relations],
        })
        for name, aset in annotation.annotators.items()
    }
    return annotation.model_copy(update={"annotators": sets, "schema_version": schema.version})


def migrate_root(root: Root, schema: Schema) -> list[str]:
    """Migrate every annotation file that is behind the schema; returns the documents changed."""
    changed = []
    for annotation in iter_annotation_files(root):
        if annotation.schema_version != schema.version:
            write_annotation_file(root, migrate(annotation, schema))
            changed.append(annotation.document_id)
    return changed
