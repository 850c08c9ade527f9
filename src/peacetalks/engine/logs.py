"""Every scalable stage, I/O (stderr, a work folder): datatrove's task logs go to the work folder, not to stderr.

datatrove logs each task's pipeline, progress and statistics at INFO on stderr; a stage keeps
stderr for its own progress bar and one-line summary, so the tasks log in full to
``logs/task_NNNNN.log`` in the work folder and only errors reach stderr. The executors call
``add_task_logger``/``setup_default_logger`` by module attribute, so setting them here (in every
process that imports the engine, datatrove's workers included, as they unpickle our steps) is enough.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import datatrove.executor.base as executor_base
import datatrove.utils.logging as datatrove_logging
from loguru import logger

FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} - {message}"


def errors_only() -> None:
    logger.remove()
    logger.add(sys.stderr, level="ERROR", format=FORMAT, colorize=False)


def task_logger(logging_dir: Any, rank: int, local_rank: int = 0, node_rank: int = -1) -> IO[str]:
    """datatrove's ``add_task_logger``, with stderr at ERROR: the task's log file has everything."""
    errors_only()
    logfile = logging_dir.open(f"logs/task_{rank:05d}.log", "w")
    logger.add(logfile, level="DEBUG", format=FORMAT, colorize=False)
    logger.info(f"Launching pipeline for {rank=}")
    return logfile


def quiet_datatrove() -> None:
    executor_base.add_task_logger = task_logger
    datatrove_logging.setup_default_logger = errors_only
    errors_only()
