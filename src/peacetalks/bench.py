"""Scale tools, I/O (child processes, a data root): ``peacetalks bench``: time clean, validate and build on a data root, each in its own process.

Every stage runs as ``python -m peacetalks.cli STAGE``; its peak RSS is the largest VmHWM of its
processes, sampled from /proc while it runs. Throughput counts what the stage reads: clean reads
the seeds, validate and build read the clean texts and the annotation files. The floor is the
time pyarrow alone needs to write the tables build produced (read back, then ``write_table``d
with the same compression), so ``build / floor`` says how much the build adds on top of Parquet.
The benchmark never changes the root's seeds, corpus or annotations: clean writes into a temp
root beside it that links to the seeds, and build writes its release into the same temp root
(build never writes the root: new documents get their rule split for that build only).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow
import pyarrow.parquet as pq

from .seeds import manifest_files
from .storage import PeacetalksError, Root, write_text_atomic

STAGES = ("clean", "validate", "build")
MB = 1_000_000
SPAN_MARK = b', "start": '  # once per span line in a canonical annotation file; never inside a JSON string
LOG_TAIL = 800


@dataclass(frozen=True)
class Inputs:
    """What the stages read, measured once by streaming over the files."""

    documents: int
    seed_bytes: int
    corpus_bytes: int
    annotation_bytes: int
    spans: int


@dataclass
class StageResult:
    stage: str
    command: str
    seconds: float
    peak_rss_mib: float
    exit_code: int
    documents: int
    input_mb: float
    spans: int

    @property
    def rates(self) -> dict[str, float]:
        per_second = lambda amount: amount / self.seconds if self.seconds else 0.0  # noqa: E731
        return {"docs_per_s": per_second(self.documents), "mb_per_s": per_second(self.input_mb), "spans_per_s": per_second(self.spans)}


@dataclass
class BenchReport:
    root: str
    machine: dict[str, str]
    inputs: Inputs
    stages: list[StageResult] = field(default_factory=list)
    floor_seconds: float | None = None
    floor_tables: int = 0

    @property
    def ok(self) -> bool:
        return all(stage.exit_code == 0 for stage in self.stages)

    def as_dict(self) -> dict[str, object]:
        build = next((s for s in self.stages if s.stage == "build"), None)
        return {
            "root": self.root, "machine": self.machine, "inputs": asdict(self.inputs),
            "stages": [{**asdict(stage), **{k: round(v, 1) for k, v in stage.rates.items()}} for stage in self.stages],
            "floor_seconds": self.floor_seconds, "floor_tables": self.floor_tables,
            "build_over_floor": round(build.seconds / self.floor_seconds, 2) if build and self.floor_seconds else None,
        }

    def markdown(self) -> str:
        lines = [
            f"root: {self.root} ({self.inputs.documents} documents, {self.inputs.spans} spans); "
            + ", ".join(f"{k} {v}" for k, v in self.machine.items()),
            "",
            "| stage | documents | input MB | spans | seconds | documents/s | MB/s | spans/s | peak RSS MiB | exit |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.stages:
            r = s.rates
            spans = f"{s.spans}" if s.spans else "–"
            spans_rate = f"{r['spans_per_s']:,.0f}" if s.spans else "–"
            lines.append(f"| {s.stage}{' (killed at --timeout)' if s.exit_code == -signal.SIGKILL else ''} | {s.documents} | {s.input_mb:.1f} | {spans} | {s.seconds:.1f} | {r['docs_per_s']:,.0f} | "
                         f"{r['mb_per_s']:.2f} | {spans_rate} | {s.peak_rss_mib:.0f} | {s.exit_code} |")
        if self.floor_seconds is not None:
            ratio = self.as_dict()["build_over_floor"]
            lines.append(f"\npyarrow floor: write_table of the {self.floor_tables} built tables takes {self.floor_seconds:.2f} s; "
                         f"build takes {ratio}× the floor")
        lines.append("\ncommands: " + "; ".join(f"`{s.command}`" for s in self.stages))
        return "\n".join(lines)


# --- measuring ------------------------------------------------------------------------


def machine() -> dict[str, str]:
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:"))
    return {"nproc": str(os.cpu_count()), "memory": f"{memory_kib / 1024 / 1024:.1f} GiB", "python": platform.python_version(),
            "pyarrow": pyarrow.__version__, "system": f"{platform.system()} {platform.machine()}",
            "load average at start": " ".join(f"{load:.1f}" for load in os.getloadavg())}  # the machine may be shared


def folder_bytes(folder: Path, pattern: str) -> int:
    return sum(path.stat().st_size for path in folder.glob(pattern)) if folder.exists() else 0


def measure_inputs(root: Root) -> Inputs:
    spans, annotation_bytes = 0, 0
    for path in sorted(root.annotations.glob("*.json")) if root.annotations.exists() else []:
        data = path.read_bytes()
        annotation_bytes += len(data)
        spans += data.count(SPAN_MARK)
    return Inputs(documents=len(manifest_files(root)), seed_bytes=folder_bytes(root.seeds, "*"),
                  corpus_bytes=folder_bytes(root.corpus, "*"), annotation_bytes=annotation_bytes, spans=spans)


def run_process(argv: list[str], log: Path, timeout: float | None) -> tuple[float, float, int]:
    """Run ``argv`` to the end or until ``timeout`` (then SIGKILL, exit code -9); returns (wall seconds, peak RSS MiB, exit code).

    Peak RSS is the largest VmHWM of the stage's processes, sampled from /proc while they run: the rusage
    of a forked child also counts the parent's memory at fork time, which would charge the benchmark's own
    memory to every stage.
    """
    with log.open("wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        peak_kib = 0
        while True:
            peak_kib = max([peak_kib, *map(high_water_kib, process_tree(process.pid))])
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                process.send_signal(signal.SIGKILL)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, peak_kib / 1024, process.returncode


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (e.g. a stage's worker pool), from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def high_water_kib(pid: int) -> int:
    """VmHWM of a live process in KiB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def stage_command(stage: str, root: Root, scratch: Path) -> list[str]:
    cli = [sys.executable, "-m", "peacetalks.cli", stage]
    if stage == "clean":
        return [*cli, "--root", str(clean_root(root, scratch).path)]
    if stage == "build":
        return [*cli, "--root", str(root.path), "--out", str(scratch / "release")]
    return [*cli, "--root", str(root.path)]


