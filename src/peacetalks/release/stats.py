"""Build stage, pure: the build statistics (``stats.json``), counted from the rows of every document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import exported_labels
from .plan import Plan
from .rows import Rows


@dataclass
class SplitStats:
    documents: int = 0
    annotated: int = 0
    characters: int = 0
    tokens: int = 0
    quotes: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    document_tokens: dict[str, int] = field(default_factory=dict)  # document id → tokens
    span_tokens: Counter[str] = field(default_factory=Counter)  # "LABEL:length" → count
    languages: Counter[str] = field(default_factory=Counter)

    def add(self, rows: Rows, labels: list[str], relations: list[str]) -> None:
        """Count one document's rows; ``labels`` and ``relations`` name the ClassLabel ids in them."""
        document = rows.document
        starts = rows.tokens.column("token_starts").flatten().to_numpy()  # the document's sentence rows, in order
        ends = rows.tokens.column("token_ends").flatten().to_numpy()
        self.documents += 1
        self.annotated += document["annotated"]
        self.characters += len(document["text"])
        self.tokens += len(starts)
        self.quotes += len(rows.quotes)
        self.document_tokens[document["id"]] = len(starts)
        self.languages[document["language"]] += 1
        spans = document["spans"]
        lengths = (np.searchsorted(ends, [s["end"] for s in spans], "right")  # tokens never cross span edges
                   - np.searchsorted(starts, [s["start"] for s in spans], "left")).tolist()
        for span, length in zip(spans, lengths):
            label = labels[span["label"]]
            self.spans[label] += 1
            self.span_tokens[f"{label}:{length}"] += 1
        self.relations.update(relations[r["label"]] for r in document["relations"])

    def as_dict(self, labels: list[str], relations: list[str]) -> dict[str, Any]:
        return {
            "documents": self.documents, "annotated": self.annotated, "characters": self.characters,
            "tokens": self.tokens, "quotes": self.quotes,
            "spans": {label: self.spans[label] for label in labels},
            "relations": {label: self.relations[label] for label in relations},
            "document_tokens": dict(sorted(self.document_tokens.items(), key=lambda item: (item[1], item[0]))),  # shortest first
            "span_tokens": dict(sorted(self.span_tokens.items())),
            "languages": dict(sorted(self.languages.items())),
        }


def stats_document(plan: Plan, per_split: dict[str, SplitStats]) -> dict[str, Any]:
    labels, relations = exported_labels(plan.schema), list(plan.schema.relations)
    return {"version": plan.version, "schema_version": plan.schema.version,
            "splits": {name: per_split[name].as_dict(labels, relations) for name in plan.splits}}

