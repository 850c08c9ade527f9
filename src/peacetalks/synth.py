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
from .models import GOLD, AnnotationFile, AnnotationSet, Provenance, Relation, SeedEntry, SeedMetadata, Span
from .progress import progress
from .schema import Schema, load_schema
from .seeds import MANIFEST_DESCRIPTION, describe, raw_text
from .storage import PeacetalksError, Root, dump_model, sha256_text

SYNTH_VERSION = "0.1.0"  # the VERSION a synthetic root releases as
ANNOTATORS = ("ann1", "ann2")

# --- vocabulary ----------------------------------------------------------------
# Sentences draw a word or a name every word or two, so that documents share few word 8-grams
# (the near-duplicate test of the splits) unless one reprints another, as wire copy does.

ENTITIES: dict[str, tuple[str, ...]] = {
    "PERSON": ("Vladimir Putin", "Volodymyr Zelensky", "Donald Trump", "Marco Rubio", "Sergei Lavrov", "Keir Starmer",
               "Emmanuel Macron", "Olaf Scholz", "Mike Waltz", "Steve Witkoff", "Andriy Yermak", "Kaja Kallas",
               "José Manuel Albares", "Dmitry Peskov", "Mark Rutte", "Giorgia Meloni"),
    "ORG": ("NATO", "Kremlin", "European Union", "United Nations", "Pentagon", "Reuters", "State Department",
            "White House", "Security Council", "Gazprom", "Red Cross", "World Bank", "OSCE", "IAEA", "Naftogaz"),
    "GPE": ("Ukraine", "Russia", "United States", "Moscow", "Kyiv", "Washington", "Riyadh", "Saudi Arabia", "Germany",
            "France", "Britain", "Poland", "Turkey", "Brussels", "Paris", "London", "Berlin", "Kharkiv", "Odesa", "Lviv",
            "Dnipro", "Warsaw", "Ankara", "Istanbul", "Geneva", "Rome", "Vienna", "Helsinki", "Tallinn", "Minsk"),
    "LOC": ("Europe", "Crimea", "Donbas", "Kursk region", "Black Sea", "Baltic Sea", "Zaporizhzhia region", "Dnipro River",
            "Sea of Azov", "Kherson region"),
    "NORP": ("Russian", "Ukrainian", "American", "European", "Polish", "German", "French", "British", "Turkish", "Finnish"),
    "EVENT": ("Munich Security Conference", "Riyadh talks", "Istanbul talks", "G7 summit", "NATO summit", "Davos forum"),
    "DATE": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "last week", "February 2025"),
    "MONEY": ("$500 billion", "$61 billion", "€50 billion"),
    "LAW": ("Minsk agreements", "Budapest Memorandum", "Russian constitution", "Black Sea Grain Initiative"),
}
FIRST_NAMES = ("Anna", "Oleksandr", "Iryna", "Dmytro", "Olena", "Taras", "Mykola", "Natalia", "Yulia", "Serhiy", "Pavel",
               "Elena", "Igor", "Svetlana", "Alexei", "James", "Sarah", "Michael", "Laura", "David", "Claire", "Thomas",
               "Katarzyna", "Piotr", "Jan", "Ingrid", "Mehmet", "Ayse", "Pierre", "Sophie", "Lukas", "Greta", "Marek",
               "Hanna", "Viktor", "Maria", "Jonas", "Emma", "Rafael", "Lucia")
LAST_NAMES = ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchuk", "Ivanov", "Smirnov", "Volkov",
              "Sokolov", "Popov", "Morozov", "Novak", "Kowalski", "Nowak", "Wisniewski", "Schneider", "Fischer", "Weber",
              "Dubois", "Laurent", "Moreau", "Rossi", "Bianchi", "Yilmaz", "Demir", "Larsen", "Virtanen", "Korhonen",
              "Campbell", "Mitchell", "Harrison", "Brennan", "Sullivan", "Holm", "Lindqvist", "Horvat", "Petrenko",
              "Lysenko", "Marchenko")
