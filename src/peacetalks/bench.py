"""Scale tools, I/O (child processes, a data root, a local Ray cluster): ``peacetalks bench``: time clean, validate and build on a data root, each in its own process.

Every stage runs as ``python -m peacetalks.cli STAGE``, once per *variant* (how it runs: ``default``,
one task in process, datatrove's local executor or a local Ray cluster with 1 or 2 workers; see
:data:`VARIANTS`); its peak RSS is the largest VmHWM of any one of its processes (the stage's own and
its workers', so: per worker), sampled from /proc while it runs. Throughput counts what the stage
reads: clean reads the seeds, validate and build read the clean texts and the annotation files. Each
run records the load average at its start and end (the machine may be shared) and whether its output
(the corpus, validate's report, the release's MANIFEST.sha256) is the first variant's, byte for byte.
The floor is the time pyarrow alone needs to write the tables build produced (read back, then
``write_table``d with the same compression), so ``build / floor`` says how much the build adds on top
of Parquet. ``--fixed-cost`` times every variant on a 1-document root, ``--resume`` kills a build on
the local executor after its first finished task and times the rerun that resumes.
The benchmark never changes the root's seeds, corpus or annotations: clean writes into a temp
root beside it that links to the seeds, and build writes its release into the same temp root
(build never writes the root: new documents get their rule split for that build only).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow
import pyarrow.parquet as pq

from .benchreport import STAGES, BenchReport, Inputs, Resume, StageResult
from .engine import WORK_FOLDER
from .seeds import manifest_files
from .storage import PeacetalksError, Root, write_text_atomic

MB = 1_000_000
SPAN_MARK = b', "start": '  # once per span line in a canonical annotation file; never inside a JSON string
LOG_TAIL = 800
TASKS = "{tasks}"
VARIANTS: dict[str, tuple[str, ...]] = {  # a variant's options for the stage command; TASKS becomes --tasks
    "default": (),  # a plain command: one task in process below 1000 documents, else datatrove's local executor, one task per core
    "in-process": ("--tasks", "1"),
    "local-1": ("--tasks", TASKS, "--workers", "1"),
    "local-2": ("--tasks", TASKS, "--workers", "2"),
    "ray-1": ("--executor", "ray", "--tasks", TASKS, "--workers", "1"),
    "ray-2": ("--executor", "ray", "--tasks", TASKS, "--workers", "2"),
}
RAY_WORKER = b"default_worker.py"  # in the command line of a Ray worker process


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


PidSource = Callable[[], list[int]]


def run_process(argv: list[str], log: Path, timeout: float | None, env: dict[str, str] | None = None,
                also: PidSource = lambda: []) -> tuple[float, float, int]:
    """Run ``argv`` (stdout to ``log``.out, stderr to ``log``) to the end or until ``timeout`` (then SIGKILL, exit
    code -9); returns (wall seconds, peak RSS MiB of its largest process, exit code).

    Peak RSS is the largest VmHWM of the stage's processes (and of ``also``'s: a Ray cluster's workers),
    sampled from /proc while they run: the rusage of a forked child also counts the parent's memory at
    fork time, which would charge the benchmark's own memory to every stage.
    """
    with log.open("wb") as errors, log.with_suffix(".out").open("wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=errors, stdin=subprocess.DEVNULL, env=env)
        peak_kib = 0
        while True:
            peak_kib = max([peak_kib, *map(high_water_kib, [*process_tree(process.pid), *also()])])
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


def ray_workers() -> list[int]:
    """The Ray worker processes among this process's descendants (the cluster :func:`ray_cluster` started)."""
    def is_worker(pid: int) -> bool:
        with contextlib.suppress(OSError):
            return RAY_WORKER in Path(f"/proc/{pid}/cmdline").read_bytes()
        return False
    return [pid for pid in process_tree(os.getpid())[1:] if is_worker(pid)]


@contextlib.contextmanager
def ray_cluster(needed: bool) -> Iterator[dict[str, str]]:
    """The environment for the stage commands: with ``needed``, RAY_ADDRESS of a local Ray cluster on 127.0.0.1
    (no dashboard, no usage statistics) that this process starts and stops, shared by every Ray variant."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not needed:
        yield dict(os.environ)
        return
    import ray

    context = ray.init(address="local", include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False, configure_logging=False)
    try:  # the environment after init: it holds the cluster's authentication token
        yield {**os.environ, "RAY_ADDRESS": context.address_info["address"]}
    finally:
        ray.shutdown()


def stage_command(stage: str, root: Root, scratch: Path, variant: str, tasks: int) -> list[str]:
    cli = [sys.executable, "-m", "peacetalks.cli", stage, *(tasks_option if tasks_option != TASKS else str(tasks) for tasks_option in VARIANTS[variant])]
    if stage == "clean":
        return [*cli, "--root", str(clean_root(root, scratch, variant).path)]
    if stage == "build":
        return [*cli, "--root", str(root.path), "--out", str(scratch / f"release-{variant}")]
    return [*cli, "--root", str(root.path)]


def clean_root(root: Root, scratch: Path, variant: str) -> Root:
    """A root whose seeds/ and schema/ link to ``root``'s, so clean writes a fresh corpus/ in the scratch folder."""
    target = Root(scratch / f"clean-root-{variant}")
    if not target.path.exists():
        target.path.mkdir()
        target.seeds.symlink_to(root.seeds.resolve(), target_is_directory=True)
        target.schema_dir.symlink_to(root.schema_dir.resolve(), target_is_directory=True)
    return target


