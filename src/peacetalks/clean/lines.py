"""Clean stage, pure: line shapes the cleaner's rules test: one raw line at a time, with its NFC text and raw offsets.

Nothing here decides a removal; the rules in ``rules/`` combine these shapes with context.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from .needles import fold, folded_needles, needles, opening, refers_to_groups, shortest


BREAKS = "\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"  # '\r\n' is one break
LINE_CONTENT = re.compile(f"[^{BREAKS}]+")
SKIPPABLE_EDGE = " \t\ufeff\u00a0\u200b\u2009\u202f\u3000"
TERMINALS = ".!?…:;。！？"
CLOSERS = "\"'”’»)]」』）"  # may follow a sentence's terminal mark
CLOSING_QUOTES = "\"”’»」』"  # end a quoted sentence on their own
BULLET = re.compile(r"^[•▪►■→»·◦‣⁃●○▸▹\-*–—]\s*")
DATED = re.compile(r"^[—–-].*\b\d{1,2}, \d{4}$")  # '— Name (@handle) May 1, 2019': the byline of an embedded post
ADDRESS = re.compile(r"https?://|\bwww\.|\w@\w+\.\w|(?<!\w)@\w{2,}|\b\w+\.(?:com|org|net)/\w")
BARE_COUNT = re.compile(r"(?i)(?:(?:shares?|comments?|likes?|views?|tweets?)\s*)?[\d.,]{1,7}\s*[km]?(?:\s*(?:shares?|comments?|likes?|views?))?")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?")
YEAR = r"(?:19|20)\d{2}\b"
DATE_STAMP = re.compile(  # '22 de janeiro de 2018', '18 November 2019', 'November 18, 2019', '2018-08-25'
    rf"\b\d{{1,2}}\.?(?:\s+de)?\s+\w+\.?(?:\s+de)?,?\s+{YEAR}|\b\w+\.? \d{{1,2}}, {YEAR}|\b{YEAR}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b")
WORD = re.compile(r"\w++(?:[’'\-.]\w++)*+")  # possessive: a word never gives back letters (the same words, no backtracking)
WORD_JOINER = re.compile(r"[’'\-.]")  # what WORD lets inside a word: without it a word is its \w+ runs


@dataclass(slots=True)
class Line:
    """A non-blank raw line: where its content sits in the raw text, its NFC text, its words (every rule asks for
    them: found once, as the line is made) and its text folded for needles (:func:`.needles.fold`). Not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, which made building the lines a third of splitting a page; no rule assigns to one."""

    index: int
    start: int
    end: int
    break_end: int
    text: str
    words: list[str] = field(compare=False, repr=False)
    folded: str | None = field(compare=False, repr=False)


# --- line shapes -----------------------------------------------------------


def split_lines(raw: str) -> list[Line]:
    """Non-blank lines with their raw content offsets (edges without spaces or a BOM)."""
    lines: list[Line] = []
    for segment in LINE_CONTENT.finditer(raw):  # the text between two breaks: blank runs between lines cost nothing
        start, end = segment.span()
        if raw[start] in SKIPPABLE_EDGE or raw[end - 1] in SKIPPABLE_EDGE or raw[end - 1].isspace():  # most lines have clean edges
            start, end = trimmed(raw, start, end)
        if start < end:
            break_end = segment.end() + (2 if raw.startswith("\r\n", segment.end()) else 1 if segment.end() < len(raw) else 0)
            text = unicodedata.normalize("NFC", raw[start:end])
            lines.append(Line(len(lines), start, end, break_end, text, WORD.findall(text), fold(text)))
    return lines


def plain_word_counts(lines: Sequence[Line]) -> Counter[str]:
    """How often each ``\\w+`` run occurs in the lines, from their words split at their joiners (no second search)."""
    counts = Counter(chain.from_iterable(line.words for line in lines))
    for word in [word for word in counts if not word.isalnum() and WORD_JOINER.search(word)]:
        count = counts.pop(word)
        for run in WORD_JOINER.split(word):
            counts[run] += count
    return counts


def trimmed(raw: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the skippable characters at its start and the skippable or blank ones at its end."""
    while start < end and raw[start] in SKIPPABLE_EDGE:
        start += 1
    while end > start and (raw[end - 1] in SKIPPABLE_EDGE or raw[end - 1].isspace()):
        end -= 1
    return start, end


def ends_like_a_sentence(text: str) -> bool:
    """A terminal mark at the end, perhaps inside closing quotes or brackets, or a closing quote. Read from the end
    (a search for '[.!?]$' would try every position of the line)."""
    core = text.rstrip(CLOSERS)
    return bool(core) and core[-1] in TERMINALS or bool(text) and text[-1] in CLOSING_QUOTES


def is_bare_count(line: Line) -> bool:
    """'0', '37', '1.2K', 'Shares 12': a share or comment counter on its own line."""
    return bool(BARE_COUNT.fullmatch(line.text))


def is_number_table(lines: Sequence[Line], max_counters: int) -> bool:
    """More than ``max_counters`` bare numbers: a table laid out one cell a line, whose numbers are data, not counters."""
    return sum(1 for line in lines if is_bare_count(line)) > max_counters


def is_headline_like(line: Line, max_words: int = 20) -> bool:
    """Short, with letters, and no sentence end (a question mark is fine: headlines ask)."""
    words = line.words
    ends = ends_like_a_sentence(line.text) and not line.text.endswith("?")
    return 0 < len(words) <= max_words and not ends and any(c.isalpha() for c in line.text)


def is_bullet(line: Line) -> bool:
    return bool(BULLET.match(line.text)) and len(BULLET.sub("", line.text)) > 0


