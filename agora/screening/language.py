"""A compact EN/DE language guess from function words, for routing a post to its model and patterns.

Posts are short, so this counts frequent function words (and German letters) rather than character n-grams;
anything that is neither clearly English nor clearly German comes back as "" and is screened by both
languages' patterns (and no model), which the result says.
"""

from __future__ import annotations

import re

SUPPORTED = ("en", "de")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_EN = _wordset(
    "the a an and or but of to in on at for with from by is are was were be been am i you he she it we they "
    "me him her us them my your his our their this that these those what who when where why how not no do "
    "does did have has had will would should can could just so if then than there here all some any out up "
    "about get got go going gonna let lets let's im i'm it's don't dont hello thanks thank please today "
    "tomorrow yesterday morning good"
)
_DE = _wordset(
    "der die das den dem des ein eine einen einem einer und oder aber nicht kein keine ist sind war waren "
    "bin bist sein ich du er sie es wir ihr mich dich ihn uns euch mir dir ihm ihnen mein dein unser euer "
    "mit von zu zum zur im auf für fur aus bei nach über uber unter vor wie was wer wo warum auch noch schon "
    "nur sehr doch mal hat haben hatte wird werden wurde kann können muss müssen soll sollen dass daß wenn "
    "dann denn weil als so man alle diese dieser dieses jetzt hier da gibt hallo danke bitte heute morgen "
    "gestern guten zusammen"
)
COMMON_WORDS = _EN | _DE
_WORD = re.compile(r"[a-zäöüß']+")
_GERMAN_LETTERS = re.compile(r"[äöüß]")


def detect_language(normalised_text: str, hint: str = "") -> str:
    """ "en", "de" or "" (unknown) for a text already passed through `normalise`. A hint that is a supported
    language (e.g. the language the author chose) wins when the text itself is not clearly the other one."""
    words = _WORD.findall(normalised_text)
    en = sum(1 for w in words if w in _EN)
    de = sum(1 for w in words if w in _DE) + min(2, len(_GERMAN_LETTERS.findall(normalised_text)))
    hint = hint.lower()[:2]
    if hint in SUPPORTED:
        other = de if hint == "en" else en
        mine = en if hint == "en" else de
        if not (other >= 2 and other > 2 * mine):
            return hint
    if en == de == 0:
        return ""
    if en > de:
        return "en"
    if de > en:
        return "de"
    return ""
