"""Stage 2, pure: raw article text → clean text, title, removed blocks, flags, alignment.

The cleaner looks at lines, not strings of particular sites. Boilerplate is
recognised by its shape (a bare number, a bullet headline, a short prompt, an
address, a run of headline-like lines, a block of paragraphs printed twice, a run of
timestamps and bare links) and by where it stands (before the first or after the
last body paragraph, between two notices at an edge, after an "about the author"
heading, in another language at the tail). On a whole page (menus, footers and all) the article is the
densest run of prose lines, and everything around it is page chrome. Anything that
is not recognised is kept: losing a body sentence is worse than keeping a stray line.
Every removal names its rule and a reason code; BENCHMARKS.md measures them on real pages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from .align import AlignedBuilder, Alignment
from .language import detect_language
from .storage import PeacetalksError

CLEANER_VERSION = "1.2"
PARAGRAPH_SEPARATOR = "\n\n"

LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
SKIPPABLE_EDGE = " \t\ufeff\u00a0\u200b\u2009\u202f\u3000"
TERMINAL = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』）]*$|[\"”’»」』]$")
BULLET = re.compile(r"^[•▪►■→»·◦‣⁃●○▸▹\-*–—]\s*")
DATED = re.compile(r"^[—–-].*\b\d{1,2}, \d{4}$")  # '— Name (@handle) May 1, 2019': the byline of an embedded post
ADDRESS = re.compile(r"https?://|\bwww\.|\w@\w+\.\w|(?<!\w)@\w{2,}|\b\w+\.(?:com|org|net)/\w")
BARE_COUNT = re.compile(r"(?i)(?:(?:shares?|comments?|likes?|views?|tweets?)\s*)?[\d.,]{1,7}\s*[km]?(?:\s*(?:shares?|comments?|likes?|views?))?")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?")
YEAR = r"(?:19|20)\d{2}\b"
DATE_STAMP = re.compile(  # '22 de janeiro de 2018', '18 November 2019', 'November 18, 2019', '2018-08-25'
    rf"\b\d{{1,2}}\.?(?:\s+de)?\s+\w+\.?(?:\s+de)?,?\s+{YEAR}|\b\w+\.? \d{{1,2}}, {YEAR}|\b{YEAR}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b")
WORD = re.compile(r"\w+(?:[’'\-.]\w+)*")


@dataclass(frozen=True)
class Line:
    """A non-blank raw line: where its content sits in the raw text, and its NFC text."""

    index: int
    start: int
    end: int
    break_end: int
    text: str

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text)


@dataclass(frozen=True)
class Removal:
    rule: str
    reason: str


@dataclass(frozen=True)
class RemovedLine:
    line: Line
    removal: Removal


@dataclass(frozen=True)
class CleanResult:
    text: str
    title: Line | None
    removed: tuple[RemovedLine, ...]
    flags: tuple[str, ...]
    language: str
    alignment: Alignment


# --- line shapes -----------------------------------------------------------


def split_lines(raw: str) -> list[Line]:
    """Non-blank lines with their raw content offsets (edges without spaces or a BOM)."""
    lines: list[Line] = []
    pos = 0
    for match in [*LINE_BREAK.finditer(raw), None]:
        line_end = match.start() if match else len(raw)
        break_end = match.end() if match else len(raw)
        start, end = pos, line_end
        while start < end and raw[start] in SKIPPABLE_EDGE:
            start += 1
        while end > start and (raw[end - 1] in SKIPPABLE_EDGE or raw[end - 1].isspace()):
            end -= 1
        if start < end:
            text = unicodedata.normalize("NFC", raw[start:end])
            lines.append(Line(len(lines), start, end, break_end, text))
        pos = break_end
    return lines


def is_bare_count(line: Line) -> bool:
    """'0', '37', '1.2K', 'Shares 12': a share or comment counter on its own line."""
    return bool(BARE_COUNT.fullmatch(line.text))


def is_number_table(lines: Sequence[Line]) -> bool:
    """Many bare numbers: a table laid out one cell a line, whose numbers are data, not counters."""
    return sum(1 for line in lines if is_bare_count(line)) > COUNTERS_MAX


def is_headline_like(line: Line, max_words: int = 20) -> bool:
    """Short, with letters, and no sentence end (a question mark is fine: headlines ask)."""
    words = line.words
    ends_sentence = TERMINAL.search(line.text) and not line.text.endswith("?")
    return 0 < len(words) <= max_words and not ends_sentence and any(c.isalpha() for c in line.text)


def is_bullet(line: Line) -> bool:
    return bool(BULLET.match(line.text)) and len(BULLET.sub("", line.text)) > 0


def is_headline_bullet(line: Line) -> bool:
    """'• Trump and Putin to begin talks': a bulleted headline (not '— Name (@handle) May 1, 2019', a post's byline,
    nor '* Dates subject to change', a footnote)."""
    return is_bullet(line) and not is_footnote(line) and is_headline_like(line, 16) and len(line.words) >= LINK_MIN_WORDS and not DATED.search(line.text)


def is_footnote(line: Line) -> bool:
    """'* Dates subject to change': a note under a table or list, not a link."""
    return line.text.startswith("*")


def listed_bullets(lines: Sequence[Line]) -> set[int]:
    """Bullets in a list introduced by a line ending in a colon ('The kit includes:'): content, not links."""
    listed: set[int] = set()
    introduced = False
    for line in lines:
        if is_bullet(line):
            if introduced:
                listed.add(line.index)
        else:
            introduced = line.text.endswith(":")
    return listed


def is_sentence_like(line: Line) -> bool:
    return len(line.words) >= 8 and bool(TERMINAL.search(line.text)) or len(line.words) >= 25


def word_count(line: Line) -> int:
    """Words, or for scripts written without spaces (Chinese, Japanese) one per three characters."""
    return max(len(line.words), len(line.text) // 3 if not line.text.isascii() and " " not in line.text else 0)


def is_prose(line: Line) -> bool:
    """A body paragraph: a sentence of eight or more words (or characters' worth), or a long passage."""
    size = word_count(line)
    return (size >= 8 and bool(TERMINAL.search(line.text)) or size >= 25) and not is_bullet(line)


def is_shouted_headline(line: Line) -> bool:
    """'LAUREN ALAINA SAYS THE SHOW HAS HELPED HER': a statement in capitals, eight words or more, is a link
    (subheadings in capitals are shorter, 'NISSAN SENTRA', or ask, 'DOES SHE HAVE A PLAN FOR THAT?')."""
    text = line.text
    return len(line.words) >= 8 and text.isupper() and "|" not in text and not text.endswith("?") and is_headline_like(line, 30)


def is_contact_line(line: Line) -> bool:
    """'Write to Al Root at al.root@example.com', 'twitter.com/name', 'Follow @name': a short line with an address."""
    return len(line.words) <= 30 and bool(ADDRESS.search(line.text)) and not DATED.search(line.text)


def is_tag_list(line: Line) -> bool:
    """'stock car 2018, stock car brasil, interlagos, ...': four or more short keyword phrases and no sentence."""
    items = line.text.split(",")
    longest = max(len(WORD.findall(item)) for item in items)
    enough = len(items) >= 4 and longest <= 4 or len(items) >= 8 and longest <= 6  # a long list may hold longer tags
    return enough and all(WORD.search(item) for item in items) and not TERMINAL.search(line.text)


def is_machine_value(line: Line) -> bool:
    """'2019-11-19T08:57:40+01:00', 'https://example.com/logo.png': a value from the page's metadata, not text."""
    return bool(ISO_TIMESTAMP.fullmatch(line.text)) or len(line.text.split()) == 1 and bool(ADDRESS.search(line.text))


def is_list_entry(line: Line) -> bool:
    """'June 9 – Tampa, FL', '1) Lego Star Wars', '3 eggs': an entry of a data list (a number in its first two words)."""
    return any(any(c.isdigit() for c in word) for word in line.words[:2])


def matches(patterns: Sequence[str]) -> Callable[[Line], bool]:
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return lambda line: bool(regex.search(line.text))


# Multilingual prompt vocabularies (en, de, fr, es, it, pt, nl, tl, ru/uk).
is_comment_prompt = matches([
    r"\b(leave|post|add|write) a (comment|reply)\b", r"\bjoin the (conversation|discussion)\b",
    r"\b(share|tell us|let us know) (your|what you) (thoughts|think|opinion)", r"\bwe appreciate your (thoughts|feedback|comments)\b",
    r"\bcomments? (are|is) (closed|moderated)\b", r"^comments?\s*(\(\d+\))?$", r"\bview (all )?comments\b",
    r"\bkommentar(e)? (schreiben|verfassen)\b", r"\blaisser un commentaire\b", r"\bdeja (un|tu) comentario\b",
    r"\blascia un commento\b", r"\bdeixe (um|seu) comentário\b", r"\bmag-iwan ng (komento|puna)\b",
    r"\bоставьте комментарий\b", r"\bзалиште коментар\b", r"\bwe('d| would) (like|love) to hear (from you|what you think)\b",
    r"\b(comments?|comentários?|comentarios?|commentaires?|kommentare?|commenti)\b.{0,100}\b(moderat|approv|aprovad|aprobad|respect|respeito)",
])
is_subscribe_prompt = matches([
    r"\b(subscribe|sign up|register) (to|for|now|today|here)\b", r"\bnewsletter\b", r"\bget (our|the) .{0,40}(in|to) your inbox\b",
    r"\bfollow\b.{0,60}\bon (facebook|twitter|instagram|youtube|linkedin|tiktok)\b", r"\bdownload (our|the) app\b", r"\bshare (this|on) (article|story|facebook|twitter|x)\b",
    r"\b(jetzt )?abonnieren\b", r"\babonnez-vous\b", r"\bsuscr[ií]bete\b", r"\biscriviti\b", r"\bassine\b", r"\bmag-subscribe\b",
    r"\bподпишитесь\b", r"\bпідпишіться\b", r"\bclick here\b", r"\bsupport (our|independent) journalism\b",
    r"\bshare (it|this) with\b", r"\bif you (enjoyed|liked) this (article|story|post)\b",
])
is_credit = matches([
    r"^(photo|image|picture|video|graphic|illustration|foto|bild|imagen)s?( credit)?s?\s*[:|/©]", r"\((reporting|writing|editing|additional reporting) by\b",
    r"^(reporting|writing|editing|additional reporting) by\b", r"\b(getty images|shutterstock|ap photo|afp via getty)\b",
    r"^(source|quelle|fuente|fonte)\s*:", r"\bcontributed (to )?(this )?report(ing)?\b", r"^(updated|published|posted|last modified)( on| at)?\s*:?\s*\w+\s+\d",
])
is_copyright = matches([r"©", r"\(c\)\s*\d{4}", r"\bcopyright\b", r"\ball rights reserved\b", r"\bnon-commercial use\b",
                        r"\bmay not be (published|reproduced|redistributed)\b", r"\balle rechte vorbehalten\b",
                        r"\btous droits réservés\b", r"\btodos los derechos reservados\b", r"\bвсе права защищены\b"])
OPENING_BRACKET = r"[(\[]?\s*"
is_related_prompt = matches([  # '[Related: ...]' and '(Read also: ...)' are the same prompts in brackets
    rf"^{OPENING_BRACKET}(read|see) (more|also)\b", rf"^{OPENING_BRACKET}related( (articles?|stories|coverage|content|news))?\s*:?",
    rf"^{OPENING_BRACKET}also read\b", r"^also on \w[\w-]*\.[a-z]{2,}\b", r"^more (on|from) (this|our)\b",
    r"^lesen sie (auch|mehr)\b", r"^mehr zum thema\b", r"^(à|a) lire aussi\b", r"^lire aussi\b", r"^(lee|leer) (también|más)\b",
    r"^más información\b", rf"^{OPENING_BRACKET}leggi anche\b",
    r"^(you may also like|most (read|popular|viewed)( in [\w ]+)?|popular on [\w. ]+|don'?t miss|explore further|more)\W*$", r"^leia (também|mais)\b", r"^basahin din\b", r"^читайте также\b", r"^читайте також\b",
])
ends_in_link_words = matches([r"\b(here|hier|aquí|ici)[.!]?$"])  # 'You can view last month's thread here.'
is_author_heading = matches([
    r"^(author (profile|bio)|about the (author|writer)|the author)$", r"^über (den|die) autor(in)?$", r"^(à|a) propos de l'auteur$",
    r"^sobre (el|la|o|a) autor(a)?$", r"^tungkol sa (may-akda|awtor)$", r"^об авторе$", r"^про автора$", r"^l'autore$",
])
is_author_bio_sentence = matches([
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3} (is|was|covers|writes)\b.{0,120}\b(reporter|correspondent|editor|writer|journalist|columnist|contributor|author|producer)\b",
])
is_tag_heading = matches([  # 'Tags', 'Filed under: Diplomacy |': a heading alone, or with its keywords after a colon
    r"^(tags?|tagged( with)?|topics|filed under|schlagw(ö|oe)rter|etiquetas|mots-clés|tópicos|argomenti|темы|теги)(\s*[:|].*)?$",
])
ORGANISATION = r"(?!(?:This|That|It|There|The|These|Those|He|She|They|We|What|Which)\b)[A-Z][\w&.'’-]*(?: [A-Z(][\w&.'’()-]*){0,3}"
COMPANY_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in [  # the 'About us' paragraph that closes a press release
    rf"^About {ORGANISATION}\s*:?$",
    rf"^{ORGANISATION},? (is|are) (a|an|the)\b.{{0,100}}\b(provider|company|manufacturer|maker|developer|supplier|firm|group|organi[sz]ation|platform|agency|publisher|operator)\b",
    rf"^{ORGANISATION} (is|are) (headquartered|based) in\b",
    rf"^{ORGANISATION} ist (ein|eine)\b.{{0,60}}(anbieter|unternehmen|hersteller|konzern)\b",
    rf"^{ORGANISATION} est (un|une)\b.{{0,60}}\b(leader|fournisseur|groupe|société|entreprise)\b",
]))


