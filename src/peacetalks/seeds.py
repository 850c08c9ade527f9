"""Stage 1, seeds, I/O: raw inputs kept byte for byte, and the manifest that describes them."""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ijson
from pydantic import ValidationError

from .models import SeedEntry, SeedManifest, SeedMetadata
from .storage import (ID_RE, PeacetalksError, Root, present, read_bytes, read_model, reading, sha256_bytes, sha256_text,
                      validation_text, write_atomic, write_model)

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
NUL = b"\x00"
MANIFEST_DESCRIPTION = (
    "Raw inputs of the corpus, byte for byte. Metadata we do not know is null, never guessed."
)


def decode_utf8(path: Path, data: bytes) -> str:
    """Strict UTF-8; a BOM stays in the text as U+FEFF so raw offsets count every character."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PeacetalksError(f"{path}: not valid UTF-8 at byte {exc.start} ({data[exc.start:exc.start + 4]!r})") from exc


def extract_html(html: str) -> str:
    """The article text of an HTML page (trafilatura, pinned, deterministic)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=False, deduplicate=False) or ""


def raw_text(path: Path, data: bytes) -> str:
    """The text the cleaner starts from: the file itself, or for HTML the extracted article."""
    text = decode_utf8(path, data)
    return extract_html(text) if path.suffix.lower() in HTML_SUFFIXES else text


def content_hash(text: str) -> str:
    """Hash of the text as the cleaner sees it, so a CRLF or BOM copy counts as a duplicate."""
    normalised = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    return sha256_text(normalised)


def newline_style(text: str) -> str:
    crlf = text.count("\r\n")
    cr, lf = text.count("\r") - crlf, text.count("\n") - crlf
    styles = [name for name, count in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if count]
    return styles[0] if len(styles) == 1 else ("none" if not styles else "mixed")


def describe(path: Path, doc_id: str, metadata: SeedMetadata, data: bytes) -> SeedEntry:
    """Check one candidate seed (``data`` is its content); raises on anything we must refuse."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise PeacetalksError(f"{path}: unsupported file type {suffix!r} (expected .txt, .html or .htm)")
    if not ID_RE.fullmatch(doc_id):
        shown = str(path) if str(path).isprintable() else repr(str(path))  # a name with a newline stays on one line
        raise PeacetalksError(f"{shown}: document id {doc_id!r} must match {ID_RE.pattern}")
    if NUL in data:
        raise PeacetalksError(f"{path}: holds NUL bytes (the first at byte {data.index(NUL)}): not a text file")
    text = raw_text(path, data)
    if not text.strip("\ufeff \t\r\n\u00a0"):
        raise PeacetalksError(f"{path}: empty document (no text{' extracted from the HTML' if suffix != '.txt' else ''})")
    return SeedEntry(
        id=doc_id,
        file=f"{doc_id}{suffix}",
        format="html" if suffix in HTML_SUFFIXES else "text",
        sha256=sha256_bytes(data),
        size=len(data),
        encoding="utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8",
        newlines=newline_style(decode_utf8(path, data)),
        content_sha256=content_hash(text),
        **metadata.model_dump(),
    )


def load_manifest(root: Root) -> SeedManifest:
    """The whole manifest; stages that visit every seed stream it instead (:func:`iter_manifest`)."""
    if not present(root.manifest):
        return SeedManifest(description=MANIFEST_DESCRIPTION, seeds=[])
    manifest_files(root)  # refuses a key given twice, which the model's reader lets pass (keeping the last)
    return read_model(root.manifest, SeedManifest)


@contextlib.contextmanager
def manifest_errors(root: Root) -> Iterator[None]:
    try:
        yield
    except ijson.JSONError as exc:
        raise PeacetalksError(f"{root.manifest}: not valid JSON: {exc}") from exc


Event = tuple[str, str, Any]  # ijson's (prefix, event, value)


def unique_keys(root: Root, events: Iterable[Event]) -> Iterator[Event]:
    """``events``, refused at an object with a key twice: JSON readers keep one of the two values, and each reader of
    the manifest would keep another (the file names counted and the entries built disagreed)."""
    open_objects: list[set[str]] = []
    entry = -1  # the number of the seeds entry being read
    for prefix, event, value in events:
        if event == "start_map":
            open_objects.append(set())
            entry += prefix == "seeds.item"
        elif event == "end_map":
            open_objects.pop()
        elif event == "map_key":
            if value in open_objects[-1]:
                where = f"seeds[{entry}]" if prefix.startswith("seeds.item") else prefix or "the top-level object"
                raise PeacetalksError(f"{root.manifest}: {where}: the key {value!r} is there twice")
            open_objects[-1].add(value)
        yield prefix, event, value


def manifest_files(root: Root) -> list[str]:
    """The seed file names the manifest lists, in order, after checking its outline
    (exactly the keys ``description`` and ``seeds``, an array) without building its entries."""
    if not present(root.manifest):
        return []
    keys, files, seeds_array = [], [], False
    with reading(root.manifest), root.manifest.open("rb") as handle, manifest_errors(root):
        for prefix, event, value in unique_keys(root, ijson.parse(handle)):
            if prefix == "" and event == "map_key":
                keys.append(value)
            elif prefix == "seeds" and event == "start_array":
                seeds_array = True
            elif prefix == "seeds.item.file" and event == "string":
                files.append(value)
    if sorted(keys) != ["description", "seeds"] or not seeds_array:
        raise PeacetalksError(f"{root.manifest}: does not match SeedManifest: needs exactly the keys "
                              f"\"description\" and \"seeds\" (an array), has {keys}")
    return files


def iter_manifest(root: Root) -> Iterator[SeedEntry]:
    """The manifest's entries one at a time: a 100k-seed manifest is never held whole."""
    if not present(root.manifest):
        return
    with reading(root.manifest), root.manifest.open("rb") as handle, manifest_errors(root):
        seen: set[str] = set()
        for number, item in enumerate(ijson.items(unique_keys(root, ijson.parse(handle, use_float=True)), "seeds.item")):
            try:
                entry = SeedEntry.model_validate(item)
            except ValidationError as exc:
                raise PeacetalksError(f"{root.manifest}: seeds[{number}] does not match SeedEntry: {validation_text(exc)}") from exc
            if entry.id in seen:
                raise PeacetalksError(f"{root.manifest}: seeds[{number}]: document id {entry.id!r} is listed twice")
            seen.add(entry.id)
            yield entry


