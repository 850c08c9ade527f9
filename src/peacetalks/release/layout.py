"""Build stage, pure: the names of the files a release folder holds and of the root files it copies."""

from __future__ import annotations

from pathlib import Path

VERSION_FILE = "VERSION"
CHANGELOG_FILE = "CHANGELOG.md"
DATASHEET_FILE = "DATASHEET.md"
FIGURES_DIR = Path("docs") / "figures"
MANIFEST_FILE = "MANIFEST.sha256"
LICENSE_FILE = "LICENSE.md"
CARD_FILE = "README.md"
STATS_FILE = "stats.json"
LEAKAGE_FILE = "leakage.json"
OWN_FILES = (STATS_FILE, LEAKAGE_FILE)  # only a release this tool built lists these in its manifest


def parquet_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"
