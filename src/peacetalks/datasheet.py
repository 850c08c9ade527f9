"""Datasheet stage, I/O: DATASHEET.md's generated blocks and its figures, from a release's stats.json and provenance.json.

The prose of ``DATASHEET.md`` is written by hand; the blocks between ``<!-- stats:begin -->`` and
``<!-- stats:end -->`` and between ``<!-- provenance:begin -->`` and ``<!-- provenance:end -->``, and
the PNGs in ``docs/figures/``, are generated from a release's ``stats.json`` and ``provenance.json``:
the ones ``publish`` has just built, or else ones built into a temp folder for the purpose (a fresh
clone has none), so ``peacetalks datasheet --check`` fails in CI when any of them is stale. The
provenance block is the card's provenance passage, from the same file, so the two cannot disagree.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from pathlib import Path
from statistics import median
from typing import Any

from .agreement import REPORT_DIR, REPORT_JSON, agreement_tables
from .release.build import build
from .release.card import standard_departures
from .release.layout import DATASHEET_FILE, FIGURES_DIR, GUIDELINES_FILE, PROVENANCE_FILE, STATS_FILE
from .release.provenance import provenance_passage
from .schema import Schema, load_schema
from .storage import PeacetalksError, Root, read_json, read_text, sync_files

BEGIN, END = "<!-- stats:begin -->", "<!-- stats:end -->"
PROVENANCE_BEGIN, PROVENANCE_END = "<!-- provenance:begin -->", "<!-- provenance:end -->"
STANDARD_BEGIN, STANDARD_END = "<!-- standard:begin -->", "<!-- standard:end -->"
DOCUMENT_IDS_SHOWN = 60  # the length figure names every document up to this many, then none (they would overlap)
FIGURE_NAMES = ("label_distribution.png", "span_lengths.png", "document_lengths.png")
PNG_METADATA = {"Software": None, "Creation Time": None}


# --- the markdown block ---------------------------------------------------------


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def size_table(stats: dict[str, Any]) -> str:
    splits = stats["splits"]
    keys = ["documents", "annotated", "characters", "tokens", "quotes"]
    rows = [[name, *(s[k] for k in keys)] for name, s in splits.items()]
    rows.append(["total", *(sum(s[k] for s in splits.values()) for k in keys)])
    return table(["split", "documents", "with gold", "characters", "tokens", "quotes"], rows)


def per_label_table(stats: dict[str, Any], key: str) -> str:
    splits = stats["splits"]
    rows = [[label, *(s[key][label] for s in splits.values()), sum(s[key][label] for s in splits.values())]
            for label in stats_labels(stats, key)]
    return table(["label", *splits, "total"], rows)


def span_length_counts(stats: dict[str, Any]) -> dict[str, Counter[int]]:
    """Label → span length in tokens → count, over all splits."""
    lengths: dict[str, Counter[int]] = {}
    for split in stats["splits"].values():
        for key, count in split["span_tokens"].items():
            label, _, length = key.rpartition(":")
            lengths.setdefault(label, Counter())[int(length)] += count
    return lengths


def stats_labels(stats: dict[str, Any], key: str = "spans") -> list[str]:
    """The labels counted under ``key`` in schema order (the order ``stats.json`` lists them in)."""
    splits = stats["splits"]
    return list(next(iter(splits.values()))[key]) if splits else []


def span_length_table(stats: dict[str, Any]) -> str:
    rows = []
    lengths = span_length_counts(stats)
    for label in (label for label in stats_labels(stats) if label in lengths):
        values = sorted(lengths[label].elements())
        rows.append([label, len(values), min(values), f"{median(values):g}", max(values)])
    return table(["label", "spans", "min tokens", "median tokens", "max tokens"], rows) if rows else "No spans yet."


def agreement_section(root: Root) -> str:
    path = root.annotations / REPORT_DIR / REPORT_JSON
    if not path.exists():
        return f"Inter-annotator agreement: not yet measured (no `annotations/{REPORT_DIR}/{REPORT_JSON}`)."
    report = read_json(path)
    try:
        first, second = report["annotators"]
        return (f"**Inter-annotator agreement** ({first} vs {second}, {len(report['documents'])} documents; "
                f"from `annotations/{REPORT_DIR}/{REPORT_JSON}`, see `annotations/PROVENANCE.md` for what it means):\n\n"
                + agreement_tables(report))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PeacetalksError(f"{path}: not an agreement report ({type(exc).__name__}: {exc}); run `peacetalks agreement`") from exc


def stats_block(root: Root, stats: dict[str, Any]) -> str:
    figures = "\n".join(f"![{name[:-4].replace('_', ' ')}]({(FIGURES_DIR / name).as_posix()})" for name in FIGURE_NAMES)
    return "\n\n".join([
        BEGIN,
        f"_Generated by `peacetalks datasheet` from release {stats['version']} (schema {stats['schema_version']}); do not edit by hand._",
        "**Size per split** (tokens by the release tokenizer; characters are code points of the clean text):",
        size_table(stats),
        "**Gold spans per label and split:**",
        per_label_table(stats, "spans"),
        "**Gold relations per label and split:**",
        per_label_table(stats, "relations"),
        "**Span lengths (tokens, all splits):**",
        span_length_table(stats),
        agreement_section(root),
        figures,
        END,
    ])


def provenance_block(provenance: dict[str, Any]) -> str:
    return "\n\n".join([
        PROVENANCE_BEGIN,
        "_Generated by `peacetalks datasheet` from the release's `provenance.json`, as the card's provenance passage is; "
        "do not edit by hand._",
        provenance_passage(provenance),
        PROVENANCE_END,
    ])


def with_block(text: str, block: str, path: Path, begin: str = BEGIN, end: str = END) -> str:
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise PeacetalksError(f"{path}: needs exactly one {begin} … {end} block")
    return text[: text.index(begin)] + block + text[text.index(end) + len(end):]


# --- figures ------------------------------------------------------------------------


def png(figure: Any) -> bytes:
    """PNG bytes with no software or time stamp, so the same data gives the same bytes."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata=PNG_METADATA)
    plt.close(figure)
    return buffer.getvalue()


