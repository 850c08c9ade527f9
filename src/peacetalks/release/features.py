"""Build stage, pure: the Hugging Face features of the three configs, and their ClassLabel ids, from the schema."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

from ..bio import bio_labels
from ..schema import Schema

CONFIGS = ("documents", "tokens", "quotes")
DEFAULT_CONFIG = "documents"


def exported_labels(schema: Schema) -> list[str]:
    return [label for layer in schema.layers for label in layer.exported_labels]


def tag_column(layer: str) -> str:
    return f"{layer}_tags"


@dataclass(frozen=True)
class LabelIds:
    """ClassLabel name → id for every label column, from the same names the features declare
    (``Features.encode_example`` per row cost more than building the row), and the Arrow schema of the
    ``tokens`` config (made once: the features cost more than a document's rows), whose tag ids are
    :func:`peacetalks.bio.tag_ids`'s, the index of a tag in ``bio_labels``."""

    spans: dict[str, int]
    relations: dict[str, int]
    tokens_schema: pa.Schema

    @classmethod
    def of(cls, schema: Schema) -> LabelIds:
        def ids(names: list[str]) -> dict[str, int]:
            return {name: i for i, name in enumerate(names)}

        return cls(ids(exported_labels(schema)), ids(list(schema.relations)), features_of(schema)["tokens"].arrow_schema)


def features_of(schema: Schema) -> dict[str, Features]:
    offsets = {"text": Value("string"), "start": Value("int32"), "end": Value("int32")}
    span = {"id": Value("string"), "start": Value("int32"), "end": Value("int32"),
            "label": ClassLabel(names=exported_labels(schema)), "text": Value("string")}
    relation = {"id": Value("string"), "head": Value("string"), "tail": Value("string"),
                "label": ClassLabel(names=list(schema.relations))}
    removed = {"rule": Value("string"), "reason": Value("string"), "chars": Value("int32")}
    documents = Features({
        "id": Value("string"), "title": Value("string"), "text": Value("string"),
        "spans": List(span), "relations": List(relation),
        "seed": Value("string"), "raw_sha256": Value("string"), "text_sha256": Value("string"),
        "cleaner_version": Value("string"), "language": Value("string"), "flags": List(Value("string")),
        "removed": List(removed), "annotated": Value("bool"),
    })
    tokens = Features({  # one row per sentence (peacetalks.bio.sentence_rows)
        "id": Value("string"), "document_id": Value("string"), "sentence_index": Value("int32"), "paragraph_index": Value("int32"),
        "leading_whitespace": Value("string"), "tokens": List(Value("string")), "whitespace_after": List(Value("string")),
        "token_starts": List(Value("int32")), "token_ends": List(Value("int32")),
        **{tag_column(layer.name): List(ClassLabel(names=bio_labels(layer.exported_labels))) for layer in schema.layers},
    })
    quotes = Features({
        "id": Value("string"), "document_id": Value("string"), **offsets,
        "sources": List({"id": Value("string"), **offsets}), "cues": List({"id": Value("string"), **offsets}),
    })
    return {"documents": documents, "tokens": tokens, "quotes": quotes}