def is_company_boilerplate(line: Line) -> bool:
    """'Acme is a global provider of ...', 'About Acme': case matters, the subject is a name, not 'This' or 'It'."""
    return bool(COMPANY_BOILERPLATE.search(line.text))


is_advertisement = matches([r"^(advertisement|anzeige|publicité|publicidad|pubblicità|sponsored( content)?|werbung)$"])


# --- the rules -------------------------------------------------------------

RELATED = Removal("related_links", "related-links")
ADVERTISEMENT = Removal("advertisement", "advertisement")
SHARE_COUNTER = Removal("share_counter", "share-counter")
PAGE_CHROME = Removal("content_region", "page-chrome")
COMMENTS = Removal("comment_section", "comments")
LEAD_CHROME = Removal("lead_chrome", "dateline-byline")
DATELINE = Removal("head_dateline", "dateline-byline")
CONTACT = Removal("tail_contact", "contact-link")
TAGS = Removal("tail_tags", "tag-list")
REPEATED = Removal("repeated_line", "duplicate")
METADATA = Removal("metadata_block", "page-metadata")
BRIDGED = Removal("tail_block", "between-boilerplate")

REPEAT_MIN_BLOCK = 3  # consecutive repeated paragraphs: a block printed twice, not a refrain or a recipe step
BRIDGE_MAX_LINES = 6  # short lines between two boilerplate lines at an edge: the rest of one widget
BRIDGE_MAX_WORDS = 20  # a longer line between them is a paragraph, and the run stops there
TEASER_MIN_WORDS, TEASER_MAX_WORDS = 10, 30  # a linked headline and a sentence of teaser (list items are shorter)
METADATA_MIN_LINES = 3  # one bare link or date can be content; a run of them is the page's metadata
COUNTERS_MAX = 6  # share, comment, like and view counters, twice over at most
DATELINE_MAX_WORDS = 10  # a date, a time, 'Published', a weekday: a longer line is a sentence with a date
LEAD_MAX_LINES = 5  # headline, kicker, dateline, byline, updated-at: more is a list, not a lead block
LINK_MIN_WORDS = 6  # related headlines are phrases; list items ('- HL7', '- Spain (Group F)') are shorter
LINK_PROMPT_MAX_WORDS = 20  # '... listen back here.': a closing paragraph that points 'here' is longer
LINK_RUN_MAX = 12  # a longer run of short lines at the end is a list the article ends with
CHROME_PENALTY = 12  # what a non-prose line costs the content region: as much as a 12-word sentence brings
PAGE_CHROME_MIN_LINES = 10  # chrome lines above the region that make a text a whole page
REGION_MIN_PROSE = 3  # a region of fewer paragraphs needs SHORT_PAGE_MIN_LINES of chrome above it
SHORT_PAGE_MIN_LINES = 50
# Each rule sees the lines and what is removed so far and returns the lines it
# removes. Edge rules only reach inwards from the top or bottom of the article
# while they keep matching; inner rules need a shape that prose never has.


