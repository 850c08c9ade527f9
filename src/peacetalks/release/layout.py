"""Build stage, pure: the names of the files a release folder holds and of the root files it copies."""

from __future__ import annotations

from pathlib import Path

VERSION_FILE = "VERSION"
CHANGELOG_FILE = "CHANGELOG.md"
DATASHEET_FILE = "DATASHEET.md"
FIGURES_DIR = Path("docs") / "figures"
GUIDELINES_FILE = "schema/GUIDELINES.md"
SCHEMA_FILE = "schema/schema.json"
PROVENANCE_DOC = "annotations/PROVENANCE.md"
# root files a release ships at the same relative path, so every reference in the card and the
# datasheet resolves inside it; each with what the card says it is
SHIPPED_FILES = {
    DATASHEET_FILE: "answers to *Datasheets for Datasets*",
    CHANGELOG_FILE: "what changed in each version, and what bumps which part",
    GUIDELINES_FILE: "the annotation guidelines, with the decision log of adjudication",
    SCHEMA_FILE: "the annotation schema: layers, labels, relations, their definitions",
    PROVENANCE_DOC: "who annotated, how, and what the agreement figures mean",
    "annotations/ADJUDICATION.md": "the adjudicator's review of every document and the guideline gaps it resolved",
    "annotations/_meta/provenance.json": "the registry of annotator kinds (AI agent, human expert, crowd)",
    "annotations/agreement/AGREEMENT.md": "the inter-annotator agreement report",
    "annotations/agreement/agreement.json": "the same report as data",
    "splits.json": "the split of every document ever released",
    "seeds/manifest.json": "what is known of every raw text: hashes, outlet, URL, author, date (null when unknown)",
}
SHIPPED_FOLDERS = {  # folder: (files it ships, what they are)
    FIGURES_DIR.as_posix(): ("*.png", "the datasheet's figures"),
    "annotations/notes": ("*.md", "the annotators' notes: guideline gaps they reported"),
}
MANIFEST_FILE = "MANIFEST.sha256"
LICENSE_FILE = "LICENSE.md"
CARD_FILE = "README.md"
STATS_FILE = "stats.json"
LEAKAGE_FILE = "leakage.json"
PROVENANCE_FILE = "provenance.json"
CROISSANT_FILE = "croissant.json"
OWN_FILES = (STATS_FILE, LEAKAGE_FILE)  # only a release this tool built lists these in its manifest


def parquet_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"
