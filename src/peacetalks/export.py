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
import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

from .bio import LabelledSpan, Offsets, bio_to_spans
from .release.layout import MANIFEST_FILE, parquet_path
from .split import SPLITS
from .storage import PeacetalksError, Root, building_folder, listed_files, replace_folder, replaceable_folder, sha256_file

FORMATS = ("spacy", "conll")
MANIFEST = "EXPORT.sha256"
RECORD = "export.json"  # only an export writes it: what marks a folder as one an export made
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
    """A release's tokens config, checked, not yet read: its documents are streamed a split at a time."""

    folder: Path
    layers: list[str]
    names: dict[str, list[str]]  # BIO tag names per layer
    splits: list[str]

    @property
    def manifest_sha256(self) -> str:
        return sha256_file(self.folder / MANIFEST_FILE)

    def path(self, split: str) -> Path:
        return self.folder / tokens_file(split)

    def documents(self, split: str) -> Iterator[ExportDoc]:
        """The documents of ``split`` in release order, one at a time: the file is read by record batches."""
        path, rows = self.path(split), []
        for row in tokens_rows(path):
            if rows and row["document_id"] != rows[0]["document_id"]:
                yield export_doc(path, self.layers, self.names, rows)
                rows = []
            rows.append(row)
        if rows:
            yield export_doc(path, self.layers, self.names, rows)


def tokens_file(split: str) -> str:
    return parquet_path(TOKENS, split)


def read_release(folder: Path) -> Release:
    """The tokens config of the release in ``folder``, every file checked against its manifest and its columns."""
    if not (folder / MANIFEST_FILE).is_file():
        raise PeacetalksError(f"{folder}: not a release `peacetalks build` made (no {MANIFEST_FILE}); nothing exported")
    listed = listed_files(folder / MANIFEST_FILE)
    present = [split for split in SPLITS if tokens_file(split) in listed]
    if not present:
        raise PeacetalksError(f"{folder / MANIFEST_FILE}: lists no {tokens_file('<split>')}: the release has no tokens config; nothing exported")
    for split in present:
        path = folder / tokens_file(split)
        if path.is_symlink() or not path.is_file() or sha256_file(path) != listed[tokens_file(split)]:
            raise PeacetalksError(f"{path}: release-manifest: missing or not the file {MANIFEST_FILE} lists (edited after the build?); "
                                  "rebuild the release; nothing exported")
    names = {split: tag_names(folder / tokens_file(split)) for split in present}
    for split in present[1:]:
        if list(names[split].items()) != list(names[present[0]].items()):
            raise PeacetalksError(f"{folder / tokens_file(split)}: tokens-columns: its tag columns or tag names differ from "
                                  f"{tokens_file(present[0])}'s; rebuild the release; nothing exported")
    return Release(folder, list(names[present[0]]), names[present[0]], present)


ROW_FEATURES = {"document_id": "string", "sentence_index": "int32", "leading_whitespace": "string", "tokens": ["string"],
                "whitespace_after": ["string"], "token_starts": ["int32"], "token_ends": ["int32"]}  # what an export reads
PER_TOKEN = ("tokens", "whitespace_after", "token_starts", "token_ends")
BATCH_ROWS = 4096  # sentence rows read at a time: memory holds a batch and one document, never a split


@contextlib.contextmanager
def unreadable_as_release(path: Path) -> Iterator[None]:
    import pyarrow as pa

    try:
        yield
    except (pa.ArrowException, ValueError, TypeError) as exc:  # not Parquet, or no datasets features in it
        raise PeacetalksError(f"{path}: tokens-columns: cannot read it as the release's tokens Parquet file ({exc}); nothing exported") from exc


def tag_names(path: Path) -> dict[str, list[str]]:
    """The BIO tag names per layer of one tokens Parquet file, from its features, after checking its columns."""
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features, List, Value

    with unreadable_as_release(path):
        features = Features.from_arrow_schema(pq.read_schema(path))
    expected = {name: List(Value(kind[0])) if isinstance(kind, list) else Value(kind) for name, kind in ROW_FEATURES.items()}
    names = {column.removesuffix(TAGS_SUFFIX): feature.feature.names for column, feature in features.items()
             if column.endswith(TAGS_SUFFIX) and isinstance(feature, List) and isinstance(feature.feature, ClassLabel)}
    wrong = [name for name, feature in expected.items() if features.get(name) != feature]
    if wrong or not names:
        raise PeacetalksError(f"{path}: tokens-columns: {', '.join(wrong) or 'no <layer>_tags column'} missing or not of the release's "
                              "type (a release built before sentence rows?); rebuild the release with this version; nothing exported")
    return names


