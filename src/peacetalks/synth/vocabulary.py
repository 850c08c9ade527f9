"""Synth, no I/O: the words, names, templates and boilerplate synthetic articles are made of.

Sentences draw a word or a name every word or two, so that documents share few word 8-grams
(the near-duplicate test of the splits) unless one reprints another, as wire copy does.
"""

from __future__ import annotations

import re

ENTITIES: dict[str, tuple[str, ...]] = {
    "PERSON": ("Vladimir Putin", "Volodymyr Zelensky", "Donald Trump", "Marco Rubio", "Sergei Lavrov", "Keir Starmer",
               "Emmanuel Macron", "Olaf Scholz", "Mike Waltz", "Steve Witkoff", "Andriy Yermak", "Kaja Kallas",
               "José Manuel Albares", "Dmitry Peskov", "Mark Rutte", "Giorgia Meloni"),
    "ORG": ("NATO", "Kremlin", "European Union", "United Nations", "Pentagon", "Reuters", "State Department",
            "White House", "Security Council", "Gazprom", "Red Cross", "World Bank", "OSCE", "IAEA", "Naftogaz"),
    "GPE": ("Ukraine", "Russia", "United States", "Moscow", "Kyiv", "Washington", "Riyadh", "Saudi Arabia", "Germany",
            "France", "Britain", "Poland", "Turkey", "Brussels", "Paris", "London", "Berlin", "Kharkiv", "Odesa", "Lviv",
            "Dnipro", "Warsaw", "Ankara", "Istanbul", "Geneva", "Rome", "Vienna", "Helsinki", "Tallinn", "Minsk"),
    "LOC": ("Europe", "Crimea", "Donbas", "Kursk region", "Black Sea", "Baltic Sea", "Zaporizhzhia region", "Dnipro River",
            "Sea of Azov", "Kherson region"),
    "NORP": ("Russian", "Ukrainian", "American", "European", "Polish", "German", "French", "British", "Turkish", "Finnish"),
    "EVENT": ("Munich Security Conference", "Riyadh talks", "Istanbul talks", "G7 summit", "NATO summit", "Davos forum"),
    "DATE": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "last week", "February 2025"),
    "MONEY": ("$500 billion", "$61 billion", "€50 billion"),
    "LAW": ("Minsk agreements", "Budapest Memorandum", "Russian constitution", "Black Sea Grain Initiative"),
}
FIRST_NAMES = ("Anna", "Oleksandr", "Iryna", "Dmytro", "Olena", "Taras", "Mykola", "Natalia", "Yulia", "Serhiy", "Pavel",
               "Elena", "Igor", "Svetlana", "Alexei", "James", "Sarah", "Michael", "Laura", "David", "Claire", "Thomas",
               "Katarzyna", "Piotr", "Jan", "Ingrid", "Mehmet", "Ayse", "Pierre", "Sophie", "Lukas", "Greta", "Marek",
               "Hanna", "Viktor", "Maria", "Jonas", "Emma", "Rafael", "Lucia")
LAST_NAMES = ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchuk", "Ivanov", "Smirnov", "Volkov",
              "Sokolov", "Popov", "Morozov", "Novak", "Kowalski", "Nowak", "Wisniewski", "Schneider", "Fischer", "Weber",
              "Dubois", "Laurent", "Moreau", "Rossi", "Bianchi", "Yilmaz", "Demir", "Larsen", "Virtanen", "Korhonen",
              "Campbell", "Mitchell", "Harrison", "Brennan", "Sullivan", "Holm", "Lindqvist", "Horvat", "Petrenko",
              "Lysenko", "Marchenko")
