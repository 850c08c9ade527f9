"""Synth, I/O (writes a root): synthetic data roots for scale work, N news-like documents through every stage, deterministic by seed.

Each document is a raw article with the boilerplate real pages carry (share counters,
related-link bullets, "read more" lines, comment prompts, author bios in English and
other languages, copyright lines), some with a BOM, CRLF newlines or decomposed
accents. The corpus comes from the real cleaner; the annotations (two annotators and
a gold set, entities and quotes with their source and cue) are placed on the clean
text so that ``peacetalks validate`` passes. Documents are generated and written one
at a time (the manifest is streamed too), so memory stays flat as N grows; the root
is built in a hidden temp folder and renamed into place, so a crash leaves no root.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path

from ..clean import clean
from ..corpus import sidecar_for
from ..models import SeedEntry, SeedMetadata
from ..progress import progress
from ..schema import Schema, load_schema
from ..seeds import MANIFEST_DESCRIPTION, describe, raw_text
from ..storage import PeacetalksError, Root, dump_model
from .article import article
from .gold import annotation_for

SYNTH_VERSION = "0.1.0"  # the VERSION a synthetic root releases as


def document_id(index: int) -> str:
    return f"syn_{index:07d}"


def manifest_head() -> str:
    """The manifest as ``dump_model(SeedManifest)`` writes it, up to the first entry."""
    return "{\n" + f'  "description": {json.dumps(MANIFEST_DESCRIPTION, ensure_ascii=False)},\n  "seeds": [\n'


def manifest_line(entry: SeedEntry, last: bool) -> str:
    return "    " + json.dumps(entry.model_dump(mode="json"), ensure_ascii=False) + ("\n" if last else ",\n")


def write_document(root: Root, index: int, seed: int, schema: Schema) -> SeedEntry:
    """Seed file, clean text and sidecar, annotation file for one document; returns its manifest entry."""
    doc_id = document_id(index)
    rng = random.Random(f"{seed}:{doc_id}")
    art = article(rng)
    path = root.seeds / f"{doc_id}.txt"
    data = art.raw.encode("utf-8")
    path.write_bytes(data)
    entry = describe(path, doc_id, SeedMetadata(source=f"peacetalks synth --seed {seed}", notes="synthetic document"), data)
    result = clean(raw_text(path, data))
    root.corpus_text(doc_id).write_text(result.text, encoding="utf-8", newline="")
    root.corpus_sidecar(doc_id).write_text(dump_model(sidecar_for(entry, result)), encoding="utf-8", newline="")
    annotation = annotation_for(doc_id, result.text, art.paragraphs, schema, rng)
    root.annotation_file(doc_id).write_text(dump_model(annotation), encoding="utf-8", newline="")
    return entry


def generate(root: Root, docs: int, seed: int, schema: Schema) -> None:
    """Write ``docs`` documents into an empty root, streaming the manifest entry by entry."""
    for folder in (root.seeds, root.corpus, root.annotations):
        folder.mkdir(parents=True)
    with root.manifest.open("w", encoding="utf-8", newline="\n") as manifest:
        manifest.write(manifest_head())
        for index in progress(range(docs), total=docs, desc="synth"):
            manifest.write(manifest_line(write_document(root, index, seed, schema), last=index == docs - 1))
        manifest.write("  ]\n}\n")
    (root.path / "VERSION").write_text(SYNTH_VERSION + "\n", encoding="utf-8")


def synthesise(source: Root, out: Path, docs: int, seed: int) -> None:
    """Build a synthetic root at ``out`` (which must not exist or be empty) with ``source``'s schema/.

    The root is assembled in a hidden temp folder beside ``out``, synced, and renamed into
    place, so ``out`` never holds a partial root.
    """
    if docs < 1:
        raise PeacetalksError(f"--docs must be at least 1, got {docs}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PeacetalksError(f"{out}: exists and is not an empty folder (synth never overwrites a root)")
    schema = load_schema(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        shutil.copytree(source.schema_dir, work / "schema", ignore=shutil.ignore_patterns(".*"))
        generate(Root(work), docs, seed, schema)
        os.sync()  # one flush for the whole root instead of an fsync per file
        if out.exists():
            out.rmdir()
        work.chmod(0o755)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