def add_seeds(root: Root, paths: Iterable[Path], metadata: SeedMetadata) -> list[SeedEntry]:
    """Check every file first, then copy them all and write the manifest last: all or nothing."""
    manifest = load_manifest(root)
    by_id = {seed.id: seed for seed in manifest.seeds}
    by_hash = {seed.content_sha256: seed for seed in manifest.seeds}
    new: list[tuple[bytes, SeedEntry]] = []
    for path in paths:
        data = read_bytes(path)  # read once: what is checked is what is copied (a pipe or a device is refused)
        entry = describe(path, path.stem, metadata, data)
        if entry.id in by_id:
            raise PeacetalksError(f"{path}: document id {entry.id!r} already used by seeds/{by_id[entry.id].file}")
        if entry.content_sha256 in by_hash:
            raise PeacetalksError(f"{path}: duplicate of seeds/{by_hash[entry.content_sha256].file} (same content hash)")
        by_id[entry.id] = by_hash[entry.content_sha256] = entry
        new.append((data, entry))
    for data, entry in new:
        write_atomic(root.seeds / entry.file, data)  # a crash never leaves a half-copied seed
    seeds = sorted([*manifest.seeds, *(entry for _, entry in new)], key=lambda seed: seed.id)
    write_model(root.manifest, SeedManifest(description=manifest.description, seeds=seeds))
    return [entry for _, entry in new]


def is_temp_name(name: str) -> bool:
    """A temp file an interrupted atomic write left behind (``.<name>.<random>.tmp``): not data."""
    return name.startswith(".") and name.endswith(".tmp")


def seed_files(root: Root) -> list[str]:
    """The seed files the manifest lists, after refusing any other file in seeds/."""
    files = manifest_files(root)
    listed = {*files, root.manifest.name}
    strays = sorted(p.name for p in root.seeds.iterdir() if p.is_file() and p.name not in listed and not is_temp_name(p.name)) if root.seeds.exists() else []
    if strays:
        raise PeacetalksError(f"{root.seeds}: files not in the manifest: {', '.join(strays)} (add them with `peacetalks add`)")
    return files


def seed_text(root: Root, seed: SeedEntry) -> str:
    """The raw text of a manifest entry, after checking the file still has its recorded hash."""
    path = root.seeds / seed.file
    if path.is_symlink():
        raise PeacetalksError(f"{path}: is a symbolic link; a seed is a file kept byte for byte in seeds/")
    if not path.exists():
        raise PeacetalksError(f"{path}: listed in the manifest but missing")
    data = read_bytes(path)
    if sha256_bytes(data) != seed.sha256:
        raise PeacetalksError(f"{path}: sha256 differs from the manifest: seeds are immutable; add changed text as a new document")
    return raw_text(path, data)


def iter_seeds(root: Root) -> Iterator[tuple[SeedEntry, str]]:
    """Each manifest entry with its raw text (:func:`seed_text`)."""
    for seed in iter_manifest(root):
        yield seed, seed_text(root, seed)