UNITS = {"MONEY": ("million", "billion"), "PERIOD": ("days", "weeks", "months", "hours")}
WORDS: dict[str, tuple[str, ...]] = {
    "ADJ": ("fragile", "tentative", "renewed", "cautious", "limited", "broad", "partial", "formal", "informal", "secret",
            "public", "detailed", "vague", "ambitious", "modest", "temporary", "permanent", "fresh", "long-awaited",
            "disputed", "binding", "non-binding", "phased", "joint", "separate", "regional", "bilateral", "multilateral",
            "humanitarian", "military", "economic", "political", "technical", "unexpected", "contested", "narrow",
            "sweeping", "delayed", "revised", "preliminary"),
    "NOUN": ("ceasefire", "proposal", "framework", "corridor", "agreement", "memorandum", "truce", "roadmap", "package",
             "mechanism", "guarantee", "settlement", "exchange", "deadline", "timetable", "moratorium", "plan", "offer",
             "compromise", "formula", "mandate", "mission", "inquiry", "review", "initiative", "blueprint", "treaty",
             "channel", "pause", "deal", "accord", "protocol", "pledge", "draft", "summit", "dialogue", "ultimatum",
             "bargain", "referendum", "observer mission"),
    "NOUNS": ("prisoners", "soldiers", "civilians", "drones", "missiles", "tanks", "refugees", "observers", "diplomats",
              "children", "power stations", "grain ships", "shells", "villages", "reservists", "volunteers", "engineers",
              "journalists", "medics", "border guards"),
    "VERB": ("rejected", "welcomed", "questioned", "endorsed", "criticised", "dismissed", "proposed", "discussed",
             "outlined", "defended", "postponed", "approved", "drafted", "signed", "examined", "challenged", "revived",
             "praised", "debated", "blocked", "backed", "downplayed", "amended", "clarified", "studied"),
    "TOPIC": ("grain exports", "energy infrastructure", "air defence", "sanctions relief", "frozen assets",
              "prisoner swaps", "nuclear safety", "shipping lanes", "reconstruction funds", "troop withdrawals",
              "border crossings", "gas transit", "mine clearance", "war crimes", "occupied territories",
              "security guarantees", "arms deliveries", "peacekeepers", "elections", "refugee returns"),
    "ROLE": ("foreign minister", "defence minister", "envoy", "spokesperson", "negotiator", "adviser", "general", "mayor",
             "governor", "ambassador", "deputy prime minister", "chief of staff", "intelligence chief", "senator",
             "lawmaker", "commander", "analyst", "economist", "prosecutor", "ombudsman"),
    "CONN": ("On the same day,", "Meanwhile,", "Earlier,", "Later,", "In a separate development,", "Separately,",
             "By contrast,", "At the same time,", "Overnight,", "In recent days,", "Since then,", "Until now,"),
    "WHERE": ("behind closed doors", "by video link", "at a press conference", "in a televised address", "in an interview",
              "on state television", "in a late-night post", "during a briefing", "at a security forum", "in parliament"),
}
SENTENCES = (
    "{CONN} {PERSON} {VERB} the {ADJ} {NOUN} on {TOPIC} during talks in {GPE} on {DAY}.",
    "The {ROLE} of {GPE}, {PERSON}, {VERB} a {ADJ} {NOUN} {WHERE}, officials in {GPE} said.",
    "{NUM} {NORP} {NOUNS} were moved from the {LOC} after the {ADJ} {NOUN} expired on {DAY}.",
    "A {ADJ} {NOUN} worth {MONEY} for {TOPIC} was {VERB} by the {ORG} after {PERIOD} of {ADJ} talks.",
    "{PERSON} told the {ORG} {WHERE} that {NUM} {NOUNS} had crossed into {GPE} within {PERIOD}.",
    "{CONN} the {ORG} {VERB} a {ADJ} {NOUN} that would link {TOPIC} to {TOPIC} in the {LOC}.",
    "Diplomats from {GPE} and {GPE} {VERB} a {ADJ} {NOUN} at the {EVENT}, according to {NUM} pages seen by {ORG}.",
    "{PERSON}, the {NORP} {ROLE}, has {VERB} the {LAW} {WHERE} as a {ADJ} model for {TOPIC}.",
    "After {PERIOD} of {ADJ} contacts, {PERSON} and {PERSON} {VERB} a {NOUN} on {TOPIC} in {GPE}.",
    "The {NORP} {ROLE} {PERSON} {VERB} reports that {NUM} {NOUNS} near {GPE} had been lost on {DAY}.",
    "{CONN} {NUM} {NOUNS} and {NUM} {NOUNS} were counted by the {ORG} in the {LOC} {WHERE}.",
    "{PERSON} {VERB} the {ADJ} {NOUN} {WHERE} in {GPE}, calling {TOPIC} and {TOPIC} {ADJ} priorities.",
    "A {ADJ} {NOUN} between {GPE} and {GPE} on {TOPIC} could cost {MONEY} over {PERIOD}, the {ROLE} {PERSON} said.",
    "{CONN} the {EVENT} {VERB} a {ADJ} {NOUN} for the {LOC} after {PERSON} arrived from {GPE}.",
)
QUOTES = (
    "We {VERB} the {ADJ} {NOUN} on {TOPIC} because {GPE} cannot wait another {PERIOD}",
    "There will be no {NOUN} about {GPE} without {GPE}, and no {ADJ} {NOUN} on {TOPIC} either",
    "{PERSON} and I {VERB} a {ADJ} {NOUN} on {TOPIC} {WHERE}",
    "Our {NUM} {NOUNS} in the {LOC} need a {ADJ} {NOUN} before {DAY}",
    "Nobody in {GPE} should expect a {ADJ} {NOUN} on {TOPIC} within {PERIOD}",
    "The {ADJ} {NOUN} {VERB} by the {ORG} is not a {NOUN} we can accept",
)
SLOTS = {**ENTITIES, **WORDS, "DAY": ENTITIES["DATE"][:7]}
LABEL_OF = {name: label for label, names in ENTITIES.items() for name in names}


