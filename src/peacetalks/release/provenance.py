"""Build stage, I/O (reads): who made the annotation sets behind a release, as one machine-readable summary.

The facts come from two places and nowhere else: each set's ``provenance`` field in
``annotations/<doc>.json`` (method, pre-annotation, guidelines version) and, for what a set does not
say, ``annotations/_meta/provenance.json`` (what kind of annotator each set name is: an AI agent, a
human expert, a crowd). The build ships the summary as ``provenance.json`` and renders the card's
``annotations_creators`` and provenance passage from it; ``peacetalks datasheet`` renders
DATASHEET.md's provenance passage from the same file, so the two cannot disagree. Unknown stays
"unknown": a set name the registry does not list is of unknown kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..models import GOLD, Provenance, Strict
from ..seeds import iter_manifest
from ..storage import PeacetalksError, Root, read_bytes, parse_model, validation_text

REGISTRY = Path("_meta") / "provenance.json"  # under annotations/
Kind = Literal["ai-agent", "human-expert", "human-crowd", "rule-based"]
# the Hub's `annotations_creators` vocabulary for each kind; a set of unknown kind counts as "other"
HUB_CREATORS: dict[str, str] = {"ai-agent": "machine-generated", "rule-based": "machine-generated",
                                "human-expert": "expert-generated", "human-crowd": "crowdsourced"}
KIND_NAMES: dict[str, str] = {"ai-agent": "AI language-model agent", "rule-based": "rule-based program",
                              "human-expert": "human expert", "human-crowd": "crowd worker"}
UNKNOWN = "unknown"
TEXT_FACTS = ("outlet", "author", "published", "url")  # what the seed manifest may know of a text
TEXTS_LISTED = 50  # the card names each text's origin up to this many documents, then only counts
NO_PRE_ANNOTATION = "none recorded"  # `pre_annotation: null`: no prediction was shown (see PROVENANCE.md)


class Annotator(Strict):
    kind: Kind
    who: str = ""


class Registry(Strict):
    """``annotations/_meta/provenance.json``: what kind of annotator each set name is."""

    about: str = ""
    annotators: dict[str, Annotator]


def read_registry(root: Root) -> Registry:
    path = root.annotations / REGISTRY
    if not path.exists():
        return Registry(annotators={})
    try:
        return parse_model(Registry, read_bytes(path))
    except ValidationError as exc:
        raise PeacetalksError(f"{path}: not an annotator registry: {validation_text(exc)}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise PeacetalksError(f"{path}: not valid JSON: {exc}") from exc


@dataclass
class SetFacts:
    """What the annotation files say about the sets of one name, over every document."""

    documents: int = 0
    methods: set[str] = field(default_factory=set)
    pre_annotation: set[str] = field(default_factory=set)
    guidelines: set[str] = field(default_factory=set)

    def add(self, provenance: Provenance) -> None:
        self.documents += 1
        self.methods.add(provenance.method)
        self.pre_annotation.add(provenance.pre_annotation or NO_PRE_ANNOTATION)
        self.guidelines.add(provenance.guidelines_version or UNKNOWN)


class AnnotationSets:
    """The facts of every set name, gathered from the build's one stream over the annotation files."""

    def __init__(self) -> None:
        self.facts: dict[str, SetFacts] = defaultdict(SetFacts)

    def add(self, provenances: Iterable[Provenance]) -> None:
        for provenance in provenances:
            self.facts[provenance.annotator].add(provenance)


def text_origins(root: Root, doc_ids: list[str]) -> dict[str, Any]:
    """What ``seeds/manifest.json`` knows of the released texts: per fact, how many texts have it;
    the facts of the first ``TEXTS_LISTED`` texts; the distinct ``source`` statements."""
    released = set(doc_ids)
    documents = 0
    known = dict.fromkeys(TEXT_FACTS, 0)
    sources: set[str] = set()
    listed = []
    for entry in iter_manifest(root):
        if entry.id not in released:
            continue
        documents += 1
        for fact in TEXT_FACTS:
            known[fact] += getattr(entry, fact) is not None
        sources.add(entry.source or UNKNOWN)
        if len(listed) < TEXTS_LISTED:
            listed.append({"document": entry.id, **{fact: getattr(entry, fact) for fact in TEXT_FACTS}})
    return {"documents": documents, "known": known, "sources": sorted(sources), "listed": sorted(listed, key=lambda t: t["document"])}


def provenance_summary(root: Root, sets: AnnotationSets, doc_ids: list[str], schema_version: str) -> dict[str, Any]:
    """The summary the build ships as ``provenance.json`` (JSON values only, sorted: same inputs, same bytes)."""
    facts = sets.facts
    registry = read_registry(root).annotators
    sets = [{"annotator": name, "kind": registry[name].kind if name in registry else UNKNOWN,
             "who": registry[name].who if name in registry else "", "documents": f.documents,
             "methods": sorted(f.methods), "pre_annotation": sorted(f.pre_annotation), "guidelines_versions": sorted(f.guidelines)}
            for name, f in sorted(facts.items(), key=lambda item: (item[0] == GOLD, item[0]))]
    creators = sorted({HUB_CREATORS.get(s["kind"], "other") for s in sets}) or ["no-annotation"]
    gold = next((s for s in sets if s["annotator"] == GOLD), None)
    return {"annotations_creators": creators, "released_set": GOLD, "schema_version": schema_version,
            "gold_guidelines_versions": gold["guidelines_versions"] if gold else [], "sets": sets,
            "texts": text_origins(root, doc_ids)}


# --- the passage the card and the datasheet both show ------------------------------------------


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def kind_text(entry: dict[str, Any]) -> str:
    kind = KIND_NAMES.get(entry["kind"], UNKNOWN)
    return cell(f"{kind}: {entry['who']}" if entry["who"] else kind)


def gold_versions_text(summary: dict[str, Any]) -> str:
    versions = summary["gold_guidelines_versions"]
    return " and ".join(versions) if versions else UNKNOWN


def provenance_passage(summary: dict[str, Any]) -> str:
    """Markdown: one row per set name, the Hub creators and the gold's guidelines version."""
    lines = ["| set | annotator | documents | method | pre-annotation | guidelines |", "|---|---|---:|---|---|---|"]
    for s in summary["sets"]:
        name = f"{s['annotator']} (released)" if s["annotator"] == summary["released_set"] else s["annotator"]
        lines.append(f"| {cell(name)} | {kind_text(s)} | {s['documents']} | {cell('; '.join(s['methods']))} | "
                     f"{cell('; '.join(s['pre_annotation']))} | {cell(', '.join(s['guidelines_versions']))} |")
    table = "\n".join(lines) if summary["sets"] else "No annotation set exists yet."
    return "\n\n".join([
        table,
        f"Annotation creators (Hub vocabulary, from the annotator kinds above): {', '.join(summary['annotations_creators'])}. "
        f"Released spans: the `{summary['released_set']}` sets, made under guidelines {gold_versions_text(summary)} "
        f"(as their provenance records), released under schema {summary['schema_version']}.",
    ])
