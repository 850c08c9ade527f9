"""Build stage, I/O (writes): the Parquet sink: every config's rows of every split, in batches, with
the features in the file metadata."""

from __future__ import annotations

import contextlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pds
import pyarrow.parquet as pq
from datasets import Features

from ..storage import Root
from .features import CONFIGS, features_of
from .layout import parquet_path
from .plan import Plan
from .provenance import AnnotationSets
from .rows import Rows
from .stream import collect_stats

# Rows a row group holds at least (it ends at a document's last row). Each group costs the writer, and every reader
# of the footer, ~11 KB of metadata: 256-row groups of sentences made a 100k-document tokens split of 11,000 groups
# whose metadata held 265 MiB of the build's memory. A bigger group costs its rows' Python objects while it is
# pending: 1024 documents' rows held ~300 MiB.
ROW_GROUP_ROWS = {"documents": 256, "tokens": 4096, "quotes": 2048}


class ParquetSink:
    """The Parquet files of one split, one per config, written in row groups of ``ROW_GROUP_ROWS`` (ending at a document's last row) with the features
    in their metadata (so ClassLabel names survive). A config with no rows in the split gets no file:
    ``datasets`` cannot load an empty split, so the card declares only the splits a config has. The
    columns are built directly: a tokens batch from the documents' record batches, the other configs
    column by column from their rows."""

    def __init__(self, folder: Path, features: dict[str, Features], split: str) -> None:
        self.folder, self.split = folder, split
        self.schemas = {config: features[config].arrow_schema for config in CONFIGS}
        self.pending: dict[str, list[Any]] = {config: [] for config in CONFIGS}  # rows (dicts) or, for tokens, record batches
        self.pending_rows: Counter[str] = Counter()
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: Counter[str] = Counter()
        # pyarrow encodes and compresses a row group without the GIL: on a thread of its own, while this one makes the
        # next group; one write at a time, in order, so the files are the bytes a write in line would make
        self.writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"parquet-{split}")
        self.writing: Future[None] | None = None

    def add(self, rows: Rows) -> None:
        for config, pending in (("documents", [rows.document]), ("tokens", [rows.tokens]), ("quotes", rows.quotes)):
            self.pending[config].extend(pending)
            self.pending_rows[config] += rows.count(config)
            if self.pending_rows[config] >= ROW_GROUP_ROWS[config]:
                self.flush(config)

    def table(self, config: str) -> pa.Table:
        schema = self.schemas[config]
        if config == "tokens":
            return pa.Table.from_batches(self.pending[config], schema).combine_chunks()  # one chunk: the bytes of one array
        rows = self.pending[config]
        return pa.Table.from_arrays([pa.array([row[field.name] for row in rows], field.type) for field in schema], schema=schema)

    def flush(self, config: str) -> None:
        if not self.pending_rows[config]:
            return
        if config not in self.writers:
            path = self.folder / parquet_path(config, self.split)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[config] = pq.ParquetWriter(path, self.schemas[config], compression="zstd")
        table = self.table(config)
        self.wait()
        self.writing = self.writer_thread.submit(self.writers[config].write_table, table)
        self.rows[config] += table.num_rows
        self.pending[config], self.pending_rows[config] = [], 0

    def wait(self) -> None:
        """Until the row group being written is written (its error, a full disk, raised here)."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()

    def close(self) -> None:
        for config in CONFIGS:
            self.flush(config)
        self.wait()
        self.writer_thread.shutdown(wait=True)
        for writer in self.writers.values():
            writer.close()

    def abandon(self) -> None:
        """Stop without writing what is pending, raising nothing: the build failed and its folder is removed (a write
        still in flight is waited for; its own error, if any, gives way to the one that ended the build)."""
        self.writer_thread.shutdown(wait=True, cancel_futures=True)
        for writer in self.writers.values():
            with contextlib.suppress(Exception):
                writer.close()
            writer.is_open = False  # a close that failed (a full disk) is not tried again when the writer is collected
            with contextlib.suppress(Exception):
                writer.file_handle.close()  # the file it opened, which a failed close leaves open


SplitSizes = dict[str, dict[str, dict[str, int]]]  # config → split → {"num_examples", "num_bytes", "file_bytes"}


def arrow_bytes(path: Path) -> int:
    """A split's ``num_bytes`` as ``datasets`` computes it: the Arrow size of the record batches its
    Parquet loader reads (one row group a batch), which differs from that of the tables written."""
    with path.open("rb") as handle:
        # pre_buffer (the default) reads the whole file into memory first: 837 MiB for a 100k-document tokens split
        fragment = pds.ParquetFileFormat(default_fragment_scan_options=pds.ParquetFragmentScanOptions(pre_buffer=False)).make_fragment(handle)
        batches = fragment.to_batches(batch_size=fragment.row_groups[0].num_rows, batch_readahead=0, fragment_readahead=0)
        size = sum(pa.Table.from_batches([batch]).nbytes for batch in batches)
    pa.default_memory_pool().release_unused()  # the batches' memory, which the pool would keep beside the next file's
    return size


def split_size(folder: Path, config: str, split: str, rows: int) -> dict[str, int]:
    path = folder / parquet_path(config, split)
    return {"num_examples": rows, "num_bytes": arrow_bytes(path), "file_bytes": path.stat().st_size}


def write_data(folder: Path, root: Root, plan: Plan, sets: AnnotationSets) -> tuple[dict[str, Any], SplitSizes]:
    """Every Parquet file; returns the statistics and, per config, the sizes of its non-empty splits
    (``sets`` gathers the provenance of the annotation sets on the way)."""
    features = features_of(plan.schema)
    sinks: dict[str, ParquetSink] = {}

    def write(split: str, rows: Rows) -> None:
        if split not in sinks:
            sinks[split] = ParquetSink(folder, features, split)
        sinks[split].add(rows)

    try:
        stats = collect_stats(root, plan, write, sets)
        for sink in sinks.values():
            sink.close()
    except BaseException:  # the error that ended the build stands (a full disk, a refusal): no further row group is written
        for sink in sinks.values():
            sink.abandon()
        raise
    pa.default_memory_pool().release_unused()  # the rows' Arrow memory, which the pool would keep through the tail
    sizes: SplitSizes = {
        config: {split: split_size(folder, config, split, sink.rows[config]) for split, sink in sinks.items() if sink.rows[config]}
        for config in CONFIGS
    }
    return stats, sizes
