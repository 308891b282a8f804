"""The search query language people know from other networks, parsed into a plain structure.

    words "exact phrase" #hashtag @user @user@domain from:user has:media
    before:2025-01-31 after:2025-01-01 -word

Words must all occur (stemmed, so "run" finds "running"); a phrase must occur as written; `-` excludes a word,
a phrase or a hashtag. Dates are days in UTC: `before:` is exclusive, `after:` inclusive of the day after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A word as the index sees it: letters, digits and underscores in any script.
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_CHARS = 300
MAX_TERMS = 12


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[tuple[str, str | None]] = field(default_factory=list)
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    has_media: bool = False
    before: date | None = None
    after: date | None = None
    excluded_words: list[str] = field(default_factory=list)
    excluded_phrases: list[str] = field(default_factory=list)
    excluded_hashtags: list[str] = field(default_factory=list)
    # The last word as typed, for prefix matching while someone is still typing it.
    prefix: str | None = None

    @property
    def text_words(self) -> list[str]:
        """Every word the full-text index must find: loose words and the words of each phrase."""
        words = list(self.words)
        for phrase in self.phrases:
            words += words_of(phrase)
        return words

    @property
    def is_empty(self) -> bool:
        return not (
            self.words
            or self.phrases
            or self.hashtags
            or self.mentions
            or self.authors
            or self.has_media
            or self.before
            or self.after
        )


def words_of(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


# A token: an optionally negated "quoted phrase" (an unclosed quote runs to the end), or a run of non-spaces.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _account(value: str) -> tuple[str, str | None]:
    value = value.lstrip("@")
    username, _sep, domain = value.partition("@")
    return username.lower(), (domain.lower() or None)


def _day(value: str, operator: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(
            _("“%(operator)s:” needs a date like 2025-01-31.") % {"operator": operator}, code="bad_date"
        ) from error


def parse_query(raw: str) -> ParsedQuery:
    """Parse a query; a malformed operator value (a bad date) is a ValidationError with a clear message."""
    still_typing = not raw[:MAX_QUERY_CHARS].endswith((" ", '"'))
    raw = raw.strip()[:MAX_QUERY_CHARS].replace("\x00", "")
    parsed = ParsedQuery()
    tokens = list(TOKEN.finditer(raw))[: MAX_TERMS * 2]
    for index, match in enumerate(tokens):
        if match.group(3) is None:
            negated, phrase = bool(match.group(1)), match.group(2)
            words = words_of(phrase)
            if len(words) > 1:
                (parsed.excluded_phrases if negated else parsed.phrases).append(" ".join(phrase.split()))
            else:
                (parsed.excluded_words if negated else parsed.words).extend(words)
            continue
        token = match.group(3)
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        key, colon, value = body.partition(":")
        operator = key.lower() if colon and value else ""
        if operator == "from":
            parsed.authors.append(_account(value))
        elif operator == "has":
            if value.lower() in {"media", "image", "images", "video", "videos"}:
                parsed.has_media = True
        elif operator in {"before", "until"}:
            parsed.before = _day(value, operator)
        elif operator in {"after", "since"}:
            parsed.after = _day(value, operator)
        elif body.startswith("#") and words_of(body[1:]):
            (parsed.excluded_hashtags if negated else parsed.hashtags).append(words_of(body[1:])[0])
        elif body.startswith("@") and len(body) > 1:
            username, domain = _account(body)
            if WORD.fullmatch(username):
                parsed.mentions.append((username, domain))
        else:
            words = words_of(body)
            if negated:
                parsed.excluded_words.extend(words)
            else:
                parsed.words.extend(words)
                # The word still being typed (no space after it yet) also matches as a prefix.
                if words and index == len(tokens) - 1 and still_typing and len(words[-1]) >= 3:
                    parsed.prefix = words[-1]
    parsed.words = parsed.words[:MAX_TERMS]
    return parsed
