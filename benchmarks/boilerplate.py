"""Boilerplate-removal benchmark of ``peacetalks.clean`` on real pages (the shared AEB development set).

Usage:  .venv/bin/python benchmarks/boilerplate.py [--data PATH] [--write]

For each noisy input kind it scores the cleaner's text against the human gold with the
Article Extraction Benchmark's 4-gram shingle metric, and scores line removal against the
set's per-line labels. ``--write`` refreshes the "Boilerplate removal" table in BENCHMARKS.md
between its markers. Exits 0 with a message when the shared set is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from peacetalks.clean import clean

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "boilerplate" / "aeb_pairs.jsonl"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- boilerplate:begin -->", "<!-- boilerplate:end -->"
KINDS = {"html_text_0.7.0": "full page (html_text)", "trafilatura_2.3.1": "trafilatura output", "readability_js_0.6.0": "Readability.js output"}
# The README's reference figures (same metric, same inputs): (P, R, F1).
REFERENCE = {
    "html_text_0.7.0": {"C4 line rules": (0.788, 0.824, 0.806), "jusText run on lines": (0.738, 0.862, 0.795),
                        "perfect line removal": (0.973, 0.998, 0.985)},
    "trafilatura_2.3.1": {"C4 line rules": (0.943, 0.801, 0.866), "jusText run on lines": (0.961, 0.847, 0.900),
                          "perfect line removal": (0.989, 0.978, 0.984)},
    "readability_js_0.6.0": {},
}
TOKEN = re.compile(r"\w+")


# --- the AEB metric ----------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_overlap(gold: str, prediction: str) -> tuple[float, float, float]:
    """TP, FP, FN of the two shingle multisets, normalised by their sum."""
    true, pred = shingles(gold), shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


@dataclass
class Scores:
    """Per-document precisions and recalls (averaged), and line-removal counts (pooled)."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    removed_boilerplate: int = 0
    removed_content: int = 0
    kept_boilerplate: int = 0

    def add_document(self, gold: str, prediction: str) -> None:
        tp, fp, fn = shingle_overlap(gold, prediction)
        if tp + fp > 0:
            self.precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            self.recalls.append(tp / (tp + fn))

    def add_line(self, removed: bool, is_content: bool) -> None:
        if removed and is_content:
            self.removed_content += 1
        elif removed:
            self.removed_boilerplate += 1
        elif not is_content:
            self.kept_boilerplate += 1

    @property
    def prf(self) -> tuple[float, float, float]:
        p = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        r = sum(self.recalls) / len(self.recalls) if self.recalls else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def line_removal(self) -> tuple[float, float]:
        removed = self.removed_boilerplate + self.removed_content
        boilerplate = self.removed_boilerplate + self.kept_boilerplate
        return (self.removed_boilerplate / removed if removed else 0.0, self.removed_boilerplate / boilerplate if boilerplate else 0.0)


# --- running ---------------------------------------------------------------------------


def pages(data: Path) -> Iterator[dict]:
    with data.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def score(data: Path) -> dict[str, tuple[Scores, Scores]]:
    """For each input kind: (no cleaning, peacetalks.clean)."""
    results = {kind: (Scores(), Scores()) for kind in KINDS}
    for page in pages(data):
        for kind, (raw_scores, clean_scores) in results.items():
            page_input = page["inputs"][kind]
            result = clean(page_input["text"])
            raw_scores.add_document(page["gold"], page_input["text"])
            clean_scores.add_document(page["gold"], result.text)
            for start, end, is_content in page_input["lines"]:
                clean_scores.add_line(result.alignment.to_clean(start, end) is None, is_content)
    return results


def throughput(data: Path, kind: str) -> tuple[float, float]:
    """MB of input text and MB/s of ``peacetalks clean-text`` (the real CLI, start-up included) on one kind."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{kind}.jsonl"
        size = 0
        with source.open("w", encoding="utf-8") as handle:
            for page in pages(data):
                text = page["inputs"][kind]["text"]
                size += len(text.encode("utf-8"))
                handle.write(json.dumps({"id": page["id"], "text": text}, ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "peacetalks.cli", "clean-text", str(source), "--out", str(Path(tmp) / "out.jsonl")]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - started
    return size / 1e6, size / 1e6 / elapsed


def table(data: Path) -> str:
    results = score(data)
    documents = len(results[next(iter(KINDS))][1].recalls)
    rows = ["| input | cleaner | P | R | F1 | line-removal P | line-removal R | MB/s |", "|---|---|---|---|---|---|---|---|"]
    for kind, label in KINDS.items():
        raw_scores, clean_scores = results[kind]
        megabytes, speed = throughput(data, kind)
        rows.append(f"| {label} | none | " + " | ".join(f"{x:.3f}" for x in raw_scores.prf) + " | – | 0.000 | – |")
        line_p, line_r = clean_scores.line_removal
        rows.append(f"| {label} | **peacetalks.clean** | " + " | ".join(f"**{x:.3f}**" for x in clean_scores.prf)
                    + f" | {line_p:.3f} | {line_r:.3f} | {speed:.2f} ({megabytes:.1f} MB) |")
        for name, figures in REFERENCE[kind].items():
            rows.append(f"| {label} | {name} (reference) | " + " | ".join(f"{x:.3f}" for x in figures) + " | | | |")
    return (f"{BEGIN}\n`.venv/bin/python benchmarks/boilerplate.py --write` on {documents} pages "
            f"(`{data.name}`):\n\n" + "\n".join(rows) + f"\n{END}")


def write_section(section: str) -> None:
    """Replace the text between the markers in BENCHMARKS.md (or append the section)."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n## Boilerplate removal\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the AEB pairs (default: {DEFAULT_DATA})")
    parser.add_argument("--write", action="store_true", help="refresh the table in BENCHMARKS.md")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"boilerplate benchmark skipped: {args.data} is absent (the shared development set is not on this machine)")
        return 0
    section = table(args.data)
    print(section)
    if args.write:
        write_section(section)
        print(f"wrote {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
