"""Build stage, pure: the build statistics (``stats.json``), counted from the rows of every document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import exported_labels
from .plan import Plan


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

    @classmethod
    def of_document(cls, document: dict[str, Any], quotes: int, starts: np.ndarray, ends: np.ndarray,
                    labels: list[str], relations: list[str]) -> SplitStats:
        """One document's counts, from its ``documents`` row, its number of quotes and its tokens' offsets (its sentence rows
        joined); ``labels`` and ``relations`` name the ClassLabel ids in the row."""
        stats = cls(documents=1, annotated=int(document["annotated"]), characters=len(document["text"]), tokens=len(starts), quotes=quotes)
        stats.document_tokens[document["id"]] = len(starts)
        stats.languages[document["language"]] += 1
        spans = document["spans"]
        lengths = (np.searchsorted(ends, [s["end"] for s in spans], "right")  # tokens never cross span edges
                   - np.searchsorted(starts, [s["start"] for s in spans], "left")).tolist()
        for span, length in zip(spans, lengths):
            label = labels[span["label"]]
            stats.spans[label] += 1
            stats.span_tokens[f"{label}:{length}"] += 1
        stats.relations.update(relations[r["label"]] for r in document["relations"])
        return stats

    def add(self, other: SplitStats) -> None:
        """Count in another part of the split (one document's :meth:`of_document`): every count is a sum, so the order does not matter."""
        self.documents += other.documents
        self.annotated += other.annotated
        self.characters += other.characters
        self.tokens += other.tokens
        self.quotes += other.quotes
        self.spans.update(other.spans)
        self.relations.update(other.relations)
        self.document_tokens.update(other.document_tokens)
        self.span_tokens.update(other.span_tokens)
        self.languages.update(other.languages)

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