def _edge_run(lines: Sequence[Line], removed: dict[int, Removal], test: Callable[[Line], bool], from_end: bool) -> list[Line]:
    """Lines matching ``test`` at the top (or bottom) of the article, skipping lines already removed."""
    run: list[Line] = []
    for line in reversed(lines) if from_end else lines:
        if line.index in removed:
            continue
        if not test(line):
            break
        run.append(line)
    return run


def _tail_prompts(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    def short(test: Callable[[Line], bool], max_words: int = 40) -> Callable[[Line], bool]:
        return lambda line: len(line.words) <= max_words and test(line)

    listed, table = listed_bullets(lines), is_number_table(lines)
    tests = [
        (short(is_comment_prompt), Removal("tail_prompt", "comment-prompt")),
        (short(is_subscribe_prompt), Removal("tail_prompt", "subscribe-prompt")),
        (short(is_credit), Removal("tail_credit", "credits")),
        (short(is_copyright, 60), Removal("tail_copyright", "copyright")),
        (short(ends_in_link_words, LINK_PROMPT_MAX_WORDS), Removal("tail_prompt", "link-prompt")),
        (short(is_related_prompt), RELATED),
        (lambda line: is_bare_count(line) and not table, SHARE_COUNTER),
        (is_advertisement, ADVERTISEMENT),
        (lambda line: is_headline_bullet(line) and line.index not in listed, RELATED),
        (lambda line: is_author_bio_sentence(line) and len(line.words) <= 60, Removal("author_bio", "author-bio")),
        (short(is_company_boilerplate, 120), Removal("tail_about", "about-company")),
    ]
    found: list[tuple[Line, Removal]] = []
    for from_end in (True, False):
        # an address under the article is a contact or promo line; above it, it belongs to the lead
        edge_tests = [*tests, (is_contact_line, CONTACT), (is_tag_list, TAGS), (short(is_tag_heading, 12), TAGS)] if from_end else tests

        def removal_of(line: Line, after_link_bullet: bool) -> Removal | None:
            if (after_link_bullet and is_bullet(line) and TEASER_MIN_WORDS <= len(line.words) <= TEASER_MAX_WORDS and line.index not in listed
                    and not ADDRESS.search(line.text)):
                return RELATED  # a linked headline with its teaser, in a list of links
            return next((removal for test, removal in edge_tests if test(line)), None)

        found += _bridged_edge_run(lines, removed, removal_of, from_end)
    return found


def _bridged_edge_run(lines: Sequence[Line], removed: dict[int, Removal], removal_of: Callable[[Line, bool], Removal | None],
                      from_end: bool) -> list[tuple[Line, Removal]]:
    """Recognised lines at an edge of the article, and up to BRIDGE_MAX_LINES short lines standing between two
    notices: the rest of a widget ('Thanks for signing up!', 'Sorry!') between a newsletter heading and a copyright
    line. Bullets, numbered entries and embedded-post bylines are never bridged (lists end articles), and a bare
    address, a bullet or a counter is no anchor for a bridge (link lists and shopping lists end in them)."""
    found: list[tuple[Line, Removal]] = []
    gap: list[Line] = []
    link_bullets = 0
    for line in reversed(lines) if from_end else lines:
        if line.index in removed:
            link_bullets = link_bullets + 1 if removed[line.index] is RELATED and is_bullet(line) else 0
            continue
        removal = removal_of(line, link_bullets >= 2)
        if removal is None:
            bridgeable = not (is_bullet(line) or is_list_entry(line) or DATED.search(line.text))
            if not found or len(gap) >= BRIDGE_MAX_LINES or len(line.words) >= BRIDGE_MAX_WORDS or not bridgeable:
                break
            gap.append(line)
            continue
        if gap and is_bridge_anchor(line, removal):
            found += [(between, BRIDGED) for between in gap]
        elif gap:
            break
        gap = []
        found.append((line, removal))
        link_bullets = link_bullets + 1 if removal is RELATED and is_bullet(line) else 0
    return found


def is_bridge_anchor(line: Line, removal: Removal) -> bool:
    """A notice that ends a widget: not a bullet, a counter, a bare address or a list of keywords (a broken
    paragraph can look like one: 'Veteran actress, Jane Doe, who in 2008, won the')."""
    bare_address = len(ADDRESS.sub(" ", line.text).split()) <= 1
    return not (is_bullet(line) or removal in (SHARE_COUNTER, TAGS) or bare_address)


def _tail_headlines(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """Two or more headline-like lines after the last paragraph, and their short heading: related links.

    A run of short items (under six words) or of lines that mostly start with a number is a list
    (teams, dates, ranks, amounts), and a list introduced by a colon is content: both are kept.
    """
    listed = listed_bullets(lines)

    def linked_headline(line: Line) -> bool:
        return (is_headline_like(line, 40) and len(line.words) >= LINK_MIN_WORDS and not line.text.endswith(":") and not is_footnote(line)
                and not DATED.search(line.text) and line.index not in listed)

    run = _edge_run(lines, removed, linked_headline, from_end=True)
    if not 2 <= len(run) <= LINK_RUN_MAX or sum(1 for line in run if is_list_entry(line)) * 2 >= len(run):
        return []
    return [(line, RELATED) for line in run]


def _author_section(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """An 'about the author' heading in the last third, and everything after it."""
    for line in lines[len(lines) * 2 // 3 :]:
        if is_author_heading(line):
            return [(rest, Removal("author_section", "author-bio")) for rest in lines[line.index :]]
    return []


def _foreign_tail(lines: Sequence[Line], removed: dict[int, Removal], language: str) -> list[tuple[Line, Removal]]:
    """Paragraphs at the end written in another language than the article (bios, station IDs)."""

    def foreign(line: Line) -> bool:
        return len(line.words) >= 6 and detect_language(line.text) not in (language, "und")

    return [(line, Removal("foreign_tail", "language-change")) for line in _edge_run(lines, removed, foreign, from_end=True)]


def _inner_links(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """A lone bullet headline between prose paragraphs, 'Read more:' lines and ad labels, anywhere."""
    found: list[tuple[Line, Removal]] = []
    for i, line in enumerate(lines):
        if is_bullet(line):
            # a real list has two or more items (even between paragraphs), or is introduced by a colon
            neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            lone = all(is_sentence_like(n) and not is_bullet(n) and not n.text.endswith(":") for n in neighbours)
            lone = lone and not any(is_bullet(lines[j]) for j in (i - 2, i + 2) if 0 <= j < len(lines))
            if lone and is_headline_bullet(line):
                found.append((line, RELATED))
            continue
        if is_related_prompt(line) and len(line.words) <= 25 or is_shouted_headline(line):
            found.append((line, RELATED))
        elif is_advertisement(line):
            found.append((line, ADVERTISEMENT))
    return found


def _repeated_lines(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """A block of paragraphs printed again word for word (a teaser or newsletter rendered twice), and the headline
    repeated under the article. A single repeated paragraph is kept (interviews repeat questions), and so are
    repeated short lines (recipe steps, product features, table headers)."""
    seen: set[str] = set()
    headline = " ".join(lines[0].words).casefold() if lines else ""
    found: list[tuple[Line, Removal]] = []
    block: list[Line] = []
    for line in [*lines, None]:
        key = " ".join(line.words).casefold() if line else ""
        if line and line.index > 0 and key and key == headline:
            found.append((line, REPEATED))
        elif line and key in seen and is_prose(line):
            block.append(line)
            continue
        if len(block) >= REPEAT_MIN_BLOCK:  # the block ended: long enough to be a page printed twice
            found += [(repeated, REPEATED) for repeated in block]
        block = []
        seen.add(key)
    return found


def _metadata_block(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """Three or more single-token lines in a row, two of them timestamps or bare addresses: page metadata
    (publication times, image and logo URLs, the publisher's id) rendered as text."""
    found: list[tuple[Line, Removal]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and len(line.text.split()) == 1:
            run.append(line)
            continue
        if len(run) >= METADATA_MIN_LINES and sum(1 for token in run if is_machine_value(token)) >= 2:
            found += [(token, METADATA) for token in run]
        run = []
    return found


def _counters(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """Bare counts standing two or more in a row, or beside the title: share and comment counters."""
    found: list[tuple[Line, Removal]] = []
    if is_number_table(lines):
        return found
    for i, line in enumerate(lines):
        neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if is_bare_count(line) and (i <= 2 or i >= len(lines) - 2 or any(is_bare_count(n) for n in neighbours)):
            found.append((line, SHARE_COUNTER))
    return found


def line_weight(line: Line) -> int:
    """Evidence that a line is body prose (its word count) or page chrome (a fixed penalty)."""
    if line.text.count("|") >= 3:  # a table row: data, neither prose nor chrome
        return 0
    return min(word_count(line), 80) if is_prose(line) else -CHROME_PENALTY


def densest_run(weights: Sequence[int]) -> tuple[int, int]:
    """The stretch [start, end] with the largest sum of weights (Kadane, one pass); end < start when none is positive."""
    best, best_start, best_end = 0, 0, -1
    total, start = 0, 0
    for i, weight in enumerate(weights):
        if total <= 0:
            total, start = 0, i
        total += weight
        if total > best:
            best, best_start, best_end = total, start, i
    return best_start, best_end


def _content_region(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """On a whole page, the densest run of prose lines is the article: drop the menus and footers around it.

    The run is the maximum-sum stretch of line weights (a chrome line costs what a 12-word sentence
    brings). It applies only when ten or more chrome lines stand above the run: an extracted
    article has at most a stray line or two there, a whole page has its menus.
    """
    weights = [0 if line.index in removed else line_weight(line) for line in lines]
    start, end = densest_run(weights)
    prose = sum(1 for weight in weights[start : end + 1] if weight > 0)
    chrome_above = sum(1 for weight in weights[:start] if weight < 0)
    # list-like articles scatter their prose between short lines: the run must hold a third of it
    if sum(weight for weight in weights[start : end + 1] if weight > 0) * 3 < sum(weight for weight in weights if weight > 0):
        return []
    # a run of one or two paragraphs is an article only when a whole page of chrome surrounds it
    if prose < 1 or chrome_above < (PAGE_CHROME_MIN_LINES if prose >= REGION_MIN_PROSE else SHORT_PAGE_MIN_LINES):
        return []
    found = [(line, PAGE_CHROME) for line in lines if not start <= line.index <= end]
    # readers' comments follow the article inside the same dense run: cut at their heading
    for line in lines[start + (end - start) // 3 : end + 1]:
        if line.index not in removed and len(line.words) <= 6 and is_comment_prompt(line):
            found += [(rest, COMMENTS) for rest in lines[line.index : end + 1]]
            break
    return [(line, removal) for line, removal in found if line.index not in removed]


def _head_datelines(lines: Sequence[Line], removed: dict[int, Removal]) -> list[tuple[Line, Removal]]:
    """Short date stamps among the first lines of the article ('segunda-feira, 22 de janeiro de 2018 às 0:13',
    '- Published 18 November 2019'), above or just below a standfirst, where the lead block rule cannot
    reach them (an opening list, or a standfirst before the stamp)."""
    head = [line for line in lines if line.index not in removed][:LEAD_MAX_LINES]
    return [(line, DATELINE) for line in head if len(line.words) <= DATELINE_MAX_WORDS and DATE_STAMP.search(line.text)]


def lead_lines(lines: Sequence[Line], removed: dict[int, Removal]) -> list[Line]:
    """The lines above the first body paragraph (headline, kicker, dateline, byline), when few."""
    lead: list[Line] = []
    for line in lines:
        if line.index in removed:
            continue
        if not lead and is_headline_like(line, 20) and not is_bullet(line):  # a headline may ask: 'Is a deal near?'
            lead.append(line)
            continue
        if is_prose(line):
            return lead if len(lead) <= LEAD_MAX_LINES else []
        if is_bullet(line):  # a list starts the article: no headline block to strip
            return []
        lead.append(line)
    return []


def find_title(lead: Sequence[Line]) -> Line | None:
    """The longest headline-like line above the body is the title."""
    candidates = [line for line in lead if is_headline_like(line, 25) and not is_bullet(line)]
    return max(candidates, key=lambda line: len(line.words), default=None)


def classify(lines: Sequence[Line], language: str) -> tuple[dict[int, Removal], Line | None]:
    removed: dict[int, Removal] = {}

    def apply(found: list[tuple[Line, Removal]]) -> None:
        for line, removal in found:
            removed.setdefault(line.index, removal)

    apply(_counters(lines, removed))
    apply(_repeated_lines(lines, removed))
    apply(_metadata_block(lines, removed))
    apply(_tail_prompts(lines, removed))
    apply(_author_section(lines, removed))
    apply(_inner_links(lines, removed))
    apply(_tail_headlines(lines, removed))
    for _ in range(2):  # prompts can hide behind a foreign bio and the other way round
        apply(_tail_prompts(lines, removed))
        apply(_foreign_tail(lines, removed, language))
    apply(_content_region(lines, removed))
    apply(_head_datelines(lines, removed))
    lead = lead_lines(lines, removed)
    title = find_title(lead)
    apply([(line, LEAD_CHROME) for line in lead if line is not title])
    return removed, title


# --- flags and assembly ----------------------------------------------------


def quality_flags(text: str) -> tuple[str, ...]:
    flags = []
    if text and not TERMINAL.search(text.rstrip()):
        flags.append("ends_mid_sentence")
    if text and text[0].islower():
        flags.append("starts_mid_sentence")
    if re.search(r"\w [,;](?:\s|$)|\w \.(?:\s+[A-Z]|$)", text):
        flags.append("space_before_punctuation")
    if not text:
        flags.append("empty_after_cleaning")
    return tuple(flags)


def clean(raw: str) -> CleanResult:
    """Clean one raw article; the alignment maps every clean character to its raw origin."""
    lines = split_lines(raw)
    language = detect_language("\n".join(line.text for line in lines))
    removed, title = classify(lines, language)
    kept = [line for line in lines if line.index not in removed and line is not title]
    builder = AlignedBuilder(raw)
    for position, line in enumerate(kept):
        builder.delete_to(line.start)
        builder.copy_normalised_to(line.end)
        if position < len(kept) - 1:
            builder.replace_to(line.break_end, PARAGRAPH_SEPARATOR)
    text, alignment = builder.build()
    removed_lines = tuple(RemovedLine(line, removed[line.index]) for line in lines if line.index in removed)
    return CleanResult(text, title, removed_lines, quality_flags(text), language, alignment)


# --- JSON Lines records (clean-text) ------------------------------------------


def record_from_json(line: str, where: str) -> tuple[str, str]:
    """The (id, text) of one ``{"id", "text"}`` JSON line; ``where`` names it in errors."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise PeacetalksError(f"{where}: not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(value, dict):
        raise PeacetalksError(f"{where}: expected a JSON object with \"id\" and \"text\", got {type(value).__name__}")
    for key, kinds in (("id", (str, int)), ("text", (str,))):
        if key not in value:
            raise PeacetalksError(f"{where}: missing {key!r}")
        if not isinstance(value[key], kinds) or isinstance(value[key], bool):
            raise PeacetalksError(f"{where}: {key!r} must be a {' or '.join(k.__name__ for k in kinds)}")
    return str(value["id"]), value["text"]


def result_record(doc_id: str, result: CleanResult) -> dict[str, object]:
    """What ``clean-text`` writes for one input: raw offsets count into the input text."""
    return {
        "id": doc_id,
        "text": result.text,
        "title": result.title.text if result.title else None,
        "removed": [
            {"start": r.line.start, "end": r.line.end, "rule": r.removal.rule, "reason": r.removal.reason, "text": r.line.text}
            for r in result.removed
        ],
        "flags": list(result.flags),
        "language": result.language,
    }


def clean_json_lines(lines: Iterable[str], source: str) -> Iterator[str]:
    """Clean a stream of ``{"id", "text"}`` JSON lines into result JSON lines, one at a time."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc_id, text = record_from_json(line, f"{source}: line {number}")
        yield json.dumps(result_record(doc_id, clean(text)), ensure_ascii=False) + "\n"
