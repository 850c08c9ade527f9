"""Stage 2, pure: raw article text → clean text, title, removed blocks, flags, alignment.

``lines`` holds the line shapes, ``rules`` the named rules, ``pipeline`` their order and the
assembly, ``records`` the JSON Lines I/O of ``clean-text``.
"""

from .lines import Line, split_lines
from .pipeline import CLEANER_VERSION, PARAGRAPH_SEPARATOR, PIPELINE, CleanResult, PageKind, Pipeline, RemovedLine, clean, most_first
from .records import clean_json_lines, format_counts, record_from_json, result_record
from .rules import Removal, Rule

__all__ = ["CLEANER_VERSION", "PARAGRAPH_SEPARATOR", "PIPELINE", "CleanResult", "Line", "PageKind", "Pipeline", "Removal",
           "RemovedLine", "Rule", "clean", "clean_json_lines", "format_counts", "most_first", "record_from_json", "result_record", "split_lines"]
