"""Clean stage, pure: the cleaner: decide what kind of text this is, run the ordered rules, assemble the clean text.

Boilerplate is recognised by its shape (a bare number, a prompt, an address, a run of headline-like
lines, a block printed twice) and by where it stands (before the first or after the last body
paragraph, between two notices at an edge, in another language at the tail). Only on a whole page,
one that shows menus, legal links or social buttons, is everything around the densest run of prose
page chrome; an extracted article keeps its headings, lists and tables. When the cleaner is unsure it
keeps the line and flags the document. Every removal names its rule and a reason code, and
BENCHMARKS.md measures each rule on two sets of real pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..align import AlignedBuilder, Alignment
from ..language import dominant_script, language_of
from .lines import Line, ends_like_a_sentence, is_cookie_notice, is_copyright_footer, is_navigation_line, is_prose, is_share_row, plain_word_counts, split_lines
from .rules import (
    Advertisement,
    AuthorBio,
    AuthorSection,
    CaptionCredit,
    CommentSection,
    ContentRegion,
    EdgeNotices,
    HeadDateline,
    LeadChrome,
    MetadataBlock,
    Page,
    PageNavigation,
    PaywallPrompt,
    RegionEdges,
    RelatedLinks,
    Removal,
    Removed,
    RepeatedLine,
    Rule,
    ShareCounter,
    SignupPrompt,
    TailAbout,
    TailBlock,
    TailContact,
    TailCopyright,
    TailCredit,
    TailHeadlines,
    TailPrompt,
    TailTags,
    WidgetText,
)

CLEANER_VERSION = "1.12"
PARAGRAPH_SEPARATOR = "\n\n"


RemovedLine = NamedTuple("RemovedLine", [("line", Line), ("removal", Removal)])  # a raw line the cleaner removed, and why


@dataclass(frozen=True)
class CleanResult:
    text: str
    title: Line | None
    removed: tuple[RemovedLine, ...]
    flags: tuple[str, ...]
    language: str
    alignment: Alignment

    def removal_counts(self) -> Counter[tuple[str, str]]:
        """Lines removed per (rule, reason)."""
        return Counter((r.removal.rule, r.removal.reason) for r in self.removed)


def most_first(counts: Counter[tuple[str, str]]) -> list[tuple[tuple[str, str], int]]:
    """Counts largest first, ties by (rule, reason): the same bytes for the same counts."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class PageKind:
    """Decides whether a text is a whole page (menus, footers and all) or an extracted article, on evidence of
    page chrome: whole lines that only navigation, legal and social blocks consist of ('Home', 'Impressum',
    'Datenschutz', 'Log in', 'Facebook'), and, once one of them is a site's menu entry (not a share or print button,
    which extractors leave under the headline), one piece of evidence each however many lines they take: the site's
    copyright footer (with its year or 'All rights reserved'), its cookie banner (the site speaking: 'We use cookies'),
    and a menu printed twice (``min_repeated_pairs`` pairs of short lines that follow each other in the first third of
    the page and again in the last: the header's menu in the footer). Short lines, headings, lists, tables, a chorus
    quoted twice are no such evidence: an extracted article is full of them.

    Whole page: 'Home', 'Politik', 'Kontakt', 'Impressum' and 'Datenschutz' around the article, or 'Home' and
    'Kontakt' with '© 2019 Example Media'.
    Extracted article: forty headings, bullets and short paragraphs, none of them a menu entry, and one that keeps
    'Share', 'Print' and 'Copyright 2023 The Associated Press. All rights reserved.' (an extractor's leftovers).
    """

    min_navigation_lines: int = 3  # 'Print' and 'Share' lines survive an extractor, and a copyright line; three are a page
    min_repeated_pairs: int = 3  # a table or a list repeats a pair of lines now and then; three pairs again are a menu again
    menu_max_words: int = 4  # a menu entry is a few words; a repeated heading with its first line is not a menu

    def navigation_lines(self, lines: Sequence[Line]) -> list[Line]:
        return [line for line in lines if is_navigation_line(line)]

    def repeated_menu(self, lines: Sequence[Line]) -> bool:
        """``min_repeated_pairs`` distinct pairs of consecutive short lines, each printed in the first third of the page
        and again in the last (a table's header or a chorus printed twice stands in the middle, or close together)."""
        short = [line.text if len(line.words) <= self.menu_max_words and not is_prose(line) else None for line in lines]
        seen: dict[tuple[str, str], list[int]] = {}
        for index, pair in enumerate(zip(short, short[1:])):
            if pair[0] and pair[1] and pair[0] != pair[1]:
                seen.setdefault((pair[0], pair[1]), []).append(index)
        third = len(lines) / 3
        return sum(1 for at in seen.values() if at[0] < third and at[-1] >= 2 * third) >= self.min_repeated_pairs

    def chrome_evidence(self, lines: Sequence[Line]) -> int:
        """Menu, legal and social lines, plus, when one of them is a site's menu entry, one each for a copyright footer,
        a cookie banner and a menu printed twice (looked for only when they can decide: most extracts hold no menu line)."""
        navigation = self.navigation_lines(lines)
        evidence = len(navigation)
        if evidence >= self.min_navigation_lines or all(is_share_row(line) for line in navigation):  # none, or an extractor's buttons
            return evidence
        for piece in (lambda: any(is_copyright_footer(line) for line in lines), lambda: any(is_cookie_notice(line) for line in lines),
                      lambda: self.repeated_menu(lines)):
            evidence += piece()
            if evidence >= self.min_navigation_lines:
                break
        return evidence

    def is_whole_page(self, lines: Sequence[Line]) -> bool:
        return self.chrome_evidence(lines) >= self.min_navigation_lines


