"""Boilerplate-removal benchmark of ``peacetalks.clean`` on two shared sets of real pages.

Usage:  .venv/bin/python benchmarks/boilerplate.py [--data DIR] [--ablation] [--write] [--versus SRC] [--limit N]

- AEB (``aeb_pairs.jsonl``, 181 pages, a human gold body): the Article Extraction Benchmark's 4-gram
  shingle metric; a page *loses text* when the cleaner's recall is more than 5 points below its input's.
- trafilatura's evaluation pages (``trafilatura_eval_pairs.jsonl``, 990 pages, ``with``/``without``
  snippets): trafilatura's snippet metric; a page *loses text* when a ``with`` snippet its input had is gone.

``--ablation`` also scores the cleaner with each rule switched off in turn; ``--write`` (which implies
it) refreshes the generated part of the "Boilerplate removal" section of BENCHMARKS.md: results, rule
table (from the rule objects) and ablation. ``--versus SRC`` compares ``clean()`` with another source tree's
(e.g. an older commit's ``src``) in lock step: two worker processes, one per tree, clean each input in turn
(alternating which goes first) and report CPU seconds, so both trees meet the same machine at the same moment
(this shared host's speed drifts by a third between runs, which makes runs one after the other useless for a
ratio). ``--limit N`` scores only the first N pages of
each set (to iterate; never with ``--write``). Exits 0 with a message when the sets are absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import Pool
from pathlib import Path

from peacetalks.clean import PIPELINE, CleanResult, Pipeline, clean

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "boilerplate"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- boilerplate:begin -->", "<!-- boilerplate:end -->"
TOKEN = re.compile(r"\w+")
WHITESPACE = re.compile(r"\s+")
LOST_RECALL = 0.05  # an AEB page loses text when its recall falls more than this below its input's
FULL = "all rules"
LOCKSTEP_REPEATS = 3  # turns each tree takes at each input under --versus
LOCKSTEP_CORE = max(os.sched_getaffinity(0))


# --- the metrics -------------------------------------------------------------------


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


def collapsed(text: str) -> str:
    return WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Scores:
    """One input kind under one cleaner: AEB's per-document averages or the snippet counts, and lost pages."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    tp: int = 0
    fp: int = 0
    fn: int = 0
    pages_losing_text: int = 0

    def add_document(self, gold: str, prediction: str) -> float | None:
        """AEB: adds one page's precision and recall; returns the recall."""
        tp, fp, fn = shingle_overlap(gold, prediction)
        if tp + fp > 0:
            self.precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            self.recalls.append(tp / (tp + fn))
            return tp / (tp + fn)
        return None

    def add_snippets(self, with_: list[str], without: list[str], prediction: str) -> set[str]:
        """trafilatura: adds one page's snippet counts; returns the ``with`` snippets found."""
        text = collapsed(prediction)
        found = {snippet for snippet in with_ if snippet in text}
        self.tp += len(found)
        self.fn += len(with_) - len(found)
        self.fp += sum(1 for snippet in without if snippet in text)
        return found

    def merge(self, other: Scores) -> None:
        self.precisions += other.precisions
        self.recalls += other.recalls
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.pages_losing_text += other.pages_losing_text

    @property
    def prf(self) -> tuple[float, float, float]:
        if self.precisions or self.recalls:
            p = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
            r = sum(self.recalls) / len(self.recalls) if self.recalls else 0.0
        else:
            p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
            r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- the sets ------------------------------------------------------------------------


def snippet_output(result: CleanResult) -> str:
    """What the snippet metric reads: the title (kept apart, not deleted) and the text."""
    return f"{result.title.text}\n{result.text}" if result.title else result.text


def score_aeb(page: dict, raw: str, result: CleanResult | None, scores: Scores) -> None:
    if result is None:
        scores.add_document(page["gold"], raw)
        return
    recall = scores.add_document(page["gold"], result.text)
    raw_recall = Scores().add_document(page["gold"], raw)
    if recall is not None and raw_recall is not None and raw_recall - recall > LOST_RECALL:
        scores.pages_losing_text += 1