def alternatives(names: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=lambda name: (-len(name), name)))


# Every name a slot can produce, longest first; generated names are matched by their shape, in named groups.
ENTITY_PATTERN = re.compile(
    rf"(?<!\w)(?:(?P<PERSON>(?:{alternatives(FIRST_NAMES)}) (?:{alternatives(LAST_NAMES)}))"
    rf"|(?P<MONEY>[$€]\d+ (?:{alternatives(UNITS['MONEY'])}))|(?P<DATE>\d+ (?:{alternatives(UNITS['PERIOD'])}))"
    rf"|{alternatives(list(LABEL_OF))})(?!\w)")
SCARE_PHRASES = ("peace through strength", "coalition of the willing", "deal of the century", "frozen conflict model")
CUES = ("said", "told reporters", "wrote on X", "said in a statement", "added", "told Reuters")
DESCRIBED_SOURCES = ("a senior Russian official", "a Ukrainian diplomat", "one European minister", "a spokesperson")
LEADS = (
    "Speaking {WHERE} in {GPE}, {SOURCE} {CUE}: “{QUOTE}.”",
    "“{QUOTE},” {SOURCE} {CUE} on {DAY}.",
    "Asked about {TOPIC} on {DAY}, {SOURCE} {CUE} that “{QUOTE}.”",
)
TITLES = (
    "{PERSON} and {PERSON} agree to new round of talks on {TOPIC}",
    "What we know about the {EVENT} and the {ADJ} {NOUN}",
    "{GPE} pushes for {TOPIC} as talks resume in {GPE}",
    "Ceasefire talks stall over the {LOC} and {TOPIC}",
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
    """Fill each {SLOT}; a name never appears twice in one template."""
    used: set[str] = set()

    def pick(match: re.Match[str]) -> str:
        name = slot_value(match.group(1), rng, used)
        used.add(name)
        return name

    return re.sub(r"\{([A-Z]+)\}", pick, template)


def slot_value(slot: str, rng: random.Random, used: set[str]) -> str:
    if slot == "NUM":
        return f"{rng.randint(2, 9999):,}"
    if slot == "MONEY":
        return f"{rng.choice('$€')}{rng.randint(2, 999)} {rng.choice(UNITS['MONEY'])}"
    if slot == "PERIOD":
        return f"{rng.randint(2, 90)} {rng.choice(UNITS['PERIOD'])}"
    if slot == "PERSON" and rng.random() < 0.7:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    choices = SLOTS[slot]
    return rng.choice([value for value in choices if value not in used] or choices)


def body_paragraph(rng: random.Random) -> Paragraph:
    paragraph = Paragraph()
    paragraph.add(" ".join(fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.15:
        paragraph.add(fill(" {PERSON} dismissed the {NUM}-point {NOUN} as a “", rng))
        paragraph.not_speech.append(paragraph.add(rng.choice(SCARE_PHRASES), "NOT_SPEECH"))  # type: ignore[arg-type]
        paragraph.add(fill("” {WHERE} in {GPE}.", rng))
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
            paragraph.add(fill(piece, rng))
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
    return [Span(id=f"e{i}", start=m.start(), end=m.end(), label=m.lastgroup or LABEL_OF[m.group()], text=m.group())
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
        if roll < 0.09 and span.label in ENTITIES:
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
