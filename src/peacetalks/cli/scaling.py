"""Clean, validate and build, no I/O: the options that choose the engine a stage runs on (``--executor``, ``--tasks``, ``--workers``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine import EXECUTORS, Engine, SlurmOptions
from ..storage import PeacetalksError, Root

def engine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scaling out (datatrove; see README \"Scaling out\")")
    group.add_argument("--executor", choices=EXECUTORS, default="local",
                       help="local: this machine (default); ray: the Ray cluster at $RAY_ADDRESS, else a local one; slurm: submit jobs")
    group.add_argument("--tasks", type=int, default=None, help="split the documents into this many tasks (default: one per core "
                       "from 1000 documents on, else one, in this process; --executor slurm needs it); the same output whatever the number")
    group.add_argument("--workers", type=int, default=None, help="tasks run at once (default: one per core locally, all on a cluster)")
    group.add_argument("--slurm-partition", default=None, help="Slurm partition for --executor slurm")
    group.add_argument("--slurm-time", default="04:00:00", help="Slurm time limit per task (default 04:00:00)")


def engine_for(args: argparse.Namespace, root: Root, argv: list[str]) -> Engine:
    """The engine ``args`` ask for; its work folders go in the data root, or beside ``--out`` (build never writes the root)."""
    for option in ("tasks", "workers"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            raise PeacetalksError(f"--{option} must be at least 1, got {getattr(args, option)}")
    if args.executor == "slurm" and not args.slurm_partition:
        raise PeacetalksError("--executor slurm needs --slurm-partition (the partition its jobs run in)")
    if args.executor == "slurm" and args.tasks is None:  # the default is one a core, and the node that reruns it has others
        raise PeacetalksError("--executor slurm needs --tasks (the command reruns itself on a compute node after the tasks, "
                              "and must find the same number there)")
    out = getattr(args, "out", None)
    scratch = Path(out).resolve().parent if out is not None else root.path
    slurm = None
    if args.slurm_partition:  # the command reruns itself after the tasks, from the same folder, on the same root
        slurm = SlurmOptions(args.slurm_partition, args.slurm_time, (sys.executable, "-m", "peacetalks.cli", *argv, "--root", str(root.path)))
    return Engine(args.executor, args.tasks, args.workers, scratch, slurm)
