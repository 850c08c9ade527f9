"""The cleaner's rules: each a small named object with its reason codes and parameters.

A rule sees the page (its lines, language and kind) and what earlier rules removed, and returns
the lines it removes. A rule may delete a line only on evidence that it is boilerplate (a prompt,
a notice, a counter, a menu): body structure (headings, lists, tables, quotes, short paragraphs) is
content. Rules that recognise a notice by its shape alone also say so in ``edge_reason``: the edge
pass (``EdgeNotices``) removes such lines only where they stand at the top or bottom of the article.
Every docstring gives one line the rule removes and one it must keep; tests/test_clean_rules.py
checks both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from .lines import (
    ADDRESS,
    DATE_STAMP,
    DATED,
    Line,
    ends_in_link_words,
    is_ad_disclosure,
    is_advertisement,
    is_author_bio_sentence,
    is_author_heading,
    is_bare_count,
    is_bullet,
    is_comment_prompt,
    is_company_boilerplate,
    is_contact_heading,
    is_contact_line,
    is_copyright,
    is_credit,
    is_footnote,
    is_headline_bullet,
    is_headline_like,
    is_list_entry,
    is_machine_value,
    is_more_heading,
    is_navigation_line,
    is_navigation_row,
    is_number_table,
    is_prose,
    is_related_prompt,
    is_sentence_like,
    is_shouted_headline,
    is_subscribe_prompt,
    is_table_row,
    is_tag_heading,
    is_tag_list,
    listed_bullets,
    word_count,
)


@dataclass(frozen=True)
class Removal:
    rule: str
    reason: str


@dataclass(frozen=True)
class Page:
    """What every rule may look at: the lines, the article's language, and whether the text is a whole page."""

    lines: Sequence[Line]
    language: str
    whole_page: bool

    @cached_property
    def listed(self) -> frozenset[int]:  # asked once a line by the edge passes: computed once a page
        return frozenset(listed_bullets(self.lines))

    @cached_property
    def mixed_list(self) -> frozenset[int]:
        """Bullets of a list with items shorter than any headline ('- Small groups (30 mins)'): a real list, whose
        last items are no links either, however headline-like."""
        mixed: set[int] = set()
        block: list[Line] = []
        for line in [*self.lines, None]:
            if line is not None and is_bullet(line):
                block.append(line)
                continue
            if len(block) >= 2 and any(len(item.words) < RelatedLinks.min_words for item in block):
                mixed.update(item.index for item in block)
            block = []
        return frozenset(mixed)


Removed = dict[int, Removal]
Found = list[tuple[Line, Removal]]


class Rule:
    """A named cleaning step. Subclasses are frozen dataclasses whose fields are the rule's parameters."""

    name: ClassVar[str]
    reasons: ClassVar[tuple[str, ...]]

    def removal(self, reason: str | None = None) -> Removal:
        return Removal(self.name, reason or self.reasons[0])

    def find(self, page: Page, removed: Removed) -> Found:
        """Lines this rule removes anywhere (most rules act only at the edges, through ``edge_reason``)."""
        return []

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        """The reason code when ``line``, standing at an edge of the article, is this rule's boilerplate."""
        return None


def edge_run(page: Page, removed: Removed, test: Callable[[Line], bool], from_end: bool) -> list[Line]:
    """Lines matching ``test`` at the top (or bottom) of the article, skipping lines already removed."""
    run: list[Line] = []
    for line in reversed(page.lines) if from_end else page.lines:
        if line.index in removed:
            continue
        if not test(line):
            break
        run.append(line)
    return run


def neighbours(lines: Sequence[Line], i: int, distance: int = 1) -> list[Line]:
    return [lines[j] for j in (i - distance, i + distance) if 0 <= j < len(lines)]


# --- notices at the edges ----------------------------------------------------------


