"""How `peacetalks validate` scales with the spans of ONE document (issue 12: it was quadratic).

Usage:  .venv/bin/python benchmarks/validate_one_document.py [--spans 10000 30000 100000 300000] [--repeat 3]

For each N it writes a scratch data root (the repository's schema, one clean text, one annotation
file) whose gold set has N spans over one text: every sentence names a distinct person (an entity
span, so no two mentions share a string), and every fourth one quotes them, with a QUOTE, a SOURCE
and a CUE linked by source and cue relations. The file passes validate. It times
``validate_root`` in this process (best of ``--repeat``, parsing included) and prints one Markdown
row per N plus the ratio of each time to the first: a linear validator gives ratio ≈ N / N₀.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from peacetalks.models import GOLD
from peacetalks.schema import load_schema
from peacetalks.storage import Root, sha256_text, write_text_atomic
from peacetalks.validate import validate_root

REPO = Path(__file__).resolve().parents[1]
DOC = "bench"


def person(index: int) -> str:
    """A distinct capitalised name per index, in letters only (digits would join the next word)."""
    letters = "".join(chr(ord("a") + int(digit)) for digit in str(index))
    return f"P{letters}"


def gold_set(spans: int) -> tuple[str, dict[str, object]]:
    """A text and a valid gold set with at least ``spans`` spans."""
    pieces: list[str] = []
    made: list[dict[str, object]] = []
    relations: list[dict[str, object]] = []
    length = 0

    def add(piece: str, label: str | None = None) -> str:
        nonlocal length
        sid = f"s{len(made)}"
        if label is not None:
            made.append({"id": sid, "start": length, "end": length + len(piece), "label": label, "text": piece})
        pieces.append(piece)
        length += len(piece)
        return sid

    index = 0
    while len(made) < spans:
        name = person(index)
        if index % 4 == 3:
            add("“")
            quote = add("We want peace now", "QUOTE")
            add("”, ")
            source = add(name, "SOURCE")
            add(" ")
            cue = add("said", "CUE")
            add(". ")
            relations += [{"id": f"r{len(relations)}", "head": quote, "tail": source, "label": "source"},
                          {"id": f"r{len(relations) + 1}", "head": quote, "tail": cue, "label": "cue"}]
        else:
            add(name, "PERSON")
            add(" spoke. ")
        index += 1
    return "".join(pieces), {"provenance": {"annotator": GOLD, "method": "benchmark"}, "spans": made, "relations": relations}


def scratch_root(path: Path, spans: int) -> tuple[Root, int]:
    """A data root with the repository's schema and one annotated document; returns it and its span count."""
    shutil.copytree(REPO / "schema", path / "schema")
    root = Root(path)
    text, gold = gold_set(spans)
    write_text_atomic(root.corpus_text(DOC), text)
    data = {"document_id": DOC, "text_sha256": sha256_text(text), "schema_version": "1.0.0", "annotators": {GOLD: gold}}
    write_text_atomic(root.annotation_file(DOC), json.dumps(data, ensure_ascii=False))
    return root, len(gold["spans"])  # type: ignore[arg-type]


def seconds(root: Root, repeat: int) -> float:
    """Best wall time of ``repeat`` full validations (read, parse, check); refuses a root with problems."""
    schema = load_schema(root)
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        problems = list(validate_root(root, schema))
        best = min(best, time.perf_counter() - began)
        if problems:
            raise SystemExit(f"the benchmark file has problems: {problems[:3]}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, nargs="+", default=[10_000, 30_000, 100_000, 300_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| spans in one document | text characters | validate seconds | spans/s | time ratio to the first |")
    print("|---:|---:|---:|---:|---:|")
    first: float | None = None
    for spans in args.spans:
        with tempfile.TemporaryDirectory(prefix="peacetalks-bench-") as scratch:
            root, made = scratch_root(Path(scratch), spans)
            characters = len(root.corpus_text(DOC).read_text(encoding="utf-8"))
            took = seconds(root, args.repeat)
        first = took if first is None else first
        print(f"| {made:,} | {characters:,} | {took:.2f} | {made / took:,.0f} | {took / first:.1f} |", flush=True)


if __name__ == "__main__":
    main()
