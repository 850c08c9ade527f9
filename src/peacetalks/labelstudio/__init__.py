"""Stage 4 (annotate), I/O with a pure core (convert.py): run a local Label Studio, push the corpus into it, pull annotations back.

- ``server``: the Label Studio process (I/O). ``client``: HTTP and SDK access to any server (I/O).
- ``convert``: tasks, predictions and exported annotations ↔ this project's models, and the span
  check (pure). ``export``: streamed reading of the server's JSON arrays within a deadline (I/O).
- ``pseudonyms``: annotator pseudonyms and their key (I/O). ``push`` and ``pull``: the two trips (I/O).
- ``passes``: independent passes, one server and project each, and each pass's one annotator (I/O).
  ``guidelines``: schema/GUIDELINES.md as the projects' instructions, and its version (I/O).
- ``authors``: the accounts that author sets loaded for review, one per set, so each tab is named by its set (I/O).

Push and pull talk to any server through the SDK with ``LABEL_STUDIO_URL`` and
``LABEL_STUDIO_API_KEY`` (a legacy token). Only what other code calls is named here.
"""

from .client import DEFAULT_PROJECT, Connection, connect, find_project, server_tasks, sign_up
from .convert import TOOL, results_from_set
from .pull import PullReport, pull
from .push import PushReport, push
from .server import Credentials, Server, run_server, start_server

__all__ = ["DEFAULT_PROJECT", "TOOL", "Connection", "Credentials", "PullReport", "PushReport", "Server", "connect",
           "find_project", "pull", "push", "results_from_set", "run_server", "server_tasks", "sign_up", "start_server"]
