"""Clean stage, pure: the lead: date stamps and the kicker, dateline and byline above the first body paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..lines import DATE_STAMP, Line, is_bullet, is_headline_like, is_prose, is_table_row
from .base import Found, Page, Removed, Rule


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

