"""Clean stage, pure: the rules' common ground: a removal, the page every rule sees, the ``Rule`` base and two helpers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from ..lines import Line, is_bullet, listed_bullets

LINK_MIN_WORDS = 6  # related headlines are phrases; list items ('- HL7', '- Spain (Group F)') are shorter


@dataclass(frozen=True)
class Removal:
    """Why a line went: the rule that removed it and one of that rule's reason codes."""

    rule: str
    reason: str


@dataclass(frozen=True)
class Page:
    """What every rule may look at: the lines, the article's language, and whether the text is a whole page."""

    lines: Sequence[Line]
    language: str
    whole_page: bool

    @cached_property
    def printed(self) -> Counter[str]:  # how often each line's text is printed on the page: counted once a page, when asked
        return Counter(line.text for line in self.lines)

    @cached_property
    def listed(self) -> frozenset[int]:  # asked once a line by the edge passes: computed once a page
        return frozenset(listed_bullets(self.lines))

    @cached_property
    def edge_reasons(self) -> dict[tuple[int, int, bool, bool], Removal | None]:
        """The edge passes' verdicts so far, by (pass, line, from_end, after link bullets): a pass runs three times over
        the same edges, and its prompt patterns are the cleaner's costliest."""
        return {}

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
            if len(block) >= 2 and any(len(item.words) < LINK_MIN_WORDS for item in block):
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

