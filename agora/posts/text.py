"""The one place that reads post text: finding mentions and hashtags, and turning text into safe HTML.

Post text is stored exactly as written. Rendering escapes everything and then adds only the links Agora makes
itself (web links, @mentions of existing accounts, #hashtags); nh3 then cleans the result once more, so no
user HTML can survive either step. Web pages, the API and exports all call `render_post_html`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import nh3
from django.utils.html import escape

from agora.accounts.validators import USERNAME_PATTERN

# A mention: @name, optionally @name@domain, not glued to a word or an e-mail address before it.
_MENTION = rf"(?<![\w@/])@(?P<m_username>{USERNAME_PATTERN})(?:@(?P<m_domain>[\w.-]+\w))?"
# A hashtag: letters, digits, underscores (any script); at least one character that is not a digit.
_HASHTAG = r"(?<![\w#&/])#(?P<tag>\w*[^\W\d]\w*)"
_URL = r"\bhttps?://[^\s<>\"']+"
_TRAILING_PUNCTUATION = ".,:;!?)]}'\""
_TOKEN_RE = re.compile(rf"(?P<url>{_URL})|(?P<mention>{_MENTION})|(?P<hashtag>{_HASHTAG})", re.IGNORECASE)

MAX_HASHTAG_LENGTH = 100


@dataclass(frozen=True)
class ParsedText:
    mentioned_usernames: list[str]
    hashtags: list[str]


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING_PUNCTUATION:
        # Keep a closing bracket that closes one opened inside the URL (Wikipedia links).
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def parse_text(text: str, local_domain: str = "") -> ParsedText:
    """The local usernames mentioned and the hashtags used, each once, in order of first appearance."""
    mentioned: dict[str, None] = {}
    tags: dict[str, None] = {}
    for match in _TOKEN_RE.finditer(text):
        if match.group("mention"):
            domain = match.group("m_domain")
            if domain and domain.lower() != local_domain.lower():
                continue
            mentioned.setdefault(match.group("m_username").lower())
        elif match.group("hashtag"):
            tag = match.group("tag")
            if len(tag) <= MAX_HASHTAG_LENGTH:
                tags.setdefault(tag.lower())
    return ParsedText(mentioned_usernames=list(mentioned), hashtags=list(tags))


def shared_urls(text: str) -> list[str]:
    """The web addresses in the text, as the renderer links them (trailing punctuation trimmed), in order."""
    return [_trim_url(match.group("url")) for match in _TOKEN_RE.finditer(text) if match.group("url")]


def render_post_html(
    text: str,
    *,
    mention_url: Callable[[str], str | None],
    hashtag_url: Callable[[str], str],
) -> str:
    """Safe HTML for stored post text.

    ``mention_url(username)`` returns the profile URL of a mentioned account, or None when there is no such
    account (the text then stays plain); ``hashtag_url(tag)`` returns the URL of a hashtag's timeline.
    """
    pieces: list[str] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        token = match.group(0)
        html: str | None = None
        if match.group("url"):
            url = _trim_url(token)
            end = start + len(url)
            html = (
                f'<a href="{escape(url)}" rel="nofollow noopener noreferrer ugc" target="_blank">'
                f"{escape(url)}</a>"
            )
        elif match.group("mention"):
            href = mention_url(match.group("m_username")) if not match.group("m_domain") else None
            if href:
                html = f'<a href="{escape(href)}" class="mention">{escape(token)}</a>'
        elif match.group("hashtag"):
            href = hashtag_url(match.group("tag").lower())
            html = f'<a href="{escape(href)}" class="hashtag">{escape(token)}</a>'
        if html is None:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(html)
        position = end
    pieces.append(escape(text[position:]))
    body = "".join(pieces)
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n{2,}", body.strip("\n")) if p.strip()]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href", "class", "rel", "target"}},
        url_schemes={"http", "https"},
        link_rel=None,
    )


def plain_excerpt(text: str, length: int = 80) -> str:
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= length else collapsed[: length - 1] + "…"


def unique_in_order(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