UNITS = {"MONEY": ("million", "billion"), "PERIOD": ("days", "weeks", "months", "hours")}
WORDS: dict[str, tuple[str, ...]] = {
    "ADJ": ("fragile", "tentative", "renewed", "cautious", "limited", "broad", "partial", "formal", "informal", "secret",
            "public", "detailed", "vague", "ambitious", "modest", "temporary", "permanent", "fresh", "long-awaited",
            "disputed", "binding", "non-binding", "phased", "joint", "separate", "regional", "bilateral", "multilateral",
            "humanitarian", "military", "economic", "political", "technical", "unexpected", "contested", "narrow",
            "sweeping", "delayed", "revised", "preliminary"),
    "NOUN": ("ceasefire", "proposal", "framework", "corridor", "agreement", "memorandum", "truce", "roadmap", "package",
             "mechanism", "guarantee", "settlement", "exchange", "deadline", "timetable", "moratorium", "plan", "offer",
             "compromise", "formula", "mandate", "mission", "inquiry", "review", "initiative", "blueprint", "treaty",
             "channel", "pause", "deal", "accord", "protocol", "pledge", "draft", "summit", "dialogue", "ultimatum",
             "bargain", "referendum", "observer mission"),
    "NOUNS": ("prisoners", "soldiers", "civilians", "drones", "missiles", "tanks", "refugees", "observers", "diplomats",
              "children", "power stations", "grain ships", "shells", "villages", "reservists", "volunteers", "engineers",
              "journalists", "medics", "border guards"),
    "VERB": ("rejected", "welcomed", "questioned", "endorsed", "criticised", "dismissed", "proposed", "discussed",
             "outlined", "defended", "postponed", "approved", "drafted", "signed", "examined", "challenged", "revived",
             "praised", "debated", "blocked", "backed", "downplayed", "amended", "clarified", "studied"),
    "TOPIC": ("grain exports", "energy infrastructure", "air defence", "sanctions relief", "frozen assets",
              "prisoner swaps", "nuclear safety", "shipping lanes", "reconstruction funds", "troop withdrawals",
              "border crossings", "gas transit", "mine clearance", "war crimes", "occupied territories",
              "security guarantees", "arms deliveries", "peacekeepers", "elections", "refugee returns"),
    "ROLE": ("foreign minister", "defence minister", "envoy", "spokesperson", "negotiator", "adviser", "general", "mayor",
             "governor", "ambassador", "deputy prime minister", "chief of staff", "intelligence chief", "senator",
             "lawmaker", "commander", "analyst", "economist", "prosecutor", "ombudsman"),
    "CONN": ("On the same day,", "Meanwhile,", "Earlier,", "Later,", "In a separate development,", "Separately,",
             "By contrast,", "At the same time,", "Overnight,", "In recent days,", "Since then,", "Until now,"),
    "WHERE": ("behind closed doors", "by video link", "at a press conference", "in a televised address", "in an interview",
              "on state television", "in a late-night post", "during a briefing", "at a security forum", "in parliament"),
}
SENTENCES = (
    "{CONN} {PERSON} {VERB} the {ADJ} {NOUN} on {TOPIC} during talks in {GPE} on {DAY}.",
    "The {ROLE} of {GPE}, {PERSON}, {VERB} a {ADJ} {NOUN} {WHERE}, officials in {GPE} said.",
    "{NUM} {NORP} {NOUNS} were moved from the {LOC} after the {ADJ} {NOUN} expired on {DAY}.",
    "A {ADJ} {NOUN} worth {MONEY} for {TOPIC} was {VERB} by the {ORG} after {PERIOD} of {ADJ} talks.",
    "{PERSON} told the {ORG} {WHERE} that {NUM} {NOUNS} had crossed into {GPE} within {PERIOD}.",
    "{CONN} the {ORG} {VERB} a {ADJ} {NOUN} that would link {TOPIC} to {TOPIC} in the {LOC}.",
    "Diplomats from {GPE} and {GPE} {VERB} a {ADJ} {NOUN} at the {EVENT}, according to {NUM} pages seen by {ORG}.",
    "{PERSON}, the {NORP} {ROLE}, has {VERB} the {LAW} {WHERE} as a {ADJ} model for {TOPIC}.",
    "After {PERIOD} of {ADJ} contacts, {PERSON} and {PERSON} {VERB} a {NOUN} on {TOPIC} in {GPE}.",
    "The {NORP} {ROLE} {PERSON} {VERB} reports that {NUM} {NOUNS} near {GPE} had been lost on {DAY}.",
    "{CONN} {NUM} {NOUNS} and {NUM} {NOUNS} were counted by the {ORG} in the {LOC} {WHERE}.",
    "{PERSON} {VERB} the {ADJ} {NOUN} {WHERE} in {GPE}, calling {TOPIC} and {TOPIC} {ADJ} priorities.",
    "A {ADJ} {NOUN} between {GPE} and {GPE} on {TOPIC} could cost {MONEY} over {PERIOD}, the {ROLE} {PERSON} said.",
    "{CONN} the {EVENT} {VERB} a {ADJ} {NOUN} for the {LOC} after {PERSON} arrived from {GPE}.",
)
QUOTES = (
    "We {VERB} the {ADJ} {NOUN} on {TOPIC} because {GPE} cannot wait another {PERIOD}",
    "There will be no {NOUN} about {GPE} without {GPE}, and no {ADJ} {NOUN} on {TOPIC} either",
    "{PERSON} and I {VERB} a {ADJ} {NOUN} on {TOPIC} {WHERE}",
    "Our {NUM} {NOUNS} in the {LOC} need a {ADJ} {NOUN} before {DAY}",
    "Nobody in {GPE} should expect a {ADJ} {NOUN} on {TOPIC} within {PERIOD}",
    "The {ADJ} {NOUN} {VERB} by the {ORG} is not a {NOUN} we can accept",
)
SLOTS = {**ENTITIES, **WORDS, "DAY": ENTITIES["DATE"][:7]}
LABEL_OF = {name: label for label, names in ENTITIES.items() for name in names}