def score_trafilatura(page: dict, raw: str, result: CleanResult | None, scores: Scores) -> None:
    with_, without = [collapsed(s) for s in page["with"]], [collapsed(s) for s in page["without"]]
    found = scores.add_snippets(with_, without, raw if result is None else snippet_output(result))
    if result is not None and any(snippet in collapsed(raw) and snippet not in found for snippet in with_):
        scores.pages_losing_text += 1


@dataclass(frozen=True)
class EvalSet:
    name: str
    file: str
    kinds: dict[str, str]
    metric: str
    score: Callable[[dict, str, CleanResult | None, Scores], None]


SETS = (
    EvalSet("AEB", "aeb_pairs.jsonl", {"html_text_0.7.0": "full page", "trafilatura_2.3.1": "trafilatura output",
                                       "readability_js_0.6.0": "Readability.js output"}, "4-gram shingles", score_aeb),
    EvalSet("trafilatura eval", "trafilatura_eval_pairs.jsonl", {"html_text_0.7.1": "full page", "trafilatura_2.3.1": "trafilatura output"},
            "with/without snippets", score_trafilatura),
)
SETS_BY_NAME = {s.name: s for s in SETS}


def pages(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def variants(ablation: bool) -> dict[str, Pipeline]:
    """The cleaner, and with ``ablation`` the cleaner without each rule in turn."""
    found = {FULL: PIPELINE}
    if ablation:
        found.update({rule.name: PIPELINE.without(rule.name) for rule in PIPELINE.rules()})
    return found


Key = tuple[str, str, str]  # (set, kind, variant: "none", FULL or the rule switched off)


def score_page(job: tuple[str, str, bool]) -> dict[Key, Scores]:
    """Every kind of one page under no cleaning and every variant (run in a worker process)."""
    set_name, line, ablation = job
    eval_set, page = SETS_BY_NAME[set_name], json.loads(line)
    results: dict[Key, Scores] = {}
    for kind in eval_set.kinds:
        raw = page["inputs"][kind]["text"]
        eval_set.score(page, raw, None, results.setdefault((set_name, kind, "none"), Scores()))
        for variant, pipeline in variants(ablation).items():
            eval_set.score(page, raw, clean(raw, pipeline), results.setdefault((set_name, kind, variant), Scores()))
    return results


def score_all(data: Path, ablation: bool, limit: int | None = None) -> dict[Key, Scores]:
    totals: dict[Key, Scores] = {}
    jobs = ((s.name, line, ablation) for s in SETS for line in islice((data / s.file).open(encoding="utf-8"), limit))
    with Pool(os.cpu_count() or 1) as pool:
        for page_scores in pool.imap(score_page, jobs, chunksize=4):
            for key, scores in page_scores.items():
                totals.setdefault(key, Scores()).merge(scores)
    return totals


# --- throughput --------------------------------------------------------------------

TIMED_CLEANER = """
import json, os, sys, time
import peacetalks.clean
from peacetalks.clean import clean
if not os.path.realpath(peacetalks.clean.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep):
    sys.exit(f"{sys.argv[1]} holds no peacetalks package (this imported {peacetalks.clean.__file__})")
for line in sys.stdin:
    text = json.loads(line)
    started = time.process_time()
    clean(text)
    print(time.process_time() - started, flush=True)
"""


class TimedCleaner:
    """A worker process that runs one source tree's ``clean()`` on each text sent to it and answers its CPU seconds."""

    def __init__(self, src: Path) -> None:
        self.src = src
        # both trees on the same core with the same hash seed: nothing but their code differs
        self.process = subprocess.Popen([sys.executable, "-c", TIMED_CLEANER, str(src)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, encoding="utf-8", preexec_fn=lambda: os.sched_setaffinity(0, {LOCKSTEP_CORE}),
                                        env={**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"})

    def cpu_seconds(self, text: str) -> float:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the clean() worker of {self.src} stopped (its error is above)")
        return float(answer)

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait()


def lockstep(path: Path, kind: str, here: Path, other: Path, repeats: int = LOCKSTEP_REPEATS) -> tuple[float, float]:
    """MB per CPU second of ``clean()`` in the trees ``here`` and ``other``: each input is cleaned ``repeats`` times
    by each, in turn (ABBA...), and each tree's fastest time counts (what a neighbour's burst of work adds is never
    less than nothing, so the minimum is the estimate it disturbs least)."""
    trees = TimedCleaner(here), TimedCleaner(other)
    size, seconds = 0, [0.0, 0.0]
    try:
        for page in pages(path):
            text = page["inputs"][kind]["text"]
            size += len(text.encode("utf-8"))
            times: list[list[float]] = [[], []]
            for turn in range(repeats):
                for side in ((0, 1) if turn % 2 == 0 else (1, 0)):
                    times[side].append(trees[side].cpu_seconds(text))
            seconds[0] += min(times[0])
            seconds[1] += min(times[1])
    finally:
        for tree in trees:
            tree.close()
    return size / 1e6 / seconds[0], size / 1e6 / seconds[1]



def throughput(path: Path, kind: str, src: Path) -> float:
    """MB/s of ``peacetalks clean-text`` (the real CLI of the tree ``src``, start-up included) on one kind."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{kind}.jsonl"
        size = 0
        with source.open("w", encoding="utf-8") as handle:
            for page in pages(path):
                text = page["inputs"][kind]["text"]
                size += len(text.encode("utf-8"))
                handle.write(json.dumps({"id": page["id"], "text": text}, ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "peacetalks.cli", "clean-text", str(source), "--out", str(Path(tmp) / "out.jsonl")]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(src)})
        return size / 1e6 / (time.perf_counter() - started)


# --- tables ----------------------------------------------------------------------------


def fmt(values: tuple[float, ...], bold: bool = False) -> str:
    return " | ".join(f"**{x:.3f}**" if bold else f"{x:.3f}" for x in values)


Speeds = dict[tuple[str, str], tuple[float, tuple[float, float] | None]]  # (set, kind): CLI MB/s, lock-step MB/CPU-s


def results_table(totals: dict[Key, Scores], speeds: Speeds) -> str:
    lockstep_note = " (in brackets: `clean()` MB per CPU second, lock-step with `--versus`)" if any(v for _, v in speeds.values()) else ""
    rows = [f"| set | input | cleaner | P | R | F1 | pages losing text | clean-text MB/s{lockstep_note} |", "|---|---|---|---|---|---|---|---|"]
    for s in SETS:
        for kind, label in s.kinds.items():
            none, full = totals[(s.name, kind, "none")], totals[(s.name, kind, FULL)]
            speed, versus = speeds[(s.name, kind)]
            timing = f"{speed:.2f}" + (f" ({versus[0]:.2f} vs other tree {versus[1]:.2f}, ×{versus[0] / versus[1]:.3f})" if versus else "")
            rows.append(f"| {s.name} | {label} | none | {fmt(none.prf)} | – | – |")
            rows.append(f"| {s.name} | {label} | **peacetalks.clean** | {fmt(full.prf, bold=True)} | {full.pages_losing_text} | {timing} |")
    return "\n".join(rows)


def parameters(rule: object) -> str:
    return ", ".join(f"`{f.name}={getattr(rule, f.name)}`" for f in dataclasses.fields(rule)) or "–"


def docstring_parts(obj: object) -> tuple[str, str, str]:
    """(summary, 'Removes:' example, 'Keeps:' example) from a rule's docstring."""
    doc = inspect.getdoc(obj) or ""
    summary = " ".join(doc.split("\n\n")[0].split())
    examples = [re.search(rf"^{key}:(.*?)(?=^\w+:|\Z)", doc, re.M | re.S) for key in ("Removes", "Keeps")]
    removes, keeps = (" ".join(found.group(1).split()) if found else "–" for found in examples)
    return summary, removes, keeps


def rule_table() -> str:
    rows = ["| rule | reasons | what it removes | example removed | example kept | parameters |", "|---|---|---|---|---|---|"]
    for rule in PIPELINE.rules():
        summary, removes, keeps = docstring_parts(rule)
        rows.append(f"| `{rule.name}` | {', '.join(f'`{r}`' for r in rule.reasons)} | {summary} | {removes} | {keeps} | {parameters(rule)} |")
    kind = PIPELINE.page_kind
    rows.append(f"| (`PageKind`: decides, removes nothing) | – | {docstring_parts(kind)[0]} | – | – | {parameters(kind)} |")
    return "\n".join(rows)


def ablation_table(totals: dict[Key, Scores]) -> str:
    columns = [(s, kind, label) for s in SETS for kind, label in s.kinds.items()]
    header = "| rule switched off | " + " | ".join(f"{s.name}, {label}: ΔF1 / Δlosing" for s, _, label in columns) + " |"
    rows = [header, "|---|" + "---|" * len(columns)]
    for rule in PIPELINE.rules():
        cells = []
        for s, kind, _ in columns:
            full, off = totals[(s.name, kind, FULL)], totals[(s.name, kind, rule.name)]
            cells.append(f"{off.prf[2] - full.prf[2]:+.4f} / {off.pages_losing_text - full.pages_losing_text:+d}")
        rows.append(f"| `{rule.name}` | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def section(data: Path, totals: dict[Key, Scores], speeds: Speeds, ablation: bool) -> str:
    parts = [f"{BEGIN}\n`.venv/bin/python benchmarks/boilerplate.py --write` on "
             + ", ".join(f"{s.name} (`{s.file}`, {s.metric})" for s in SETS) + ":", results_table(totals, speeds),
             "Rules, in the order they first act (generated from the rule objects in `src/peacetalks/clean/rules/`):", rule_table()]
    if ablation:
        parts += ["Ablation: each rule switched off in turn (ΔF1 < 0 and Δlosing > 0 mean the rule earns its keep; "
                  "ΔF1 > 0 or Δlosing < 0 mean it costs more than it brings there):", ablation_table(totals)]
    return "\n\n".join(parts) + f"\n{END}"


def write_section(text: str) -> None:
    """Replace the text between the markers in BENCHMARKS.md (or append the section)."""
    document = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if BEGIN in document and END in document:
        document = document[: document.index(BEGIN)] + text + document[document.index(END) + len(END) :]
    else:
        document = document.rstrip("\n") + "\n\n## Boilerplate removal\n\n" + text + "\n"
    BENCHMARKS_MD.write_text(document, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the folder of both sets (default: {DEFAULT_DATA})")
    parser.add_argument("--ablation", action="store_true", help="also score each rule switched off in turn")
    parser.add_argument("--write", action="store_true", help="refresh the generated tables in BENCHMARKS.md (implies --ablation)")
    parser.add_argument("--versus", type=Path, default=None, help="another source tree whose clean() is timed in lock step with this one")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages of each set (to iterate)")
    args = parser.parse_args()
    if args.limit is not None and (args.write or args.limit < 1):
        parser.error("--limit takes a positive number and cannot be combined with --write (the tables are of the full sets)")
    missing = [s.file for s in SETS if not (args.data / s.file).exists()]
    if missing:
        print(f"boilerplate benchmark skipped: {', '.join(missing)} absent from {args.data} (the shared sets are not on this machine)")
        return 0
    ablation = args.ablation or args.write
    totals = score_all(args.data, ablation, args.limit)
    speeds: Speeds = {(s.name, kind): (throughput(args.data / s.file, kind, REPO / "src"),
                                       lockstep(args.data / s.file, kind, REPO / "src", args.versus) if args.versus else None)
                      for s in SETS for kind in s.kinds}
    text = section(args.data, totals, speeds, ablation)
    print(text)
    if args.write:
        write_section(text)
        print(f"wrote {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