@dataclass(frozen=True)
class TailPrompt(Rule):
    """Short comment, subscribe and 'here' prompts at an edge, in several languages.

    Removes: 'We appreciate your thoughts. Please leave a comment.' under the article.
    Keeps: 'Officials urged citizens to sign up for evacuation buses before the talks began.' inside it.
    """

    name: ClassVar[str] = "tail_prompt"
    reasons: ClassVar[tuple[str, ...]] = ("comment-prompt", "subscribe-prompt", "link-prompt")
    max_words: int = 40  # a prompt is a line or two; a longer paragraph that mentions a newsletter is text
    link_prompt_max_words: int = 20  # '... listen back here.': a closing paragraph that points 'here' is longer

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        size = len(line.words)
        if size <= self.max_words and is_comment_prompt(line):
            return "comment-prompt"
        if size <= self.max_words and is_subscribe_prompt(line):
            return "subscribe-prompt"
        if size <= self.link_prompt_max_words and ends_in_link_words(line):
            return "link-prompt"
        return None


@dataclass(frozen=True)
class ShortNotice(Rule):
    """A notice recognised by its words, at an edge, when it is at most ``max_words`` long (a longer paragraph that
    uses the words is text). Subclasses name the test in ``matches``."""

    matches: ClassVar[Callable[[Line], bool]]
    max_words: int = 40

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        return self.reasons[0] if len(line.words) <= self.max_words and self.matches(line) else None


@dataclass(frozen=True)
class TailCredit(ShortNotice):
    """Photo credits, sources, 'Reporting by', 'Updated at' lines at an edge.

    Removes: '(Reporting by Jane Doe; Editing by John Roe)' under the article.
    Keeps: 'Source of the leak, the envoy said, was a junior official in the delegation.' (not 'Source:').
    """

    name: ClassVar[str] = "tail_credit"
    reasons: ClassVar[tuple[str, ...]] = ("credits",)
    matches: ClassVar = staticmethod(is_credit)


@dataclass(frozen=True)
class TailCopyright(ShortNotice):
    """Copyright and licence notices at an edge.

    Removes: '© 2025 Example Media. All rights reserved.'
    Keeps: a closing paragraph of more than 60 words that discusses copyright law.
    """

    name: ClassVar[str] = "tail_copyright"
    reasons: ClassVar[tuple[str, ...]] = ("copyright",)
    matches: ClassVar = staticmethod(is_copyright)
    max_words: int = 60  # 'This copy is for your personal, non-commercial use only ...' runs to 40 words


@dataclass(frozen=True)
class Advertisement(Rule):
    """An ad label on its own line, anywhere, and an advertising disclosure at an edge.

    Removes: 'Advertisement', 'Anzeige', and 'This post contains affiliate links.' above the article.
    Keeps: 'Advertisement revenue fell by a third, the paper said.'
    """

    name: ClassVar[str] = "advertisement"
    reasons: ClassVar[tuple[str, ...]] = ("advertisement",)
    disclosure_max_words: int = 60

    def find(self, page: Page, removed: Removed) -> Found:
        return [(line, self.removal()) for line in page.lines if is_advertisement(line)]

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        disclosure = len(line.words) <= self.disclosure_max_words and is_ad_disclosure(line)
        return self.reasons[0] if is_advertisement(line) or disclosure else None


@dataclass(frozen=True)
class AuthorBio(ShortNotice):
    """'X is a reporter ...' at an edge.

    Removes: 'Jane Doe is a correspondent covering the war for the paper.' under the article.
    Keeps: 'Jane Doe is a mediator who has worked on three ceasefires.' (no press job named).
    """

    name: ClassVar[str] = "author_bio"
    reasons: ClassVar[tuple[str, ...]] = ("author-bio",)
    matches: ClassVar = staticmethod(is_author_bio_sentence)
    max_words: int = 60


@dataclass(frozen=True)
class TailAbout(ShortNotice):
    """The 'About us' paragraph that closes a press release, at an edge (case-sensitive: the subject is a name).

    Removes: 'Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide.'
    Keeps: 'The company is a major supplier of the army, and its role in any deal is still unclear.'
    """

    name: ClassVar[str] = "tail_about"
    reasons: ClassVar[tuple[str, ...]] = ("about-company",)
    matches: ClassVar = staticmethod(is_company_boilerplate)
    max_words: int = 120


