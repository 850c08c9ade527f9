"""Clean stage, pure: the cleaner's rules: each a small named object with its reason codes and parameters.

A rule sees the page (its lines, language and kind) and what earlier rules removed, and returns
the lines it removes. A rule may delete a line only on evidence that it is boilerplate (a prompt,
a notice, a counter, a menu): body structure (headings, lists, tables, quotes, short paragraphs) is
content. Rules that recognise a notice by its shape alone also say so in ``edge_reason``: the edge
pass (``EdgeNotices``) removes such lines only where they stand at the top or bottom of the article.
Every docstring gives one line the rule removes and one it must keep; tests/test_clean_rules.py
checks both.

The rules live by family: ``base`` (the common ground), ``notices``, ``links``, ``edges`` (the edge
passes), ``blocks``, ``region`` (the page around the article) and ``lead``.
"""

from .base import Found, Page, Removal, Removed, Rule, edge_run, neighbours
from .blocks import AuthorSection, MetadataBlock, RepeatedLine
from .edges import EdgeNotices, RegionEdges, is_headline
from .lead import HeadDateline, LeadChrome
from .links import RelatedLinks, TailBlock, TailHeadlines
from .notices import (Advertisement, AnywhereNotice, AuthorBio, CaptionCredit, PageNavigation, PaywallPrompt, ShareCounter, ShortNotice,
                      SignupPrompt, TailAbout, TailContact, TailCopyright, TailCredit, TailPrompt, TailTags, WidgetText)
from .region import CommentSection, ContentRegion, densest_run

__all__ = ["Advertisement", "AnywhereNotice", "AuthorBio", "AuthorSection", "CaptionCredit", "CommentSection", "ContentRegion", "EdgeNotices",
           "Found", "HeadDateline", "LeadChrome", "MetadataBlock", "Page", "PageNavigation", "PaywallPrompt", "RegionEdges", "RelatedLinks", "Removal", "Removed", "RepeatedLine",
           "Rule", "ShareCounter", "ShortNotice", "SignupPrompt", "TailAbout", "TailBlock", "TailContact", "TailCopyright", "TailCredit", "TailHeadlines",
           "TailPrompt", "TailTags", "WidgetText", "densest_run", "edge_run", "is_headline", "neighbours"]
