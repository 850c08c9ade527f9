"""Synth, no I/O: one raw article from a seeded random source, with the offsets of its quotes, sources and cues."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from .vocabulary import (BIOS, COUNTERS, CUES, DESCRIBED_SOURCES, ENTITIES, FIRST_NAMES, FOREIGN_BIOS, LAST_NAMES, LEADS,
                         PROMPTS, QUOTES, RELATED_HEADLINES, SCARE_PHRASES, SENTENCES, SLOTS, TITLES, UNITS)


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