@dataclass(frozen=True)
class TailContact(Rule):
    """A short line with an address (URL, e-mail, @handle) under the article (above it, it belongs to the lead).

    Removes: 'Write to Jane Doe at jane.doe@example.org' as the last line.
    Keeps: 'More info: www.example.org' above the first paragraph, a list item or table row with an address, and
    'Please do not file a public issue; send your report to security@example.com.' (a sentence).
    """

    name: ClassVar[str] = "tail_contact"
    reasons: ClassVar[tuple[str, ...]] = ("contact-link",)
    heading_max_words: int = 12  # 'Kontakt:', 'Telefon: +49 - (40) - 300 30 - 1141'

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        sentence = is_sentence_like(line)  # 'Please send your report to security@example.com.' is text
        listed = is_bullet(line) or is_table_row(line)  # '- Headline via example.org https://...': a list of sources
        heading = len(line.words) <= self.heading_max_words and is_contact_heading(line)
        return self.reasons[0] if from_end and (is_contact_line(line) and not (listed or sentence) or heading) else None


@dataclass(frozen=True)
class TailTags(Rule):
    """A keyword list or a 'Tags' heading under the article.

    Removes: 'peace talks, riyadh, ukraine war, ceasefire, diplomacy'.
    Keeps: 'Topics for the next round include prisoners and energy.'
    """

    name: ClassVar[str] = "tail_tags"
    reasons: ClassVar[tuple[str, ...]] = ("tag-list",)
    heading_max_words: int = 12

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        heading = len(line.words) <= self.heading_max_words and is_tag_heading(line)
        return self.reasons[0] if from_end and (heading or is_tag_list(line)) else None


@dataclass(frozen=True)
class PageNavigation(Rule):
    """A menu entry, a legal link or a social button at an edge, alone or as a row of them: page chrome an
    extractor or the content region left at the article's ends (whole lines of those words only).

    Removes: 'Terms of Service Privacy Notice', 'Impressum' and 'Share' under the article.
    Keeps: 'Home is where the talks began, the envoy said.' (a sentence), and 'Print' between two paragraphs.
    """

    name: ClassVar[str] = "page_navigation"
    reasons: ClassVar[tuple[str, ...]] = ("navigation",)

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        return self.reasons[0] if is_navigation_line(line) or is_navigation_row(line) else None


@dataclass(frozen=True)
class ShareCounter(Rule):
    """Bare counts two or more in a row, beside the title or at the edges (not in a table of numbers).

    Removes: '0' and '37' under the headline.
    Keeps: '1991' standing alone between paragraphs, and the cells of a table laid out one a line.
    """

    name: ClassVar[str] = "share_counter"
    reasons: ClassVar[tuple[str, ...]] = ("share-counter",)
    max_counters: int = 6  # share, comment, like and view counters, twice over at most; more is a table
    edge_lines: int = 2  # counters stand beside the title or under the last line

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        if is_number_table(lines, self.max_counters):
            return []
        return [(line, self.removal()) for i, line in enumerate(lines) if is_bare_count(line) and (
            i <= self.edge_lines or i >= len(lines) - self.edge_lines or any(is_bare_count(n) for n in neighbours(lines, i)))]

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        return self.reasons[0] if is_bare_count(line) and not is_number_table(page.lines, self.max_counters) else None


