"""Stage 2, the cleaner: each rule on a minimal example, the seeds' exact behaviour, and `clean-text`."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import load_benchmark
from peacetalks.clean import Pipeline, clean, split_lines
from peacetalks.clean.lines import ends_like_a_sentence, matches, plain_word_counts
from peacetalks.clean.rules import MetadataBlock
from peacetalks.corpus import load_document
from peacetalks.language import STOPWORD_SPELLINGS, dominant_script, language_of, upper_forms
from peacetalks.seeds import iter_seeds
from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
SHARED_SET = REPO.parent / "shared" / "eval" / "boilerplate" / "aeb_pairs.jsonl"

PROSE = [
    "The delegations met in Riyadh on Tuesday and agreed to keep talking about a ceasefire in the east.",
    "Officials on both sides said the first round was constructive, although no date was set for another meeting.",
    "European governments asked to take part in any further talks that concern the security of the continent.",
    "Analysts cautioned that the positions of the two countries remain far apart on territory and guarantees.",
]
TITLE = "Envoys agree to keep talking after first round in Riyadh"


def removals(raw: str) -> dict[str, tuple[str, str]]:
    """Removed line text -> (rule, reason)."""
    return {r.line.text: (r.removal.rule, r.removal.reason) for r in clean(raw).removed}


def article(*extra_after: str, before: tuple[str, ...] = ()) -> str:
    return "\n\n".join([*before, *PROSE, *extra_after])


# --- rules, one minimal example each -----------------------------------------------


def test_share_counter_removes_bare_counts_beside_the_title() -> None:
    raw = "\n".join([TITLE, "0", "37", *PROSE])
    assert removals(raw) == {"0": ("share_counter", "share-counter"), "37": ("share_counter", "share-counter")}


def test_share_counter_keeps_a_table_laid_out_one_cell_a_line() -> None:
    cells = [cell for row in (("1", "Kyle Busch", "5040", "5"), ("2", "Martin Truex", "5035", "7")) for cell in row]
    raw = "\n".join([TITLE, *PROSE, *cells, *cells])
    assert not clean(raw).removed


def test_share_counter_keeps_a_number_standing_alone_in_the_body() -> None:
    raw = "\n".join([*PROSE, "1991", *(f"{p[:-1]}, they added." for p in PROSE)])
    assert "1991" in clean(raw).text.split("\n\n")


@pytest.mark.parametrize(("prompt", "reason"), [
    ("We appreciate your thoughts. Please leave a comment.", "comment-prompt"),
    ("Deixe seu comentário abaixo.", "comment-prompt"),
    ("Sign up for our newsletter to get the day's news in your inbox.", "subscribe-prompt"),
    ("Abonnez-vous à notre lettre.", "subscribe-prompt"),
    ("Like this story? Share it with a friend!", "subscribe-prompt"),
])
def test_tail_prompt_removes_multilingual_prompts_after_the_last_paragraph(prompt: str, reason: str) -> None:
    assert removals(article(prompt)) == {prompt: ("tail_prompt", reason)}


def test_tail_prompt_keeps_the_same_words_inside_the_article() -> None:
    sentence = "Officials urged citizens to sign up for evacuation buses before the talks began on Tuesday."
    raw = "\n".join([PROSE[0], sentence, *PROSE[1:]])
    assert sentence in clean(raw).text


@pytest.mark.parametrize(("line", "rule", "reason"), [
    ("(Reporting by Jane Doe; Editing by John Roe)", "tail_credit", "credits"),
    ("Updated at 1:23 p.m.", "tail_credit", "credits"),
    ("© 2025 Example Media. All rights reserved.", "tail_copyright", "copyright"),
    ("This copy is for your personal, non-commercial use only. Distribution and use of this material are governed by our "
     "Subscriber Agreement and by copyright law. For non-personal use or to order multiple copies, please contact us.",
     "tail_copyright", "copyright"),
    ("This copy is for your personal, non-commercial use only.", "tail_copyright", "copyright"),
    ("Write to Jane Doe at jane.doe@example.org", "tail_contact", "contact-link"),
    ("Follow @janedoe for updates", "tail_contact", "contact-link"),
    ("peace talks, riyadh, ukraine war, ceasefire, diplomacy", "tail_tags", "tag-list"),
    ("Advertisement", "advertisement", "advertisement"),
    ("Read more: What we know about the talks", "related_links", "related-links"),
    ("Jane Doe is a correspondent covering the war for the paper.", "author_bio", "author-bio"),
])
def test_tail_rules_remove_trailing_credits_notices_and_links(line: str, rule: str, reason: str) -> None:
    assert removals(article(line)) == {line: (rule, reason)}


def test_contact_rule_reaches_only_up_from_the_end() -> None:
    line = "More info: www.example.org"
    raw = "\n".join([line, *PROSE])
    assert line not in removals(raw)


def test_tail_bullets_of_headlines_are_related_links() -> None:
    bullets = ["• Trump and Putin to begin talks to end the war", "• How many troops could Europe send to Ukraine?"]
    assert removals(article(*bullets)) == {b: ("related_links", "related-links") for b in bullets}


def test_a_list_introduced_by_a_colon_is_content_even_at_the_end() -> None:
    items = ["- Hundreds of tasks that will make the evening more interesting", "- Dozens of questions to know each other better"]
    raw = article("The new edition includes:", *items)
    assert all(item in clean(raw).text for item in items)


def test_a_lone_bullet_headline_between_paragraphs_is_a_related_link() -> None:
    bullet = "• UK handed leadership role in Ukraine defence group"
    raw = "\n".join([*PROSE[:2], bullet, *PROSE[2:]])
    assert removals(raw) == {bullet: ("related_links", "related-links")}


def test_alternating_bullets_and_paragraphs_are_a_definition_list() -> None:
    items = ["- Elektronische Fallakte mit allen Befunden (eFA)", "- Elektronische Gesundheitsakte der Versicherten (eGA)"]
    raw = "\n".join([PROSE[0], items[0], PROSE[1], items[1], PROSE[2], PROSE[3]])
    assert all(item in clean(raw).text for item in items)


def test_repeated_line_drops_a_block_of_paragraphs_printed_again_and_the_headline_repeated() -> None:
    raw = "\n".join([TITLE, *PROSE, "Sign in to read more", TITLE, *PROSE[:3]])
    assert removals(raw) == {TITLE: ("repeated_line", "duplicate"), **{p: ("repeated_line", "duplicate") for p in PROSE[:3]}}
    assert clean(raw).text.split("\n\n") == [*PROSE, "Sign in to read more"]


def test_repeated_line_drops_the_headline_printed_twice_in_a_row_and_keeps_the_one_over_the_article_on_a_whole_page() -> None:
    assert removals("\n".join([TITLE, TITLE, *PROSE])) == {TITLE: ("repeated_line", "duplicate")}
    notice = "You are using an outdated browser. Please upgrade your browser to improve your experience and security."
    for above_the_menu in ([], [notice]):  # a notice above the menu is no paragraph of the article
        page = "\n".join([TITLE, *above_the_menu, "Home", "Politik", "Wirtschaft", "Kontakt", "Impressum", TITLE, *PROSE, "Datenschutz"])
        assert "repeated_line" not in {r.removal.rule for r in clean(page).removed}
        assert clean(page).title.text == TITLE
    question = "Why did the envoys leave Geneva without a date for the next round of talks?"  # a title that reads as a paragraph
    page = "\n".join([question, "Home", "Politik", "Wirtschaft", "Kontakt", "Impressum", question, *PROSE, "Datenschutz"])
    assert question in [clean(page).title.text if clean(page).title else None, *clean(page).text.split("\n\n")]


def test_repeated_line_keeps_a_repeated_question_and_repeated_short_steps() -> None:
    question = "What inspired you to start writing about the negotiations in the first place?"
    steps = ["Eat every 2-3 hours", "Drink within 30 minutes after your workout", "Sleep at least eight hours"]
    raw = "\n".join([PROSE[0], question, PROSE[1], *steps, question, PROSE[2], *steps, PROSE[3]])
    assert not clean(raw).removed


def test_tail_block_drops_the_short_lines_of_a_widget_between_two_notices() -> None:
    widget = ["Daily Briefing Newsletter", "Thanks for signing up!", "Sorry!", "There was an error processing your subscription.",
              "© 2019 Example Media. All rights reserved."]
    assert removals(article(*widget)) == {
        widget[0]: ("tail_prompt", "subscribe-prompt"), widget[-1]: ("tail_copyright", "copyright"),
        **{line: ("tail_block", "between-boilerplate") for line in widget[1:-1]}}


def test_tail_block_keeps_list_items_and_notes_between_links() -> None:
    notes = ["Editor's note: This story was updated at 5:45 p.m. to include details.", "1) Envoys meet in Riyadh"]
    bullets = ["- Trump and Putin to begin talks to end the war", "- How many troops could Europe send to Ukraine?"]
    raw = article(*bullets, *notes, "© 2019 Example Media. All rights reserved.")
    assert all(note in clean(raw).text for note in notes)
    raw = article(notes[0], *bullets, "© 2019 Example Media. All rights reserved.")  # a bullet is no anchor for a bridge
    assert notes[0] in clean(raw).text


def test_tail_links_with_teasers_continue_a_list_of_bulleted_headlines() -> None:
    teasers = ["- Jones tells a story from the nineties The owner might have hired the coach before he went to Boston",
               "- Office pool picks for week 12 The computer just locked in its picks for the week."]
    links = ["- Pats place Olszewski on injured reserve", "- Rams top Bears as offenses struggle on a cold night"]
    assert removals(article(*teasers, *links)) == {line: ("related_links", "related-links") for line in (*teasers, *links)}


def test_tail_links_do_not_swallow_a_short_list_before_them() -> None:
    teams = ["- England: tenth appearance", "- Czech Republic: seventh appearance"]
    links = ["- Pochettino fired by Tottenham after five years", "- Messi accepts challenge from Cavani in Doha"]
    raw = article("Qualified teams", *teams, *links)
    assert all(team in clean(raw).text for team in teams)


def test_tail_tags_drop_a_tag_heading_and_a_long_list_of_longer_tags() -> None:
    tags = "stock car 2018, stock car brasil, stock car santa cruz do sul, interlagos, tarumã, cascavel, velopark, londrina"
    assert removals(article("Tags", tags)) == {"Tags": ("tail_tags", "tag-list"), tags: ("tail_tags", "tag-list")}
    assert removals(article("Filed under: Diplomacy |")) == {"Filed under: Diplomacy |": ("tail_tags", "tag-list")}


def test_tail_tags_keep_a_closing_sentence_that_starts_with_topics() -> None:
    closing = "Topics for the next round include prisoners and energy."
    assert closing in clean(article(closing)).text


def test_footnotes_marked_with_an_asterisk_are_not_links() -> None:
    footnotes = ["* Dates subject to change by the organiser", "* Calendar published by the league in January"]
    raw = article(*footnotes, "Tags")
    assert all(note in clean(raw).text for note in footnotes)


def test_tail_about_drops_the_company_paragraph_that_closes_a_press_release() -> None:
    about = ["About Acme", "Acme is a global solutions provider focused on secure messaging for hospitals and clinics.",
             "Acme is headquartered in Baar (Switzerland) and employs around 1,300 people worldwide."]
    assert removals(article(*about)) == {line: ("tail_about", "about-company") for line in about}


def test_tail_about_keeps_a_closing_sentence_about_a_company_in_the_story() -> None:
    closing = ["The company is a major supplier of the army, and its role in any deal is still unclear.",
               "This is a group that will matter in the next round of talks, the envoy said."]
    raw = article(*closing)
    assert all(line in clean(raw).text for line in closing)


def test_link_prompt_drops_a_short_closing_line_that_points_here() -> None:
    line = "You can view our June 2018 open thread here."
    assert removals(article(line)) == {line: ("tail_prompt", "link-prompt")}


def test_link_prompt_keeps_a_closing_paragraph_that_ends_with_here() -> None:
    closing = ("We travelled to the talks ourselves and called them an incredible feat when they work, "
               "and you can read our full account of the first round here.")
    assert closing in clean(article(closing)).text


@pytest.mark.parametrize("line", [
    "[Related: Envoys agree to keep talking after first round]",
    "(Leggi anche su: I negoziati di pace riprendono a Riad)",
    "Also on example.com Envoys agree to keep talking after first round in Riyadh",
])
def test_related_prompts_in_brackets_or_naming_a_site_are_links(line: str) -> None:
    raw = "\n".join([*PROSE[:2], line, *PROSE[2:]])
    assert removals(raw) == {line: ("related_links", "related-links")}


def test_a_sentence_starting_with_also_on_is_kept() -> None:
    sentence = "Also on Tuesday, officials said the talks would continue in Geneva next week."
    raw = "\n".join([*PROSE[:2], sentence, *PROSE[2:]])
    assert sentence in clean(raw).text


def test_metadata_block_drops_a_run_of_timestamps_and_bare_addresses() -> None:
    metadata = ["2019-11-19T08:57:40+01:00", "2019-11-19T07:23:12+01:00", "https://example.com/images/logo.png", "ExampleNewsDe"]
    raw = "\n".join([*PROSE[:2], *metadata, *PROSE[2:]])
    assert removals(raw) == {line: ("metadata_block", "page-metadata") for line in metadata}


def test_metadata_block_keeps_a_lone_link_and_a_run_of_single_words() -> None:
    lines = ["Claim", "Rating", "https://amzn.to/2A6mxCW", "False"]
    raw = "\n".join([*PROSE[:2], *lines, *PROSE[2:]])
    assert all(line in clean(raw).text.split("\n\n") for line in lines)


def test_metadata_block_keeps_a_list_of_bare_links_to_the_sources() -> None:
    sources = ["Quellen:", "https://science.example.org/content/341/833", "https://www.example.de/wissen/crispr", "https://example.com/a-1"]
    raw = "\n".join([*PROSE, *sources])
    assert all(line in clean(raw, Pipeline((MetadataBlock(),))).text.split("\n\n") for line in sources)


def test_embedded_post_bylines_are_kept() -> None:
    byline = "— Rep. Jane Doe (@janedoe) November 19, 2019"
    raw = article("We must apply a system of compassion to criminal justice, she wrote on the platform.", byline)
    assert byline in clean(raw).text


def test_tail_headlines_after_the_last_paragraph_are_related_links() -> None:
    heading, links = "You may also like", ["Who will make the Rock Hall of Fame in the year 2020?", "Dave Matthews Band takes over the Rock Hall Fan Vote"]
    assert removals(article(heading, *links)) == {heading: ("related_links", "related-links"),
                                                  **{line: ("tail_headlines", "related-links") for line in links}}


def test_tail_headlines_keep_a_data_list() -> None:
    dates = ["June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre", "June 10 – Tampa, FL @ Credit Union Amphitheatre",
             "June 14 – Alpharetta, GA @ Ameris Bank Amphitheatre"]
    raw = article(*dates)
    assert all(date in clean(raw).text for date in dates)


def test_capitalised_statement_headlines_are_links_but_short_capital_subheadings_stay() -> None:
    link, subheading = "SEAN SPICER IS ELIMINATED FROM THE DANCE SHOW TONIGHT", "NISSAN SENTRA"
    raw = "\n".join([PROSE[0], link, PROSE[1], subheading, *PROSE[2:]])
    result = clean(raw)
    assert removals(raw) == {link: ("related_links", "related-links")}
    assert subheading in result.text


def test_author_section_drops_the_heading_and_everything_after_it() -> None:
    bio = "Si Juan dela Cruz ay naging editor ng isang lokal na pahayagan sa lalawigan ng Laguna."
    assert removals(article("Author profile", bio)) == {
        "Author profile": ("author_section", "author-bio"), bio: ("author_section", "author-bio")}


def test_a_closing_paragraph_in_another_language_is_kept() -> None:
    quote = "Der Sender ist ein unabhängiges Medium und wird von seinen Hörern und Lesern finanziert."
    assert quote in clean(article(quote)).text  # a quote, or a multilingual page: no evidence of boilerplate


def test_lead_block_keeps_the_headline_as_title_and_drops_the_dateline() -> None:
    dateline = "5:45 AM PST 11/19/2019 by Jane Doe"
    result = clean("\n".join([TITLE, dateline, *PROSE]))
    assert result.title is not None and result.title.text == TITLE
    assert {r.line.text: r.removal.rule for r in result.removed} == {dateline: "lead_chrome"}
    assert result.text.startswith(PROSE[0])


@pytest.mark.parametrize("stamp", ["segunda-feira, 22 de janeiro de 2018 às 0:13", "- Published 18 November 2019",
                                   "Published 11:34 PM EST Nov 19, 2019", "기사입력 :[ 2018-08-25 15:24 ]"])
def test_head_dateline_drops_a_date_stamp_among_the_first_lines(stamp: str) -> None:
    raw = "\n".join([TITLE, PROSE[0], stamp, *PROSE[1:]])  # below a standfirst, out of the lead block's reach
    assert removals(raw) == {stamp: ("head_dateline", "dateline-byline")}


def test_head_dateline_keeps_headings_with_a_year_and_dates_further_down() -> None:
    heading, dated = "Top 10 talks of 2019", "On 22 January 2018 the envoys met again."
    raw = "\n".join([heading, "- Riyadh, February", "- Geneva, March", *PROSE[:3], dated, PROSE[3]])
    assert heading in clean(raw).text.split("\n\n") and dated in clean(raw).text


def test_a_headline_that_asks_is_still_the_title() -> None:
    question = "Will the envoys meet again before the end of the month?"
    result = clean("\n".join([question, *PROSE]))
    assert result.title is not None and result.title.text == question
    assert result.text.split("\n\n") == PROSE


def test_lead_block_leaves_an_opening_list_alone() -> None:
    raw = "\n".join(["Codes to try", "- player.setav speedmult 100", "- player.setav health 50", *PROSE])
    assert "- player.setav health 50" in clean(raw).text


NAVIGATION = ["Home", "Search", "Log in"]
LEGAL = ["Contact us", "Impressum", "Privacy policy"]


def whole_page(article_lines: list[str], menu: int = 30, footer: int = 15) -> str:
    """An article inside a page: a menu above (with its 'Home' and 'Search'), a footer of legal links below."""
    top = [*NAVIGATION, *(f"Section {i}" for i in range(menu))]
    bottom = [*(f"Footer link {i}" for i in range(footer)), *LEGAL]
    return "\n".join([*top, TITLE, *article_lines, *bottom])


def test_content_region_keeps_the_densest_run_of_prose_and_drops_the_page_around_it() -> None:
    subheading = "What happens next"
    result = clean(whole_page([*PROSE[:2], subheading, *PROSE[2:]]))
    assert result.text.split("\n\n") == [*PROSE[:2], subheading, *PROSE[2:]]
    reasons = {r.line.text: r.removal.reason for r in result.removed}
    assert reasons["Section 0"] == reasons["Footer link 14"] == "page-chrome"
    assert reasons["Home"] == reasons["Impressum"] == "navigation"  # menu and legal links at the page's edges


def test_content_region_cuts_readers_comments_off_the_article() -> None:
    comments = ["Comments", "Jane on September 12, 2018 at 4:47 pm said:",
                "I think this is the most sensible analysis of the talks that I have read so far this year."]
    result = clean(whole_page([*PROSE, *comments]))
    assert result.text.split("\n\n") == PROSE
    assert {r.line.text: r.removal.rule for r in result.removed}["Comments"] == "comment_section"


def test_content_region_leaves_extracted_articles_alone() -> None:
    raw = "\n".join([*PROSE, *(f"Footer link {i}" for i in range(15))])
    assert all(r.removal.rule != "content_region" for r in clean(raw).removed)


def test_content_region_leaves_list_like_articles_alone() -> None:
    # most prose lies scattered between short lines: the densest run is not the article
    items = [line for i in range(12) for line in (f"Meal {i}", f"Eat {i} cups of vegetables with some rice and a little chicken.")]
    raw = "\n".join([*(f"Section {i}" for i in range(12)), *items, PROSE[0]])
    assert all(r.removal.rule != "content_region" for r in clean(raw).removed)


def test_chinese_and_japanese_lines_count_by_characters() -> None:
    sentences = [f"先日、不正に改造したスマートフォンを販売したとして、商標法違反の疑いで男性が逮捕されたというニュースを耳にしました{i}。"
                 for i in range(4)]  # distinct: a block printed twice is a repeat
    result = clean(whole_page(sentences))
    assert result.text.split("\n\n") == sentences


def test_every_removed_block_records_its_raw_span() -> None:
    raw = whole_page(PROSE)
    for block in clean(raw).removed:
        assert raw[block.line.start:block.line.end] == block.line.text


# --- the seeds, exactly ----------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {seed.id: raw for seed, raw in iter_seeds(Root(REPO))}


def corpus_text(doc_id: str) -> str:
    return load_document(Root(REPO), doc_id).text


def test_seed_004_boilerplate_is_gone_from_the_corpus(seeds: dict[str, str]) -> None:
    doc_id = next(i for i in seeds if i.startswith("004_"))
    lines = corpus_text(doc_id).split("\n\n")
    for gone in ("0", "37", "Author profile", "We appreciate your thoughts. Please leave a comment."):
        assert gone not in lines
    assert "editor-in-chief ng Newsworld" not in corpus_text(doc_id)
    assert clean(seeds[doc_id]).title.text.startswith("Trump claims Putin and Zelenskiy want peace")


def test_seed_001_related_article_bullets_are_gone(seeds: dict[str, str]) -> None:
    doc_id = next(i for i in seeds if i.startswith("001_"))
    bullets = [line.text for line in split_lines(seeds[doc_id]) if line.text.startswith("•")]
    assert len(bullets) == 3
    assert not any(bullet in corpus_text(doc_id) for bullet in bullets)


def test_no_seed_loses_a_body_line(seeds: dict[str, str]) -> None:
    for raw in seeds.values():
        result = clean(raw)
        gone = {r.line.index for r in result.removed} | ({result.title.index} if result.title else set())
        kept = [line.text for line in split_lines(raw) if line.index not in gone]
        assert result.text.split("\n\n") == kept


def test_seed_000_is_flagged_as_ending_mid_sentence(seeds: dict[str, str]) -> None:
    doc_id = next(i for i in seeds if i.startswith("000_"))
    assert "ends_mid_sentence" in load_document(Root(REPO), doc_id).sidecar.flags


def test_cleaning_is_deterministic(seeds: dict[str, str]) -> None:
    for raw in seeds.values():
        first, second = clean(raw), clean(raw)
        assert (first.text, first.removed, first.alignment) == (second.text, second.removed, second.alignment)


def test_clean_check_passes_on_the_repository_and_fails_after_a_corpus_edit(tmp_root: Root, cli: Callable) -> None:
    assert cli("clean", "--check", "--root", tmp_root.path)[0] == 0
    path = next(tmp_root.corpus.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "An added sentence.\n", encoding="utf-8")
    code, out, _ = cli("clean", "--check", "--root", tmp_root.path)
    assert code == 1 and path.stem in out


# --- clean-text -------------------------------------------------------------------


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_clean_text_writes_the_same_result_as_clean(tmp_path: Path, cli: Callable) -> None:
    raw = "\n".join([TITLE, "0", "37", *PROSE, "Please leave a comment."])
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": raw}, {"id": "b", "text": PROSE[0]}])
    code, _, err = cli("clean-text", source, "--out", tmp_path / "out.jsonl")
    assert code == 0 and "2 documents" in err
    first, second = (json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    result = clean(raw)
    assert first == {
        "id": "a", "text": result.text, "title": TITLE,
        "removed": [{"start": r.line.start, "end": r.line.end, "rule": r.removal.rule, "reason": r.removal.reason, "text": r.line.text}
                    for r in result.removed],
        "flags": list(result.flags), "language": "en",
    }
    assert [raw[b["start"]:b["end"]] for b in first["removed"]] == ["0", "37", "Please leave a comment."]
    assert second["id"] == "b" and second["text"] == PROSE[0]


def test_clean_text_reads_stdin_and_writes_stdout(monkeypatch: pytest.MonkeyPatch, cli: Callable) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"id": "x", "text": "\n".join(PROSE)}) + "\n"))
    code, out, _ = cli("clean-text")
    assert code == 0 and json.loads(out)["text"] == "\n\n".join(PROSE)


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 2: not valid JSON"),
    (json.dumps({"id": "b"}), "line 2: missing 'text'"),
    (json.dumps({"text": "x"}), "line 2: missing 'id'"),
    (json.dumps(["b", "x"]), "line 2: expected a JSON object"),
    (json.dumps({"id": "b", "text": 3}), "line 2: 'text' must be a str"),
])
def test_clean_text_refuses_a_bad_line_by_number_and_writes_nothing(tmp_path: Path, cli: Callable, line: str, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": PROSE[0]}) + "\n" + line + "\n", encoding="utf-8")
    code, _, err = cli("clean-text", source, "--out", tmp_path / "out.jsonl")
    assert code == 2 and f"{source}: {message}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_clean_text_accepts_a_bom_and_refuses_invalid_utf8(tmp_path: Path, cli: Callable) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": PROSE[0]}).encode("utf-8") + b"\n")
    assert cli("clean-text", source)[0] == 0
    source.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    code, _, err = cli("clean-text", source, "--out", tmp_path / "out.jsonl")
    assert code == 2 and f"{source}: not valid UTF-8" in err and not (tmp_path / "out.jsonl").exists()


def test_clean_text_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    from peacetalks.cli import main

    with pytest.raises(SystemExit):
        main(["clean-text", "--help"])
    assert "Example:\n  peacetalks clean-text pages.jsonl --out clean.jsonl" in capsys.readouterr().out


def test_a_matcher_finds_what_each_of_its_patterns_finds_however_they_are_combined() -> None:
    test = matches([r"^home$", r"\bsign up\b", r"\bfoo|bar", r"[,!]\s*he said", r"\bend$"])  # anchored, shared \b, alternation, other
    found = {text: test(split_lines(text)[0]) for text in
             ["Home", "my home", "Please sign up today", "resign upward", "xfoo", "foo", "sidebar", "no, he said", "the end", "legend"]}
    assert found == {"Home": True, "my home": False, "Please sign up today": True, "resign upward": False, "xfoo": False, "foo": True,
                     "sidebar": True, "no, he said": True, "the end": True, "legend": False}


TRICKY_TEXTS = ["Don't re-read U.S. policy", "l’homme d'État — 3.5 km_h", "Путин и Трамп", "日本語のテキスト", "İstanbul ÇAĞ",
                "", "42 — 17", "abcабв", "абвabc", "Ωmega éclair"]


def test_a_pages_word_counts_are_the_word_runs_of_its_text() -> None:
    for text in TRICKY_TEXTS:
        lines = split_lines(text)
        assert plain_word_counts(lines) == Counter(re.findall(r"\w+", "\n".join(line.text for line in lines))), text


def test_a_sentence_end_is_a_terminal_mark_perhaps_inside_closers_or_a_closing_quote() -> None:
    ends = {text: ends_like_a_sentence(text) for text in
            ["He left.", "He left.”", "Why?)»", "Done…", "完了。", "“Quoted”", "a ') ", "(a)", "a)", "", ")", ".", "'", "x .'x"]}
    assert ends == {"He left.": True, "He left.”": True, "Why?)»": True, "Done…": True, "完了。": True, "“Quoted”": True,
                    "a ') ": False, "(a)": False, "a)": False, "": False, ")": False, ".": True, "'": False, "x .'x": False}


def test_the_dominant_script_counts_every_letter_and_a_tie_goes_to_the_script_met_first() -> None:
    def named_letter_by_letter(text: str) -> str:  # the definition: every letter named, scripts in order of appearance
        scripts = Counter(unicodedata.name(char).split(" ")[0] for char in text if char.isalpha())
        return scripts.most_common(1)[0][0] if scripts else "NONE"

    assert [dominant_script(text) for text in TRICKY_TEXTS] == [named_letter_by_letter(text) for text in TRICKY_TEXTS]
    assert (dominant_script("abcабв"), dominant_script("абвabc"), dominant_script("42 — 17")) == ("LATIN", "CYRILLIC", "NONE")



def test_every_spelling_that_lowers_to_a_stopword_is_found_by_the_spelling_set() -> None:
    chars = (chr(code) for code in range(sys.maxunicode + 1))
    odd = [char for char in chars if len(lower := char.lower()) == 1 and char not in (lower, lower.upper(), lower.title())]
    assert all(char in upper_forms(char.lower()) for char in odd)  # OTHER_UPPER_CASE lists every odd upper case
    assert {"The", "THE", "tHe", "\u212aung"} <= STOPWORD_SPELLINGS and "Thee" not in STOPWORD_SPELLINGS
    counts = Counter({"THE": 3, "Und": 2, "\u212aung": 1, "peace": 5})
    assert language_of(counts, "LATIN") == "en" and language_of(Counter({"UND": 2, "der": 1, "the": 2}), "LATIN") == "de"


# --- the benchmark ----------------------------------------------------------------


def test_benchmark_metric_counts_4gram_shingles_as_multisets() -> None:
    bench = load_benchmark("boilerplate")
    gold = "a b c d e"  # shingles: abcd, bcde
    assert bench.shingle_overlap(gold, gold) == (1.0, 0.0, 0.0)
    assert bench.shingle_overlap(gold, "a b c d x") == (1 / 3, 1 / 3, 1 / 3)
    # abcd twice (once in gold), bcde, and four shingles gold lacks: cdea deab eabc (abcd again is the second copy)
    assert bench.shingle_overlap(gold, "a b c d e a b c d") == (2 / 6, 4 / 6, 0.0)
    assert bench.shingle_overlap(gold, "") == (0.0, 0.0, 1.0)


def test_benchmark_skips_cleanly_without_the_shared_set(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "boilerplate.py"), "--data", str(tmp_path / "absent")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "skipped" in done.stdout


def test_benchmark_times_two_trees_in_lock_step_on_the_same_inputs(tmp_path: Path) -> None:
    bench = load_benchmark("boilerplate")
    page = {"id": "1", "inputs": {"extract": {"text": "Home\nThe envoys met in Riyadh on Tuesday and agreed to talk again soon.\n"}}}
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps(page) + "\n" + json.dumps(page) + "\n", encoding="utf-8")
    here, other = bench.lockstep(source, "extract", REPO / "src", REPO / "src", repeats=2)
    assert 0 < here < float("inf") and 0 < other < float("inf")
    with pytest.raises(RuntimeError, match="worker of .*no-tree stopped"):
        bench.lockstep(source, "extract", REPO / "src", tmp_path / "no-tree", repeats=1)


@pytest.mark.skipif(not SHARED_SET.exists(), reason="the shared boilerplate set is absent")
def test_cleaning_never_lowers_f1_on_a_sample_of_real_pages() -> None:
    bench = load_benchmark("boilerplate")
    with SHARED_SET.open(encoding="utf-8") as handle:
        pages = [json.loads(line) for _, line in zip(range(40), handle)]
    for kind in bench.SETS_BY_NAME["AEB"].kinds:
        raw_scores, clean_scores = bench.Scores(), bench.Scores()
        for page in pages:
            raw_scores.add_document(page["gold"], page["inputs"][kind]["text"])
            clean_scores.add_document(page["gold"], clean(page["inputs"][kind]["text"]).text)
        assert clean_scores.prf[2] >= raw_scores.prf[2], kind
