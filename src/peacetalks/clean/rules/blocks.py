"""Clean stage, pure: sections and blocks: an 'about the author' section, a page printed twice, the page's metadata dumped as text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..lines import Line, is_author_heading, is_machine_value, is_prose, is_series_heading, is_timestamp
from .base import Found, Page, Removed, Rule


@dataclass(frozen=True)
class AuthorSection(Rule):
    """An 'about the author' or 'about this series' heading in the last third of the article, and everything after
    it: the author's bio, or the publisher's blurb about the series or blog the article belongs to.

    Removes: 'Author profile' and the bio under it, and 'Über diese Reihe' and the blurb under it.
    Keeps: an 'About the author' heading in the first two thirds (a profile article about a writer).
    """

    name: ClassVar[str] = "author_section"
    reasons: ClassVar[tuple[str, ...]] = ("author-bio", "about-series")
    from_share: float = 2 / 3

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        for line in lines[int(len(lines) * self.from_share):]:
            reason = "author-bio" if is_author_heading(line) else "about-series" if is_series_heading(line) else None
            if reason:
                return [(rest, self.removal(reason)) for rest in lines[line.index:]]
        return []


@dataclass(frozen=True)
class RepeatedLine(Rule):
    """A block of paragraphs printed again word for word (a page rendered twice), and the headline repeated under
    the article or right under itself. A single repeated paragraph is kept (interviews repeat questions), and so are
    repeated short lines (recipe steps, product features, table headers), and, on a whole page, a copy of the first
    line that heads a body (past a menu, with a paragraph at most ``body_gap`` lines under it), the first such copy
    only: there the first line is the page's title, the copy the article's own headline.

    Removes: three paragraphs printed a second time after 'Sign in to read more'.
    Keeps: a question asked twice in an interview, recipe steps listed twice, and the headline over the article under
    'Home', 'Politik' and the page's title.
    """

    name: ClassVar[str] = "repeated_line"
    reasons: ClassVar[tuple[str, ...]] = ("duplicate",)
    min_block: int = 3  # consecutive repeated paragraphs: a block printed twice, not a refrain or a recipe step
    body_gap: int = 6  # byline, date, picture and caption between a headline and its first paragraph

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        seen: set[str] = set()
        headline = " ".join(lines[0].words).casefold() if lines else ""
        found: Found = []
        block: list[Line] = []
        headed = False  # the article's headline is kept once
        for line in [*lines, None]:
            key = " ".join(line.words).casefold() if line else ""
            if line and line.index > 0 and key and key == headline:
                if headed or not (page.whole_page and self.heads_a_body(line, lines)):
                    found.append((line, self.removal()))
                else:
                    headed = True
            elif line and key in seen and is_prose(line):
                block.append(line)
                continue
            if len(block) >= self.min_block:  # the block ended: long enough to be a page printed twice
                found += [(repeated, self.removal()) for repeated in block]
            block = []
            seen.add(key)
        return found

    def heads_a_body(self, line: Line, lines: Sequence[Line]) -> bool:
        """No paragraph right above it, nor the title itself (a copy right under the title is a duplicate), and a paragraph
        at most ``body_gap`` lines under it."""
        above = lines[line.index - 1]
        return (above.index > 0 and not is_prose(above)
                and any(is_prose(below) for below in lines[line.index + 1:line.index + 1 + self.body_gap]))


@dataclass(frozen=True)
class MetadataBlock(Rule):
    """Three or more single-token lines in a row, two of them timestamps or bare addresses and one a timestamp: the
    page's metadata (publication times, image and logo URLs, the publisher's id) rendered as text. A run of bare
    links without a time is a list of sources or profiles, not metadata.

    Removes: '2019-11-19T08:57:40+01:00', 'https://example.com/images/logo.png' and their neighbours.
    Keeps: 'Claim', 'Rating', 'https://amzn.to/2A6mxCW', 'False' (one link among words), and 'Quellen:' over three
    bare links to the sources.
    """

    name: ClassVar[str] = "metadata_block"
    reasons: ClassVar[tuple[str, ...]] = ("page-metadata",)
    min_lines: int = 3  # one bare link or date can be content; a run of them is the page's metadata
    min_machine_values: int = 2
    min_timestamps: int = 1  # metadata carries the publication time

    def find(self, page: Page, removed: Removed) -> Found:
        found: Found = []
        run: list[Line] = []
        for line in [*page.lines, None]:
            if line is not None and len(line.text.split()) == 1:
                run.append(line)
                continue
            machine = sum(1 for token in run if is_machine_value(token)) >= self.min_machine_values
            if len(run) >= self.min_lines and machine and sum(1 for token in run if is_timestamp(token)) >= self.min_timestamps:
                found += [(token, self.removal()) for token in run]
            run = []
        return found