def clean_root(root: Root, scratch: Path) -> Root:
    """A root whose seeds/ and schema/ link to ``root``'s, so clean writes a fresh corpus/ in the scratch folder."""
    target = Root(scratch / "clean-root")
    if not target.path.exists():
        target.path.mkdir()
        target.seeds.symlink_to(root.seeds.resolve(), target_is_directory=True)
        target.schema_dir.symlink_to(root.schema_dir.resolve(), target_is_directory=True)
    return target


def stage_inputs(stage: str, inputs: Inputs) -> tuple[float, int]:
    """(input MB, spans) a stage reads."""
    if stage == "clean":
        return inputs.seed_bytes / MB, 0
    return (inputs.corpus_bytes + inputs.annotation_bytes) / MB, inputs.spans


def parquet_floor(release: Path, scratch: Path) -> tuple[float, int]:
    """Seconds pyarrow needs to write the release's tables again (zstd, as build writes them), and how many."""
    tables = sorted(release.glob("data/**/*.parquet"))
    seconds = 0.0
    for index, path in enumerate(tables):
        table = pq.read_table(path)
        start = time.perf_counter()
        pq.write_table(table, scratch / f"floor-{index}.parquet", compression="zstd")
        seconds += time.perf_counter() - start
        del table
    return seconds, len(tables)


def run_bench(root: Root, stages: list[str], out: Path | None = None, timeout: float | None = None) -> BenchReport:
    unknown = [stage for stage in stages if stage not in STAGES]
    if unknown:
        raise PeacetalksError(f"unknown stages {', '.join(unknown)} (choose from {', '.join(STAGES)})")
    if not root.manifest.exists():
        raise PeacetalksError(f"{root.manifest}: missing; bench needs a data root (make one with `peacetalks synth`)")
    report = BenchReport(str(root.path), machine(), measure_inputs(root))
    scratch = Path(tempfile.mkdtemp(dir=root.path.parent, prefix=f".{root.path.name}.bench."))
    try:
        for stage in stages:
            argv = stage_command(stage, root, scratch)
            log = scratch / f"{stage}.log"
            seconds, rss, code = run_process(argv, log, timeout)
            input_mb, spans = stage_inputs(stage, report.inputs)
            shown = " ".join(["peacetalks", *argv[3:]])
            report.stages.append(StageResult(stage, shown, round(seconds, 2), round(rss, 1), code, report.inputs.documents, round(input_mb, 2), spans))
            if code != 0:
                tail = log.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL:]
                print(f"bench: {stage} exited {code}:\n{tail}", file=sys.stderr)
            elif stage == "build":
                report.floor_seconds, report.floor_tables = parquet_floor(scratch / "release", scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if out is not None:
        write_text_atomic(out, json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    return report
