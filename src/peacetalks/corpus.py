"""Stage 2, I/O: run the cleaner over the seeds and keep ``corpus/`` in step with them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import engine
from .clean import CLEANER_VERSION, CleanResult, clean, most_first
from .engine import Job, streamed
from .models import CorpusSidecar, Document, RemovalCount, RemovedBlock, SeedEntry, Title
from .progress import progress, shown_ids
from .seeds import is_temp_name, iter_manifest, seed_files, seed_text
from .storage import (PeacetalksError, Root, dump_model, read_model, read_text, sha256_text, stale_files, temp_target,
                      write_files_atomic)
from .storage.generated import stale_line


def sidecar_for(seed: SeedEntry, result: CleanResult) -> CorpusSidecar:
    title = result.title
    return CorpusSidecar(
        id=seed.id,
        seed=f"seeds/{seed.file}",
        raw_basis="trafilatura-extract" if seed.format == "html" else "file",
        raw_sha256=seed.sha256,
        text_sha256=sha256_text(result.text),
        cleaner_version=CLEANER_VERSION,
        title=Title(text=title.text, raw_start=title.start, raw_end=title.end) if title else None,
        language=result.language,
        flags=list(result.flags),
        removed=[
            RemovedBlock(raw_start=r.line.start, raw_end=r.line.end, rule=r.removal.rule, reason=r.removal.reason, text=r.line.text)
            for r in result.removed
        ],
        removal_counts=[RemovalCount(rule=rule, reason=reason, lines=n)
                        for (rule, reason), n in most_first(result.removal_counts())],
        alignment=[tuple(segment) for segment in result.alignment.segments],
    )


@dataclass
class CleanReport:
    written: int = 0
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # files in corpus/ that clean did not make: never deleted
    abandoned: list[str] = field(default_factory=list)  # temp files of interrupted runs of clean, removed

    @property
    def in_step(self) -> bool:
        return not (self.stale or self.orphans or self.foreign)

    def summary(self, check: bool) -> str:
        left = f"; left alone, not made by clean: {shown_ids(self.foreign)}" if self.foreign else ""
        if check:
            state = "up to date" if self.in_step else f"STALE: {shown_ids(self.stale + self.orphans + self.foreign)}"
            return f"clean --check: {self.unchanged + len(self.stale)} documents, corpus/ {state}"
        abandoned = f", {len(self.abandoned)} temp files of interrupted runs removed" if self.abandoned else ""
        return (f"clean: {self.written + self.unchanged} documents, {self.written} written, "
                f"{self.unchanged} unchanged, {len(self.orphans)} orphaned files removed{abandoned}{left}")


def made_by_clean(path: Path) -> bool:
    """Whether ``path`` is a clean text or sidecar this stage wrote: its sidecar parses and names its id."""
    sidecar = path.with_suffix(".json")
    if path.is_symlink() or not path.is_file() or path.suffix not in (".txt", ".json") or sidecar.is_symlink():
        return False
    try:
        return read_model(sidecar, CorpusSidecar).id == path.stem
    except PeacetalksError:
        return False


CleanOutcome = tuple[str, list[str]]  # a document's id and its stale output files (none: unchanged)


def corpus_outputs(root: Root, seed: SeedEntry) -> dict[Path, bytes]:
    """The clean text and sidecar of one seed, as they should be on disk."""
    result = clean(seed_text(root, seed))
    return {root.corpus_text(seed.id): result.text.encode("utf-8"), root.corpus_sidecar(seed.id): dump_model(sidecar_for(seed, result)).encode("utf-8")}


def clean_batch(root: Root, check: bool, seeds: list[SeedEntry]) -> list[CleanOutcome]:
    """Clean a batch of seeds and, unless ``check``, write the files that changed, all synced to disk at once."""
    outputs = [(seed.id, corpus_outputs(root, seed)) for seed in seeds]
    stale = [(doc_id, {path: files[path] for path in stale_files(files)}) for doc_id, files in outputs]
    if not check:
        write_files_atomic({path: data for _, files in stale for path, data in files.items()})
    return [(doc_id, [str(path) for path in files]) for doc_id, files in stale]


def run_clean(root: Root, check: bool = False) -> CleanReport:
    """Clean every seed; write only what changed (atomically, a batch at a time); with ``check``, write nothing."""
    report = CleanReport()
    expected: set[str] = set()
    total = len(seed_files(root))  # refuses stray files before anything is written
    job = Job("clean", streamed(partial(iter_manifest, root)), partial(clean_batch, root, check), total,
              inputs=(root.seeds,), key=f"cleaner {CLEANER_VERSION}, check={check}")
    for doc_id, stale in progress(engine.run(job), total=total, desc="clean"):
        expected.update((root.corpus_text(doc_id).name, root.corpus_sidecar(doc_id).name))
        for path in stale if check else ():
            print(stale_line(Path(path)))
        if not stale:
            report.unchanged += 1
        elif check:
            report.stale.append(doc_id)
        else:
            report.written += 1
    leftovers = sorted(p for p in root.corpus.iterdir() if p.name not in expected and not is_temp_name(p.name)) if root.corpus.is_dir() else []
    orphans = [path for path in leftovers if made_by_clean(path)]
    report.orphans = [p.name for p in orphans]
    report.foreign = [p.name for p in leftovers if p not in orphans]
    if not check:
        for path in orphans:
            path.unlink()
        report.abandoned = remove_abandoned_writes(root, expected)
    return report


def remove_abandoned_writes(root: Root, made: set[str]) -> list[str]:
    """The temp files that interrupted writes of ``made`` (clean's outputs) left in corpus/, removed: this command holds
    the root's lock for writing, so no other write of them is under way. Any other temp file is left."""
    abandoned = sorted(path for path in (root.corpus.iterdir() if root.corpus.is_dir() else ())
                       if temp_target(path.name) in made and path.is_file() and not path.is_symlink())
    for path in abandoned:
        path.unlink(missing_ok=True)
    return [path.name for path in abandoned]


def load_document(root: Root, doc_id: str) -> Document:
    path = root.corpus_text(doc_id)
    if not path.exists():
        raise PeacetalksError(f"{path}: no clean text for document {doc_id!r} (run `peacetalks clean`)")
    return Document(id=doc_id, text=read_text(path), sidecar=read_model(root.corpus_sidecar(doc_id), CorpusSidecar))


def document_ids(root: Root) -> list[str]:
    return sorted(p.stem for p in root.corpus.glob("*.txt")) if root.corpus.exists() else []


def iter_documents(root: Root) -> Iterator[Document]:
    """Clean documents one at a time, in id order."""
    for doc_id in document_ids(root):
        yield load_document(root, doc_id)
