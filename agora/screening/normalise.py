"""Text normalisation for screening: undo the usual evasions before anything scores a post.

NFKC, zero-width and soft-hyphen removal, homoglyphs (Cyrillic/Greek letters that look Latin), lower case,
leetspeak inside words ("h@ng th3m" -> "hang them"; a bare "5" stays a number), spaced-out letters
("k i l l", "k.i.l.l" -> "kill") and long runs of one character ("killllll" -> "kill"). Live @mentions and
URLs are masked the way the GermEval training data masks them, so the model sees the same tokens.
"""

# ruff: noqa: RUF001 - the homoglyph table is made of look-alike letters on purpose
from __future__ import annotations

import re
import unicodedata

# Invisible characters used to split words so that filters miss them.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d"
        "\u206e\u206f\u3164\ufeff\uffa0",
    ),
    None,
)

# Lower-case homoglyphs (after NFKC and lower()) that render like Latin letters: Cyrillic, Greek, IPA.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        "ӏ": "l",
        "ɡ": "g",
        "ɩ": "i",
        "ʟ": "l",
        "ɴ": "n",
        "ʀ": "r",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ω": "w",
        "ϲ": "c",
        "ϳ": "j",
    }
)

# Leetspeak, applied only to characters inside a word that also has letters.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "€": "e",
        "8": "b",
        "+": "t",
    }
)
_LEET_CHARS = "01345781@$!|€+"
_WORDISH = re.compile(r"[\w@$!|€+]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_NUMBERISH = re.compile(r"^\d+(?:st|nd|rd|th|am|pm|h|uhr|x|k|m|s|er|en|te|ten)?$")

URL_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@[\w.]+(?:@[\w.-]+)?")
# Three or more single letters separated by one space, dot, dash, underscore or asterisk.
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*·]){2,}[^\W\d_](?![^\W\d_])")
_REPEATS = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")


def _deleet_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.startswith("@") and len(word) > 1 and not any(c in _LEET_CHARS for c in word[1:]):
        return word  # a mention, not "@" as an "a"
    if _NUMBERISH.match(word):
        return word  # "13th", "3pm", "20uhr": a date or time, which the threat patterns need intact
    if any(c in _LEET_CHARS for c in word) and _HAS_LETTER.search(word):
        # Trailing "!" is punctuation ("kill them!!"), not an "i".
        core = word.rstrip("!")
        return core.translate(_LEET) + word[len(core) :]
    return word


def _mention_or_leet(match: re.Match[str]) -> str:
    """ "@ll", "@nd": leetspeak for a common word, not a mention; anything else is masked as GermEval does."""
    from agora.screening.language import COMMON_WORDS

    word = match.group(0)
    if "@" not in word[1:] and "." not in word and ("a" + word[1:].lower().translate(_LEET)) in COMMON_WORDS:
        return "a" + word[1:]
    return " [@IND] "


def normalise(text: str, *, mask: bool = True) -> str:
    """The text as the screen reads it (see the module docstring). `mask` replaces URLs and @mentions."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    if mask:
        text = URL_RE.sub(" [URL] ", text)
        text = MENTION_RE.sub(_mention_or_leet, text)
    text = text.lower().translate(_CONFUSABLES)
    # Strip combining marks that survive NFKC on Latin letters ("k̶i̶l̶l̶"), but keep German umlauts.
    text = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c) or c in "\u0308"
    )
    text = unicodedata.normalize("NFC", text)
    text = _WORDISH.sub(_deleet_word, text)
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*·]", "", m.group(0)), text)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


_GERMEVAL_MASK = re.compile(r"\[@(?:IND|GRP|POL|PRE)\]", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s\[\]@]")


def dedupe_key(text: str) -> str:
    """The key that training data is deduplicated on against the evaluation sets (see data/eval/README.md):
    NFKC, lower case, URLs and @mentions masked, punctuation dropped, whitespace collapsed."""
    text = _GERMEVAL_MASK.sub(" user ", unicodedata.normalize("NFKC", text))
    text = URL_RE.sub(" url ", text)
    text = MENTION_RE.sub(" user ", text)
    text = _PUNCT.sub(" ", text.lower())
    return _SPACES.sub(" ", text).strip()
