"""Clean stage, pure: the edge passes: the notices at the top and bottom of the article, and again at the edges of a whole page's
content region."""

from __future__ import annotations

from dataclasses import dataclass

from ..lines import Line, is_bullet, is_headline_like, is_table_row
from .base import Found, Page, Removal, Removed, Rule
from .links import RelatedLinks, TailBlock, TailHeadlines


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
        key = (id(self), line.index, from_end, after_link_bullets)
        if key not in page.edge_reasons:
            page.edge_reasons[key] = self._first_reason(line, page, from_end, after_link_bullets)
        return page.edge_reasons[key]

    def _first_reason(self, line: Line, page: Page, from_end: bool, after_link_bullets: bool) -> Removal | None:
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
        opened = False
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
                    if not (opened and self.bridge and self.bridge.bridgeable(line, gap)):
                        break
                    gap.append(line)
                    continue
                anchor = self.bridge is not None and self.bridge.is_anchor(line, removal)
                if gap and anchor and self.bridge is not None:
                    found += [(between, self.bridge.removal()) for between in gap]
                elif gap:
                    break
                gap = []
                found.append((line, removal))
                opened = anchor  # a bridge needs a notice at both ends: a menu line opens none
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

