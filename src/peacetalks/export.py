"""Export (a consumer of a release), I/O: ``peacetalks export``: a built release → files for the tools users already have: a spaCy ``DocBin``
per split, or CoNLL-2003-style BIO columns per split.

It reads only the release's ``tokens`` config (its Parquet files, checked against the release's
``MANIFEST.sha256``): a document's sentence rows give back its text exactly (leading whitespace,
then every token and its ``whitespace_after``) and, joined, its spans (BIO → spans; a ``QUOTE`` goes on
into the next row as ``I-``). A consumer of a release, not a pipeline stage: it writes no committed
artefact, so it is not in :data:`peacetalks.pipeline.STAGES`. The output folder is made in a temp
folder beside ``--out`` and swapped in whole; it replaces only a folder an export made.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from .bio import LabelledSpan, Offsets, bio_to_spans
from .split import SPLITS
from .storage import PeacetalksError, Root, building_folder, listed_files, replace_folder, replaceable_folder, sha256_file

FORMATS = ("spacy", "conll")
MANIFEST = "EXPORT.sha256"
RECORD = "export.json"  # only an export writes it: what marks a folder as one an export made
RELEASE_MANIFEST = "MANIFEST.sha256"
TOKENS = "tokens"
TAGS_SUFFIX = "_tags"
DOCSTART = "-DOCSTART-"
HELP = f"""Formats (one file per split of the release, documents in the release's order):
  spacy  <split>.spacy: a spaCy DocBin, one Doc per document; doc.text is the document text exactly
         (whitespace other than one space after a token is a whitespace token, as spaCy's tokenizer
         makes it), doc.sents are the release's sentences (is_sent_start), doc.ents the first
         layer's spans (entity), doc.spans["<layer>"] every other layer's (attribution).
  conll  <split>.conll: CoNLL-2003 style, space-separated columns TOKEN then one BIO tag per layer
         in schema order (TOKEN ENTITY_TAG ATTRIBUTION_TAG); one token a line, a blank line after
         every sentence, a "{DOCSTART} O O" line and a blank line before every document. A QUOTE
         running over sentences continues with I-QUOTE at the start of the next sentence.
Needs the export extra for spacy (pip install 'peacetalks[export]'); no model is downloaded."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, required=True, help="spacy (DocBin) or conll (BIO columns); see below")
    parser.add_argument("--release", type=Path, required=True, help="a release folder `peacetalks build` made")
    parser.add_argument("--out", type=Path, required=True, help="folder for the export (made whole in a temp folder, then swapped in)")
    parser.epilog = f"{HELP}\n\n{parser.epilog or ''}"


def run(args: argparse.Namespace, root: Root) -> int:
    written = export(args.release, args.out, args.format, root)
    print(f"export: {args.format} files of {args.release} in {args.out}: " + ", ".join(written))
    return 0


# --- reading the release ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportDoc:
    """One document of the tokens config: its text, tokens, sentence starts (token indexes) and BIO tags per layer."""

    id: str
    text: str
    tokens: list[Offsets]
    sentence_starts: list[int]
    tags: dict[str, list[str]]

    def spans(self, layer: str) -> list[LabelledSpan]:
        return bio_to_spans(self.tokens, self.tags[layer])


@dataclass(frozen=True)
class Release:
    folder: Path
    layers: list[str]
    splits: dict[str, list[ExportDoc]]

    @property
    def manifest_sha256(self) -> str:
        return sha256_file(self.folder / RELEASE_MANIFEST)


def tokens_file(split: str) -> str:
    return f"data/{TOKENS}/{split}.parquet"


def read_release(folder: Path) -> Release:
    """The tokens config of the release in ``folder``, every file checked against its manifest."""
    if not (folder / RELEASE_MANIFEST).is_file():
        raise PeacetalksError(f"{folder}: not a release `peacetalks build` made (no {RELEASE_MANIFEST}); nothing exported")
    listed = listed_files(folder / RELEASE_MANIFEST)
    present = [split for split in SPLITS if tokens_file(split) in listed]
    if not present:
        raise PeacetalksError(f"{folder / RELEASE_MANIFEST}: lists no {tokens_file('<split>')}: the release has no tokens config; nothing exported")
    for split in present:
        path = folder / tokens_file(split)
        if path.is_symlink() or not path.is_file() or sha256_file(path) != listed[tokens_file(split)]:
            raise PeacetalksError(f"{path}: release-manifest: missing or not the file {RELEASE_MANIFEST} lists (edited after the build?); "
                                  "rebuild the release; nothing exported")
    tables = {split: read_table(folder / tokens_file(split)) for split in present}
    layers, names, _ = tables[present[0]]
    for split in present[1:]:
        if tables[split][:2] != (layers, names):
            raise PeacetalksError(f"{folder / tokens_file(split)}: tokens-columns: its tag columns or tag names differ from "
                                  f"{tokens_file(present[0])}'s; rebuild the release; nothing exported")
    return Release(folder, layers, {split: list(documents_of(folder / tokens_file(split), *table)) for split, table in tables.items()})


ROW_FEATURES = {"document_id": "string", "sentence_index": "int32", "leading_whitespace": "string", "tokens": ["string"],
                "whitespace_after": ["string"], "token_starts": ["int32"], "token_ends": ["int32"]}  # what an export reads
PER_TOKEN = ("tokens", "whitespace_after", "token_starts", "token_ends")


def read_table(path: Path) -> tuple[list[str], dict[str, list[str]], list[dict[str, Any]]]:
    """(layers, BIO tag names per layer, rows) of one tokens Parquet file; the names come from its features."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features, List, Value

    try:
        features = Features.from_arrow_schema(pq.read_schema(path))
        rows = pq.read_table(path).to_pylist()
    except (pa.ArrowException, ValueError, TypeError) as exc:  # not Parquet, or no datasets features in it
        raise PeacetalksError(f"{path}: tokens-columns: cannot read it as the release's tokens Parquet file ({exc}); nothing exported") from exc
    expected = {name: List(Value(kind[0])) if isinstance(kind, list) else Value(kind) for name, kind in ROW_FEATURES.items()}
    names = {column.removesuffix(TAGS_SUFFIX): feature.feature.names for column, feature in features.items()
             if column.endswith(TAGS_SUFFIX) and isinstance(feature, List) and isinstance(feature.feature, ClassLabel)}
    wrong = [name for name, feature in expected.items() if features.get(name) != feature]
    if wrong or not names:
        raise PeacetalksError(f"{path}: tokens-columns: {', '.join(wrong) or 'no <layer>_tags column'} missing or not of the release's "
                              "type (a release built before sentence rows?); rebuild the release with this version; nothing exported")
    return list(names), names, rows


def documents_of(path: Path, layers: list[str], names: dict[str, list[str]], rows: list[dict[str, Any]]) -> Iterator[ExportDoc]:
    """The documents of one split, each from its sentence rows (consecutive, in sentence order)."""
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end]["document_id"] != rows[start]["document_id"]:
            yield export_doc(path, layers, names, rows[start:end])
            start = end


def laid_out(rows: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Where each token must stand: after the leading whitespace, every token then its whitespace, in order."""
    offsets, at = [], len(rows[0]["leading_whitespace"])
    for row in rows:
        for token, space in zip(row["tokens"], row["whitespace_after"]):
            offsets.append((at, at + len(token)))
            at += len(token) + len(space)
    return offsets


def export_doc(path: Path, layers: list[str], names: dict[str, list[str]], rows: list[dict[str, Any]]) -> ExportDoc:
    """One document from its rows, refused unless they are what a build writes: sentences 0, 1, 2, … with
    at least one token each, one entry per token in every list, offsets that match the text, known tags."""
    doc_id = rows[0]["document_id"]
    columns = (*PER_TOKEN, *(layer + TAGS_SUFFIX for layer in layers))

    def well_formed(row: dict[str, Any]) -> bool:
        values = [row[column] for column in columns]
        if row["leading_whitespace"] is None or any(value is None or None in value for value in values):
            return False
        return (len(row["tokens"]) > 0 and len({len(value) for value in values}) == 1
                and all(space == "" or space.isspace() for space in [row["leading_whitespace"], *row["whitespace_after"]])
                and all(token.split() == [token] and token != DOCSTART for token in row["tokens"])
                and all(0 <= tag < len(names[layer]) for layer in layers for tag in row[layer + TAGS_SUFFIX]))

    in_order = [row["sentence_index"] for row in rows] == list(range(len(rows))) and not any(row["leading_whitespace"] for row in rows[1:])
    if not in_order or not all(map(well_formed, rows)):
        raise PeacetalksError(f"{path}: {doc_id}: tokens-rows: the sentence rows are not 0, 1, 2, … in order, or a row has an "
                              "empty, null or uneven column, whitespace that is not whitespace, a token with whitespace, "
                              "or an unknown tag; "
                              "rebuild the release; nothing exported")
    text = rows[0]["leading_whitespace"] + "".join(token + space for row in rows for token, space in zip(row["tokens"], row["whitespace_after"]))
    tokens = [(start, end) for row in rows for start, end in zip(row["token_starts"], row["token_ends"])]
    if tokens != laid_out(rows):
        raise PeacetalksError(f"{path}: {doc_id}: tokens-rows: token offsets do not match the text the tokens and whitespace make "
                              "(each token starts where the previous token's whitespace ends); rebuild the release; nothing exported")
    starts = list(accumulate((len(row["tokens"]) for row in rows[:-1]), initial=0))
    return ExportDoc(doc_id, text, tokens, starts, {layer: [names[layer][t] for row in rows for t in row[layer + TAGS_SUFFIX]] for layer in layers})


# --- writing ---------------------------------------------------------------------------------


def conll_text(release: Release, split: str) -> str:
    lines: list[str] = []
    for doc in release.splits[split]:
        lines += [" ".join([DOCSTART] + ["O"] * len(release.layers)), ""]
        starts = set(doc.sentence_starts[1:])
        for i, (a, b) in enumerate(doc.tokens):
            if i in starts:
                lines.append("")
            lines.append(" ".join([doc.text[a:b]] + [doc.tags[layer][i] for layer in release.layers]))
        lines.append("")
    return "\n".join(lines) + "\n"


def spacy_bytes(release: Release, split: str) -> bytes:
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError as exc:
        raise PeacetalksError(f"--format spacy needs spaCy ({exc}): pip install 'peacetalks[export]'; nothing exported") from exc

    vocab = spacy.blank("en").vocab
    doc_bin = DocBin(store_user_data=False)
    for doc in release.splits[split]:
        doc_bin.add(spacy_doc(vocab, doc, release.layers, release.folder / tokens_file(split)))
    return doc_bin.to_bytes()


def spacy_words(doc: ExportDoc) -> tuple[list[str], list[bool], list[bool]]:
    """spaCy's words, spaces and sentence starts for ``doc``: one space after a token is its ``spaces``
    flag; any other whitespace is a word of its own, as spaCy's tokenizer makes it (text before the
    first token too: that word then starts the first sentence)."""
    words: list[str] = []
    spaces: list[bool] = []
    sent_starts: list[bool] = []

    def add(word: str, space: bool, starts: bool) -> None:
        words.append(word)
        spaces.append(space)
        sent_starts.append(starts)

    lead = doc.text[: doc.tokens[0][0]]
    if lead:
        add(lead, False, True)
    sentence_starts = set(doc.sentence_starts) - ({0} if lead else set())
    for i, ((start, end), following) in enumerate(zip(doc.tokens, [start for start, _ in doc.tokens[1:]] + [len(doc.text)])):
        after = doc.text[end:following]
        space = after.startswith(" ")
        add(doc.text[start:end], space, i in sentence_starts)
        if after[space:]:
            add(after[space:], False, False)
    return words, spaces, sent_starts


def spacy_doc(vocab: Any, doc: ExportDoc, layers: list[str], path: Path) -> Any:
    from spacy.tokens import Doc

    words, spaces, sent_starts = spacy_words(doc)
    made = Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)

    def span_of(span: LabelledSpan) -> Any:
        found = made.char_span(span.start, span.end, label=span.label)
        if found is None or made.text != doc.text:
            raise PeacetalksError(f"{path}: {doc.id}: tokens-rows: {span.label} [{span.start}, {span.end}) is not on spaCy token edges")
        return found

    made.ents = [span_of(span) for span in doc.spans(layers[0])]
    for layer in layers[1:]:
        made.spans[layer] = [span_of(span) for span in doc.spans(layer)]
    return made