@dataclass(frozen=True)
class RelatedLinks(Rule):
    """Links to other articles: 'Read more' prompts anywhere, a lone bullet headline between paragraphs, and bullet
    headlines at an edge (a list all of whose items are headlines).

    Removes: 'Read more: What we know about the talks', and '• Trump and Putin to begin talks to end the war'
    under the article.
    Keeps: a list introduced by a colon, the last item of a list of shorter items, '| Name | Role |' table rows,
    and '- Spain (Group F)' (list items are shorter than headlines).
    """

    name: ClassVar[str] = "related_links"
    reasons: ClassVar[tuple[str, ...]] = ("related-links",)
    prompt_max_words: int = 25
    heading_max_words: int = 10  # 'Weitere Beiträge aus der Kolumne:' at an edge
    min_words: int = 6  # related headlines are phrases; list items ('- HL7', '- Spain (Group F)') are shorter
    teaser_words: tuple[int, int] = (10, 30)  # a linked headline and a sentence of teaser (list items are shorter)

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        found: Found = []
        for i, line in enumerate(lines):
            if is_bullet(line):
                # a real list has two or more items (even between paragraphs), or is introduced by a colon
                lone = all(is_sentence_like(n) and not is_bullet(n) and not n.text.endswith(":") for n in neighbours(lines, i))
                lone = lone and not any(is_bullet(n) for n in neighbours(lines, i, 2))
                if lone and is_headline_bullet(line, self.min_words):
                    found.append((line, self.removal()))
            elif is_related_prompt(line) and len(line.words) <= self.prompt_max_words or is_shouted_headline(line):
                found.append((line, self.removal()))
        return found

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        prompt = len(line.words) <= 40 and is_related_prompt(line) or len(line.words) <= self.heading_max_words and is_more_heading(line)
        bullet = is_headline_bullet(line, self.min_words) and line.index not in page.listed and line.index not in page.mixed_list
        return self.reasons[0] if prompt or bullet else None

    def is_teaser(self, line: Line, page: Page) -> bool:
        """'- Jones tells a story ... The owner might have hired ...': a bulleted link with a sentence of teaser."""
        low, high = self.teaser_words
        return is_bullet(line) and low <= len(line.words) <= high and line.index not in page.listed and not ADDRESS.search(line.text)


@dataclass(frozen=True)
class TailHeadlines(Rule):
    """Two or more headline-like lines after the last paragraph, and their short heading: links to other articles.
    A run of short items or of numbered lines is a list (teams, dates, ranks, amounts), and a list introduced by
    a colon is content.

    Removes: 'You may also like', 'Who will make the Rock Hall of Fame in the year 2020?' and another headline.
    Keeps: 'June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre' and the other dates of a tour list.
    """

    name: ClassVar[str] = "tail_headlines"
    reasons: ClassVar[tuple[str, ...]] = ("related-links",)
    min_words: int = 6  # related headlines are phrases; list items are shorter
    max_words: int = 20  # a headline is a phrase: a longer line without a sentence end is a paragraph cut short
    run_max: int = 12  # a longer run of short lines at the end is a list the article ends with

    def find(self, page: Page, removed: Removed) -> Found:
        listed = page.listed

        def linked_headline(line: Line) -> bool:
            return (is_headline_like(line, self.max_words) and len(line.words) >= self.min_words and not line.text.endswith(":")
                    and not is_footnote(line) and not is_table_row(line) and not DATED.search(line.text) and line.index not in listed)

        run = edge_run(page, removed, linked_headline, from_end=True)
        if not 2 <= len(run) <= self.run_max or sum(1 for line in run if is_list_entry(line)) * 2 >= len(run):
            return []
        return [(line, self.removal()) for line in run]


@dataclass(frozen=True)
class TailBlock(Rule):
    """Up to six short lines between two notices at an edge: the rest of a newsletter or sharing widget.

    Removes: 'Thanks for signing up!' and 'Sorry!' between 'Daily Briefing Newsletter' and a copyright line.
    Keeps: bullets, numbered entries and embedded-post bylines between notices, and anything bridged only by a
    bullet, a counter, a bare address or a keyword list (link lists and shopping lists end in those).
    """

    name: ClassVar[str] = "tail_block"
    reasons: ClassVar[tuple[str, ...]] = ("between-boilerplate",)
    max_lines: int = 6  # short lines between two boilerplate lines at an edge: the rest of one widget
    max_words: int = 20  # a longer line between them is a paragraph, and the run stops there

    def bridgeable(self, line: Line, gap: Sequence[Line]) -> bool:
        shaped = not (is_bullet(line) or is_list_entry(line) or DATED.search(line.text) or is_table_row(line))
        return shaped and len(gap) < self.max_lines and len(line.words) < self.max_words

    @staticmethod
    def is_anchor(line: Line, removal: Removal) -> bool:
        """A notice that ends a widget: not a bullet, a counter, a bare address or a list of keywords (a broken
        paragraph can look like one: 'Veteran actress, Jane Doe, who in 2008, won the'), nor a menu entry (the
        whole article stands between the menu and the footer)."""
        bare_address = len(ADDRESS.sub(" ", line.text).split()) <= 1
        return not (is_bullet(line) or removal.rule in (ShareCounter.name, TailTags.name, PageNavigation.name) or bare_address)


