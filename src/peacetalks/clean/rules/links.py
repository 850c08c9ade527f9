"""Clean stage, pure: links to other articles: 'Read more' prompts and bulleted headlines, runs of headlines under the article, and
the short lines bridged between two notices at an edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..lines import (
    ADDRESS,
    DATED,
    Line,
    is_bullet,
    is_footnote,
    is_headline_bullet,
    is_headline_like,
    is_list_entry,
    is_more_heading,
    is_related_prompt,
    is_sentence_like,
    is_shouted_headline,
    is_table_row,
)
from .base import LINK_MIN_WORDS, Found, Page, Removal, Removed, Rule, edge_run, neighbours
from .notices import PageNavigation, ShareCounter, TailTags


@dataclass(frozen=True)
class RelatedLinks(Rule):
    """Links to other articles: 'Read more' prompts anywhere, a lone bullet headline between paragraphs, and bullet
    headlines at an edge (a list all of whose items are headlines).

    Removes: 'Read more: What we know about the talks', and '• Trump and Putin to begin talks to end the war'
    under the article.
    Keeps: a list introduced by a colon, the last item of a list of shorter items, '| Name | Role |' table rows,
    '- Spain (Group F)' (list items are shorter than headlines), and '- Talks resume via example.org https://example.org/a'
    (a source cited with its address: a link to another article shows its words only).
    """

    name: ClassVar[str] = "related_links"
    reasons: ClassVar[tuple[str, ...]] = ("related-links",)
    prompt_max_words: int = 25
    heading_max_words: int = 10  # 'Weitere Beiträge aus der Kolumne:' at an edge
    min_words: int = LINK_MIN_WORDS
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
    a colon is content. And a link-list heading ('More stories', 'Vorschau auf den nächsten Artikel') among the
    last ``teaser_lines`` lines, with the teaser under it, whatever its shape.

    Removes: 'You may also like', 'Who will make the Rock Hall of Fame in the year 2020?' and another headline, and
    'Vorschau auf den nächsten Artikel' with the paragraph of teaser under it.
    Keeps: 'June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre' and the other dates of a tour list, and a
    'More stories' heading with two paragraphs under it (a section of the article).
    """

    name: ClassVar[str] = "tail_headlines"
    reasons: ClassVar[tuple[str, ...]] = ("related-links",)
    min_words: int = 6  # related headlines are phrases; list items are shorter
    max_words: int = 20  # a headline is a phrase: a longer line without a sentence end is a paragraph cut short
    run_max: int = 12  # a longer run of short lines at the end is a list the article ends with
    teaser_lines: int = 2  # a link-list heading and one teaser under it; more lines under a heading may be the article's section
    heading_max_words: int = 10

    def teasers(self, page: Page, removed: Removed) -> Found:
        """A link-list heading among the last lines, and the lines under it."""
        if self.teaser_lines < 2:  # a heading and at least one teaser
            return []
        tail = [line for line in page.lines if line.index not in removed][-self.teaser_lines:]
        for position, line in enumerate(tail[:-1]):
            if len(line.words) <= self.heading_max_words and (is_more_heading(line) or is_related_prompt(line)):
                return [(rest, self.removal()) for rest in tail[position:]]
        return []

    def find(self, page: Page, removed: Removed) -> Found:
        teasers = self.teasers(page, removed)
        if teasers:
            return teasers
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