def alternatives(names: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=lambda name: (-len(name), name)))


# Every name a slot can produce, longest first; generated names are matched by their shape, in named groups.
ENTITY_PATTERN = re.compile(
    rf"(?<!\w)(?:(?P<PERSON>(?:{alternatives(FIRST_NAMES)}) (?:{alternatives(LAST_NAMES)}))"
    rf"|(?P<MONEY>[$€]\d+ (?:{alternatives(UNITS['MONEY'])}))|(?P<DATE>\d+ (?:{alternatives(UNITS['PERIOD'])}))"
    rf"|{alternatives(list(LABEL_OF))})(?!\w)")
SCARE_PHRASES = ("peace through strength", "coalition of the willing", "deal of the century", "frozen conflict model")
CUES = ("said", "told reporters", "wrote on X", "said in a statement", "added", "told Reuters")
DESCRIBED_SOURCES = ("a senior Russian official", "a Ukrainian diplomat", "one European minister", "a spokesperson")
LEADS = (
    "Speaking {WHERE} in {GPE}, {SOURCE} {CUE}: “{QUOTE}.”",
    "“{QUOTE},” {SOURCE} {CUE} on {DAY}.",
    "Asked about {TOPIC} on {DAY}, {SOURCE} {CUE} that “{QUOTE}.”",
)
TITLES = (
    "{PERSON} and {PERSON} agree to new round of talks on {TOPIC}",
    "What we know about the {EVENT} and the {ADJ} {NOUN}",
    "{GPE} pushes for {TOPIC} as talks resume in {GPE}",
    "Ceasefire talks stall over the {LOC} and {TOPIC}",
)
BIOS = (
    "Anna Keller is a correspondent covering European politics and security for the newsroom.",
    "Tom Reyes is a senior reporter who writes about diplomacy, defence and the war in the region.",
)
FOREIGN_BIOS = (
    "Anna Keller ist Korrespondentin und schreibt über die Außenpolitik und die Sicherheit der Staaten.",
    "Si Maria Santos ay isang mamamahayag na sumusulat tungkol sa pulitika at ugnayang panlabas ng bansa.",
    "Иван Петров пишет о политике и о переговорах, он работает корреспондентом в нашей редакции уже много лет.",
    "Marie Dubois est journaliste et elle couvre la diplomatie et la sécurité pour le service international.",
)
RELATED_HEADLINES = ("Peace talks: what each side wants", "Five things to watch this week", "How the sanctions work",
                     "Opinion: the long road to a ceasefire", "Live updates from the front")
PROMPTS = ("Leave a comment", "Join the conversation", "Sign up for our newsletter", "Share this article",
           "We appreciate your feedback. Let us know what you think.")
COUNTERS = ("0", "12", "37", "1.2K", "Shares 214", "Comments 8")
