"""Scale tools, no I/O: what ``peacetalks bench`` measured, as JSON and as the Markdown tables of BENCHMARKS.md."""

from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass, field

STAGES = ("clean", "validate", "build")


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
    variant: str
    command: str
    seconds: float
    peak_rss_mib: float
    exit_code: int
    documents: int
    input_mb: float
    spans: int
    load: tuple[float, float]  # 1-minute load average at the run's start and end
    output: str = ""  # sha256 of what the stage made (corpus, report, release manifest)
    same_output: bool | None = None  # as the first variant's

    @property
    def rates(self) -> dict[str, float]:
        per_second = lambda amount: amount / self.seconds if self.seconds else 0.0  # noqa: E731
        return {"docs_per_s": per_second(self.documents), "mb_per_s": per_second(self.input_mb), "spans_per_s": per_second(self.spans)}

    def free_cores(self) -> float:
        return max(0.0, (os.cpu_count() or 1) - self.load[0])


@dataclass
class Resume:
    tasks: int
    killed_after: float  # seconds
    done_when_killed: int
    rerun_seconds: float
    full_seconds: float
    same_output: bool


@dataclass
class BenchReport:
    root: str
    machine: dict[str, str]
    inputs: Inputs
    stages: list[StageResult] = field(default_factory=list)
    floor_seconds: float | None = None
    floor_tables: int = 0
    fixed: list[StageResult] = field(default_factory=list)  # the same variants on a 1-document root
    resume: Resume | None = None

    @property
    def ok(self) -> bool:
        return all(stage.exit_code == 0 and stage.same_output is not False for stage in [*self.stages, *self.fixed])

    def build_over_floor(self, build: StageResult) -> float | None:
        return round(build.seconds / self.floor_seconds, 2) if self.floor_seconds else None

    def scaling(self) -> list[tuple[str, str, float, float]]:
        """(stage, executor, seconds on 1 worker, on 2) where both ran."""
        seconds = {(s.stage, s.variant): s.seconds for s in self.stages if s.exit_code == 0}
        return [(stage, executor, seconds[stage, f"{executor}-1"], seconds[stage, f"{executor}-2"])
                for stage in STAGES for executor in ("local", "ray") if (stage, f"{executor}-1") in seconds and (stage, f"{executor}-2") in seconds]

    def as_dict(self) -> dict[str, object]:
        rows = lambda results: [{**asdict(s), **{k: round(v, 1) for k, v in s.rates.items()}, "free_cores": round(s.free_cores(), 1),  # noqa: E731
                                 **({"build_over_floor": self.build_over_floor(s)} if s.stage == "build" and results is self.stages else {})}
                                for s in results]
        return {
            "root": self.root, "machine": self.machine, "inputs": asdict(self.inputs), "stages": rows(self.stages),
            "floor_seconds": self.floor_seconds, "floor_tables": self.floor_tables, "fixed_cost": rows(self.fixed),
            "scaling": [{"stage": st, "executor": ex, "one_worker_s": one, "two_workers_s": two, "speedup": round(one / two, 2)}
                        for st, ex, one, two in self.scaling()],
            "resume": asdict(self.resume) if self.resume else None,
        }

    def markdown(self) -> str:
        lines = [f"root: {self.root} ({self.inputs.documents} documents, {self.inputs.spans} spans); "
                 + ", ".join(f"{k} {v}" for k, v in self.machine.items()), "", *result_table(self.stages)]
        builds = [s for s in self.stages if s.stage == "build" and s.exit_code == 0]
        if self.floor_seconds is not None and builds:
            ratios = ", ".join(f"{s.variant} {self.build_over_floor(s)}×" for s in builds)
            lines.append(f"\npyarrow floor: write_table of the {self.floor_tables} built tables takes {self.floor_seconds:.2f} s; build takes {ratios} the floor")
        if self.scaling():
            lines += ["", "| stage | executor | 1 worker s | 2 workers s | speedup | scaling efficiency |", "|---|---|---:|---:|---:|---:|"]
            lines += [f"| {st} | {ex} | {one:.1f} | {two:.1f} | {one / two:.2f}× | {one / two / 2:.0%} |" for st, ex, one, two in self.scaling()]
        if self.fixed:
            lines += ["", "fixed cost (a 1-document root):", "", *result_table(self.fixed)]
        if self.resume:
            r = self.resume
            lines.append(f"\nresume: build on {r.tasks} tasks (local, 1 worker) killed after {r.killed_after:.1f} s with {r.done_when_killed} "
                         f"of {r.tasks} tasks done; the rerun took {r.rerun_seconds:.1f} s (a whole run {r.full_seconds:.1f} s); "
                         f"same release: {'yes' if r.same_output else 'NO'}")
        lines.append("\ncommands: " + "; ".join(f"`{s.command}`" for s in self.stages))
        return "\n".join(lines)


def result_table(results: list[StageResult]) -> list[str]:
    lines = ["| stage | variant | documents | input MB | seconds | documents/s | MB/s | spans/s | peak RSS MiB per worker "
             "| load start → end | free cores | same output | exit |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|"]
    for s in results:
        r = s.rates
        spans_rate = f"{r['spans_per_s']:,.0f}" if s.spans else "–"
        killed = " (killed at --timeout)" if s.exit_code == -signal.SIGKILL else ""
        same = "–" if s.same_output is None else ("yes" if s.same_output else "**NO**")
        lines.append(f"| {s.stage}{killed} | {s.variant} | {s.documents} | {s.input_mb:.1f} | {s.seconds:.1f} | {r['docs_per_s']:,.0f} | "
                     f"{r['mb_per_s']:.2f} | {spans_rate} | {s.peak_rss_mib:.0f} | "
                     f"{s.load[0]:.1f} → {s.load[1]:.1f} | {s.free_cores():.1f} | {same} | {s.exit_code} |")
    return lines
