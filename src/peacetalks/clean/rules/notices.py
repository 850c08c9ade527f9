"""Clean stage, pure: notices recognised by their words or shape, mostly at an edge of the article: prompts, credits, copyright,
advertising, bios, press-release boilerplate, contact lines, tags, menu entries and share counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from ..lines import (
    Line,
    addresses_reader,
    ends_in_link_words,
    is_ad_disclosure,
    is_advertisement,
    is_author_bio_sentence,
    is_bare_count,
    is_bullet,
    is_caption_credit,
    is_comment_prompt,
    is_company_boilerplate,
    is_contact_heading,
    is_contact_line,
    is_copyright,
    is_credit,
    is_navigation_line,
    is_navigation_row,
    is_newsletter_heading,
    is_newsletter_pitch,
    is_number_table,
    is_paywall_prompt,
    is_reported_speech,
    is_sentence_like,
    is_signup_consent,
    is_signup_invitation,
    is_subscribe_prompt,
    is_table_row,
    is_tag_heading,
    is_tag_list,
    is_widget_text,
)
from .base import Found, Page, Removed, Rule, neighbours


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
class AnywhereNotice(Rule):
    """A notice recognised by its words anywhere in the article, when it is at most ``max_words`` long (a paragraph
    that uses the words is text) and no one is reported saying it ('..., the minister joked': the article's words).
    Subclasses name the test in ``matches``."""

    matches: ClassVar[Callable[[Line], bool]]
    max_words: int = 30

    def find(self, page: Page, removed: Removed) -> Found:
        test, max_words = self.matches, self.max_words  # looked up once: this visits every line of every page
        return [(line, self.removal()) for line in page.lines
                if len(line.words) <= max_words and test(line) and not is_reported_speech(line)]


@dataclass(frozen=True)
class SignupPrompt(AnywhereNotice):
    """A newsletter widget, anywhere: the widget sites drop between two paragraphs. A short call to sign up for a
    newsletter or an e-mail edition (both the verb and the newsletter must be there; a line about a newsletter is
    text), a pitch for the site's own newsletter ('our newsletter'), the widget's heading (a short line ending in
    'Newsletter', and a sign-up prompt right under it) and its form's consent notice.

    Removes: 'Never miss the latest news by signing up to our newsletter today!' between two paragraphs, and 'PC
    Gamer Newsletter' with 'Sign up to get the best content of the week.' under it.
    Keeps: 'The newsletter, which the envoys signed up to in May, leaked the draft.' (a sign-up told, not asked
    for), 'Subscribe to the talks' (no newsletter named), 'Contents of the next newsletter:' (it introduces), and 'Our
    newsletter reported last week that ...' (it speaks of the newsletter, not to the reader).
    """

    name: ClassVar[str] = "signup_prompt"
    reasons: ClassVar[tuple[str, ...]] = ("subscribe-prompt",)
    matches: ClassVar = staticmethod(is_signup_invitation)
    max_words: int = 25  # a call to sign up is a line; a paragraph that mentions one is the article's
    heading_max_words: int = 6  # 'Get the Boing Boing newsletter': a heading; a longer line is a sentence about one
    consent_max_words: int = 40  # 'By subscribing you accept our privacy policy. ...' runs to two or three sentences

    def is_heading(self, line: Line, names_newsletter: bool) -> bool:
        return (names_newsletter and len(line.words) <= self.heading_max_words and not is_bullet(line)
                and is_newsletter_heading(line))

    def is_call(self, line: Line, names_newsletter: bool, under_heading: bool) -> bool:
        """A call to sign up, a pitch to the reader, or, right under the widget's heading, a subscribe prompt."""
        if not (names_newsletter or under_heading) or len(line.words) > self.max_words or is_reported_speech(line):
            return False
        return (names_newsletter and (is_signup_invitation(line) or is_newsletter_pitch(line) and addresses_reader(line))
                or under_heading and is_subscribe_prompt(line))

    def find(self, page: Page, removed: Removed) -> Found:
        lines = page.lines
        named = [*("newsletter" in line.text.lower() for line in lines), False]  # a substring first: most lines name none
        headings = [self.is_heading(line, names) for line, names in zip(lines, named)]
        found: Found = []
        for index, line in enumerate(lines):
            under_heading = index > 0 and headings[index - 1]
            heading = headings[index] and index + 1 < len(lines) and self.is_call(lines[index + 1], named[index + 1], True)  # a widget's: a call under it
            consent = len(line.words) <= self.consent_max_words and is_signup_consent(line) and not is_reported_speech(line)
            if heading or consent or self.is_call(line, named[index], under_heading):
                found.append((line, self.removal()))
        return found


@dataclass(frozen=True)
class CaptionCredit(AnywhereNotice):
    """The credit of a picture, anywhere: a short line carrying '©' and a name, '(Foto: ...)' or 'Fot. ...', the
    caption it closes included (an extract keeps captions where the pictures stood).

    Removes: 'Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO' between two paragraphs.
    Keeps: 'The photographer, who asked not to be named, sold the picture to the agency.' (a credit told, not printed),
    and a paragraph of more than 30 words that quotes '©'.
    """

    name: ClassVar[str] = "caption_credit"
    reasons: ClassVar[tuple[str, ...]] = ("credits",)
    matches: ClassVar = staticmethod(is_caption_credit)


@dataclass(frozen=True)
class PaywallPrompt(AnywhereNotice):
    """What a paywall, a membership drive or a reading-time widget prints into the article, anywhere: 'To view the
    full story, please subscribe', 'Pour lire la suite', 'Hazte miembro', 'Unterstütze uns', 'Would you consider
    supporting our work?', '3 min read'.

    Removes: 'To view the full story, please subscribe to The Haitian Times.' after the first paragraph.
    Keeps: 'The envoys urged members to support the deal, the paper said.' and 'Unterstützen wollen die Länder den Plan.'
    """

    name: ClassVar[str] = "paywall_prompt"
    reasons: ClassVar[tuple[str, ...]] = ("paywall-prompt",)
    matches: ClassVar = staticmethod(is_paywall_prompt)


@dataclass(frozen=True)
class WidgetText(AnywhereNotice):
    """What an embedded-content, picture, media or download widget leaves in the text, anywhere: a consent
    placeholder ('Externer Inhalt', 'Klicken Sie auf den Button, um den Inhalt von ... zu laden'), a loading notice,
    a picture button ('Bild anzeigen'), a file label ('PDF | 38 KB'), a media expiry ('Video verfügbar bis ...'), a
    player's notice ('Your browser does not support the audio element'), a button or a like widget speaking about
    itself ('Mit diesem Button kannst Du ...', '%d Bloggern gefällt das:').

    Removes: 'Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.' where the map stood.
    Keeps: 'The video, available until May, shows the envoys arriving.' and 'Der Bericht (PDF) liegt dem Blatt vor.'
    """

    name: ClassVar[str] = "widget_text"
    reasons: ClassVar[tuple[str, ...]] = ("widget",)
    matches: ClassVar = staticmethod(is_widget_text)


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
    """The 'About us' paragraph that closes a press release, under the article (case-sensitive: the subject is a name;
    above the article such a line is the release's lead).

    Removes: 'Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide.'
    Keeps: 'The company is a major supplier of the army, and its role in any deal is still unclear.'
    """

    name: ClassVar[str] = "tail_about"
    reasons: ClassVar[tuple[str, ...]] = ("about-company",)
    matches: ClassVar = staticmethod(is_company_boilerplate)
    max_words: int = 120

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        return super().edge_reason(line, page, from_end) if from_end else None


@dataclass(frozen=True)
class TailContact(Rule):
    """A short line with an address (URL, e-mail, @handle) under the article (above it, it belongs to the lead).

    Removes: 'Write to Jane Doe at jane.doe@example.org' as the last line.
    Keeps: 'More info: www.example.org' above the first paragraph, a list item or table row with an address, an
    address under a line that introduces it ('Please sign the petition:'), and 'Please do not file a public issue;
    send your report to security@example.com.' (a sentence).
    """

    name: ClassVar[str] = "tail_contact"
    reasons: ClassVar[tuple[str, ...]] = ("contact-link",)
    heading_max_words: int = 12  # 'Kontakt:', 'Telefon: +49 - (40) - 300 30 - 1141'

    def edge_reason(self, line: Line, page: Page, from_end: bool) -> str | None:
        sentence = is_sentence_like(line)  # 'Please send your report to security@example.com.' is text
        listed = is_bullet(line) or is_table_row(line)  # '- Headline via example.org https://...': a list of sources
        introduced = line.index > 0 and page.lines[line.index - 1].text.endswith(":")  # 'Sign the petition:' and its link
        heading = len(line.words) <= self.heading_max_words and is_contact_heading(line)
        return self.reasons[0] if from_end and (is_contact_line(line) and not (listed or sentence or introduced) or heading) else None


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