def is_headline(line: Line) -> bool:
    """The article's headline as the first line: headline-like, and neither a list item nor a table row."""
    return is_headline_like(line) and not is_bullet(line) and not is_table_row(line)


@dataclass(frozen=True)
class EdgeNotices:
    """Not a rule but a pass: the notices of ``rules`` that stand at the top or bottom of the article, bridged by
    ``bridge`` when it is given, and bulleted teasers after two bulleted links when ``links`` is given. At the top
    the headline is stepped over (kept): a disclosure or a prompt printed under it stands at the article's edge."""

    rules: tuple[Rule, ...]
    bridge: TailBlock | None
    links: RelatedLinks | None

    def find(self, page: Page, removed: Removed) -> Found:
        return self._run(page, removed, from_end=True) + self._run(page, removed, from_end=False)

    def _reason(self, line: Line, page: Page, from_end: bool, after_link_bullets: bool) -> Removal | None:
        if self.links and after_link_bullets and self.links.is_teaser(line, page):
            return self.links.removal()
        for rule in self.rules:
            reason = rule.edge_reason(line, page, from_end)
            if reason:
                return rule.removal(reason)
        return None

    def _run(self, page: Page, removed: Removed, from_end: bool) -> Found:
        found: Found = []
        gap: list[Line] = []
        link_bullets = 0
        headline: Line | None = None
        for line in reversed(page.lines) if from_end else page.lines:
            removal = removed.get(line.index)
            if removal is None:
                if headline is not None and is_bullet(line):
                    break  # bullets right under the headline are the article's key points, not links
                removal = self._reason(line, page, from_end, link_bullets >= 2)
                if removal is None and not (from_end or found or gap or headline) and is_headline(line):
                    headline = line  # kept: the notices under it ('This post contains affiliate links.') are the edge
                    continue
                if removal is None:
                    if not (found and self.bridge and self.bridge.bridgeable(line, gap)):
                        break
                    gap.append(line)
                    continue
                if gap and self.bridge and self.bridge.is_anchor(line, removal):
                    found += [(between, self.bridge.removal()) for between in gap]
                elif gap:
                    break
                gap = []
                found.append((line, removal))
            link_bullets = link_bullets + 1 if removal.rule == RelatedLinks.name and is_bullet(line) else 0
        return found


@dataclass(frozen=True)
class RegionEdges:
    """Not a rule but a pass, on a whole page only, after ``ContentRegion``: the edge notices (``edges``) and the
    run of headlines (``headlines``) at the top and bottom of the region kept. On a whole page the first edge
    passes see the page's menus and footer, not the article's edges; the share prompts, 'Read more' lines,
    credits and related headlines that stand just inside the region are reached only here. An extracted article
    is left to the first passes (its edges are the article's)."""

    edges: EdgeNotices
    headlines: TailHeadlines | None

    def find(self, page: Page, removed: Removed) -> Found:
        if not page.whole_page:
            return []
        seen, found = dict(removed), []
        for step in (self.edges, self.headlines):
            for line, removal in step.find(page, seen) if step is not None else []:
                seen.setdefault(line.index, removal)
                found.append((line, removal))
        return found


# --- sections and blocks ---------------------------------------------------------------


@dataclass(frozen=True)
class AuthorSection(Rule):
    """An 'about the author' heading in the last third of the article, and everything after it.

    Removes: 'Author profile' and the bio under it.
    Keeps: an 'About the author' heading in the first two thirds (a profile article about a writer).
    """

    name: ClassVar[str] = "author_section"
    reasons: ClassVar[tuple[str, ...]] = ("author-bio",)
    from_share: float = 2 / 3

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        for line in lines[int(len(lines) * self.from_share):]:
            if is_author_heading(line):
                return [(rest, self.removal()) for rest in lines[line.index:]]
        return []