def label_colours(labels: list[str], schema: Schema) -> dict[str, Any]:
    """Each label's colour in the schema; evenly spaced hues instead when the schema's colours are not
    one per label (a label it lacks, two labels sharing one), so no two labels ever look alike."""
    from matplotlib.colors import hsv_to_rgb

    colours = {label.name: label.color for layer in schema.layers for label in layer.labels}
    if all(label in colours for label in labels) and len({colours[label].lower() for label in labels}) == len(labels):
        return {label: colours[label] for label in labels}
    return {label: hsv_to_rgb((i / max(len(labels), 1), 0.75, 0.8)) for i, label in enumerate(labels)}


def label_distribution(stats: dict[str, Any], colours: dict[str, Any]) -> Any:
    """Grouped bars, one group per label in schema order: colour = label, hatch = split."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    splits, labels = stats["splits"], stats_labels(stats)
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(splits), 1)
    hatches = dict(zip(splits, ["", "///", "...", "xx", "\\\\"]))
    for i, (name, s) in enumerate(splits.items()):
        ax.bar([x + i * width for x in range(len(labels))], [s["spans"][label] for label in labels], width,
               color=[colours[label] for label in labels], hatch=hatches.get(name, ""), edgecolor="white", linewidth=0)
    ax.set_xticks([x + width * (len(splits) - 1) / 2 for x in range(len(labels))], labels, rotation=45, ha="right")
    ax.set_ylabel("gold spans")
    ax.set_title("Gold spans per label (bar pattern: split)")
    if splits:
        ax.legend(handles=[Patch(facecolor="grey", hatch=hatches.get(name, ""), edgecolor="white", label=name) for name in splits])
    fig.tight_layout()
    return fig


def span_lengths(stats: dict[str, Any], colours: dict[str, Any]) -> Any:
    """One row per label (schema order, top down): a dot per span length, its area the number of spans,
    on a log axis so one-token names and 80-token quotes both show; a black bar marks the median."""
    import matplotlib.pyplot as plt

    lengths = span_length_counts(stats)
    labels = [label for label in stats_labels(stats) if label in lengths]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 1.4))
    largest = max((count for label in labels for count in lengths[label].values()), default=1)
    for row, label in enumerate(labels):
        counts = lengths[label]
        ax.scatter(sorted(counts), [row] * len(counts), s=[20 + 380 * counts[n] / largest for n in sorted(counts)],
                   color=colours[label], alpha=0.85, edgecolors="white", linewidths=0.5, zorder=2)
        ax.scatter([median(counts.elements())], [row], marker="|", s=300, color="black", zorder=3)
    ax.set_yticks(range(len(labels)), [f"{label} (n={lengths[label].total()})" for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xscale("log", base=2)
    ax.grid(axis="x", alpha=0.3, zorder=0)
    ax.set_xlabel("span length (tokens, log scale; dot area: spans of that length; black bar: median)")
    ax.set_title("Span lengths per label")
    fig.tight_layout()
    return fig


def document_lengths(stats: dict[str, Any]) -> Any:
    """One bar per document, named by its id, grouped by split and sorted by length within it."""
    import matplotlib.pyplot as plt

    splits = stats["splits"]
    ids = [doc for s in splits.values() for doc in s["document_tokens"]]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    position = 0
    for name, s in splits.items():
        lengths = list(s["document_tokens"].values())
        ax.bar(range(position, position + len(lengths)), lengths, label=name)
        position += len(lengths)
    if len(ids) <= DOCUMENT_IDS_SHOWN:
        ax.set_xticks(range(len(ids)), ids, rotation=60, ha="right", fontsize="small")
        ax.set_xlabel("document (sorted by length within split)")
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(ids)} documents, sorted by length within split (ids: stats.json)")
    ax.set_ylabel("tokens")
    ax.set_title("Document lengths")
    if splits:
        ax.legend()
    fig.tight_layout()
    return fig


def figures(stats: dict[str, Any], schema: Schema) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    colours = label_colours(stats_labels(stats), schema)
    return {"label_distribution.png": png(label_distribution(stats, colours)),
            "span_lengths.png": png(span_lengths(stats, colours)),
            "document_lengths.png": png(document_lengths(stats))}


# --- sync ---------------------------------------------------------------------------------


def release_facts(root: Root, release: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``stats.json`` and ``provenance.json`` of ``release`` (a folder ``build`` made from ``root``),
    or of a build of ``root`` into a temp folder, removed afterwards."""
    if release is None:
        with tempfile.TemporaryDirectory(prefix="peacetalks-datasheet.") as scratch:
            return release_facts(root, build(root, Path(scratch) / "release").out)
    provenance = release / PROVENANCE_FILE
    if not provenance.exists():
        raise PeacetalksError(f"{provenance}: missing: the release was built before provenance.json existed; build it again")
    return read_json(release / STATS_FILE), read_json(provenance)


def expected_files(root: Root, release: Path | None) -> dict[Path, bytes]:
    stats, provenance = release_facts(root, release)
    path = root.path / DATASHEET_FILE
    if not path.exists():
        raise PeacetalksError(f"{path}: missing (the hand-written datasheet with a {BEGIN} … {END} block)")
    text = with_block(read_text(path), stats_block(root, stats), path)
    text = with_block(text, provenance_block(provenance), path, PROVENANCE_BEGIN, PROVENANCE_END)
    guidelines = root.path / GUIDELINES_FILE
    departures = standard_departures(read_text(guidelines) if guidelines.exists() else None)
    text = with_block(text, f"{STANDARD_BEGIN}\n{departures}\n{STANDARD_END}", path, STANDARD_BEGIN, STANDARD_END)
    outputs = {path: text.encode("utf-8")}
    outputs.update({root.path / FIGURES_DIR / name: data for name, data in figures(stats, load_schema(root)).items()})
    return outputs


def sync_datasheet(root: Root, check: bool = False, release: Path | None = None) -> list[Path]:
    """Bring the datasheet block and figures up to date with ``release`` or a fresh build (unless
    ``check``); returns the stale files."""
    return sync_files(expected_files(root, release), check)
