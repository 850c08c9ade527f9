"""Clean stage, pure: offline language identification by script and stopword density (no model, no download).

Good enough to tell an English article from a Tagalog author bio or a German
footer; it answers ``und`` (undetermined) when a text has too little evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import product

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is that for it with as was on be by at this are from his her have has not but they which or an will would their who were been its had said he she we you our",
        "de": "der die das und ist nicht ein eine einen zu den dem mit von sich auf für des im auch es als an wird sind wurde bei nach aus wie oder aber noch",
        "fr": "le la les des et est une un du que qui dans pour pas sur au avec ce il elle sont par plus ne se aux son sa ses été mais ou nous vous",
        "es": "el la los las de del que y en un una es por con para no se su al lo como más pero sus le ha fue este esta son entre",
        "it": "il lo la gli le di del della che e è un una per con non si da sono al nel alla ha anche come più ma dei delle",
        "pt": "o a os as de do da dos das que e em um uma para com não se por mais ao na no foi são como mas também pelo pela",
        "nl": "de het een en van in is dat op te zijn met voor niet aan er ook als bij door maar om nog wordt werd naar",
        "tl": "ang ng sa na ay mga si ni at siya niya ito isang din rin kay para hindi nang kung bilang ako ko ka mo kami sila",
        "ru": "и в не на что с по как это он она они к из за от у так же но для его её о был была были все бы",
        "uk": "і в не на що з по як це він вона вони до із за від у та але для його її був була були також це є",
    }.items()
}
ASCII_NON_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# word -> the languages it is a stopword of: one pass over the text counts every list at once
STOPWORD_LANGUAGES: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, words in STOPWORDS.items() if word in words) for word in sorted(set().union(*STOPWORDS.values()))}
# the letters whose lower case is one letter they are not the upper or title case of (Kelvin sign, Ohm sign, ẞ, Greek
# letters with a prosgegrammeni); tests/test_clean.py proves the list complete over every code point
OTHER_UPPER_CASE = "ǅǈǋǲϴẞᾈᾉᾊᾋᾌᾍᾎᾏᾘᾙᾚᾛᾜᾝᾞᾟᾨᾩᾪᾫᾬᾭᾮᾯᾼῌῼ\u2126\u212a\u212b"  # the last three escaped: NFC folds them


def upper_forms(letter: str) -> set[str]:
    """Every character whose lower case is ``letter``, itself included."""
    return {letter} | {char for char in letter.upper() + letter.title() + OTHER_UPPER_CASE if char.lower() == letter}


# every spelling of a stopword that lowers to it ('The', 'THE', 'tHe'): a set intersection finds a text's stopwords
# without lowering each of its distinct words
STOPWORD_SPELLINGS: frozenset[str] = frozenset(
    "".join(spelling) for word in STOPWORD_LANGUAGES for spelling in product(*(sorted(upper_forms(letter)) for letter in word)))


def script_of(char: str) -> str:
    """The Unicode script of a letter, the first word of its name ('LATIN', 'CYRILLIC', 'CJK')."""
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def dominant_script(text: str) -> str:
    """The Unicode script most letters belong to (ties: the one met first).

    ASCII letters, all Latin, are counted in one pass over bytes; only the other characters are named one by one.
    """
    scripts: Counter[str] = Counter()
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, ASCII_NON_LETTERS))
    if ascii_letters:
        scripts["LATIN"] = ascii_letters
    for char, count in Counter("".join(NON_ASCII.findall(text))).items():
        if char.isalpha():
            scripts[script_of(char)] += count
    if not scripts:
        return "NONE"
    most = max(scripts.values())
    tied = {script for script, count in scripts.items() if count == most}
    if len(tied) == 1:
        return tied.pop()
    return next(script for script in (script_of(char) for char in text if char.isalpha()) if script in tied)


def language_of(counts: Counter[str], script: str, min_hits: int = 2) -> str:
    """ISO 639-1 code of the best stopword match among a text's ``\\w+`` word counts, given its dominant script."""
    if not counts:
        return "und"
    candidates = [lang for lang in STOPWORDS if (lang in ("ru", "uk")) == (script == "CYRILLIC")]
    hits = dict.fromkeys(candidates, 0)
    for word in STOPWORD_SPELLINGS.intersection(counts):  # distinct words only (lowering the text can split a word)
        for lang in STOPWORD_LANGUAGES[word.lower()]:
            if lang in hits:
                hits[lang] += counts[word]
    best = max(sorted(hits), key=lambda lang: hits[lang], default="und")
    if best == "und" or hits[best] < min_hits:
        return "und" if script in ("LATIN", "CYRILLIC") else script.lower()
    return best
