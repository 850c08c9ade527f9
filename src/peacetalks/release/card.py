"""Build stage, pure (reads only its own package data): the dataset card (``README.md``) and the licence
statement, rendered from the template files in ``templates/`` (read with :mod:`importlib.resources`)."""

from __future__ import annotations

from importlib import resources
from string import Template
from typing import Any

import yaml
from datasets import Features

from .features import CONFIGS, DEFAULT_CONFIG, tag_column
from .layout import LICENSE_FILE, MANIFEST_FILE, parquet_path
from .leakage import PAIRS_LISTED_UP_TO
from .parquet import SplitSizes
from .plan import Plan

PRETTY_NAME = "peacetalks: span-annotated news on the February 2025 US–Russia–Ukraine peace talks"


def template_text(name: str) -> str:
    """A file of the package's ``templates/`` folder (package data, so an installed copy has it too)."""
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def license_text() -> str:
    return template_text(LICENSE_FILE)


def size_category(documents: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if documents < limit:
            return name
    return "100K<n<1M"


def released_configs(sizes: SplitSizes) -> list[str]:
    """Configs with at least one row (e.g. ``quotes`` is left out while no gold quote exists)."""
    return [config for config in CONFIGS if sizes[config]]


def card_metadata(plan: Plan, features: dict[str, Features], stats: dict[str, Any], sizes: SplitSizes) -> dict[str, Any]:
    documents = sum(size["num_examples"] for size in sizes["documents"].values())
    languages = sorted({lang for split in stats["splits"].values() for lang in split["languages"]})
    return {
        "pretty_name": PRETTY_NAME,
        "license": "other",
        "license_name": "third-party-news-text-apache-annotations",
        "license_link": LICENSE_FILE,
        "language": languages,
        "multilinguality": "monolingual" if len(languages) <= 1 else "multilingual",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [size_category(documents)],
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["quotation-attribution", "reported-speech", "news", "span-annotation"],
        "configs": [
            {"config_name": config, "data_files": [{"split": split, "path": parquet_path(config, split)} for split in sizes[config]],
             **({"default": True} if config == DEFAULT_CONFIG else {})}
            for config in released_configs(sizes)
        ],
        "dataset_info": [
            {"config_name": config, "features": features[config]._to_yaml_list(),
             "splits": [{"name": split, **size} for split, size in sizes[config].items()]}
            for config in released_configs(sizes)
        ],
    }


def split_table(plan: Plan, stats: dict[str, Any]) -> str:
    lines = ["| split | documents | with gold | tokens | spans | quotes |", "|---|---:|---:|---:|---:|---:|"]
    for split in plan.splits:
        s = stats["splits"][split]
        lines.append(f"| {split} | {s['documents']} | {s['annotated']} | {s['tokens']} | {sum(s['spans'].values())} | {s['quotes']} |")
    return "\n".join(lines)


def pair_text(pair: dict[str, Any]) -> str:
    first, second = pair["documents"]
    return f"{first} and {second} share {pair['shared_8grams']} word 8-grams"


GROUPS_IN_CARD = 20


def group_line(group: dict[str, Any]) -> str:
    members = group["documents"]
    shown = ", ".join(members) if len(members) <= PAIRS_LISTED_UP_TO else f"of {len(members)} documents ({', '.join(members[:3])}, …)"
    pairs = f" ({'; '.join(map(pair_text, group['pairs']))})" if group["pairs"] else ""
    return f"- near-duplicate group {shown} is kept in `{group['split']}`{pairs}"


def leakage_lines(leakage: dict[str, Any]) -> str:
    groups = leakage["near_duplicate_groups"]
    lines = [group_line(group) for group in groups[:GROUPS_IN_CARD]] or ["- no two documents share a word 8-gram"]
    if len(groups) > GROUPS_IN_CARD:
        lines.append(f"- and {len(groups) - GROUPS_IN_CARD} more near-duplicate groups (see `leakage.json`)")
    mixed = leakage["cross_split_groups"]
    lines.append(f"- groups spread over more than one split (cross-split leaks): {len(mixed)}"
                 + (" (see `leakage.json`)" if mixed else " (no word 8-gram is shared across splits)"))
    return "\n".join(lines)


def empty_configs_note(sizes: SplitSizes) -> str:
    missing = [f"`{config}`" for config in CONFIGS if config not in released_configs(sizes)]
    note = "A config declares only the splits in which it has rows (`datasets` cannot load an empty split)."
    return note + (f" Not in this release, having no rows yet: {', '.join(missing)}." if missing else "")


def pinned_loads(sizes: SplitSizes, version: str) -> str:
    return "\n".join(f'{config} = load_dataset("ORG/NAME", "{config}", revision="v{version}")' for config in released_configs(sizes))


def render_card(plan: Plan, features: dict[str, Features], stats: dict[str, Any], sizes: SplitSizes,
                leakage: dict[str, Any]) -> str:
    metadata = yaml.safe_dump(card_metadata(plan, features, stats, sizes), sort_keys=False, allow_unicode=True, width=120)
    layers = "\n".join(f"  - `{layer.name}`: {', '.join(layer.exported_labels)} — {layer.description}" for layer in plan.schema.layers)
    tag_columns = ", ".join(f"`{tag_column(layer.name)}`" for layer in plan.schema.layers)
    # `$name` placeholders: the card's Python example has braces
    return Template(template_text("card.md")).substitute(
        metadata=metadata, version=plan.version, description=plan.schema.description, schema_version=plan.schema.version,
        pinned_loads=pinned_loads(sizes, plan.version), manifest_file=MANIFEST_FILE, layers=layers, tag_columns=tag_columns,
        empty_configs_note=empty_configs_note(sizes), split_table=split_table(plan, stats), leakage_lines=leakage_lines(leakage),
        license_file=LICENSE_FILE)