@dataclass(frozen=True)
class RepeatedLine(Rule):
    """A block of paragraphs printed again word for word (a page rendered twice), and the headline repeated
    under the article. A single repeated paragraph is kept (interviews repeat questions), and so are repeated
    short lines (recipe steps, product features, table headers).

    Removes: three paragraphs printed a second time after 'Sign in to read more'.
    Keeps: a question asked twice in an interview, and recipe steps listed twice.
    """

    name: ClassVar[str] = "repeated_line"
    reasons: ClassVar[tuple[str, ...]] = ("duplicate",)
    min_block: int = 3  # consecutive repeated paragraphs: a block printed twice, not a refrain or a recipe step

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        seen: set[str] = set()
        headline = " ".join(lines[0].words).casefold() if lines else ""
        found: Found = []
        block: list[Line] = []
        for line in [*lines, None]:
            key = " ".join(line.words).casefold() if line else ""
            if line and line.index > 0 and key and key == headline:
                found.append((line, self.removal()))
            elif line and key in seen and is_prose(line):
                block.append(line)
                continue
            if len(block) >= self.min_block:  # the block ended: long enough to be a page printed twice
                found += [(repeated, self.removal()) for repeated in block]
            block = []
            seen.add(key)
        return found


@dataclass(frozen=True)
class MetadataBlock(Rule):
    """Three or more single-token lines in a row, two of them timestamps or bare addresses: the page's metadata
    (publication times, image and logo URLs, the publisher's id) rendered as text.

    Removes: '2019-11-19T08:57:40+01:00', 'https://example.com/images/logo.png' and their neighbours.
    Keeps: 'Claim', 'Rating', 'https://amzn.to/2A6mxCW', 'False' (one link among words).
    """

    name: ClassVar[str] = "metadata_block"
    reasons: ClassVar[tuple[str, ...]] = ("page-metadata",)
    min_lines: int = 3  # one bare link or date can be content; a run of them is the page's metadata
    min_machine_values: int = 2

    def find(self, page: Page, removed: Removed) -> Found:
        found: Found = []
        run: list[Line] = []
        for line in [*page.lines, None]:
            if line is not None and len(line.text.split()) == 1:
                run.append(line)
                continue
            if len(run) >= self.min_lines and sum(1 for token in run if is_machine_value(token)) >= self.min_machine_values:
                found += [(token, self.removal()) for token in run]
            run = []
        return found


# --- the page around the article --------------------------------------------------------------


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


@dataclass(frozen=True)
class ContentRegion(Rule):
    """On a whole page (menus, footers and all, as ``PageKind`` decides), every line outside the densest run of
    prose lines: the maximum-sum stretch where a prose line weighs its word count and any other line costs
    ``chrome_penalty``. An extracted article is left alone, however many short lines it has.

    Removes: the 'Home', 'Impressum', 'Datenschutz' menus above and below the article on a whole page.
    Keeps: every line of an extracted article of headings, bullet lists and short paragraphs.
    """

    name: ClassVar[str] = "content_region"
    reasons: ClassVar[tuple[str, ...]] = ("page-chrome",)
    chrome_penalty: int = 12  # what a non-prose line costs: as much as a 12-word sentence brings
    max_weight: int = 80  # one very long paragraph must not outweigh the rest of the article
    min_share: int = 3  # the run holds at least 1/min_share of the page's prose (list-like articles scatter it)

    def weight(self, line: Line) -> int:
        if is_table_row(line) or line.text.count("|") >= 3:  # a table row: data, neither prose nor chrome
            return 0
        return min(word_count(line), self.max_weight) if is_prose(line) else -self.chrome_penalty

    def region(self, page: Page, removed: Removed) -> tuple[int, int] | None:
        weights = [0 if line.index in removed else self.weight(line) for line in page.lines]
        start, end = densest_run(weights)
        positive = sum(weight for weight in weights if weight > 0)
        if end < start or sum(weight for weight in weights[start:end + 1] if weight > 0) * self.min_share < positive:
            return None
        return start, end

    def find(self, page: Page, removed: Removed) -> Found:
        if not page.whole_page:
            return []
        bounds = self.region(page, removed)
        if bounds is None:
            return []
        start, end = bounds
        return [(line, self.removal()) for line in page.lines if not start <= line.index <= end and line.index not in removed]


