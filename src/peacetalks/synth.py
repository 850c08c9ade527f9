"""Synthetic data roots for scale work: N news-like documents through every stage, deterministic by seed.

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
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .annotations import canonical
from .clean import clean
from .corpus import sidecar_for
from .models import GOLD, AnnotationFile, AnnotationSet, Provenance, Relation, SeedEntry, Span
from .progress import progress
from .schema import Schema, load_schema
from .seeds import MANIFEST_DESCRIPTION, Metadata, describe, raw_text
from .storage import PeacetalksError, Root, dump_model, sha256_text

SYNTH_VERSION = "0.1.0"  # the VERSION a synthetic root releases as
ANNOTATORS = ("ann1", "ann2")

# --- vocabulary ----------------------------------------------------------------
# Names never contain one another except as whole longer names (matched longest first).

ENTITIES: dict[str, tuple[str, ...]] = {
    "PERSON": ("Vladimir Putin", "Volodymyr Zelensky", "Donald Trump", "Marco Rubio", "Sergei Lavrov", "Keir Starmer",
               "Emmanuel Macron", "Olaf Scholz", "Mike Waltz", "Steve Witkoff", "Andriy Yermak", "Kaja Kallas",
               "José Manuel Albares", "Dmitry Peskov", "Mark Rutte", "Giorgia Meloni"),
    "ORG": ("NATO", "Kremlin", "European Union", "United Nations", "Pentagon", "Reuters", "State Department",
            "White House", "Security Council", "Gazprom"),
    "GPE": ("Ukraine", "Russia", "United States", "Moscow", "Kyiv", "Washington", "Riyadh", "Saudi Arabia", "Germany",
            "France", "Britain", "Poland", "Turkey", "Brussels", "Paris", "London", "Berlin"),
    "LOC": ("Europe", "Crimea", "Donbas", "Kursk region", "Black Sea", "Baltic Sea", "Zaporizhzhia region"),
    "NORP": ("Russian", "Ukrainian", "American", "European", "Polish", "German", "French", "British"),
    "EVENT": ("Munich Security Conference", "Riyadh talks", "Istanbul talks", "G7 summit"),
    "DATE": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "last week", "February 2025", "almost three years",
             "two weeks", "ten days"),
    "MONEY": ("$500 billion", "$61 billion", "$300 million", "€50 billion"),
    "LAW": ("Minsk agreements", "Budapest Memorandum", "Russian constitution"),
}
SLOTS = {**ENTITIES, "DAY": ENTITIES["DATE"][:5], "PERIOD": ENTITIES["DATE"][7:]}  # template slots: a label, or a kind of date
LABEL_OF = {name: label for label, names in ENTITIES.items() for name in names}
ENTITY_PATTERN = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(LABEL_OF, key=lambda n: (-len(n), n))) + r")(?!\w)")

SENTENCES = (
    "{PERSON} met {PERSON} in {GPE} on {DAY} to discuss a possible ceasefire along the front line.",
    "Officials in {GPE} said the talks with {ORG} could resume on {DAY} if both sides agree on an agenda.",
    "The {NORP} delegation arrived in {GPE} after {PERIOD} of preparations and quiet contacts with {ORG}.",
    "Analysts expect {PERSON} to raise the question of security guarantees at the {EVENT}.",
    "Fighting continued near the {LOC} while diplomats in {GPE} tried to agree on the terms of a truce.",
    "A package worth {MONEY} is still waiting for approval, according to people familiar with the matter.",
    "{PERSON} has repeatedly argued that the {LAW} must not become a model for any new settlement.",
    "The {ORG} has not commented on reports that {GPE} is preparing new sanctions against {GPE}.",
    "Many {NORP} officials fear that a deal made without {GPE} would only postpone the next war.",
    "Markets across {LOC} reacted calmly to the news, and energy prices barely moved on {DAY}.",
    "The war, now in its fourth year, has displaced millions of people and destroyed whole towns in the {LOC}.",
    "{PERSON} spoke by phone with {PERSON} for more than an hour, the {ORG} confirmed on {DAY}.",
    "Diplomats say the next round could take place in {GPE} or in {GPE} within {PERIOD}.",
    "Neither side has published a written proposal, and several key questions remain open.",
    "The {EVENT} ended without a joint statement, but both delegations promised to keep talking.",
)
QUOTES = (
    "We want to stop this war as soon as possible",
    "There will be no agreement about {GPE} without {GPE}",
    "Security guarantees must come before any ceasefire",
    "The door to negotiations remains open, but our patience is not endless",
    "We will not accept a deal that rewards aggression",
    "{PERSON} and I had a long and very productive conversation",
    "Europe has to take more responsibility for its own security",
    "Nobody should expect a breakthrough in a single meeting",
    "Every day of delay costs lives on the front line",
)
SCARE_PHRASES = ("peace through strength", "coalition of the willing", "deal of the century", "frozen conflict model")
CUES = ("said", "told reporters", "wrote on X", "said in a statement", "added", "told Reuters")
DESCRIBED_SOURCES = ("a senior Russian official", "a Ukrainian diplomat", "one European minister", "a spokesperson")
LEADS = (
    "Speaking after the meeting, {SOURCE} {CUE}: “{QUOTE}.”",
    "“{QUOTE},” {SOURCE} {CUE}.",
    "Asked about the next steps, {SOURCE} {CUE} that “{QUOTE}.”",
)
TITLES = (
    "{PERSON} and {PERSON} agree to new round of talks",
    "What we know about the {EVENT}",
    "{GPE} pushes for security guarantees as talks resume",
    "Ceasefire talks stall over the {LOC}",
)
BIOS = (
    "Anna Keller is a correspondent covering European politics and security for the newsroom.",
    "Tom Reyes is a senior reporter who writes about diplomacy, defence and the war in the region.",
)
FOREIGN_BIOS = (
    "Anna Keller ist Korrespondentin und schreibt über die Außenpolitik und die Sicherheit der Staaten.",
    "Si Maria Santos ay isang mamamahayag na sumusulat tungkol sa pulitika at ugnayang panlabas ng bansa.",
    "Иван Петров пишет о политике и о переговорах, он работает корреспондентом в нашей редакции уже много лет.",
    "Marie Dubois est journaliste et elle couvre la diplomatie et la sécurité pour le service international.",
)
RELATED_HEADLINES = ("Peace talks: what each side wants", "Five things to watch this week", "How the sanctions work",
                     "Opinion: the long road to a ceasefire", "Live updates from the front")
PROMPTS = ("Leave a comment", "Join the conversation", "Sign up for our newsletter", "Share this article",
           "We appreciate your feedback. Let us know what you think.")
COUNTERS = ("0", "12", "37", "1.2K", "Shares 214", "Comments 8")


# --- one document ----------------------------------------------------------------


@dataclass
class Mark:
    """A span placed while writing a paragraph, relative to the paragraph."""

    start: int
    end: int
    label: str


@dataclass
class Attribution:
    quote: Mark
    source: Mark
    cue: Mark


@dataclass
class Paragraph:
    """Body text built piece by piece so quotes, sources and cues know their offsets."""

    text: str = ""
    attributions: list[Attribution] = field(default_factory=list)
    not_speech: list[Mark] = field(default_factory=list)

    def add(self, piece: str, label: str | None = None) -> Mark | None:
        start = len(self.text)
        self.text += piece
        return Mark(start, len(self.text), label) if label else None


@dataclass(frozen=True)
class Article:
    raw: str
    paragraphs: tuple[Paragraph, ...]


def fill(template: str, rng: random.Random) -> str:
    """Fill each {SLOT} with a name, never the same name twice in one template."""
    used: set[str] = set()

    def pick(match: re.Match[str]) -> str:
        name = rng.choice([n for n in SLOTS[match.group(1)] if n not in used])
        used.add(name)
        return name

    return re.sub(r"\{([A-Z]+)\}", pick, template)


def body_paragraph(rng: random.Random) -> Paragraph:
    paragraph = Paragraph()
    paragraph.add(" ".join(fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.15:
        paragraph.add(" Critics dismissed the plan as a “")
        paragraph.not_speech.append(paragraph.add(rng.choice(SCARE_PHRASES), "NOT_SPEECH"))  # type: ignore[arg-type]
        paragraph.add("” that ignores the situation on the ground.")
    return paragraph


def quote_paragraph(rng: random.Random) -> Paragraph:
    """A lead sentence, then a quote with its source and cue in one of several word orders."""
    paragraph = Paragraph()
    paragraph.add(fill(rng.choice(SENTENCES), rng) + " ")
    fillers = {
        "QUOTE": fill(rng.choice(QUOTES), rng),
        "SOURCE": rng.choice((rng.choice(ENTITIES["PERSON"]), rng.choice(DESCRIBED_SOURCES), "he", "she")),
        "CUE": rng.choice(CUES),
    }
    marks: dict[str, Mark] = {}
    for piece in re.split(r"\{(SOURCE|CUE|QUOTE)\}", rng.choice(LEADS)):
        if piece in fillers:
            marks[piece] = paragraph.add(fillers[piece], piece)  # type: ignore[assignment]
        else:
            paragraph.add(piece)
    paragraph.attributions.append(Attribution(marks["QUOTE"], marks["SOURCE"], marks["CUE"]))
    return paragraph


def article(rng: random.Random) -> Article:
    """The raw text of one article: boilerplate around a body of plain and quote paragraphs."""
    paragraphs = tuple(quote_paragraph(rng) if rng.random() < 0.3 else body_paragraph(rng) for _ in range(rng.randint(6, 14)))
    lines = [fill(rng.choice(TITLES), rng)]
    lines += rng.sample(COUNTERS, rng.choice((0, 0, 1, 2)))
    body = [p.text for p in paragraphs]
    if rng.random() < 0.3:
        body.insert(rng.randint(1, len(body) - 1), f"Read more: {rng.choice(RELATED_HEADLINES)}")
    lines += body
    lines += [f"• {headline}" for headline in rng.sample(RELATED_HEADLINES, rng.choice((0, 2, 3)))]
    lines += rng.sample(PROMPTS, rng.choice((0, 1, 2)))
    lines += [rng.choice(BIOS)] if rng.random() < 0.5 else []
    lines += [rng.choice(FOREIGN_BIOS)] if rng.random() < 0.3 else []
    lines += ["© 2025 Example News. All rights reserved."] if rng.random() < 0.3 else []
    newline = "\r\n" if rng.random() < 0.1 else "\n"
    raw = newline.join(line + ("" if rng.random() < 0.5 else newline) for line in lines) + newline
    if rng.random() < 0.05:
        raw = unicodedata.normalize("NFD", raw)
    if rng.random() < 0.03:
        raw = "\ufeff" + raw
    return Article(raw, paragraphs)


# --- annotations on the clean text ---------------------------------------------------


def entity_spans(text: str) -> list[Span]:
    """Every whole-word mention of a known name (longest first): gold is complete by construction."""
    return [Span(id=f"e{i}", start=m.start(), end=m.end(), label=LABEL_OF[m.group()], text=m.group())
            for i, m in enumerate(ENTITY_PATTERN.finditer(text), start=1)]


def attribution_layer(text: str, paragraphs: tuple[Paragraph, ...]) -> tuple[list[Span], list[Relation]]:
    """Quotes, sources, cues and scare quotes of the paragraphs the cleaner kept, with their relations."""
    spans: list[Span] = []
    relations: list[Relation] = []
    cursor = 0

    def place(offset: int, mark: Mark) -> Span:
        start, end = offset + mark.start, offset + mark.end
        span = Span(id=f"a{len(spans) + 1}", start=start, end=end, label=mark.label, text=text[start:end])
        spans.append(span)
        return span

    for paragraph in paragraphs:
        offset = text.find(paragraph.text, cursor)
        if offset < 0:  # the cleaner dropped it: nothing to annotate
            continue
        cursor = offset + len(paragraph.text)
        for mark in paragraph.not_speech:
            place(offset, mark)
        for attribution in paragraph.attributions:
            quote = place(offset, attribution.quote)
            for name, mark in (("source", attribution.source), ("cue", attribution.cue)):
                relations.append(Relation(id=f"r{len(relations) + 1}", head=quote.id, tail=place(offset, mark).id, label=name))
    return spans, relations


def annotator_variant(gold: AnnotationSet, rng: random.Random, name: str) -> AnnotationSet:
    """An annotator's set: gold with some spans missed, some entities relabelled, some names cut to the surname."""
    spans: list[Span] = []
    for span in gold.spans:
        roll = rng.random()
        if roll < 0.06:
            continue
        if roll < 0.09 and span.label in LABEL_OF.values():
            span = span.model_copy(update={"label": rng.choice(sorted(ENTITIES))})
        elif roll < 0.12 and span.label == "PERSON" and " " in span.text:
            cut = span.text.rindex(" ") + 1
            span = span.model_copy(update={"start": span.start + cut, "text": span.text[cut:]})
        spans.append(span)
    kept = {span.id for span in spans}
    relations = [r for r in gold.relations if r.head in kept and r.tail in kept and rng.random() > 0.03]
    provenance = Provenance(annotator=name, method="synthetic", guidelines_version="1.0.0", tool="peacetalks synth")
    return AnnotationSet(provenance=provenance, spans=spans, relations=relations)


def annotation_for(doc_id: str, text: str, paragraphs: tuple[Paragraph, ...], schema: Schema, rng: random.Random) -> AnnotationFile:
    attribution_spans, relations = attribution_layer(text, paragraphs)
    provenance = Provenance(annotator=GOLD, method="synthetic", guidelines_version="1.0.0", tool="peacetalks synth")
    gold = AnnotationSet(provenance=provenance, spans=entity_spans(text) + attribution_spans, relations=relations)
    sets = {name: annotator_variant(gold, rng, name) for name in ANNOTATORS} | {GOLD: gold}
    return canonical(AnnotationFile(document_id=doc_id, text_sha256=sha256_text(text), schema_version=schema.version, annotators=sets))


# --- the root -------------------------------------------------------------------------


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
    entry = describe(path, doc_id, Metadata(source=f"peacetalks synth --seed {seed}", notes="synthetic document"))
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
