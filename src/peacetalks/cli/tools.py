"""All stages, I/O: ``check`` (every stage's check), and the scale tools ``synth`` and ``bench``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..storage import Root
from .registry import command


@command("check", "Run every stage's check (see peacetalks.pipeline): exit 1 when any committed output is stale or invalid.",
         "peacetalks check     # CI: corpus, schema artefacts, annotations, agreement, splits, datasheet",
         lock=lambda args: None)  # each check locks the root for itself
def cmd_check(args: argparse.Namespace, root: Root) -> int:
    from . import main  # the package's entry point: each check runs as its own command
    from ..pipeline import checks

    failed = [" ".join(argv) for argv in checks() if main([*argv, "--root", str(root.path)]) != 0]
    print(f"check: {len(checks())} checks, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0


# --- scale ---------------------------------------------------------------------------


def _synth_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, required=True, help="number of documents to generate")
    parser.add_argument("--out", type=Path, required=True, help="the new data root (must not exist, or be an empty folder)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same --docs and --seed, same bytes")


@command("synth", "Generate a synthetic data root of N news-like documents (seeds, corpus, annotations that validate) "
         "for scale tests; schema/ is copied from --root.",
         "peacetalks synth --docs 10000 --out /tmp/synth10k --seed 1 && peacetalks validate --root /tmp/synth10k",
         arguments=_synth_arguments, lock=lambda args: None)
def cmd_synth(args: argparse.Namespace, root: Root) -> int:
    from ..synth import synthesise

    synthesise(root, args.out.resolve(), args.docs, args.seed)
    print(f"synth: {args.docs} documents (seed {args.seed}) written to {args.out}")
    return 0


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    from ..bench import VARIANTS

    parser.add_argument("--stages", default="clean,validate,build", help="comma-separated stages to time (default all three)")
    parser.add_argument("--variants", default="default", help="comma-separated ways to run each stage, the first the reference "
                        f"for the output check: {', '.join(VARIANTS)} (default: default)")
    parser.add_argument("--tasks", type=int, default=4, help="--tasks of the local-N and ray-N variants (default 4)")
    parser.add_argument("--fixed-cost", action="store_true", help="also run every variant on a 1-document root")
    parser.add_argument("--resume", action="store_true", help="also kill a build on the local executor after its first task and time the rerun")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here (atomically)")
    parser.add_argument("--timeout", type=float, default=None, help="kill a stage after this many seconds and report it as such")


@command("bench", "Benchmark clean, validate and build on a data root, each stage in its own process and each way it can run "
         "(in process, datatrove local, local Ray): documents/s, MB/s, spans/s, peak RSS per worker, load, the pyarrow floor, scaling.",
         "peacetalks synth --docs 1000 --out /tmp/s1k && peacetalks bench --root /tmp/s1k --out /tmp/s1k.json\n"
         "  peacetalks bench --root /tmp/s10k --variants in-process,local-1,local-2,ray-1,ray-2 --fixed-cost --resume",
         arguments=_bench_arguments, lock=lambda args: None)  # its stages run in processes that lock for themselves
def cmd_bench(args: argparse.Namespace, root: Root) -> int:
    from ..bench import Plan, run_bench

    listed = lambda text: [item.strip() for item in text.split(",") if item.strip()]  # noqa: E731
    plan = Plan(listed(args.stages), listed(args.variants), args.tasks, args.timeout, args.fixed_cost, args.resume)
    report = run_bench(root, plan, args.out)
    print(report.markdown())
    return 0 if report.ok else 1