def outputs(release: Release, fmt: str) -> dict[str, bytes]:
    if fmt == "spacy":
        return {f"{split}.spacy": spacy_bytes(release, split) for split in release.splits}
    return {f"{split}.conll": conll_text(release, split).encode("utf-8") for split in release.splits}


def refuse_overlap(release: Path, out: Path) -> None:
    a, b = release.resolve(), out.resolve()
    if a.is_relative_to(b) or b.is_relative_to(a):
        raise PeacetalksError(f"{out}: is the release folder, inside it or above it; choose a folder of its own (e.g. export-{FORMATS[0]})")


def export(release_folder: Path, out: Path, fmt: str, root: Root) -> list[str]:
    """Write the ``fmt`` export of the release into ``out`` (replaced whole), or raise and leave it as it was."""
    if fmt not in FORMATS:
        raise PeacetalksError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = replaceable_folder(out, root, MANIFEST, (RECORD,))
    refuse_overlap(release_folder, out)
    release = read_release(release_folder)
    files = outputs(release, fmt)
    record = {"format": fmt, "release_manifest_sha256": release.manifest_sha256, "layers": release.layers,
              "documents": {split: len(docs) for split, docs in release.splits.items()}, "files": sorted(files)}
    files[RECORD] = (json.dumps(record, indent=2) + "\n").encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with building_folder(out) as folder:
            for name, data in files.items():
                (folder / name).write_bytes(data)
            folder.chmod(0o755)  # mkdtemp made it private; an export is for reading
            (folder / MANIFEST).write_text("".join(f"{sha256_file(folder / name)}  {name}\n" for name in sorted(files)), encoding="utf-8")
            replace_folder(folder, replaceable_folder(out, root, MANIFEST, (RECORD,)))
    except OSError as exc:
        raise PeacetalksError(f"{exc.filename or out}: cannot write the export: {exc.strerror}; {out} left as it was") from exc
    return sorted(files)
