"""Every stage, I/O: the data root, reading with named failures, atomic writes, the root lock, output folders.

One module a job: :mod:`.errors` (the failure type), :mod:`.layout` (the root and ids, no I/O),
:mod:`.reading`, :mod:`.writing` (atomic, canonical JSON), :mod:`.hashing`, :mod:`.lock`,
:mod:`.folders` (replacing an output folder whole) and :mod:`.generated` (committed generated
files). Callers import from ``peacetalks.storage``; the names below are its interface.
"""

from .errors import PeacetalksError, os_error_text
from .folders import BUILDING_MARK, building_folder, exchange_paths, listed_files, replace_folder, replaceable_folder
from .generated import is_current, stale_files, sync_files
from .hashing import sha256_bytes, sha256_file, sha256_text
from .layout import ID_RE, Root, checked_id
from .lock import LockMode, hold, let_go, locked
from .reading import (parse_model, present, read_bytes, read_failure, read_json, read_model, read_text, reading, regular_file_bytes,
                      validation_errors, validation_text)
from .writing import atomic_output, canonical_json, temp_target, dump_model, write_atomic, write_files_atomic, write_model, write_text_atomic

__all__ = [
    "BUILDING_MARK", "ID_RE", "LockMode", "PeacetalksError", "Root", "atomic_output", "building_folder", "canonical_json",
    "checked_id", "is_current", "dump_model", "exchange_paths", "hold", "let_go", "listed_files", "locked", "os_error_text", "parse_model", "present", "read_bytes",
    "read_failure", "read_json", "read_model", "read_text", "reading", "regular_file_bytes", "replace_folder", "replaceable_folder",
    "sha256_bytes", "sha256_file", "sha256_text", "stale_files", "sync_files", "temp_target", "validation_errors", "validation_text",
    "write_atomic", "write_files_atomic", "write_model", "write_text_atomic",
]
