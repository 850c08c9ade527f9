"""How much faster two processes are than one on this machine, for work that shares nothing.

Usage:  .venv/bin/python benchmarks/parallel_ceiling.py [--rounds N]

The scaling targets of issue 17 (1 → 2 workers ≥ 1.7×) assume two independent cores. On a virtual
machine two vCPUs may share a physical core or the host's memory bandwidth, and then no pipeline can
scale better than the hardware does. This script measures that ceiling directly: each kind of work is
run as one process doing 2 units, then as two processes doing 1 unit each at the same time (forked,
started together, nothing shared); the speedup is (time of one process) / (wall time of the pair).

Kinds of work, chosen to match the stages' profiles: ``arithmetic`` (a pure Python loop, no memory
traffic), ``json`` (parsing a 1 MB JSON document again and again: allocation-heavy, like validate's
pydantic parsing), ``regex`` (a word regex over 1 MB of text, like the cleaner's ``Line.words``).
Prints one Markdown table row per kind with the load average at its start (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import time
from collections.abc import Callable

WORDS = re.compile(r"\w+")
DOCUMENT = json.dumps([{"id": f"s{i}", "label": "PERSON", "start": i * 7, "end": i * 7 + 5, "text": "Putin"} for i in range(12_000)])
TEXT = "The envoys met in Riyadh on Tuesday, the ministry said. " * 18_000


def arithmetic(units: int) -> None:
    total = 0
    for value in range(units * 12_000_000):
        total += value * value % 7


def parse_json(units: int) -> None:
    for _ in range(units * 150):
        json.loads(DOCUMENT)


def word_regex(units: int) -> None:
    for _ in range(units * 40):
        WORDS.findall(TEXT)


KINDS: dict[str, Callable[[int], None]] = {"arithmetic": arithmetic, "json": parse_json, "regex": word_regex}


def timed(work: Callable[[int], None], units: int, processes: int) -> float:
    """Wall seconds for ``processes`` forked processes each doing ``units`` of ``work`` at once."""
    context = multiprocessing.get_context("fork")
    start_together = context.Barrier(processes + 1)

    def run() -> None:
        start_together.wait()
        work(units)

    children = [context.Process(target=run) for _ in range(processes)]
    for child in children:
        child.start()
    start_together.wait()
    start = time.perf_counter()
    for child in children:
        child.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds per measurement (default 3)")
    args = parser.parse_args()
    print(f"nproc {os.cpu_count()}; best of {args.rounds} rounds\n")
    print("| work | 1 process, 2 units s | 2 processes, 1 unit each s | speedup | load at start |")
    print("|---|---:|---:|---:|---:|")
    for name, work in KINDS.items():
        load = os.getloadavg()[0]
        one = min(timed(work, 2, 1) for _ in range(args.rounds))
        two = min(timed(work, 1, 2) for _ in range(args.rounds))
        print(f"| {name} | {one:.2f} | {two:.2f} | {one / two:.2f}× | {load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