def tokens_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The sentence rows of one tokens Parquet file, in order, a record batch at a time."""
    import pyarrow.parquet as pq

    with unreadable_as_release(path):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
            yield from batch.to_pylist()


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


def conll_document(doc: ExportDoc, layers: list[str]) -> str:
    """One document's CoNLL lines: the DOCSTART line, then a token a line, a blank line after every sentence."""
    lines = [" ".join([DOCSTART] + ["O"] * len(layers)), ""]
    starts = set(doc.sentence_starts[1:])
    for i, (a, b) in enumerate(doc.tokens):
        if i in starts:
            lines.append("")
        lines.append(" ".join([doc.text[a:b]] + [doc.tags[layer][i] for layer in layers]))
    lines.append("")
    return "\n".join(lines) + "\n"


def write_conll(release: Release, split: str, handle: BinaryIO) -> int:
    """``split`` as CoNLL columns into ``handle``, a document at a time; the number of documents."""
    count = 0
    for count, doc in enumerate(release.documents(split), start=1):
        handle.write(conll_document(doc, release.layers).encode("utf-8"))
    return count


def write_spacy(release: Release, split: str, handle: BinaryIO) -> int:
    """``split`` as one spaCy ``DocBin`` into ``handle`` (a DocBin is serialised whole; it keeps arrays, not Python rows)."""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError as exc:
        raise PeacetalksError(f"--format spacy needs spaCy ({exc}): pip install 'peacetalks[export]'; nothing exported") from exc

    vocab = spacy.blank("en").vocab
    doc_bin = DocBin(store_user_data=False)
    for doc in release.documents(split):
        doc_bin.add(spacy_doc(vocab, doc, release.layers, release.path(split)))
    handle.write(doc_bin.to_bytes())
    return len(doc_bin)


WRITERS: dict[str, Callable[[Release, str, BinaryIO], int]] = {"spacy": write_spacy, "conll": write_conll}


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


def refuse_overlap(release: Path, out: Path) -> None:
    a, b = release.resolve(), out.resolve()
    if a.is_relative_to(b) or b.is_relative_to(a):
        raise PeacetalksError(f"{out}: is the release folder, inside it or above it; choose a folder of its own (e.g. export-{FORMATS[0]})")


def export(release_folder: Path, out: Path, fmt: str, root: Root) -> list[str]:
    """Write the ``fmt`` export of the release into ``out`` (replaced whole), or raise and leave it as it was.
    Documents are streamed from the release into the building folder, so a refusal half-way leaves ``out`` as it was."""
    if fmt not in FORMATS:
        raise PeacetalksError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = replaceable_folder(out, root, MANIFEST, (RECORD,))
    refuse_overlap(release_folder, out)
    release = read_release(release_folder)
    files = [f"{split}.{fmt}" for split in release.splits]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with building_folder(out) as folder:
            documents = {}
            for split, name in zip(release.splits, files):
                with (folder / name).open("wb") as handle:
                    documents[split] = WRITERS[fmt](release, split, handle)
            record = {"format": fmt, "release_manifest_sha256": release.manifest_sha256, "layers": release.layers,
                      "documents": documents, "files": sorted(files)}
            (folder / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            folder.chmod(0o755)  # mkdtemp made it private; an export is for reading
            written = sorted([*files, RECORD])
            (folder / MANIFEST).write_text("".join(f"{sha256_file(folder / name)}  {name}\n" for name in written), encoding="utf-8")
            replace_folder(folder, replaceable_folder(out, root, MANIFEST, (RECORD,)))
    except OSError as exc:
        raise PeacetalksError(f"{exc.filename or out}: cannot write the export: {exc.strerror}; {out} left as it was") from exc
    return written
