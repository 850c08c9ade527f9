"""Clean stage, pure: the page around the article: on a whole page, the content region and the readers' comments after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import ClassVar

from ..lines import (Line, ends_like_a_sentence, is_comment_prompt, is_consent_button, is_contents_heading, is_cookie_description,
                     is_cookie_notice, is_navigation_line, is_prose, is_related_prompt, is_share_row, is_table_row, word_count)
from .base import Found, Page, Removed, Rule


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
    """On a whole page (menus, footers and all, as ``PageKind`` decides), every line outside the article's runs of
    prose: the densest run (the maximum-sum stretch where a prose line weighs its word count and any other line
    costs ``chrome_penalty``), and every further run, found the same way in what lies outside, that is at least
    1/``run_share`` as strong as the densest (an article that a gallery, a table or a list of short lines splits
    into parts). An extracted article is left alone, however many short lines it has.

    Each run takes in up to ``edge_sentences`` short sentences at either end (a line of at least
    ``sentence_min_words`` words with a sentence end, not a menu entry): the article's opening or closing line
    ('I hope you like the relaunch.'), too short to weigh as prose; menus, legal links and teaser headlines end in no
    sentence mark.

    A cookie-consent banner ('This website uses cookies to improve your experience ...') and the dialog under it that
    its own button closes (its categories and its table of cookies, each described in a sentence) weigh as chrome:
    whole pages print them as prose, and they can outweigh a short article.

    A paragraph ending in ':' introduces a list ('Es gibt eine Vielzahl von Gründen für die Beurteilung von Bäumen:'): up
    to ``list_max`` short lines under it, to the first menu entry, line printed again elsewhere on the page (site chrome),
    comment or 'Read more' prompt, or paragraph. Its items weigh nothing (a run reaches across them), and a run that
    ends in such a paragraph keeps them.

    Between the first line kept and the last, every prose line, short sentence (as at a run's edges) and line of at
    least ``deck_min_words`` words that is no menu entry is the article's (a paragraph or a subheading among the
    pictures of a gallery that splits it), and only the other short lines there are chrome.

    Above the first run, the article's standfirst: the nearest prose line at most ``lead_gap`` short lines above it
    (a byline, a date between), when no menu entry stands between; share buttons ('Share', 'Tweet', 'WhatsApp') are the
    article's own and are stepped over, however many, and so is a table of contents ('Inhaltsverzeichnis' and up to
    ``list_max`` entries under it: the article's own headings, between its standfirst and its body). Up to
    ``lead_paragraphs`` such lines are taken, each the nearest above the last: the article's opening paragraphs, which a
    picture and its caption, an ad label or a date part from the densest run (the short lines between stay chrome).

    Above that, the article's headline: a line of at least ``headline_min_words`` words at most ``lead_gap`` kept lines
    above the article's top that the page's first line (its window title, 'Headline | Site name', 'Site - Headline')
    begins or ends with; the title printed again is the evidence, not the line's shape (a teaser headline is not the
    page's title). With it, the
    deck between it and the article's top: every line of at least ``deck_min_words`` words that is no menu entry or
    cookie banner (the byline and the date, shorter, stay chrome).

    Removes: the 'Home', 'Impressum', 'Datenschutz' menus above and below the article on a whole page.
    Keeps: every line of an extracted article of headings, bullet lists and short paragraphs, on a whole page
    the second half of an article after a long list, when it holds at least half as much prose as the first, and
    'Keep talking sports, all of you!' closing the article.
    """

    name: ClassVar[str] = "content_region"
    reasons: ClassVar[tuple[str, ...]] = ("page-chrome",)
    chrome_penalty: int = 12  # what a non-prose line costs: as much as a 12-word sentence brings
    max_weight: int = 80  # one very long paragraph must not outweigh the rest of the article
    min_share: int = 3  # the run holds at least 1/min_share of the page's prose (list-like articles scatter it)
    run_share: int = 2  # a further run as strong as half the densest is the article's too (teasers and comments are weaker)
    edge_sentences: int = 2  # the article's opening or closing lines ('Let us know what you think.', 'See you all next week!'), just outside its prose
    lead_paragraphs: int = 10  # the standfirst and the article's opening paragraphs above a picture, its caption, an ad label
    lead_gap: int = 6  # byline, date, picture, its caption and credit, an audio player between the standfirst and the body; more is a teaser strip
    far_lead_words: int = 40  # a paragraph this long above a widget of short lines (a rating, a fact box) is no teaser
    widget_max_words: int = 5  # a widget's labels and values ('Spot rating', '80%'); a teaser headline has six words or more
    list_max: int = 30  # an ingredient list or a table of contents; the list's own end (a menu, a repeated line) stops it first
    headline_min_words: int = 2  # 'Update' alone is a label, whatever the title says
    deck_min_words: int = 8  # the deck under the headline; a byline or a date is shorter
    dialog_max_lines: int = 60  # a consent dialog's categories and its table of cookies, one a line
    dialog_label_words: int = 6  # a dialog's labels and buttons: 'Necessary', 'Cookie Duration Description', 'm 2 years No description available.'
    sentence_min_words: int = 4  # as lead_chrome's short opening sentence; 'Thanks for signing up!' is three words of widget

    def weight(self, line: Line) -> int:
        if is_table_row(line) or line.text.count("|") >= 3:  # a table row: data, neither prose nor chrome
            return 0
        return min(word_count(line), self.max_weight) if self.is_article_prose(line) else -self.chrome_penalty

    def is_article_prose(self, line: Line) -> bool:
        """A body paragraph, and not the cookie-consent banner a whole page prints as prose (chrome, however long)."""
        return is_prose(line) and not is_cookie_notice(line)

    def consent_dialog(self, lines: Sequence[Line]) -> list[int]:
        """The lines of the cookie-consent dialogs on a page: each site's cookie banner ('We use cookies ...') and, when
        a button closes its dialog ('Accept all', 'Save & accept') at most ``dialog_max_lines`` lines on, every line up
        to that button: labels, the cookies' descriptions in the dialog's words (a cookie, and the site, its visitors or
        their consent: 'Necessary cookies are absolutely essential for the website to function') and rows of its table
        ('_ga 2 years The _ga cookie, installed by Google ...'), as long as each is one of those. The button is a whole
        line of a consent button's words ('Accept all', 'Save & accept'; not 'Save recipe'). A banner with no such
        button after it is the banner alone (an article's sentence about its own cookies opens nothing), and a
        recipe's cookies or a 'Save the date' are no part of a dialog."""
        dialog: list[int] = []
        for line in lines:
            if not is_cookie_notice(line) or (dialog and line.index <= dialog[-1]):
                continue
            dialog.append(line.index)
            closed = line.index
            for after in lines[line.index + 1:line.index + 1 + self.dialog_max_lines]:
                if not (len(after.words) <= self.dialog_label_words or is_cookie_description(after)):
                    break
                if is_consent_button(after):
                    closed = after.index
            dialog += range(line.index + 1, closed + 1)
        return dialog

    def densest(self, weights: Sequence[int]) -> tuple[int, int] | None:
        """The densest run, or None when there is none or it holds too little of the page's prose."""
        start, end = densest_run(weights)
        positive = sum(weight for weight in weights if weight > 0)
        if end < start or sum(weight for weight in weights[start:end + 1] if weight > 0) * self.min_share < positive:
            return None
        return start, end

    def weights(self, page: Page, removed: Removed) -> list[int]:
        """Each line's weight; the items of a list that a paragraph introduces weigh nothing (neither prose nor chrome),
        and the paragraphs of a cookie-consent dialog weigh as chrome."""
        weights = [0 if line.index in removed else self.weight(line) for line in page.lines]
        for index in self.consent_dialog(page.lines):
            weights[index] = min(weights[index], -self.chrome_penalty)
        for line in page.lines:
            if line.text.endswith(":") and line.index not in removed and weights[line.index] > 0:  # a paragraph ending in ':'
                for item in self.introduced_list(page, removed, line.index, set()):
                    weights[item] = max(weights[item], 0)
        return weights

    def runs(self, page: Page, removed: Removed) -> list[tuple[int, int]]:
        """The densest run and the further runs strong enough to be the article's, each as [start, end]."""
        weights = self.weights(page, removed)
        densest = self.densest(weights)
        if densest is None:
            return []
        strongest = sum(weights[densest[0]:densest[1] + 1])
        kept, outside = [densest], [(0, densest[0]), (densest[1] + 1, len(weights))]
        while outside:  # each run found splits what is left outside it in two
            low, high = outside.pop()
            start, end = densest_run(weights[low:high])
            if end >= start and sum(weights[low + start:low + end + 1]) * self.run_share >= strongest:
                kept.append((low + start, low + end))
                outside += [(low, low + start), (low + end + 1, high)]
        return kept

    def is_edge_sentence(self, line: Line) -> bool:
        return len(line.words) >= self.sentence_min_words and ends_like_a_sentence(line.text) and not is_navigation_line(line)

    def grown(self, page: Page, removed: Removed, start: int, end: int) -> tuple[int, int]:
        """The run [start, end] with up to ``edge_sentences`` short sentences taken in at each end (lines already
        removed are stepped over)."""
        lines = page.lines
        for step in (1, -1):
            edge = end if step == 1 else start
            for _ in range(self.edge_sentences):
                j = edge + step
                while 0 <= j < len(lines) and lines[j].index in removed:
                    j += step
                if not (0 <= j < len(lines) and self.is_edge_sentence(lines[j])):
                    break
                edge = j
            start, end = (start, edge) if step == 1 else (edge, end)
        return start, end

    def standfirst(self, page: Page, removed: Removed, first: int, reach_far: bool) -> int | None:
        """The nearest prose line at most ``lead_gap`` kept short lines above ``first``, no menu entry between (share
        buttons are neither); a table of contents (its heading and up to ``list_max`` entries) is stepped over. With
        ``reach_far``, a long standfirst above a widget of labels further up (``is_far_lead``)."""
        gap: list[Line] = []
        for j in range(first - 1, -1, -1):
            line = page.lines[j]
            if line.index in removed or is_share_row(line):
                continue
            if self.is_article_prose(line):
                near = len(gap) <= self.lead_gap
                return j if near or (reach_far and self.is_far_lead(line, gap, page)) else None
            if is_contents_heading(line):  # the lines under it were its entries (the article's own headings)
                gap = []
                continue
            gap.append(line)
            if len(gap) > self.list_max or is_navigation_line(line):
                return None
        return None

    def is_far_lead(self, line: Line, gap: Sequence[Line], page: Page) -> bool:
        """A standfirst that a widget parts from the body (a rating, a fact box): a long paragraph that ends as a
        sentence (a strip of links run together on one line ends in none), over labels and values of at most
        ``widget_max_words`` words (a teaser headline is longer) and not over the article's headline (a standfirst
        stands under it: a paragraph above the headline is another article's teaser or the site's blurb)."""
        title = page.lines[0].text.casefold() if page.lines else ""
        return (len(line.words) >= self.far_lead_words and ends_like_a_sentence(line.text)
                and all(len(label.words) <= self.widget_max_words and not self.names_the_page(label, title) for label in gap))

    def is_between_parts(self, line: Line) -> bool:
        """A paragraph, a short sentence or a line as long as a deck between two kept lines: the article's, among its
        pictures or its parts (a subheading, a caption)."""
        return self.is_article_prose(line) or self.is_edge_sentence(line) or self.is_deck(line)

    def is_deck(self, line: Line) -> bool:
        return len(line.words) >= self.deck_min_words and not is_navigation_line(line) and not is_cookie_notice(line)

    def headline(self, page: Page, removed: Removed, top: int) -> int | None:
        """The line at most ``lead_gap`` kept lines above ``top`` that the page's first line (its title) begins or ends with."""
        title = page.lines[0].text.casefold() if page.lines else ""
        above = islice((j for j in range(top - 1, 0, -1) if page.lines[j].index not in removed), self.lead_gap)
        return next((j for j in above if self.names_the_page(page.lines[j], title)), None)

    def names_the_page(self, line: Line, title: str) -> bool:
        """The page's window title (``title``, casefolded) begins or ends with the line: the article's headline."""
        text = line.text.casefold()
        return len(line.words) >= self.headline_min_words and (title.startswith(text) or title.endswith(text))

    def introduced_list(self, page: Page, removed: Removed, end: int, inside: set[int]) -> list[int]:
        """The short lines under ``end`` (a line ending in ':') that form the list it introduces."""
        items: list[int] = []
        for j in range(end + 1, min(end + 1 + self.list_max, len(page.lines))):
            line = page.lines[j]
            if (j in inside or line.index in removed or is_prose(line) or is_navigation_line(line) or page.printed[line.text] > 1
                    or is_comment_prompt(line) or is_related_prompt(line)):
                break
            items.append(j)
        return items

    def find(self, page: Page, removed: Removed) -> Found:
        if not page.whole_page:
            return []
        runs = [self.grown(page, removed, start, end) for start, end in self.runs(page, removed)]
        if not runs:
            return []
        inside = {index for start, end in runs for index in range(start, end + 1)}
        for end in (end for _, end in runs if page.lines[end].text.endswith(":")):
            inside.update(self.introduced_list(page, removed, end, inside))
        top = min(start for start, _ in runs)
        for taken in range(self.lead_paragraphs):  # the standfirst, and the paragraphs above it a caption or an ad label parts from it
            standfirst = self.standfirst(page, removed, top, reach_far=taken == 0)
            if standfirst is None:
                break
            inside.add(standfirst)
            top = standfirst
        headline = self.headline(page, removed, top)
        if headline is not None:  # its deck, between it and the body, is taken in below as a line between parts
            inside.add(headline)
        first, last = min(inside), max(inside)
        inside.update(j for j in range(first, last) if self.is_between_parts(page.lines[j]))
        return [(line, self.removal()) for line in page.lines if line.index not in inside and line.index not in removed]


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

