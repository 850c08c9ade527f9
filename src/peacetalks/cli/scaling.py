"""Clean, validate and build, no I/O: the options that choose the engine a stage runs on (``--executor``, ``--tasks``, ``--workers``)."""

from __future__ import annotations

import argparse
import importlib.util
import re
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
    group.add_argument("--slurm-time", default=None, help="Slurm time limit per task, as sbatch reads it: MINUTES, HH:MM:SS, "
                       "D-HH:MM… (default 04:00:00)")


SLURM_TIME = re.compile(r"\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|UNLIMITED|INFINITE")  # sbatch --time's forms


def refused_engine_options(args: argparse.Namespace) -> str | None:
    """Why ``args`` cannot run, said before any work (an option of another executor is a mistake, not a no-op)."""
    for option in ("tasks", "workers"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            return f"--{option} must be at least 1, got {getattr(args, option)}"
    for option in ("slurm_partition", "slurm_time"):
        if getattr(args, option) is not None and args.executor != "slurm":
            return f"--{option.replace('_', '-')} is for --executor slurm only (this run: --executor {args.executor})"
    if args.slurm_time is not None and not SLURM_TIME.fullmatch(args.slurm_time):
        return f"--slurm-time {args.slurm_time!r} is not a Slurm time limit (MINUTES, HH:MM:SS or D-HH:MM:SS)"
    if args.executor == "slurm" and not args.slurm_partition:
        return "--executor slurm needs --slurm-partition (the partition its jobs run in)"
    if args.executor == "slurm" and args.tasks is None:  # the default is one a core, and the node that reruns it has others
        return ("--executor slurm needs --tasks (the command reruns itself on a compute node after the tasks, "
                "and must find the same number there)")
    if args.executor == "ray" and importlib.util.find_spec("ray") is None:
        return "--executor ray needs Ray, an optional extra: pip install 'peacetalks[cluster]'"
    return None


def engine_for(args: argparse.Namespace, root: Root, argv: list[str]) -> Engine:
    """The engine ``args`` ask for; its work folders go in the data root, or beside ``--out`` (build never writes the root)."""
    refused = refused_engine_options(args)
    if refused:
        raise PeacetalksError(refused)
    out = getattr(args, "out", None)
    scratch = Path(out).resolve().parent if out is not None else root.path
    slurm = None
    if args.slurm_partition:  # the command reruns itself after the tasks, from the same folder, on the same root
        slurm = SlurmOptions(args.slurm_partition, args.slurm_time or SlurmOptions.time, (sys.executable, "-m", "peacetalks.cli", *argv, "--root", str(root.path)))
    return Engine(args.executor, args.tasks, args.workers, scratch, slurm)