@dataclass(frozen=True)
class CommentSection(Rule):
    """On a whole page, readers' comments that follow the article: a short comments heading in the last two
    thirds of what is kept, and everything after it.

    Removes: 'Comments', 'Jane on September 12, 2018 at 4:47 pm said:' and the comment under it.
    Keeps: an extracted article whose last line is 'Comments are closed.' followed by nothing (a prompt, for
    ``tail_prompt``), and any comments heading in the first third.
    """

    name: ClassVar[str] = "comment_section"
    reasons: ClassVar[tuple[str, ...]] = ("comments",)
    max_words: int = 6

    def find(self, page: Page, removed: Removed) -> Found:
        if not page.whole_page:
            return []
        kept = [line for line in page.lines if line.index not in removed]
        for position, line in enumerate(kept[len(kept) // 3:], start=len(kept) // 3):
            if len(line.words) <= self.max_words and is_comment_prompt(line):
                return [(rest, self.removal()) for rest in kept[position:]]
        return []


# --- the lead ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadDateline(Rule):
    """Short date stamps among the first lines, where the lead block cannot reach them (an opening list, or a
    standfirst before the stamp).

    Removes: 'segunda-feira, 22 de janeiro de 2018 às 0:13' below a standfirst.
    Keeps: 'Top 10 talks of 2019' (a heading with a year) and 'On 22 January 2018 the envoys met again.' further down.
    """

    name: ClassVar[str] = "head_dateline"
    reasons: ClassVar[tuple[str, ...]] = ("dateline-byline",)
    max_words: int = 10  # a date, a time, 'Published', a weekday: a longer line is a sentence with a date
    head_lines: int = 5

    def find(self, page: Page, removed: Removed) -> Found:
        head = [line for line in page.lines if line.index not in removed][:self.head_lines]
        return [(line, self.removal()) for line in head if len(line.words) <= self.max_words and DATE_STAMP.search(line.text)]


@dataclass(frozen=True)
class LeadChrome(Rule):
    """The few lines above the first body paragraph (kicker, dateline, byline) except the title, the longest
    headline-like one (kept apart as the document's title).

    Removes: '5:45 AM PST 11/19/2019 by Jane Doe' between the headline and the first paragraph.
    Keeps: 'When I woke up, there was nothing.' (a short opening sentence), an opening list, and everything when
    more than five lines precede the first paragraph (that is a list, not a lead).
    """

    name: ClassVar[str] = "lead_chrome"
    reasons: ClassVar[tuple[str, ...]] = ("dateline-byline",)
    max_lines: int = 5  # headline, kicker, dateline, byline, updated-at: more is a list, not a lead block
    title_max_words: int = 25
    sentence_min_words: int = 4

    def lead(self, page: Page, removed: Removed) -> list[Line]:
        lead: list[Line] = []
        for line in page.lines:
            if line.index in removed:
                continue
            if not lead and is_headline_like(line, 20) and not is_bullet(line):  # a headline may ask: 'Is a deal near?'
                lead.append(line)
                continue
            if is_prose(line):
                return lead if len(lead) <= self.max_lines else []
            if is_bullet(line) or is_table_row(line):  # a list or a table starts the article: no headline block
                return []
            lead.append(line)
        return []

    def title(self, lead: Sequence[Line]) -> Line | None:
        """The longest headline-like line above the body."""
        candidates = [line for line in lead if is_headline_like(line, self.title_max_words) and not is_bullet(line)]
        return max(candidates, key=lambda line: len(line.words), default=None)

    def is_sentence(self, line: Line) -> bool:
        """'Ihr kennt es sicher auch!', 'When I woke up, there was nothing.': an opening line of the article, not a
        dateline (those carry digits: 'Updated at 1:23 p.m.') or a kicker (no sentence end)."""
        ends = line.text.rstrip("\"'”’»)").endswith((".", "!", "?", "…"))
        return ends and len(line.words) >= self.sentence_min_words and not any(c.isdigit() for c in line.text)

    def find(self, page: Page, removed: Removed) -> Found:
        lead = self.lead(page, removed)
        title = self.title(lead)
        return [(line, self.removal()) for line in lead if line is not title and not self.is_sentence(line)]