def is_headline_bullet(line: Line, min_words: int) -> bool:
    """'• Trump and Putin to begin talks': a bulleted headline (not '— Name (@handle) May 1, 2019', a post's byline,
    nor '* Dates subject to change', a footnote, nor '- Talks resume via example.org https://example.org/a', a source
    cited with its address: a link to another article shows its words, not its address)."""
    return (is_bullet(line) and not is_footnote(line) and is_headline_like(line, 16) and len(line.words) >= min_words
            and not DATED.search(line.text) and not ADDRESS.search(line.text))


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


def is_table_row(line: Line) -> bool:
    """'| Name | Born | Role |': a row of a table (Markdown or a text rendering), data and never a link."""
    return line.text.count("|") >= 2 and line.text.startswith("|")


def is_sentence_like(line: Line) -> bool:
    return len(line.words) >= 8 and ends_like_a_sentence(line.text) or len(line.words) >= 25


def word_count(line: Line) -> int:
    """Words, or for scripts written without spaces (Chinese, Japanese) one per three characters."""
    return max(len(line.words), len(line.text) // 3 if not line.text.isascii() and " " not in line.text else 0)


def is_prose(line: Line) -> bool:
    """A body paragraph: a sentence of eight or more words (or characters' worth), or a long passage."""
    size = word_count(line)
    return (size >= 8 and ends_like_a_sentence(line.text) or size >= 25) and not is_bullet(line)


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
    return enough and all(WORD.search(item) for item in items) and not ends_like_a_sentence(line.text)


def is_timestamp(line: Line) -> bool:
    """'2019-11-19T08:57:40+01:00', '2018-08-25': a date or time in the machine's format, alone on its line."""
    return bool(ISO_TIMESTAMP.fullmatch(line.text))


def is_machine_value(line: Line) -> bool:
    """'2019-11-19T08:57:40+01:00', 'https://example.com/logo.png': a value from the page's metadata, not text."""
    return is_timestamp(line) or len(line.text.split()) == 1 and bool(ADDRESS.search(line.text))


def is_list_entry(line: Line) -> bool:
    """'June 9 – Tampa, FL', '1) Lego Star Wars', '3 eggs': an entry of a data list (a number in its first two words)."""
    return any(any(c.isdigit() for c in word) for word in line.words[:2])


def is_anchored(pattern: str, flags: int = 0) -> bool:
    """Whether ``pattern`` can only match at the start of the text (read from its parse tree: '^a|b' is not)."""
    return opening(pattern, flags) == "start"


def opens_on_word_boundary(pattern: str, flags: int = 0) -> bool:
    """Whether ``pattern`` is '\\b' and the rest, every match beginning on that boundary ('\\ba|b' is not)."""
    return pattern.startswith(r"\b") and opening(pattern, flags) == "boundary"


def matches(patterns: Sequence[str], ignore_case: bool = True) -> Callable[[Line], bool]:
    """One test of many patterns (``ignore_case=False`` for those that read capitals: a name). Those anchored at the
    start are tried there only: searched, each would be tried at every position of the line (the cleaner's costliest work).
    The searched ones with needles (:mod:`.needles`: literal text every match holds) are tried only on a line that
    holds one of them: most lines hold none."""
    flags = re.IGNORECASE if ignore_case else 0
    if any(refers_to_groups(p, flags) for p in patterns):  # its group numbers hold only in the one alternation of them all
        joined = re.compile("|".join(f"(?:{p})" for p in patterns), flags).search
        return tagged(lambda line: joined(line.text) is not None, patterns, ignore_case)
    anchored = [p for p in patterns if is_anchored(p, flags)]
    head = compiled_body(anchored, flags)
    searched = [p for p in patterns if p not in anchored]
    found = {pattern: pattern_needles(pattern, ignore_case) for pattern in searched}
    guarded = [pattern for pattern in searched if found[pattern]]
    body = compiled_body([pattern for pattern in searched if not found[pattern]], flags)
    tests: list[Callable[[Line], bool]] = []
    if head:
        tests.append(lambda line, match=head.match: match(line.text) is not None)
    if body:
        tests.append(lambda line, search=body.search: search(line.text) is not None)
    if guarded:
        tests.append(needle_guarded(compiled_body(guarded, flags), [found[p] for p in guarded], ignore_case))  # type: ignore[arg-type]
    if not tests:
        raise ValueError("matches() takes at least one pattern")
    return tagged(tests[0] if len(tests) == 1 else either(*tests), patterns, ignore_case)


def tagged(matcher: Callable[[Line], bool], patterns: Sequence[str], ignore_case: bool) -> Callable[[Line], bool]:
    matcher.patterns, matcher.ignore_case = tuple(patterns), ignore_case  # type: ignore[attr-defined]  # what a test proves it against
    return matcher


def either(first: Callable[[Line], bool], second: Callable[[Line], bool], third: Callable[[Line], bool] | None = None) -> Callable[[Line], bool]:
    """Two or three tests as one (spelt out: a generator over them costs as much as a needle test)."""
    if third is None:
        return lambda line: first(line) or second(line)
    return lambda line: first(line) or second(line) or third(line)


def pattern_needles(pattern: str, ignore_case: bool) -> tuple[str, ...] | None:
    """The needles of one pattern as a line is searched for them: lowered in its folded text when case is ignored."""
    found = needles(pattern, re.IGNORECASE if ignore_case else 0)
    return None if found is None else folded_needles(found) if ignore_case else tuple(sorted(found))


def needle_guarded(pattern: re.Pattern[str], each: Sequence[tuple[str, ...]], ignore_case: bool) -> Callable[[Line], bool]:
    """``pattern`` searched in a line that holds a needle of one of its patterns (or whose text could not be folded)."""
    wanted = shortest(needle for found in each for needle in found)
    search = pattern.search
    if ignore_case:
        return lambda line: ((folded := line.folded) is None or holds_any(folded, wanted)) and search(line.text) is not None
    return lambda line: holds_any(line.text, wanted) and search(line.text) is not None


def holds_any(text: str, wanted: tuple[str, ...]) -> bool:
    for needle in wanted:  # a loop, not any() over a generator: this runs on most lines a rule looks at
        if needle in text:
            return True
    return False


def compiled_body(patterns: Sequence[str], flags: int) -> re.Pattern[str] | None:
    """The patterns as one alternation. Those that open on a word boundary share it: '\\b(?:a|b)' tests the boundary once a
    position and goes no further inside a word; '(?:\\ba)|(?:\\bb)' tests it once a pattern."""
    if not patterns:
        return None
    bounded = [p[2:] for p in patterns if opens_on_word_boundary(p, flags)]
    shared = [r"\b(?:" + "|".join(f"(?:{p})" for p in bounded) + ")"] if bounded else []
    return re.compile("|".join(f"(?:{p})" for p in shared + [p for p in patterns if not opens_on_word_boundary(p, flags)]), flags)


# Multilingual prompt vocabularies (en, de, fr, es, it, pt, nl, tl, ru/uk).
is_comment_prompt = matches([
    r"\b(leave|post|add|write) a (comment|reply)\b", r"\bjoin the (conversation|discussion)\b",
    r"\b(share|tell us|let us know) (your|what you) (thoughts|think|opinion)", r"\bwe appreciate your (thoughts|feedback|comments)\b",
    r"\bcomments? (are|is) (closed|moderated)\b", r"^comments?\s*(\(\d+\))?$", r"\bview (all )?comments\b",
    r"\bkommentar(e)? (schreiben|verfassen)\b", r"\blaisser un commentaire\b", r"\bdeja (un|tu) comentario\b",
    r"\blascia un commento\b", r"\bdeixe (um|seu) comentário\b", r"\bmag-iwan ng (komento|puna)\b",
    r"\bоставьте комментарий\b", r"\bзалиште коментар\b", r"\bwe('d| would)? ?(like|love|want) to hear (from you|what you think)\b",
    r"\b(comments?|comentários?|comentarios?|commentaires?|kommentare?|commenti)\b.{0,100}\b(moderat|approv|aprovad|aprobad|respect|respeito)",
    r"\bkeine kommentare\b", r"\bkommentare insgesamt\b", r"\bhinterlasse[n]? (einfach |gerne )?(einen|deinen|ihren) kommentar\b",
    r"\bin den kommentaren\s*[:!?]", r"\bkommentare erscheinen\b",
])
# a prompt's words that also tell of others ('Residents can register for the buses', '30 million people follow him on Twitter',
# 'The first issue of the new newsletter goes out on Monday'): a prompt only when it asks the reader (is_call_to_reader)
is_subscribe_mention = matches([
    r"\b(subscribe|sign up|register) (to|for|now|today|here)\b", r"\bnewsletter\b",
    r"\bfollow\b.{0,60}\bon (facebook|twitter|instagram|youtube|linkedin|tiktok)\b", r"\bconsider supporting\b", r"\bshare (it|this) with\b",
])
# a prompt's words that only a prompt uses
is_subscribe_call = matches([
    r"\bget (our|the) .{0,40}(in|to) your inbox\b", r"\bdownload (our|the) app\b", r"\bshare (this|on) (article|story|facebook|twitter|x)\b",
    r"\b(jetzt )?abonnieren\b", r"\babonnez-vous\b", r"\bsuscr[ií]bete\b", r"\biscriviti\b", r"\bassine\b", r"\bmag-subscribe\b",
    r"\bподпишитесь\b", r"\bпідпишіться\b", r"\bclick here\b", r"\bsupport (our|independent) journalism\b",
    r"\bif you (enjoyed|liked|enjoyed reading) this (article|story|post)\b",
    r"\bdownload (our|the) [\w ]{0,30}apps?\b", r"\bhazte (miembro|socio)\b", r"\bcanal de (telegram|youtube|whatsapp)\b",
    r"\bzapraszamy (też |również )?do (subskrypcji|obserwowania)\b", r"\b(subskrybuj|zapisz się do newslettera|obserwuj nas)\b",
    r"\b(already a|first-time) subscribers?\b", r"\blog in for (immediate )?access\b", r"^(s[ií]guenos|folgen sie uns|folge uns|suivez-nous|seguici|siga-nos)\b",
])
# 'Never miss the latest news by signing up to our newsletter today!', 'Zum Newsletter anmelden': a call to sign up
# (a verb of signing up) for a newsletter or an e-mail edition (its noun): both, or it may be text about newsletters
is_signup_call = matches([
    r"\b(sign(ing)? up|subscribe|subscribing|register|anmelden|abonnieren|registrieren|inscr[ií]bete|suscr[ií]bete|abonnez-vous|iscriviti)\b"
    r".{0,80}\b(newsletters?|by e-?mail|inbox|daily edition)\b",
    r"\b(newsletters?|by e-?mail|inbox|daily edition)\b.{0,80}\b(sign(ing)? up|subscribe|anmelden|abonnieren|registrieren)\b",
])
SIGNUP_NOUNS = ("newsletter", "mail", "inbox", "daily edition")


def is_signup_invitation(line: Line) -> bool:
    """Substrings first: most lines name no newsletter, and the call's pattern scans each of them twice."""
    text = line.text.lower()
    return any(noun in text for noun in SIGNUP_NOUNS) and is_signup_call(line)


# The rest of a newsletter widget: its heading, a short line that ends in the word ('PC Gamer Newsletter', 'Join our newsletter',
# 'Abonniere unseren Newsletter!'; not 'Inhalte für den nächsten Newsletter:', which introduces); its pitch, which names the
# newsletter as the site's own ('Kennst du schon unseren Newsletter?', 'Mit unserem Newsletter erhalten Sie ...'); and its
# form's consent notice ('Mit der Registrierung akzeptieren Sie unsere Datenschutzbestimmungen.')
is_newsletter_heading = matches([r"^[^:]{0,40}\bnewsletters?[!.]?$"])
is_newsletter_pitch = matches([r"\b(our|unser(e|em|en|er)?|notre|nos|nuestr[oa]s?|nossa|nosso|nostr[oa])\s+(\w+\s+)?\w*newsletters?\b"])
# a pitch speaks to the reader ('Kennst du schon unseren Newsletter?'); 'Our newsletter reported last week ...' is text
addresses_reader = matches([r"[?!]", r"\b(you|your|du|dich|dir|dein\w*|sie|ihnen|ihr\w*|vous|votre|vos|tu|te|toi|usted|ustedes|voc[eê]s?)\b"])
# the site speaking of itself ('Follow us on Twitter', 'Support our journalism'), or a call that opens with its verb
speaks_as_site = matches([r"\b(us|our|we|uns|unser\w*|nous|notre|nos|nuestr[oa]s?|nosotros|seguici|nostr[oa]|nasz\w*)\b"])
opens_with_a_call = matches([
    r"^\W*(please |jetzt |now )?(subscribe|sign up|register|follow|download|share|click|tap|join|support|get|become|abonnier\w*|abonnez|"
    r"registrier\w*|folg(e|en)|suivez|inscrivez|s[ií]gue\w*|suscr[ií]b\w*|iscriviti|assine|siga|подпишитесь|підпишіться|zapisz|zamów|subskrybuj|obserwuj)\b"])
CALL_MAX_WORDS = 6  # 'Jetzt abonnieren', 'Newsletter', 'Get the app': a button or a heading, which speaks to no one


def is_call_to_reader(line: Line) -> bool:
    """A prompt asks the reader ('Follow us on Twitter', 'Subscribe to the podcast!', 'Jetzt abonnieren'); 'Residents
    can register for the buses at the town hall' and '30 million people follow him on Twitter' tell of others."""
    return len(line.words) <= CALL_MAX_WORDS or bool(addresses_reader(line) or speaks_as_site(line) or opens_with_a_call(line))


def is_subscribe_prompt(line: Line) -> bool:
    """A call to subscribe, sign up, follow or download, in several languages."""
    return is_subscribe_call(line) or is_subscribe_mention(line) and is_call_to_reader(line)


is_signup_consent = matches([
    r"^(mit (der|ihrer|deiner) (registrierung|anmeldung)|by (signing up|subscribing|registering)|en vous inscrivant|al (suscribirte|registrarte|suscribirse))\b"
    r".{0,120}\b(datenschutz|privacy|nutzungsbedingungen|terms|confidentialité|privacidad|términos)",
])


# Someone's words reported in the article ('Sign up, the minister joked, ...', '... our work? the envoy asked', 'sagte der
# Minister'): text, even in a widget's wording, which no widget prints beside a verb of saying
is_reported_speech = matches([
    r"[,?!:\"“”»«]\s*([\w'’-]+\s+){0,6}(said|says|asked|asks|told|tells|joked|quipped|added|wrote|replied|insisted|warned|"
    r"sagte|sagt|fragte|erklärte|betonte|schrieb|meinte|a dit|a déclaré|a demandé|dijo|afirmó|preguntó|ha detto|disse|zei|сказал|заявил)\b",
    r"\baccording to\b", r"\b(laut|selon|según|secondo)\s",
])


is_credit = matches([
    r"^(photo|image|picture|video|graphic|illustration|foto|bild|imagen)s?( credit)?s?\s*[:|/©]",
    r"^(titelbild|beitragsbild|headerbild|bildnachweis|bildquelle|crédits? photos?|photo credits?)\s*:", r"\((reporting|writing|editing|additional reporting) by\b",
    r"^(reporting|writing|editing|additional reporting) by\b(?!.*\b(revealed|showed|found|said|says|shows|reveals|suggests|suggested)\b)",
    r"\b(getty images|shutterstock|afp via getty( images)?)\s*\)?\W*$", r"\bap photo\b\s*[/|]",
    r"^\(?(credits?|fot\.|foto)\s*:", r"^(last modified|letzte änderung|zuletzt (aktualisiert|geändert)|aktualisiert am)\b.{0,12}\d",
    r"^(source|quelle|fuente|fonte)\s*:", r"\bcontributed (to )?(this )?report(ing)?\b", r"^(updated|published|posted|last modified)( on| at)?\s*:?\s*(\d|[a-z]{3,9}\.?,? \d)",
    r"\blast modified\s*:\s*\d", r"^(news|release|publication) date\s*:", r"^(date de publication|fecha de publicación|veröffentlichungsdatum)\s*:",
    # 'aja/PAP', '(dpa/lnw)', '(ots)': the initials of the writer and the agency that sign a news item
    r"^\(?[a-z]{2,5}(\s*/\s*[a-z]{2,5}){1,3}\)?$", r"^\((dpa|afp|ap|ots|apa|sda|kna|epd|pap|efe|ansa|reuters|kap)\)$",
])
is_copyright = matches([r"©", r"\(c\)\s*\d{4}", r"\bcopyright\s*(©|ⓒ|\(c\)|\d{4}|by\b|:|\W*$)", r"^\W*copyright\b.{0,60}\b(19|20)\d{2}\b",  # not 'Erdogans Copyright', 'Copyright lawyers ...'
                        r"\ball rights reserved\b", r"\bnon-commercial use\b",
                        r"\b(material|article|content|story|it) may not be published\b", r"\bmay not be (reproduced|redistributed)\b", r"\balle rechte vorbehalten\b",
                        r"\btous droits réservés\b", r"\btodos los derechos reservados\b", r"\bвсе права защищены\b",
                        r"\bprawem autorskim\b", r"\bcc[- ]by\b",
                        r"\bcreative commons\b.{0,80}\blicen[cs]|\blicen[cs]\w*\b.{0,80}\bcreative commons\b"])  # a licence, not the organisation
OPENING_BRACKET = r"[(\[]?\s*"
is_related_prompt = matches([  # '[Related: ...]' and '(Read also: ...)' are the same prompts in brackets
    rf"^{OPENING_BRACKET}(read|see) (more|also)\b", rf"^{OPENING_BRACKET}related\b([^.!?:]{{0,60}}:|\s*[—–|]|( (articles?|stories|coverage|content|news|posts?|reading|recipes|videos?|links))?\W*$)",
    rf"^{OPENING_BRACKET}also read\b", r"^also on \w[\w-]*\.[a-z]{2,}\b", r"^more (on|from) (this|our)\b",
    r"^lesen sie (auch|mehr)\b", r"^mehr zum thema\b", r"^(à|a) lire aussi\b", r"^lire aussi\b", r"^(lee|leer) (también|más)\b",
    r"^más información\b(?!\s+(sobre|acerca)\b)", rf"^{OPENING_BRACKET}leggi anche\b",
    r"^(you may also like|most (read|popular|viewed)( in [\w ]+)?|popular on [\w. ]+|don'?t miss|explore further|more)\W*$", r"^leia (também|mais)\b", r"^basahin din\b", r"^читайте также\b", r"^читайте також\b",
    # 'Lea también:', 'LE PUEDE INTERESAR:', 'Auch lesen:', 'Schon gelesen?', 'Empfohlene Beiträge', 'Czytaj też:'
    r"^(lea|vea|ver|mira) (también|además|más)\b", r"^(lea|vea)\s*:", r"^(le|te) puede(n)? interesar\b", r"^(auch|ebenfalls) lesen\s*(:|\W*$)",
    r"^lesen sie (hier|weiter)\b", r"^schon gelesen\b", r"^zum weiterlesen\b", r"^auch auf \w[\w-]*\.[a-z]{2,}\b",
    r"^(empfohlene|weitere|ähnliche|verwandte) (beiträge|artikel|themen|nachrichten|meldungen)\W*$", r"^top-themen\b",
    r"^(das|dies(es)?)( thema)? könnte (dich|sie|euch) auch interessieren\b", r"^(à|a) lire également\b", r"^lire également\b",
    r"^voir aussi\b", r"^sur le même sujet\W*$", r"^veja (também|mais)\b", r"^saiba mais\b", r"^potrebbe interessarti\b",
    r"^(czytaj|zobacz) (też|także|również)\b", r"^mir[ae]\s*:", r"^you (might|may) also (like|enjoy)\b", r"^recommended (for you|reading|stories)\W*$",
    # 'Auch interessant:', 'NOTAS RELACIONADAS', 'Contenido relacionado', 'PUEDES VER:', 'Te puede interesar'
    r"^auch interessant\W*$", r"^(weitere|ähnliche) artikel zum thema\W*$", r"^(kommentierte|meistgelesene|meistgelesen) artikel\W*$", r"^(notas|noticias|contenidos?|art[ií]culos) relacionad[oa]s?\W*$", r"^puedes ver\s*:",
    r"^(también )?te (puede|podría) interesar\b", r"^(articles|contenus) (liés|similaires)\W*$", r"^articoli correlati\W*$",
])
# 'Inhaltsverzeichnis', 'Table of contents', 'Inhalt: Das erwartet Sie in diesem Artikel', 'Die Themen im Überblick:': the heading
# of an article's table of contents, whose entries (its own section headings) stand between the standfirst and the body
is_contents_heading = matches([
    r"^\W*(table of contents|contents|in this (article|post|guide)|on this page|inhaltsverzeichnis|inhalt|inhalte|in diesem artikel|"
    r"(die )?themen im überblick|auf dieser seite|sommaire|table des matières|dans cet article|índice|indice|contenidos?|en este artículo|"
    r"sumário|conteúdo|inhoud(sopgave)?|innehåll|spis treści|содержание|оглавление|зміст)(\s*[:|–-][^.!?]{0,50})?\W*$",
])
ends_in_link_words = matches([  # 'You can view last month's thread here.'; not '... the fear is still here.'
    r"\b(click|tap|read|see|view|watch|listen|find\w*|download|available|access|check|sign up|subscribe|register|get|started|more|details|"
    r"info\w*|rest|geht|dazu|mehr|erf(ährst|ahren|ahrt)|klick\w*|lesen|lies|hören|sehen|herunterladen|abrufbar|gibt|cliquez|lire|lisez|voir|écouter|"
    r"retrouvez|haz clic|lea|leer|ver|escucha|descarga)\b"
    r".{0,100}\b(here|hier|aquí|ici)[.!]?$"])
is_author_heading = matches([
    r"^(author (profile|bio)|about the (author|writer)|the author)$", r"^über (den|die) autor(in)?$", r"^(à|a) propos de l'auteur$",
    r"^sobre (el|la|o|a) autor(a)?$", r"^tungkol sa (may-akda|awtor)$", r"^об авторе$", r"^про автора$", r"^l'autore$",
])
# 'About this series', 'Über diese Reihe', 'À propos de ce blog': the heading of the publisher's blurb about the series or blog
# the article belongs to (the same on every article of it)
is_series_heading = matches([
    r"^about (this|the) (series|blog|podcast|column)$", r"^über (diese|diesen|dieses) (reihe|serie|blog|podcast|kolumne)$",
    r"^(à|a) propos de (cette|ce) (série|blog|podcast|chronique)$", r"^(sobre|acerca de) (esta|este) (serie|blog|podcast|columna)$",
])
is_author_bio_sentence = matches([
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3} (?i:(is|was|covers|writes)\b.{0,120}\b(reporter|correspondent|editor|writer|journalist|columnist|contributor|author|producer)\b)",
], ignore_case=False)  # a name opens it (capitals read as such): 'The victim was a freelance journalist ...' is the article's
is_tag_heading = matches([  # 'Tags', 'Filed under: Diplomacy |': a heading alone, or with its keywords after a colon
    r"^(tags?|tagged( with)?|topics|temas|filed under|schlagw(ö|oe)rter|etiquetas|mots-clés|tópicos|argomenti|темы|теги)(\s*[:|].*)?$",
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


# Lines only page chrome consists of: a menu entry, a legal link, a social button, a skip link (whole lines only).
NAVIGATION_ENTRY = "(?:" + "|".join([
    "home", "homepage", "startseite", "accueil", "inicio", "portada", "menu", "menü", "navigation", "hauptmenü", "search", "suche",
    "suchen", "rechercher", "buscar", "login", "log ?in", "sign in", "anmelden", "abmelden", "einloggen", "mein konto", "my account",
    "connexion", "contact( us)?", "kontakt", "nous contacter", "contacto", "contatti", "impressum", "imprint", "legal notice",
    "mentions légales", "aviso legal", "privacy( policy| notice)?", "datenschutz(erklärung|hinweise)?", "politique de confidentialité",
    "política de privacidad", "terms( of (use|service))?( and conditions)?", "terms & conditions", "agb", "nutzungsbedingungen",
    "cookies?( policy| settings| einstellungen)?", "sitemap", "about( us)?", "über uns", "qui sommes-nous", "quiénes somos", "faq",
    "hilfe", "help", "barrierefreiheit", "accessibility", "skip to (main )?content", "zum inhalt( springen)?", "direkt zum inhalt",
    "aller au contenu", "back to top", "nach oben", "zurück", "weiter", "facebook", "twitter", "instagram", "youtube", "linkedin",
    "pinterest", "whatsapp", "xing", "rss", "e-?mail", "drucken", "print", "teilen", "share", "partager", "compartir", "newsletter",
]) + ")"
is_navigation_line = matches([rf"^\W*{NAVIGATION_ENTRY}\W*$"])
# 'Terms of Service Privacy Notice', 'Contact Us/FAQ | Terms of Use | Privacy Policy': a row of two or more of them
is_navigation_row = matches([rf"^\W*{NAVIGATION_ENTRY}(?:\W+{NAVIGATION_ENTRY})+\W*$"])
# 'Share', 'Tweet', 'WhatsApp', 'E-Mail', 'Link kopieren', 'Facebook Twitter Telegram': the share buttons an article carries under
# its headline or its standfirst (whole lines of them only): the article's own chrome, not the site's menu
SHARE_BUTTON = "(?:" + "|".join([
    "share", "teilen", "partager", "compartir", "condividi", "compartilhar", "mitteilen", "tweet", "twittern", "e-?mail", "mail", "print",
    "drucken", "imprimer", "imprimir", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "xing", "pinterest", "reddit", "tumblr",
    "flipboard", "messenger", "sms", "link", "copy link", "link kopieren", "copiar enlace", "copier le lien",
]) + ")"
is_share_row = matches([rf"^\W*{SHARE_BUTTON}(?:\W+{SHARE_BUTTON})*\W*$"])
# 'Weitere aktuelle Themen', 'Mehr Themen:', 'Vorschau auf den nächsten Artikel': headings of a link list (edges only:
# 'Weitere Informationen erteilt ...' inside an article is text)
is_more_heading = matches([r"^(weitere|mehr|ähnliche) (aktuelle |spannende )?(themen|beiträge|artikel|tourentipps|tipps|news|meldungen)\b",
                           r"^vorschau auf\b", r"^\W*weiter zu\b", r"^(more|other|latest) (stories|articles|news|posts)\b"])
# 'This post contains affiliate links', 'We may receive compensation ...', '*Werbung.', '... Links, für die wir eine Provision
# erhalten', 'Dieser Beitrag ist in Kooperation mit ... entstanden': an advertising disclosure (links or the post named: evidence)
is_ad_disclosure = matches([r"^\*?(werbung|anzeige)\b(\W*$|\s*[:|–-])",  # a label, not 'Werbung nervt.'
                            r"\b(contains|enthält) (affiliate[- ]links|werbung|references to products)\b",
                            r"\bwe may (receive|earn) (a )?(compensation|commission)\b", r"\badvertisers do not influence\b",
                            r"\baffiliate[- ]links?\b", r"\blinks?\b.{0,80}\bprovision\b",
                            r"\b(beitrag|artikel|post)\b.{0,30}\bin (freundlicher |bezahlter )?(kooperation|zusammenarbeit) mit\b"])
is_contact_heading = matches([r"^(kontakt|contact|telefon|tel|phone|fax|e-mail)\s*[:.]"])  # 'Kontakt:', 'Telefon: +49 ...'
# '(Foto: Natacha Pisarenko/Pool via REUTERS)', '© AFP / MARCO BERTORELLO', 'Fot. Jan Kowalski / Agencja Gazeta': the credit
# of a picture, inside or after its caption (a short line: a paragraph that names a photographer is text)
is_caption_credit = matches([r"\((foto|photo|credits?|cr[ée]dito|bild|image|picture|fot\.)s?\s*:", r"©\s*[\w(]", r"^fot\.\s"])
# 'To view the full story, please subscribe', 'Pour lire la suite', 'Hazte miembro', 'Unterstütze uns', '3 min read': what a paywall,
# a membership drive or a reading-time widget prints into the article
is_paywall_prompt = matches([
    r"\bto (view|read|continue reading|access) the (full|whole|rest of the|complete) (story|article|text)\b",
    r"\b(continue|keep) reading (with|for)\b", r"^(pour (lire|accéder)|para (seguir|continuar) leyendo|um weiterzulesen|per continuare a leggere)\b",
    r"^(jetzt )?weiterlesen mit\b", r"^\W*(jetzt |now )?(hazte|werde|become a|devenez|diventa) (miembro|socio|mitglied|member|abonnent|membre|socio)\b",
    r"^(unterstütze|unterstützen sie) (uns|unsere|unser|unseren|das|die|den|\w+ (bereits|schon) mit)\b(?!.*\?\W*$)", r"^(support us|soutenez-nous|apóyanos)\b",
    r"\bcancela cuando quieras\W*$", r"(^|[.,;|•·-]\s*)(jederzeit )?(cancel|kündbar|résiliable) (at )?(any ?time|jederzeit)\W*$",
    r"^(sie sind|du bist|you are|vous n'êtes) (aktuell |derzeit |currently )?(nicht|not|pas) (eingeloggt|angemeldet|logged in|signed in|connecté)\b",
    r"\b(would you|please|kindly) consider supporting (us|our work|our journalism|this (site|blog|podcast))\b",
    r"\btekst przeczytasz w\b", r"^(lesezeit|reading time|temps de lecture|tiempo de lectura)\s*:", r"^\d+\s*min(ute)?s?\.? (read|lesezeit|de lecture|de lectura)\W*$",
])
# 'Externer Inhalt', 'Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.', 'Bild anzeigen', 'PDF | 38 KB',
# 'Video verfügbar bis 28.02.2021': what an embedded-content, picture, media or download widget leaves in the text
is_widget_text = matches([
    r"^(externer|eingebetteter) inhalt\W*$", r"^(external|embedded) content\W*$", r"^contenu externe\W*$", r"^contenido externo\W*$",
    r"\bklicken sie auf den (unteren |folgenden )?button\b", r"\bmit dem laden des (inhalts|videos|tweets|beitrags)\b",
    r"\b(inhalt|video|karte|tweet) (laden|entsperren|anzeigen)\W*$", r"\bclick (the button|here) (below )?to (load|show|view) (the |this )?(content|video|map|tweet)\b",
    r"^(wird geladen|loading|chargement|cargando)\W*$", r"^(bild|foto|video|galerie) (anzeigen|öffnen|vergrößern)\W*$",
    r"^(view|show|open|enlarge) (image|photo|picture|gallery)\W*$", r"^(voir|afficher) (l'image|la photo|la galerie)\W*$",
    r"\b(pdf|docx?|xlsx?|pptx?|zip)\s*[|(,]\s*\d+([.,]\d+)?\s*[kmg]i?b\b", r"\bdatei ist nicht barrierefrei\b",
    r"^(video|audio|sendung|podcast) (verfügbar|abrufbar) bis\b", r"^(video|audio) available (until|till)\b",
    # 'Your browser does not support the audio element', 'Mit diesem Button kannst Du ...', '%d Bloggern gefällt das:' (a like
    # button's placeholder left unfilled): a player, a button or a like widget speaking about itself
    r"\b(your|ihr|dein|tu|votre) (web)?(browser|navegador|navigateur) (does not support|doesn't support|(cannot|can't) (play|display|show)|unterstützt\b.{0,40}\b(nicht|kein)|no (soporta|admite)|ne (supporte|prend))",
    r"^(mit diesem|über diesen|with this|use this) button,? (you|du|sie|kannst|können)\b", r"^%d (bloggers? like|bloggern gefällt|blogueurs aiment)\b",
])
# '© 2019 Example Media', 'Copyright 2020 by ...', 'All rights reserved': a site's copyright footer (not '... © AFP / NAME',
# the credit closing a caption, nor '(c) a travel ban', point c of a list: '(c)' needs its year)
is_footer_copyright = matches([r"^\W*(©|copyright\b)", r"^\W*\(c\)\s*(19|20)\d{2}\b", r"©\s*(19|20)\d{2}\b", r"\ball rights reserved\b",
                               r"\balle rechte vorbehalten\b", r"\btous droits réservés\b", r"\btodos los derechos reservados\b"])
FOOTER_MAX_WORDS = 20  # a footer line; a paragraph that names copyright is text


def is_copyright_footer(line: Line) -> bool:
    """Substrings first: few lines carry '©' or the word, and the pattern searches the whole line."""
    text = line.text
    return (len(line.words) <= FOOTER_MAX_WORDS and ("©" in text or "(c)" in text or "(C)" in text or "opyright" in text or "OPYRIGHT" in text
            or "ights reserved" in text or "echte vorbehalten" in text or "réservés" in text or "reservados" in text) and is_footer_copyright(line))


# 'This website uses cookies to improve your experience', 'Wir verwenden Cookies, um Inhalte zu personalisieren', 'Utilizamos
# cookies propias y de terceros': a cookie-consent banner, which a whole page prints as prose; it names cookies and their use,
# acceptance or settings (on both sets, none of the 457 lines this matches is article text)
COOKIE_USE = (r"(use|uses|using|accept\w*|consent\w*|settings|verwende\w*|nutz\w*|akzeptier\w*|zustimm\w*|einstellung\w*|utiliz\w*|usamos|"
              r"acept\w*|utilis\w*|gebruik\w*)")
is_cookie_pattern = matches([rf"\bcookies?\b.{{0,200}}\b{COOKIE_USE}\b", rf"\b{COOKIE_USE}\b.{{0,80}}\bcookies?\b"])
# the banner speaks for the site ('We use ...', 'This website uses ...', 'Wir verwenden ...', 'verwenden wir ...', 'Nous
# utilisons ...', 'Utilizamos ...', 'Wij gebruiken ...'), has the reader agree ('... stimmen Sie der Verwendung von Cookies
# zu', 'vous acceptez ...') or is one of its buttons ('Accept all cookies', 'Cookie-Einstellungen'); an article tells of
# cookies in the third person ('Most websites use cookies to track visitors', 'the site placed tracking cookies')
is_site_voice = matches([
    r"\b(we|our|this (web)?site|this page|wir|unser\w*|dies(e|er|es) (web)?(seite|site)|dies(e|er) website|nous|notre|nos|ce site|"
    r"utilizamos|usamos|nuestr[oa]s?|este (sitio|portal|site)|wij|onze|deze (web)?site|utilizziamo|usiamo|questo sito)\b",
    r"\b(verwenden|nutzen|setzen|benutzen) wir\b", r"^\W*(accept|allow|reject|akzeptieren|alle akzeptieren|accepter|aceptar)\b",
    r"\b(accept|allow|reject) (all )?cookies\b", r"\bcookies? (akzeptieren|zulassen|ablehnen)\b",
    r"\b(you (agree|accept|consent)|stimmen sie|erklären sie sich|vous acceptez|usted acepta|aceptas)\b",
    r"^\W*((customi[sz]e|manage|change) )?cookie[- ]?(settings|preferences|einstellungen)( ändern)?\W*$",
])


def is_cookie_notice(line: Line) -> bool:
    """A substring first: few lines name cookies, and the patterns search the whole line. Someone reported saying it
    ('"We use cookies only with consent," the company said') is the article's."""
    return (("ookie" in line.text or "OOKIE" in line.text) and is_cookie_pattern(line) and is_site_voice(line)
            and not is_reported_speech(line))



# A cookie-consent dialog's own lines: the button that closes it (a whole line of consent words: 'Accept all',
# 'SPEICHERN & AKZEPTIEREN', 'OK, Tout refuser'; not 'Save recipe' or 'Save the date'), and the descriptions of its
# cookies, in its words (the site, its visitors, their consent, its categories) or as a row of its table ('_ga 2 years
# The _ga cookie, installed by Google ...'); a recipe's cookies speak of none of those.
ACCEPT = r"(?:accept|allow|akzeptieren|zulassen|accepter|aceptar|accetta|accettare)"
REJECT = r"(?:reject|decline|deny|refuse|ablehnen|refuser|rechazar|rifiuta|rifiutare)"
is_consent_button = matches([
    rf"^\W*(?:ok\W+)?(?:(?:alle|all|tout|tous|todo|todas|tutti|tutto)\s+)?(?:{ACCEPT}|{REJECT})"
    rf"(?:\s+(?:all|alle|tout|todo|todas|tutti|tutto|selected|necessary|(?:all\s+)?cookies|las cookies|i cookie))?\W*$",
    rf"^\W*(?:save|speichern|einstellungen speichern|enregistrer|guardar|salva)(?:\s+(?:settings|preferences|choices|my choices|selection))?"
    rf"\s*(?:&|and|und|et|y|e)\s*(?:{ACCEPT}|close|schließen|fermer|cerrar|chiudi)\W*$",
])
is_cookie_table_row = matches([r"^\S+ (\d+ (years?|months?|weeks?|days?|hours?|minutes?)|session|persistent) .*\bcookies?\b"])  # name, duration
is_in_dialog_words = matches([
    r"\b(kategori\w*|categor\w*|catégor\w*|web ?sites?|site|sites web|site web|webseiten?|sitio|sito|visitors?|users?|besucher\w*|nutzer\w*|"
    r"visiteurs?|utilisateurs?|usuarios?|visitantes?|utenti|visitatori|consent|einwilligung|zustimmung|consentement|consentimiento|consenso|"
    r"browser|navigateur|navegador)\b",
])


def is_cookie_description(line: Line) -> bool:
    """A line of a consent dialog that describes a cookie (a substring first, as for the banner)."""
    return "ookie" in line.text.casefold() and (is_in_dialog_words(line) or is_cookie_table_row(line))

is_advertisement = matches([r"^(advertisement|anzeige|publicité|publicidad|pubblicità|sponsored( content)?|werbung)$"])


