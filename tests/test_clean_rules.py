"""Each cleaner rule alone (what it removes, and the article structure it must leave alone), the page-kind
decision, the pipeline's order and counts, and `clean-text`'s refusals of text that is not Unicode."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pytest

from peacetalks.clean import PIPELINE, PageKind, Pipeline, clean, split_lines
from peacetalks.clean.lines import is_cookie_notice, is_copyright_footer
from peacetalks.clean.rules import (
    Advertisement,
    AuthorBio,
    AuthorSection,
    CaptionCredit,
    ContentRegion,
    EdgeNotices,
    LeadChrome,
    Page,
    PageNavigation,
    PaywallPrompt,
    RegionEdges,
    RelatedLinks,
    Rule,
    SignupPrompt,
    TailAbout,
    TailCopyright,
    TailCredit,
    TailContact,
    TailHeadlines,
    TailPrompt,
    TailTags,
    WidgetText,
)
from test_clean import PROSE, TITLE  # the same four paragraphs and headline as the cleaner's other tests

MENU = ["Home", "Politik", "Wirtschaft", "Search", "Log in"]
FOOTER = ["Kontakt", "Impressum", "Datenschutz"]


def alone(rule: Rule) -> Pipeline:
    """A pipeline of one rule: its own pass and, for notices, the edge pass with nothing else."""
    return Pipeline((rule, EdgeNotices((rule,), bridge=None, links=None)))


def removed_by(rule: Rule, lines: list[str]) -> list[str]:
    return [r.line.text for r in clean("\n".join(lines), alone(rule)).removed]


# --- each rule alone: one removal, one keep -------------------------------------------------

CASES = [  # (rule, lines, the lines it removes)
    (TailPrompt(), [*PROSE, "We appreciate your thoughts. Please leave a comment."], ["We appreciate your thoughts. Please leave a comment."]),
    (TailPrompt(), [PROSE[0], "Officials urged citizens to sign up for evacuation buses before the talks began.", *PROSE[1:]], []),
    (TailContact(), [*PROSE, "Write to Jane Doe at jane.doe@example.org"], ["Write to Jane Doe at jane.doe@example.org"]),
    (TailContact(), [*PROSE, "Please do not file a public issue; send your report privately to security@example.com."], []),
    (TailContact(), [*PROSE, "- Talks resume in Geneva via example.org https://example.org/a",
                     "- Envoys leave Riyadh without a date via example.org https://example.org/b"], []),
    (TailContact(), [*PROSE, "Kontakt:", "Telefon: +49 - (40) - 300 30 - 1141"], ["Telefon: +49 - (40) - 300 30 - 1141", "Kontakt:"]),
    (TailContact(), [*PROSE, "To support the talks, please sign the petition:", "https://petition.example.org/keep-talking"], []),  # introduced
    (RelatedLinks(), [*PROSE, "- Talks resume in Geneva after the break via example.org https://example.org/a",  # sources, with addresses
                      "- Envoys leave Riyadh without a date for the next round via example.org https://example.org/b"], []),
    (RelatedLinks(), [*PROSE, "- Talks resume in Geneva after the break", "- Envoys leave Riyadh without a date for the next round"],
     ["- Talks resume in Geneva after the break", "- Envoys leave Riyadh without a date for the next round"]),  # headlines: links
    (TailTags(), [*PROSE, "peace talks, riyadh, ukraine war, ceasefire, diplomacy"], ["peace talks, riyadh, ukraine war, ceasefire, diplomacy"]),
    (TailTags(), [*PROSE, "Topics for the next round include prisoners and energy."], []),
    (Advertisement(), [*PROSE[:2], "Anzeige", *PROSE[2:]], ["Anzeige"]),
    (Advertisement(), ["This post contains affiliate links.", *PROSE], ["This post contains affiliate links."]),
    (Advertisement(), [*PROSE, "Advertisement revenue fell by a third, the paper said on Tuesday in Riyadh."], []),
    (Advertisement(), [TITLE, "This post contains affiliate links to the shops we review.", *PROSE],  # under the headline: the edge
     ["This post contains affiliate links to the shops we review."]),
    (Advertisement(), [*PROSE, "Dieser Artikel kann Links zu Anbietern enthalten, von denen das Magazin eine Provision erhält.",
                       "*Dieser Beitrag ist in freundlicher Kooperation mit dem Tourismusverband entstanden."],
     ["Dieser Artikel kann Links zu Anbietern enthalten, von denen das Magazin eine Provision erhält.",
      "*Dieser Beitrag ist in freundlicher Kooperation mit dem Tourismusverband entstanden."]),
    (Advertisement(), [*PROSE, "Die Provision des Maklers ist nach dem neuen Gesetz auf zwei Prozent begrenzt.",  # no link, no post
                       "Das Haus ist in Zusammenarbeit mit der Stadt entstanden."], []),
    (RelatedLinks(), [TITLE, "- Envoys from both sides meet again in Riyadh for a second round of talks",  # key points, not links
                      "- The sides agree on an exchange of prisoners before the winter", *PROSE], []),
    (RelatedLinks(), [*PROSE[:2], "Lea también: Los negociadores vuelven a Riad", *PROSE[2:]], ["Lea también: Los negociadores vuelven a Riad"]),
    (RelatedLinks(), [*PROSE, "Weitere Beiträge aus der Kolumne:"], ["Weitere Beiträge aus der Kolumne:"]),
    (RelatedLinks(), [PROSE[0], "Weitere Informationen erteilt das Büro der Delegation unter der bekannten Nummer.", *PROSE[1:]], []),
    (RelatedLinks(), [*PROSE, "Agenda", "- Small groups (30 mins)", "- Presentations (15 mins)",
                      "- Discussion about the next meeting, when? What type? Etc. (30 mins)"], []),
    (RelatedLinks(), [*PROSE, "| Name | Role | Delegation |", "| Jane Doe | Envoy to the talks in Riyadh | EU |"], []),
    (TailHeadlines(), [*PROSE, "Who will make the Rock Hall of Fame in the year 2020?", "Dave Matthews Band takes over the Rock Hall Fan Vote"],
     ["Dave Matthews Band takes over the Rock Hall Fan Vote", "Who will make the Rock Hall of Fame in the year 2020?"]),
    (TailHeadlines(), [*PROSE, "Wie gefallen Euch die neuen Modelle nach diesem langen Test auf der Straße und im Gelände bei "
                       "jedem Wetter und zu jeder Jahreszeit im Verlauf der letzten drei Monate", "Mehr dazu im nächsten Heft der Reihe"], []),
    (TailHeadlines(), [*PROSE, "Vorschau auf den nächsten Artikel", "Am Donnerstag bespreche ich hier einen Krimi, der auf einer Insel spielt."],
     ["Vorschau auf den nächsten Artikel", "Am Donnerstag bespreche ich hier einen Krimi, der auf einer Insel spielt."]),
    (TailHeadlines(), [PROSE[0], "More stories", *PROSE[1:]], []),  # a section of three paragraphs under the heading: the article's
    (PageNavigation(), [*PROSE, "Terms of Service Privacy Notice", "Impressum", "Share"], ["Terms of Service Privacy Notice", "Impressum", "Share"]),
    (PageNavigation(), [*PROSE[:2], "Print", *PROSE[2:], "Home is where the talks began, the envoy said."], []),
    (SignupPrompt(), [*PROSE[:2], "Never miss the latest news by signing up to our newsletter today!", "Zum Newsletter anmelden",
                      *PROSE[2:]], ["Never miss the latest news by signing up to our newsletter today!", "Zum Newsletter anmelden"]),
    (SignupPrompt(), [PROSE[0], "The newsletter, which the envoys signed up to in May, leaked the draft.", "Subscribe to the talks",
                      *PROSE[1:]], []),
    (SignupPrompt(), [*PROSE[:2], "PC Gamer Newsletter", "Sign up to get the best content of the week, and great deals.",
                      "Kennst du schon unseren Newsletter?", "Mit der Registrierung akzeptieren Sie unsere Datenschutzbestimmungen.",
                      *PROSE[2:]], ["PC Gamer Newsletter", "Sign up to get the best content of the week, and great deals.",
                                    "Kennst du schon unseren Newsletter?",
                                    "Mit der Registrierung akzeptieren Sie unsere Datenschutzbestimmungen."]),
    (SignupPrompt(), [*PROSE[:2], "Contents of the next newsletter:", "- the second round in Riyadh", "Newsletter rules",
                      "Officials urged citizens to sign up for evacuation buses before the talks began.",  # not under a heading
                      "The envoys said the newsletter of the mission had leaked the draft.", *PROSE[2:]], []),
    # reported speech is the article's, whatever a widget would print; a pitch speaks to the reader; a heading needs its call under it
    (SignupPrompt(), [*PROSE[:2], "Our newsletter reported last week that the envoys had already agreed on a venue.", "The Weekly Newsletter",
                      "Sign up for our newsletter, the minister joked, was the only deal reached on Tuesday.",
                      "By subscribing you agree to our terms, the ministry's statement on the deal said, adding that the terms would be published.",
                      *PROSE[2:]], []),
    (WidgetText(), [PROSE[0], "Your browser does not support the idea of peace, one delegate quipped.",
                    "Mit diesem Button kannst Du nichts gewinnen, sagte der Minister.", *PROSE[1:]], []),
    (PaywallPrompt(), [PROSE[0], "Would you consider supporting our work? the Ukrainian envoy asked the American delegation.", *PROSE[1:]], []),
    (TailHeadlines(), [*PROSE[:2], "More stories", *PROSE[2:]], []),  # two paragraphs under the heading: a section, not a teaser
    (TailAbout(), [*PROSE, "Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide."],
     ["Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide."]),
    (TailAbout(), ["Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide.", *PROSE], []),  # the lead
    (TailCredit(), [*PROSE, "(Credit: Clayton Aldern / Grist)", "Letzte Änderung 14.02.2019"],
     ["(Credit: Clayton Aldern / Grist)", "Letzte Änderung 14.02.2019"]),
    (TailCredit(), [*PROSE, "Letzte Änderungen am Vertrag wurden im Mai 2019 beschlossen, sagte der Gesandte."], []),
    (TailPrompt(), [*PROSE, "We want to hear what you think about this article."], ["We want to hear what you think about this article."]),
    (RelatedLinks(), [*PROSE[:2], "Auch interessant:", "NOTAS RELACIONADAS", *PROSE[2:]], ["Auch interessant:", "NOTAS RELACIONADAS"]),
    (RelatedLinks(), [*PROSE[:2], "Auch interessant ist, dass die Delegationen in Riad blieben.", *PROSE[2:]], []),
    (CaptionCredit(), [*PROSE[:2], "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO",
                       "(Foto: Natacha Pisarenko/Pool via REUTERS)", "Fot. Jan Kowalski / Agencja Gazeta", *PROSE[2:]],
     ["Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO", "(Foto: Natacha Pisarenko/Pool via REUTERS)",
      "Fot. Jan Kowalski / Agencja Gazeta"]),
    (CaptionCredit(), [*PROSE[:2], "The photographer, who asked not to be named, sold the picture to the agency.",
                       "The court heard that the mark © had been printed on every copy of the leaflet handed out in the square, "
                       "which the defence said proved nothing about who wrote it or why it was distributed there.", *PROSE[2:]], []),
    (PaywallPrompt(), [PROSE[0], "To view the full story, please subscribe to The Haitian Times.", "Pour lire la suite", "Hazte miembro",
                       "3 min read", *PROSE[1:]],
     ["To view the full story, please subscribe to The Haitian Times.", "Pour lire la suite", "Hazte miembro", "3 min read"]),
    (PaywallPrompt(), [PROSE[0], "The envoys urged members to support the deal, the paper said.", "Unterstützen wollen die Länder den Plan.",
                       *PROSE[1:]], []),
    (WidgetText(), [*PROSE[:2], "Externer Inhalt", "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
                    "Bild anzeigen", "Informationsschreiben vom 14. Oktober 2021 PDF | 38 KB", *PROSE[2:]],
     ["Externer Inhalt", "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.", "Bild anzeigen",
      "Informationsschreiben vom 14. Oktober 2021 PDF | 38 KB"]),
    (WidgetText(), [*PROSE[:2], "The video, available until May, shows the envoys arriving.", "Der Bericht (PDF) liegt dem Blatt vor.",
                    *PROSE[2:]], []),
    (TailCredit(), [*PROSE, "Release date: 21 April 2022", "aja/PAP"], ["Release date: 21 April 2022", "aja/PAP"]),
    (WidgetText(), [*PROSE[:2], "Tu navegador no soporta los elementos de audio", "Mit diesem Button kannst Du die Folge einer Liste hinzufügen.",
                    "%d Bloggern gefällt das:", *PROSE[2:]],
     ["Tu navegador no soporta los elementos de audio", "Mit diesem Button kannst Du die Folge einer Liste hinzufügen.", "%d Bloggern gefällt das:"]),
    (WidgetText(), [*PROSE[:2], "Ihr Browser, sagte der Techniker, sei seit Jahren veraltet.", "The button was pressed twice before the vote.",
                    *PROSE[2:]], []),  # a browser and a button told about, not a widget speaking
    (PaywallPrompt(), [*PROSE[:2], "If you enjoyed reading this post – would you consider supporting our work? Just click here.", *PROSE[2:]],
     ["If you enjoyed reading this post – would you consider supporting our work? Just click here."]),
    (PaywallPrompt(), [PROSE[0], "The envoys asked donors to consider supporting the ceasefire monitors.", *PROSE[1:]], []),
    (TailCredit(), [*PROSE, "Talks resume in Geneva/Riyadh next week, and/or in Doha."], []),
    (TailCopyright(), [*PROSE, "The author spoke about his fears, Erdogans Copyright and the strength of mint."], []),
    (TailCopyright(), [*PROSE, "With a network of affiliates around the world, Creative Commons provides free tools."], []),
    (TailCopyright(), [*PROSE, "This article is licensed under a Creative Commons Attribution 4.0 licence."],
     ["This article is licensed under a Creative Commons Attribution 4.0 licence."]),
    (Advertisement(), [*PROSE, "Werbung nervt. Tracking nervt. Und mobil habe ich keine Zeit für Banner."], []),
    (Advertisement(), [*PROSE, "Werbung: Dieser Artikel enthält Links zu Shops."], ["Werbung: Dieser Artikel enthält Links zu Shops."]),
    (TailPrompt(), [*PROSE, "Zapraszamy też do subskrypcji tygodnika."], ["Zapraszamy też do subskrypcji tygodnika."]),
    (LeadChrome(), [TITLE, "5:45 AM PST 11/19/2019 by Jane Doe", *PROSE], ["5:45 AM PST 11/19/2019 by Jane Doe"]),
    (LeadChrome(), [TITLE, "When I woke up, there was nothing.", *PROSE], []),
]


@pytest.mark.parametrize(("rule", "lines", "expected"), CASES, ids=[f"{c[0].name}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_alone_removes_its_boilerplate_and_keeps_article_structure(rule: Rule, lines: list[str], expected: list[str]) -> None:
    assert sorted(removed_by(rule, lines)) == sorted(expected)


@pytest.mark.parametrize("rule", PIPELINE.rules(), ids=lambda rule: rule.name)
def test_every_rule_is_named_with_reasons_parameters_and_two_examples(rule: Rule) -> None:
    doc = rule.__doc__ or ""
    assert rule.name and rule.reasons and "Removes:" in doc and "Keeps:" in doc
    assert all(isinstance(getattr(rule, f.name), (int, float, tuple)) for f in fields(rule))


def test_rule_names_are_unique_so_the_ablation_switches_off_one_thing() -> None:
    names = [rule.name for rule in PIPELINE.rules()]
    assert len(names) == len(set(names))
    assert all(name not in [r.name for r in PIPELINE.without(name).rules()] for name in names)


# --- whole page or extracted article ----------------------------------------------------------


def test_page_kind_needs_menu_or_legal_lines_not_short_lines() -> None:
    structured = ["Ingredients", "- 3 eggs", "- 200 g flour", "Steps", "1. Whisk the eggs", "2. Fold in the flour", "Serving", "Warm."]
    assert not PageKind().is_whole_page(split_lines("\n".join(structured * 10)))
    assert PageKind().is_whole_page(split_lines("\n".join([*MENU, *PROSE, *FOOTER])))


def test_page_kind_counts_a_copyright_footer_and_a_cookie_banner_as_one_piece_of_chrome_each() -> None:
    footer, banner = "© 2019 Example Media. All rights reserved.", "This website uses cookies to improve your experience."
    assert PageKind().is_whole_page(split_lines("\n".join(["Home", *PROSE, "Kontakt", footer])))
    assert PageKind().is_whole_page(split_lines("\n".join([banner, "Home", *PROSE, footer])))
    # an extractor's leftovers: a share button and a copyright line, or a caption's credit ('© AFP / ...', not a footer)
    assert not PageKind().is_whole_page(split_lines("\n".join([*PROSE, "Share", footer])))
    captions = [f"Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO {i}" for i in range(5)]
    assert not PageKind().is_whole_page(split_lines("\n".join([*PROSE, *captions, "Share"])))
    assert not PageKind().is_whole_page(split_lines("\n".join([*PROSE, footer, footer, footer])))  # one footer, however printed


def test_page_kind_takes_an_extract_with_buttons_an_agency_copyright_and_cookies_in_the_news_for_an_extract() -> None:
    agency = "Copyright 2023 The Associated Press. All rights reserved."  # an agency story's own last line
    fine = "The regulator said the site had placed advertising cookies without asking readers for their consent."
    for leftover in (["Share"], ["Share", "Print"], ["FAQ"]):  # buttons, or one stray menu word: no site menu around it
        lines = split_lines("\n".join([TITLE, *leftover, PROSE[0], fine, *PROSE[1:], agency]))
        assert not PageKind().is_whole_page(lines), leftover


def test_page_kind_takes_headings_named_like_menu_entries_tables_and_a_chorus_for_an_extract() -> None:
    explainer = ["Five ways to protect your data online", PROSE[0], "Cookies",
                 "Most websites use cookies to track visitors, but every major browser now lets you block them in its settings.",
                 "Email", "Use a separate address for shopping, so that a leak does not expose the account you use for your bank."]
    assert not PageKind().is_whole_page(split_lines("\n".join(explainer)))
    assert clean("\n".join(explainer)).text.split("\n\n") == explainer[1:]  # the headline is the title, every other line stays
    table = ["Venue", "Won", "Lost", "Home", "12", "Away", "7"]  # a table one cell a line, printed twice, 'Home' a cell
    assert not PageKind().is_whole_page(split_lines("\n".join([TITLE, PROSE[0], *table, *table, PROSE[1]])))
    chorus = ["Hold the line", "Hold the line tonight", "Nobody leaves", "Nobody leaves alone"]
    review = [TITLE, "Share", PROSE[0], *chorus, PROSE[1], *chorus, PROSE[2], "© Getty Images"]
    assert not PageKind().is_whole_page(split_lines("\n".join(review)))


def test_a_copyright_footer_is_no_caption_credit_nor_a_lists_point_c_and_a_cookie_banner_speaks_for_the_site() -> None:
    footer = [line for line in split_lines("\n".join(["© 2019 Example Media", "Copyright 2023 The Associated Press. All rights reserved.",
                                                       "Alle Rechte vorbehalten.", "(c) 2021 Example Media", "(c) a travel ban on its leaders",
                                                       "Photo: Marco Odermatt © AFP / MARCO BERTORELLO"]))]
    assert [is_copyright_footer(line) for line in footer] == [True, True, True, True, False, False]
    banners = ["This website uses cookies to improve your experience.", "Wir verwenden Cookies, um Inhalte zu personalisieren.",
               "Um unsere Webseite optimal zu gestalten, verwenden wir Cookies.", "Utilizamos cookies propias y de terceros.",
               "Nous utilisons des cookies pour mesurer l'audience.", "Accept all cookies"]
    news = ["Most websites use cookies to track visitors, but every major browser lets you block them in its settings.",
            "Investigators found that the site placed tracking cookies before users had accepted them.",
            "Zudem seien die Einstellungen für Cookies schwer zu finden gewesen, sagte die Behörde.",
            "\"We use cookies only with consent,\" the company said in a statement."]
    assert [is_cookie_notice(line) for line in split_lines("\n".join(banners))] == [True] * len(banners)
    assert [is_cookie_notice(line) for line in split_lines("\n".join(news))] == [False] * len(news)


def test_page_kind_counts_a_menu_printed_twice_as_chrome_and_a_list_repeated_once_is_not() -> None:
    sections = ["Noticias", "Economía", "Política", "Deportes"]  # no menu word: only its repetition tells
    assert PageKind().is_whole_page(split_lines("\n".join(["Inicio", *sections, TITLE, *PROSE, "Contacto", *sections])))
    assert not PageKind().is_whole_page(split_lines("\n".join([*sections, TITLE, *PROSE, *sections])))  # no menu line at all
    steps = ["Whisk the eggs", "Fold in the flour"]  # one pair repeated: a recipe's steps again, not a menu
    assert not PageKind().is_whole_page(split_lines("\n".join(["Share", *steps, *PROSE, "Print", *steps])))


def test_content_region_leaves_a_structured_extracted_article_whole() -> None:
    structured = [TITLE, "Background", "- first round in Riyadh", "- second round in Geneva", "Positions", PROSE[0],
                  *(f"Point {i}: a short line of the agreement" for i in range(12)), "What next", *PROSE[1:],
                  "| Side | Demand |", "| North | Territory |", "Outlook", "Talks resume in May."]
    result = clean("\n".join(structured))
    assert all(r.removal.rule != "content_region" for r in result.removed)
    assert "Point 0: a short line of the agreement" in result.text and "- first round in Riyadh" in result.text


def test_an_extract_the_region_would_have_cut_is_kept_and_flagged() -> None:
    lines = [*(f"Short note {i} about the round" for i in range(15)), *PROSE]
    result = clean("\n".join(lines))
    assert "Short note 0 about the round" in result.text and "possible_page_chrome" in result.flags
    assert "possible_page_chrome" not in clean("\n".join(PROSE)).flags


def test_content_region_drops_the_menu_and_footer_of_a_whole_page() -> None:
    raw = "\n".join([*MENU, *(f"Rubrik {i}" for i in range(12)), TITLE, *PROSE, *FOOTER])
    result = clean(raw, alone(ContentRegion()))
    assert result.text.split("\n\n") == PROSE
    assert {r.line.text for r in result.removed} >= {*MENU, *FOOTER}


def test_content_region_keeps_every_run_of_prose_half_as_strong_as_the_densest_and_drops_weaker_ones() -> None:
    gallery = [f"Bild {i}" for i in range(15)]  # a long run of short lines splits the article in two
    teaser = "Envoys meet again next week in Geneva to talk about prisoners, the paper reported on Friday."
    raw = "\n".join([*MENU, TITLE, *PROSE, *gallery, *PROSE[:3], *FOOTER, *gallery, teaser, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE, *PROSE[:3]]  # the gallery and the teaser go
    assert clean(raw, alone(ContentRegion(run_share=1))).text.split("\n\n") == PROSE  # only runs as strong as the densest


def test_content_region_takes_in_the_short_sentence_that_opens_or_closes_the_article_and_no_headline_or_menu() -> None:
    opening, closing = "Here is what we know so far.", "Keep talking, all of you!"
    teaser = "Envoys meet again next week in Geneva"  # a headline: no sentence end
    raw = "\n".join([*MENU, TITLE, opening, *PROSE, closing, "Thanks!", teaser, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [opening, *PROSE, closing]
    raw = "\n".join([*MENU, TITLE, *PROSE, "Impressum.", teaser, *FOOTER])  # a menu entry, even with a full stop
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE
    assert clean("\n".join([*MENU, opening, *PROSE, closing, *FOOTER]), alone(ContentRegion(edge_sentences=0))).text.split("\n\n") == PROSE


def test_content_region_takes_in_two_closing_sentences_but_not_a_third_nor_the_teasers_after_them() -> None:
    closing = ["Let us know what you think.", "See you all next week!"]  # short sentences, no prose
    teasers = ["Envoys meet again next week in Geneva", "Prisoner exchange delayed again"]
    raw = "\n".join([*MENU, TITLE, *PROSE, *closing, "Thanks for reading, everyone!", *teasers, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE, *closing]
    raw = "\n".join([*MENU, TITLE, *PROSE, teasers[0], *closing, *FOOTER])  # a teaser between: no closing line of the article
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_content_region_weighs_a_cookie_banner_as_chrome_however_long_and_keeps_article_sentences_about_cookies() -> None:
    banner = ["This website uses cookies to improve your experience while you navigate through the website and to show you "
              "content and advertising that is relevant to your interests and to the pages you have visited before.",
              "Wir verwenden Cookies, um Inhalte und Anzeigen zu personalisieren, Funktionen für soziale Medien anbieten zu können "
              "und die Zugriffe auf unsere Website zu analysieren, und geben Informationen an unsere Partner weiter.",
              "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad relacionada con sus "
              "preferencias mediante el análisis de sus hábitos de navegación y de las páginas que visita."]
    raw = "\n".join([*MENU, TITLE, *PROSE[:2], *FOOTER, *banner])  # the banner holds more words than the short article
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE[:2]
    cookies = "The envoys shared cookies baked by the embassy's cook during the long break in the talks on Tuesday."
    raw = "\n".join([*MENU, TITLE, PROSE[0], cookies, *PROSE[1:], *FOOTER])  # cookies named, no consent asked: text
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [PROSE[0], cookies, *PROSE[1:]]


def test_content_region_weighs_the_cookie_dialog_its_button_closes_as_chrome_and_no_article_text_after_a_banner() -> None:
    banner = "We use cookies on our website to give you the most relevant experience by remembering your preferences."
    dialog = ["Necessary", "Necessary cookies are absolutely essential for the website to function properly and securely, "
              "and they store no personal information about the visitors of the site.", "Cookie Duration Description",
              *(f"cookielawinfo-checkbox-{kind} 1 year Set by the GDPR Cookie Consent plugin, this cookie is used to record "
                f"the user consent for the cookies in the category {kind} on every visit." for kind in ("analytics", "functional", "others")),
              "Save & Accept"]
    raw = "\n".join([*MENU, TITLE, *PROSE[:2], *FOOTER, banner, *dialog])  # the dialog holds more words than the short article
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE[:2]
    recipe = ["These chocolate chip cookies keep for a week in a tin, and the dough freezes well for a month or more.",
              "Bake the cookies for twelve minutes, until the edges are golden and the middle is still soft to the touch."]
    raw = "\n".join([*MENU, banner, "Accept", TITLE, *recipe, *FOOTER])  # the banner's own button closes its dialog
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == recipe
    raw = "\n".join([*MENU, banner, TITLE, *recipe, "Save recipe", *FOOTER])  # 'Save recipe' is no consent button
    assert clean(raw, alone(ContentRegion())).text.split("\n\n")[:len(recipe)] == recipe
    festival = ["For 12 years the festival has opened with a concert in the old harbour, and this summer will be no different.",
                "Save the date: 12 July", "Tickets go on sale in May, the organisers said, and most events will again be free to attend."]
    raw = "\n".join([*MENU, banner, *festival, *PROSE, *FOOTER])  # 'For 12 years' is no row of a cookie table
    assert clean(raw, alone(ContentRegion())).text.split("\n\n")[-len(festival) - len(PROSE):] == [*festival, *PROSE]
    ours = "We tested which sites set tracking cookies before asking, and we found that most of them did exactly that."
    raw = "\n".join([*MENU, TITLE, ours, *recipe, *PROSE, *FOOTER])  # no button: an article's sentence opens no dialog
    assert clean(raw, alone(ContentRegion())).text.split("\n\n")[-len(recipe) - len(PROSE):] == [*recipe, *PROSE]


def test_content_region_keeps_the_list_a_run_introduces_up_to_the_first_chrome_line() -> None:
    intro = "Analysts listed the questions left open for the next round in Geneva:"
    items = ["Prisoner exchanges", "Energy exports", "Security guarantees"]
    raw = "\n".join([*MENU, TITLE, *PROSE, intro, *items, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE, intro, *items]  # the list ends at 'Kontakt'
    sidebar = ["Wirtschaft", "Sport heute"]  # 'Wirtschaft' is in the menu too: printed again, site chrome
    raw = "\n".join([*MENU, TITLE, *PROSE, intro, *items, *sidebar, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE, intro, *items]
    raw = "\n".join([*MENU, TITLE, *PROSE, *items, *FOOTER])  # short lines nothing introduces: chrome, as before
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_content_region_reaches_across_a_list_a_paragraph_introduces_and_not_across_one_a_heading_labels() -> None:
    intro = "The delegations named eight questions that the next round in Geneva must settle first:"
    items = [f"Question {i} of the agenda" for i in range(1, 9)]
    raw = "\n".join([*MENU, TITLE, *PROSE[:2], intro, *items, PROSE[2], *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE[:2], intro, *items, PROSE[2]]
    raw = "\n".join([*MENU, TITLE, *PROSE[:3], "Themen:", *items, PROSE[3], *FOOTER])  # a label, not a paragraph: a teaser list
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE[:3]


def test_content_region_keeps_the_standfirst_above_a_byline_and_any_share_row_but_not_across_a_teaser_strip_or_a_menu() -> None:
    standfirst = "The envoys left Riyadh without a date for the next round, but with a list of prisoners to exchange."
    byline, share = ["By Jane Doe", "19 November 2019"], ["Share", "Tweet"]
    raw = "\n".join([*MENU, TITLE, standfirst, *byline, *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [standfirst, *PROSE]
    strip = ["Politics", "Riyadh", "Geneva", "Prisoners", "Energy"]
    raw = "\n".join([*MENU, standfirst, *byline, *strip, *PROSE, *FOOTER])  # seven short lines between: a teaser strip
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE
    raw = "\n".join([*MENU, TITLE, standfirst, *byline, *share, "WhatsApp", "E-Mail", "Link kopieren", *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [standfirst, *PROSE]  # share buttons are the article's own
    raw = "\n".join([standfirst, "Home", "Politik", "Search", *PROSE, *FOOTER, *MENU])  # a menu between
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_content_region_keeps_a_long_standfirst_above_a_widget_of_labels_but_no_link_strip_nor_a_blurb_over_teasers_or_the_headline() -> None:
    standfirst = ("Ischgl has made a name for itself in summer as a freeride resort. The ski area in the Paznaun valley scores "
                  "with its lifts, which carry bikes up to the trails, and with trails built for riders of every level, from "
                  "families to racers.")  # forty words, and sentences: a standfirst, too long for a teaser's blurb
    rating = ["Spot rating", "Cross-country", "60%", "All-mountain", "70%", "Enduro", "80%", "Downhill", "80%"]
    body = [*PROSE, "Riders who prefer climbing will find fewer marked routes here, the guide says, and most of them follow "
                    "the roads that the lifts' maintenance crews use in summer."]
    raw = "\n".join([*MENU, TITLE, standfirst, *rating, *body, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [standfirst, *body]
    links = " ".join(["Choose vehicle brand", *(f"Brand{i} Model{i}" for i in range(20))])  # a strip run together: no sentence
    raw = "\n".join([*MENU, TITLE, links, *rating, *body, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == body
    raw = "\n".join([*MENU, TITLE, standfirst, *rating[:4], "Impressum", *rating[4:], *body, *FOOTER])  # a menu entry between
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == body
    teasers = ["Trending", "Why the envoys left Geneva without a deal", "Prisoner lists handed to the Red Cross at last"]
    raw = "\n".join([*MENU, TITLE, standfirst, *teasers, *rating, *body, *FOOTER])  # a teaser strip: the paragraph is a blurb
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == body
    headline = "Ischgl opens its trails for the summer season"
    raw = "\n".join([headline, *MENU, standfirst, headline, *rating, *body, *FOOTER])  # above the headline: not its standfirst
    assert standfirst not in clean(raw, alone(ContentRegion())).text


def test_content_region_keeps_the_standfirst_above_a_table_of_contents_but_not_above_a_strip_without_its_heading() -> None:
    standfirst = "The envoys left Riyadh without a date for the next round, but with a list of prisoners to exchange."
    contents = ["Who sat at the table", "What the prisoners' list holds", "Where the talks go next", "The timeline",
                "The mediators", "The guarantees", "What the envoys said"]
    raw = "\n".join([*MENU, TITLE, standfirst, "Inhaltsverzeichnis", *contents, *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [standfirst, *PROSE]  # the entries stay chrome
    raw = "\n".join([*MENU, TITLE, standfirst, "Table of contents:", *contents, *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [standfirst, *PROSE]
    raw = "\n".join([*MENU, TITLE, standfirst, "Top stories", *contents, *PROSE, *FOOTER])  # eight short lines: a teaser strip
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE
    raw = "\n".join([*MENU, TITLE, standfirst, "Home", "Contents", *contents, *PROSE, *FOOTER])  # a menu entry above the heading
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_a_sign_up_call_inside_a_whole_page_goes_and_the_region_around_it_stays() -> None:
    signup = "Never miss the latest news by signing up to our newsletter today!"
    raw = "\n".join([*MENU, TITLE, *PROSE[:2], signup, *PROSE[2:], *FOOTER])
    assert clean(raw).text.split("\n\n") == PROSE


BIO = "Jane Doe is a correspondent covering the war for the paper since 2019."  # prose-shaped: the region keeps it


def test_region_edges_remove_the_notice_just_inside_a_whole_pages_region_and_keep_its_paragraphs() -> None:
    raw = "\n".join([*MENU, TITLE, *PROSE, BIO, *FOOTER, "Example Media GmbH, Hauptstraße 1, 10115 Berlin"])
    without_pass = Pipeline(tuple(step for step in PIPELINE.steps if not isinstance(step, RegionEdges)))
    assert BIO in clean(raw, without_pass).text  # the first edge passes stop at the publisher's address
    result = clean(raw)
    assert result.text.split("\n\n") == PROSE
    assert result.removal_counts()[("author_bio", "author-bio")] == 1


def test_a_short_article_between_a_menu_and_a_bio_is_not_bridged_as_one_widget() -> None:
    raw = "\n".join([*MENU, TITLE, *PROSE, BIO, *FOOTER])
    assert clean(raw).text.split("\n\n") == PROSE


def test_author_section_takes_an_about_this_series_heading_and_the_blurb_under_it_in_the_last_third_only() -> None:
    blurb = "The foundation has offices in 110 countries; its staff report on events in the countries where they work."
    result = clean("\n".join([*PROSE, *PROSE, "Über diese Reihe", blurb]), alone(AuthorSection()))
    assert result.text.split("\n\n") == [*PROSE, *PROSE]
    assert result.removal_counts() == {("author_section", "about-series"): 2}
    kept = [PROSE[0], "About this series", blurb, *PROSE[1:], *PROSE]  # a series introduced at the top: the article's
    assert clean("\n".join(kept), alone(AuthorSection())).text.split("\n\n") == kept


def test_region_edges_leave_an_extracted_article_to_the_first_passes() -> None:
    step = RegionEdges(EdgeNotices((AuthorBio(),), bridge=None, links=None), headlines=None)
    lines = split_lines("\n".join([*PROSE, BIO]))
    assert step.find(Page(lines, "en", whole_page=False), {}) == []
    assert [line.text for line, _ in step.find(Page(lines, "en", whole_page=True), {})] == [BIO]


def test_captions_paywall_and_widget_lines_go_from_the_middle_of_an_extract_and_its_headings_and_lists_stay() -> None:
    article = [TITLE, PROSE[0], "Cristina Kirchner y Alberto Fernández en el Congreso (Foto: Natacha Pisarenko/Pool via REUTERS).",
               "Background", "- first round in Riyadh", "- second round in Geneva", PROSE[1], "To view the full story, please subscribe.",
               PROSE[2], "Externer Inhalt", "Video verfügbar bis 28.02.2021", PROSE[3]]
    result = clean("\n".join(article))
    assert result.text.split("\n\n") == [PROSE[0], "Background", "- first round in Riyadh", "- second round in Geneva", *PROSE[1:]]
    assert result.removal_counts() == {("caption_credit", "credits"): 1, ("paywall_prompt", "paywall-prompt"): 1, ("widget_text", "widget"): 2}


# --- counts ----------------------------------------------------------------------------


def test_removal_counts_add_up_per_rule_and_reason() -> None:
    result = clean("\n".join([TITLE, "0", "37", *PROSE, "Please leave a comment."]))
    assert result.removal_counts() == {("share_counter", "share-counter"): 2, ("tail_prompt", "comment-prompt"): 1}


def test_clean_text_summary_line_counts_the_removals(tmp_path: Path, cli: Callable) -> None:
    source = tmp_path / "in.jsonl"
    raw = "\n".join([TITLE, "0", "37", *PROSE, "Please leave a comment."])
    source.write_text("".join(json.dumps({"id": i, "text": raw}) + "\n" for i in ("a", "b")), encoding="utf-8")
    code, _, err = cli("clean-text", source, "--out", tmp_path / "out.jsonl")
    assert code == 0
    assert "2 documents cleaned" in err and "lines removed: share_counter/share-counter 4, tail_prompt/comment-prompt 2" in err


def test_the_sidecar_carries_the_removal_counts(tmp_root, cli: Callable) -> None:  # noqa: ANN001 (conftest's Root fixture)
    assert cli("clean", "--root", tmp_root.path)[0] == 0
    for sidecar in tmp_root.corpus.glob("*.json"):
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        counted = {(c["rule"], c["reason"]): c["lines"] for c in data["removal_counts"]}
        listed: dict[tuple[str, str], int] = {}
        for block in data["removed"]:
            listed[(block["rule"], block["reason"])] = listed.get((block["rule"], block["reason"]), 0) + 1
        assert counted == listed


# --- clean-text refuses what is not Unicode text, by file and line (issue 12) -------------------------


BAD_LINES = [
    ('{"id": "b", "text": "caf\\ud800 au lait"}', "line 2: 'text' holds a lone surrogate U+D800 at code point 3"),
    ('{"id": "\\udfff", "text": "x"}', "line 2: 'id' holds a lone surrogate U+DFFF at code point 0"),
    ('{"id": "b", "text": ' + "[" * 200_000 + "]" * 200_000 + "}", "line 2: not valid JSON: nested too deeply"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=["surrogate-in-text", "surrogate-in-id", "nested-200k-deep"])
def test_clean_text_refuses_unpaired_surrogates_and_deep_nesting_with_out(tmp_path: Path, cli: Callable, line: str, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": PROSE[0]}) + "\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("the previous run\n", encoding="utf-8")
    code, _, err = cli("clean-text", source, "--out", out)
    assert code == 2 and f"peacetalks clean-text: error: {source}: {message}" in err
    assert "Traceback" not in err and out.read_text(encoding="utf-8") == "the previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=["surrogate-in-text", "surrogate-in-id", "nested-200k-deep"])
def test_clean_text_refuses_unpaired_surrogates_and_deep_nesting_on_stdout(tmp_path: Path, cli: Callable, line: str, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": PROSE[0]}) + "\n" + line + "\n", encoding="utf-8")
    code, out, err = cli("clean-text", source)
    assert code == 2 and f"peacetalks clean-text: error: {source}: {message}" in err
    assert [json.loads(record)["id"] for record in out.splitlines()] == ["a"] and "Traceback" not in err


def test_patterns_anchored_at_the_start_are_tried_there_only_and_a_top_level_alternative_anywhere() -> None:
    from peacetalks.clean.lines import matches

    line = split_lines("xb")[0]
    assert matches([r"^a|b"])(line)  # 'b' is its own alternative, searched anywhere
    assert not matches([r"^(a|b)"])(line) and not matches([r"^[|]b"])(line)
    assert matches([r"^x", r"b$"])(line) and matches([r"^(y|x)b$"])(line)


def test_content_region_keeps_the_headline_the_page_title_prints_again_and_no_teaser_headline_above_it() -> None:
    title_line = f"{TITLE} | Peace Talks Daily"  # the window title, the first line of a whole page
    teaser = "Envoys meet again next week in Geneva"  # a headline too, but not the page's
    raw = "\n".join([title_line, *MENU, teaser, TITLE, "19 November 2019", *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [TITLE, *PROSE]
    raw = "\n".join([title_line, *MENU, TITLE, *(f"Rubrik {i}" for i in range(8)), *PROSE, *FOOTER])  # a strip between: too far
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_content_region_keeps_the_opening_paragraphs_a_caption_parts_from_the_body_but_not_across_a_menu() -> None:
    opening = ["The envoys left Riyadh without a date for the next round, but with a list of prisoners to exchange.",
               "Both sides said the list was the first thing they had agreed on in three years of on-and-off talks."]
    caption, ad = ["Photo: the delegations in Riyadh", "Reuters"], ["Anzeige", "19 November 2019"]  # an ad label and a date
    raw = "\n".join([*MENU, TITLE, opening[0], *caption, opening[1], *ad, *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*opening, *PROSE]
    assert clean(raw, alone(ContentRegion(lead_paragraphs=1))).text.split("\n\n") == [opening[1], *PROSE]  # the standfirst only
    raw = "\n".join([*MENU, opening[0], "Home", "Politik", opening[1], *ad, *PROSE, *FOOTER])  # a menu between: a teaser above it
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [opening[1], *PROSE]


def test_content_region_keeps_the_deck_under_the_page_titles_headline_and_drops_the_byline_and_date_between() -> None:
    title_line = f"{TITLE} | Peace Talks Daily"
    deck = "Why the envoys who met in Riyadh still have no date for the next round of talks"  # no sentence end: no prose
    raw = "\n".join([title_line, *MENU, TITLE, deck, "By Jane Doe", "19 November 2019", *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [TITLE, deck, *PROSE]
    assert clean("\n".join(raw.split("\n")[1:]), alone(ContentRegion())).text.split("\n\n") == PROSE  # no title: no headline, no deck


def test_content_region_keeps_the_headline_a_title_that_names_the_site_first_ends_with() -> None:
    raw = "\n".join([f"Peace Talks Daily - {TITLE}", *MENU, TITLE, *PROSE, *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [TITLE, *PROSE]
    raw = "\n".join([f"Peace Talks Daily - {TITLE} - Archive", *MENU, TITLE, *PROSE, *FOOTER])  # inside the title only: not its headline
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


def test_content_region_keeps_a_paragraph_between_two_runs_of_the_article_and_drops_the_gallery_around_it() -> None:
    gallery = [f"Bild {i}" for i in range(8)]
    among = "The delegations posed for pictures in the garden of the embassy before the second session began."
    sentence = "The garden was closed to the press."  # too short for prose, but a sentence
    subheading = "What the delegations said to each other in the garden of the embassy"  # a deck's length, no menu entry
    raw = "\n".join([*MENU, TITLE, *PROSE, *gallery, among, *gallery, sentence, *gallery, subheading, *PROSE[:3], *FOOTER])
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == [*PROSE, among, sentence, subheading, *PROSE[:3]]
    raw = "\n".join([*MENU, TITLE, *PROSE, *FOOTER, *gallery, among, *FOOTER])  # after the article's last line: a teaser
    assert clean(raw, alone(ContentRegion())).text.split("\n\n") == PROSE


# --- a notice's words in an article's own sentences (an outsider's attack on 1.10) -------------------------

IN_THE_MIDDLE = [  # sentences that use a prompt's, a widget's or a related-links label's words, inside an extracted article
    "Ukraine hopes to become a member of the European Union by the end of the decade.",
    "Under the new rule, customers must be able to cancel at any time with a single click.",
    "Unterstützen Sie die Forderung nach einem sofortigen Waffenstillstand?",
    "Related negotiations over grain exports are due to resume in Istanbul next week.",
    "Más información sobre los requisitos se conocerá en las próximas semanas, según el ministerio.",
    "Auch lesen immer weniger junge Menschen regelmäßig Nachrichten im Internet.",
    "With this button, drivers can call the emergency services automatically after a crash.",
    "If your browser cannot verify the certificate, it shows a warning instead of the page.",
]
AT_THE_END = [  # an article's closing sentence that uses a prompt's, a credit's or a copyright notice's words
    "The war may be over, but the fear is still here.",
    "Residents can register for the evacuation buses at the town hall until Friday.",
    "Despite the ban, 30 million people still follow him on Twitter.",
    "The European Union will consider supporting the plan at its summit in March.",
    "The first issue of the new newsletter goes out on Monday.",
    "Copyright lawyers expect the ruling to be appealed within weeks.",
    "The names of the victims may not be published under Swiss law.",
    "Getty Images said it would appeal the ruling.",
    "Published in 1851, the novel sold fewer than three thousand copies in its author's lifetime.",
    "The victim was a freelance journalist who had worked in Gaza for a decade.",
]
STILL_NOTICES = [  # the notices the same rules must still take from an article's end
    "Follow us on Twitter for the latest news.",
    "Subscribe now to our eNATION edition for the full story.",
    "For the latest stories and breaking news updates download the Nationnews apps for iOS and Android.",
    "Das erfährst du hier.",
    "Photograph by Robyn Beck/AFP/Getty Images",
    "Published 11:11 PM EST Nov 19, 2019",
    "Evan V. Symon is the Senior Editor for the California Globe.",
    "Copyright ⓒ Entermedia.co.kr. 무단전재 및 재배포 금지",
]


@pytest.mark.parametrize("sentence", IN_THE_MIDDLE)
def test_an_article_sentence_that_uses_a_notices_words_stays_in_the_middle_of_an_extract(sentence: str) -> None:
    assert sentence in clean("\n\n".join([TITLE, *PROSE[:2], sentence, *PROSE[2:]])).text


@pytest.mark.parametrize("sentence", AT_THE_END)
def test_an_article_sentence_that_uses_a_notices_words_stays_at_the_end_of_an_extract(sentence: str) -> None:
    assert sentence in clean("\n\n".join([TITLE, *PROSE, sentence])).text


@pytest.mark.parametrize("notice", STILL_NOTICES)
def test_the_notices_those_words_come_from_still_go_from_the_end_of_an_extract(notice: str) -> None:
    result = clean("\n\n".join([TITLE, *PROSE, notice]))
    assert notice not in result.text and PROSE[-1] in result.text


def test_headlines_about_copyright_and_twitter_stay_above_the_article() -> None:
    for headline in ("Copyright ruling hits AI firms", "Why millions still follow Trump on Twitter", "Why the fear is still here"):
        result = clean("\n\n".join([headline, *PROSE]))
        assert headline in (result.title.text if result.title else "") + result.text


def test_the_rule_table_in_benchmarks_md_is_the_one_the_rule_objects_generate() -> None:
    """The table is generated (``benchmarks/boilerplate.py --write``) from each rule's docstring and parameters; a rule
    changed without regenerating it fails here, with or without the development sets."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from boilerplate import BENCHMARKS_MD, rule_table

    assert rule_table() in BENCHMARKS_MD.read_text(encoding="utf-8"), "BENCHMARKS.md's rule table is stale: run benchmarks/boilerplate.py --write"
