"""Build stage, pure (reads only its own package data): the dataset card (``README.md``), its Croissant
metadata and the licence statement, rendered from the template files in ``templates/`` (read with
:mod:`importlib.resources`) and from the facts the build gathered (statistics, sizes, leakage, provenance)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any

import yaml
from datasets import Features

from .features import CONFIGS, DEFAULT_CONFIG, tag_column
from .croissant import croissant
from .layout import CROISSANT_FILE, LICENSE_FILE, MANIFEST_FILE, PROVENANCE_FILE, parquet_path
from .leakage import PAIRS_LISTED_UP_TO
from .parquet import SplitSizes
from .plan import Plan
from .provenance import KIND_NAMES, TEXT_FACTS, UNKNOWN, cell, gold_versions_text, provenance_passage

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


def dataset_info(config: str, features: Features, sizes: dict[str, dict[str, int]]) -> dict[str, Any]:
    """A config's features and sizes as ``datasets`` computes them (``num_bytes``: Arrow bytes of a split;
    ``download_size``: its Parquet files' bytes; ``dataset_size``: the sum of ``num_bytes``)."""
    return {"config_name": config, "features": features._to_yaml_list(),
            "splits": [{"name": split, "num_bytes": size["num_bytes"], "num_examples": size["num_examples"]}
                       for split, size in sizes.items()],
            "download_size": sum(size["file_bytes"] for size in sizes.values()),
            "dataset_size": sum(size["num_bytes"] for size in sizes.values())}


def card_metadata(plan: Plan, features: dict[str, Features], stats: dict[str, Any], sizes: SplitSizes,
                  provenance: dict[str, Any]) -> dict[str, Any]:
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
        "annotations_creators": provenance["annotations_creators"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["quotation-attribution", "reported-speech", "news", "span-annotation"],
        "configs": [
            {"config_name": config, "data_files": [{"split": split, "path": parquet_path(config, split)} for split in sizes[config]],
             **({"default": True} if config == DEFAULT_CONFIG else {})}
            for config in released_configs(sizes)
        ],
        "dataset_info": [dataset_info(config, features[config], sizes[config]) for config in released_configs(sizes)],
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


def creators_text(provenance: dict[str, Any]) -> str:
    """Who made the sets, in words: "AI language-model agents (`machine-generated`)", from the kinds."""
    kinds = sorted({KIND_NAMES.get(s["kind"], f"annotators of {UNKNOWN} kind") for s in provenance["sets"]})
    if not kinds:
        return "no one yet (no annotation set exists)"
    hub = ", ".join(f"`{creator}`" for creator in provenance["annotations_creators"])
    return f"{' and '.join(kind if kind.startswith('annotators') else f'{kind}s' for kind in kinds)} ({hub})"


def text_sources(texts: dict[str, Any]) -> str:
    """The texts' origins as the seed manifest knows them; null is written "unknown"."""
    known = ", ".join(f"{fact} known for {texts['known'][fact]} of {texts['documents']}" for fact in TEXT_FACTS)
    lines = [f"- {known} texts.", *(f"- source: {cell(source)}" for source in texts["sources"])]
    if texts["listed"]:
        lines += ["", "| document | " + " | ".join(TEXT_FACTS) + " |", "|---|" + "---|" * len(TEXT_FACTS)]
        lines += [f"| {t['document']} | " + " | ".join(cell(t[fact] or UNKNOWN) for fact in TEXT_FACTS) + " |" for t in texts["listed"]]
        if texts["documents"] > len(texts["listed"]):
            lines.append(f"\nThe other {texts['documents'] - len(texts['listed'])} texts: see `seeds/manifest.json`.")
    return "\n".join(lines)


DEPARTURES_HEAD = "**Where this project departs from OntoNotes, and why:**"


def standard_departures(guidelines: str | None) -> str:
    """The guidelines' own passage on where the labels depart from OntoNotes (§2.0), quoted whole, so
    the card cannot state it differently; said plainly when the guidelines have none."""
    if guidelines is None or DEPARTURES_HEAD not in guidelines:
        return "  The shipped guidelines state no relation to a labelling standard."
    passage = guidelines.split(DEPARTURES_HEAD, 1)[1].split("\n#", 1)[0].strip()
    return f"  Entity labels and OntoNotes 5.0 (from the guidelines, §2.0):\n\n  {DEPARTURES_HEAD}\n" + \
        "\n".join(f"  {line}" if line else "" for line in passage.splitlines())


def bibtex(version: str, provenance: dict[str, Any]) -> str:
    """The citation; no year and no address, as neither is recorded yet."""
    key = f"peacetalks_{version.replace('.', '_')}"
    return "\n".join([
        f"@misc{{{key},",
        "  title   = {{peacetalks}: span-annotated news on the February 2025 {US}--{Russia}--{Ukraine} peace talks},",
        "  author  = {{The peacetalks maintainers}},",
        f"  version = {{{version}}},",
        f"  note    = {{Dataset, version {version}. Annotations: {', '.join(provenance['annotations_creators'])} "
        "(see annotations/PROVENANCE.md); news texts: third-party, not licensed by the maintainers (see LICENSE.md). "
        "Year of publication and repository address not recorded.}",
        "}",
    ])


def shipped_docs(shipped: dict[str, str]) -> str:
    return "\n".join(f"- `{path}`: {about}" for path, about in shipped.items()) or "- nothing besides the data"


@dataclass(frozen=True)
class Card:
    """Everything the card and its Croissant twin are rendered from."""

    plan: Plan
    features: dict[str, Features]
    stats: dict[str, Any]
    sizes: SplitSizes
    leakage: dict[str, Any]
    provenance: dict[str, Any]
    shipped: dict[str, str]  # shipped path → what it is
    guidelines: str | None  # the shipped guidelines' text, if the root has them

    def render(self) -> str:
        plan, sizes = self.plan, self.sizes
        metadata = yaml.safe_dump(card_metadata(plan, self.features, self.stats, sizes, self.provenance),
                                  sort_keys=False, allow_unicode=True, width=120)
        layers = "\n".join(f"  - `{layer.name}`: {', '.join(layer.exported_labels)} — {layer.description}" for layer in plan.schema.layers)
        tag_columns = ", ".join(f"`{tag_column(layer.name)}`" for layer in plan.schema.layers)
        # `$name` placeholders: the card's Python example has braces
        return Template(template_text("card.md")).substitute(
            metadata=metadata, version=plan.version, description=plan.schema.description, schema_version=plan.schema.version,
            gold_guidelines=gold_versions_text(self.provenance), creators_text=creators_text(self.provenance),
            pinned_loads=pinned_loads(sizes, plan.version), manifest_file=MANIFEST_FILE, croissant_file=CROISSANT_FILE,
            layers=layers, standard_departures=standard_departures(self.guidelines), tag_columns=tag_columns, empty_configs_note=empty_configs_note(sizes),
            split_table=split_table(plan, self.stats), leakage_lines=leakage_lines(self.leakage),
            provenance_passage=provenance_passage(self.provenance), provenance_file=PROVENANCE_FILE,
            shipped_docs=shipped_docs(self.shipped), license_file=LICENSE_FILE,
            text_sources=text_sources(self.provenance["texts"]), bibtex=bibtex(plan.version, self.provenance))

    def croissant(self) -> dict[str, Any]:
        return croissant(PRETTY_NAME, self.plan.schema.description, self.plan.version, bibtex(self.plan.version, self.provenance),
                         released_configs(self.sizes), self.features, provenance_passage(self.provenance))