Step = Rule | EdgeNotices | RegionEdges


@dataclass(frozen=True)
class Pipeline:
    """The ordered steps of the cleaner. Edge passes run twice (prompts can hide behind a bio and the other way
    round), and once more at the edges of a whole page's content region. ``without(name)`` switches one rule
    off everywhere (the benchmark's ablation)."""

    steps: tuple[Step, ...]
    page_kind: PageKind = PageKind()

    def rules(self) -> list[Rule]:
        """Every rule once, in the order it first acts."""
        found: dict[str, Rule] = {}
        for step in self.steps:
            for rule in step_rules(step):
                found.setdefault(rule.name, rule)
        return list(found.values())

    def without(self, name: str) -> Pipeline:
        def strip(step: Step) -> Step | None:
            if isinstance(step, RegionEdges):
                edges = strip(step.edges)
                assert isinstance(edges, EdgeNotices)
                return RegionEdges(edges, step.headlines if step.headlines and step.headlines.name != name else None)
            if isinstance(step, EdgeNotices):
                return EdgeNotices(tuple(r for r in step.rules if r.name != name),
                                   step.bridge if step.bridge and step.bridge.name != name else None,
                                   step.links if step.links and step.links.name != name else None)
            return None if step.name == name else step

        return Pipeline(tuple(kept for kept in map(strip, self.steps) if kept is not None), self.page_kind)

    def classify(self, page: Page) -> tuple[Removed, Line | None]:
        removed: Removed = {}
        title: Line | None = None
        for step in self.steps:
            if isinstance(step, LeadChrome):
                lead = step.lead(page, removed)
                title = step.title(lead)
            for line, removal in step.find(page, removed):
                if line is not title:
                    removed.setdefault(line.index, removal)
        return removed, title


def step_rules(step: Step) -> list[Rule]:
    if isinstance(step, RegionEdges):
        return [*step_rules(step.edges), *([step.headlines] if step.headlines else [])]
    if isinstance(step, EdgeNotices):
        return [*step.rules, *(rule for rule in (step.links, step.bridge) if rule is not None)]
    return [step]


def default_pipeline() -> Pipeline:
    links = RelatedLinks()
    counter, advertisement = ShareCounter(), Advertisement()
    edges = EdgeNotices(
        (TailPrompt(), TailCredit(), TailCopyright(), links, counter, advertisement, AuthorBio(), TailAbout(),
         TailContact(), TailTags(), PageNavigation()),
        bridge=TailBlock(), links=links)
    headlines = TailHeadlines()
    return Pipeline((counter, RepeatedLine(), MetadataBlock(), edges, AuthorSection(), advertisement, links, headlines,
                     edges, ContentRegion(), SignupPrompt(), PaywallPrompt(), CaptionCredit(), WidgetText(), CommentSection(), RegionEdges(edges, headlines), HeadDateline(), LeadChrome()))


PIPELINE = default_pipeline()


# --- flags and assembly ----------------------------------------------------


SPACE_BEFORE_PUNCTUATION = re.compile(r"\w [,;](?:\s|$)|\w \.(?:\s+[A-Z]|$)")


def quality_flags(text: str, unsure_page: bool) -> tuple[str, ...]:
    flags = []
    if text and not ends_like_a_sentence(text.rstrip()):
        flags.append("ends_mid_sentence")
    if text and text[0].islower():
        flags.append("starts_mid_sentence")
    if (" ," in text or " ;" in text or " ." in text) and SPACE_BEFORE_PUNCTUATION.search(text):  # most texts have none
        flags.append("space_before_punctuation")
    if not text:
        flags.append("empty_after_cleaning")
    if unsure_page:
        flags.append("possible_page_chrome")
    return tuple(flags)


def is_unsure_page(page: Page, pipeline: Pipeline, removed: Removed, title: Line | None) -> bool:
    """An extracted text whose body the content region would have cut, had there been evidence of a page: kept, flagged."""
    region = next((step for step in pipeline.steps if isinstance(step, ContentRegion)), None)
    if page.whole_page or region is None:
        return False
    return any(line is not title for line, _ in region.find(Page(page.lines, page.language, whole_page=True), removed))


def clean(raw: str, pipeline: Pipeline = PIPELINE) -> CleanResult:
    """Clean one raw article; the alignment maps every clean character to its raw origin."""
    lines = split_lines(raw)
    language = language_of(plain_word_counts(lines), dominant_script("\n".join(line.text for line in lines)))
    page = Page(lines, language, pipeline.page_kind.is_whole_page(lines))
    removed, title = pipeline.classify(page)
    kept = [line for line in lines if line.index not in removed and line is not title]
    builder = AlignedBuilder(raw)
    for position, line in enumerate(kept):
        builder.delete_to(line.start)
        builder.copy_normalised_to(line.end)
        if position < len(kept) - 1:
            builder.replace_to(line.break_end, PARAGRAPH_SEPARATOR)
    text, alignment = builder.build()
    removed_lines = tuple(RemovedLine(line, removed[line.index]) for line in lines if line.index in removed)
    return CleanResult(text, title, removed_lines, quality_flags(text, is_unsure_page(page, pipeline, removed, title)), language, alignment)