def output_digest(stage: str, argv: list[str], log: Path) -> str:
    """sha256 of what a stage made: the corpus it wrote, the report it printed, the release's manifest."""
    digest = hashlib.sha256()
    if stage == "clean":
        corpus = Root(Path(argv[argv.index("--root") + 1])).corpus
        for path in sorted(corpus.glob("*")) if corpus.is_dir() else []:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    elif stage == "build":
        manifest = Path(argv[argv.index("--out") + 1]) / "MANIFEST.sha256"
        digest.update(manifest.read_bytes() if manifest.is_file() else b"")
    else:
        digest.update(log.with_suffix(".out").read_bytes())
    return digest.hexdigest()


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


@dataclass(frozen=True)
class Plan:
    """What one ``bench`` run measures."""

    stages: list[str]
    variants: list[str]
    tasks: int = 4
    timeout: float | None = None
    fixed_cost: bool = False
    resume: bool = False


def run_stages(root: Root, plan: Plan, scratch: Path, env: dict[str, str], inputs: Inputs) -> list[StageResult]:
    """Every stage of ``plan`` in every variant, stage by stage; each output compared with the first variant's."""
    results: list[StageResult] = []
    for stage in plan.stages:
        reference = None
        for variant in plan.variants:
            argv = stage_command(stage, root, scratch, variant, plan.tasks)
            log = scratch / f"{stage}-{variant}.log"
            load_start = os.getloadavg()[0]
            seconds, rss, code = run_process(argv, log, plan.timeout, env, ray_workers if variant.startswith("ray") else lambda: [])
            input_mb, spans = stage_inputs(stage, inputs)
            result = StageResult(stage, variant, " ".join(["peacetalks", *argv[3:]]), round(seconds, 2), round(rss, 1), code,
                                 inputs.documents, round(input_mb, 2), spans, (round(load_start, 2), round(os.getloadavg()[0], 2)))
            if code != 0:
                print(f"bench: {stage} ({variant}) exited {code}:\n{log.read_text(encoding='utf-8', errors='replace')[-LOG_TAIL:]}", file=sys.stderr)
            else:
                result.output = output_digest(stage, argv, log)
                reference = reference or result.output
                result.same_output = result.output == reference
            results.append(result)
            print(f"bench: {stage} ({variant}) {seconds:.1f} s, exit {code}", file=sys.stderr)
    return results


def completions(scratch: Path, job: str) -> int:
    return sum(len(list((work / "completions").glob("*"))) for work in scratch.glob(f"{WORK_FOLDER}/{job}-*") if (work / "completions").is_dir())


def measure_resume(root: Root, scratch: Path, env: dict[str, str], reference: str, tasks: int = 8) -> Resume:
    """A build on ``tasks`` local tasks run one at a time, killed after its first finished task, then run again."""
    argv = stage_command("build", root, scratch, "local-1", tasks)
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    while process.poll() is None and completions(scratch, "build") == 0:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the command and datatrove's manager process
    process.wait()
    killed_after, done = time.perf_counter() - start, completions(scratch, "build")
    rerun, _, code = run_process(argv, scratch / "resume.log", None, env)
    if code != 0:
        raise PeacetalksError(f"bench: the resumed build exited {code}: {(scratch / 'resume.log').read_text(encoding='utf-8')[-LOG_TAIL:]}")
    shutil.rmtree(scratch / "release-local-1")
    full, _, _ = run_process(argv, scratch / "full.log", None, env)
    return Resume(tasks, round(killed_after, 2), done, round(rerun, 2), round(full, 2), output_digest("build", argv, scratch / "full.log") == reference)


def one_document_root(root: Root, scratch: Path) -> Root:
    """A synthetic root of one document (schema from ``root``), for the fixed cost of a run."""
    one = scratch / "one-document"
    subprocess.run([sys.executable, "-m", "peacetalks.cli", "synth", "--root", str(root.path), "--docs", "1", "--out", str(one)],
                   check=True, stdout=subprocess.DEVNULL)
    return Root(one)


def run_bench(root: Root, plan: Plan, out: Path | None = None) -> BenchReport:
    unknown = [stage for stage in plan.stages if stage not in STAGES] + [v for v in plan.variants if v not in VARIANTS]
    if unknown:
        raise PeacetalksError(f"unknown stages or variants {', '.join(unknown)} (stages: {', '.join(STAGES)}; variants: {', '.join(VARIANTS)})")
    if not root.manifest.exists():
        raise PeacetalksError(f"{root.manifest}: missing; bench needs a data root (make one with `peacetalks synth`)")
    report = BenchReport(str(root.path), machine(), measure_inputs(root))
    scratch = Path(tempfile.mkdtemp(dir=root.path.parent, prefix=f".{root.path.name}.bench."))
    try:
        with ray_cluster(any(v.startswith("ray") for v in plan.variants)) as env:
            report.stages = run_stages(root, plan, scratch, env, report.inputs)
            built = next((s for s in report.stages if s.stage == "build" and s.exit_code == 0), None)
            if built is not None:
                report.floor_seconds, report.floor_tables = parquet_floor(scratch / f"release-{built.variant}", scratch)
            if plan.fixed_cost:
                (scratch / "fixed").mkdir()
                one = one_document_root(root, scratch / "fixed")
                report.fixed = run_stages(one, plan, scratch / "fixed", env, measure_inputs(one))
            if plan.resume and built is not None:
                report.resume = measure_resume(root, scratch, env, built.output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if out is not None:
        write_text_atomic(out, json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    return report
