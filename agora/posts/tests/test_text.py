"""Reading post text: mentions and hashtags found once, and HTML in which no user markup survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from agora.posts.text import parse_text, plain_excerpt, render_post_html

KNOWN_ACCOUNTS = {"alice", "bob"}


def mention_url(username: str) -> str | None:
    return f"/@{username.lower()}" if username.lower() in KNOWN_ACCOUNTS else None


def hashtag_url(tag: str) -> str:
    return f"/tags/{tag}"


def render(text: str) -> str:
    return render_post_html(text, mention_url=mention_url, hashtag_url=hashtag_url)


def test_parse_text_finds_mentions_once_in_lower_case_and_in_order() -> None:
    parsed = parse_text("@Bob hi @alice and @BOB again", "agora.example")
    assert parsed.mentioned_usernames == ["bob", "alice"]


def test_parse_text_keeps_local_domain_mentions_and_skips_remote_ones() -> None:
    parsed = parse_text("@alice@Agora.Example @carol@elsewhere.social @dave", "agora.example")
    assert parsed.mentioned_usernames == ["alice", "dave"]


def test_parse_text_ignores_email_addresses_and_urls() -> None:
    parsed = parse_text("mail bob@example.org or see https://example.org/@carol#frag", "agora.example")
    assert parsed.mentioned_usernames == []
    assert parsed.hashtags == []


def test_parse_text_finds_hashtags_once_in_lower_case() -> None:
    parsed = parse_text("#Django and #django and #Python3, not #123 or &#39;", "")
    assert parsed.hashtags == ["django", "python3"]


def test_parse_text_reads_german_umlaut_hashtags() -> None:
    parsed = parse_text("Heute: #Größenwahn und #Äpfel_über_alles!", "")
    assert parsed.hashtags == ["größenwahn", "äpfel_über_alles"]


def test_parse_text_skips_overlong_hashtags() -> None:
    assert parse_text("#" + "a" * 101, "").hashtags == []
    assert parse_text("#" + "a" * 100, "").hashtags == ["a" * 100]


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    '"><svg/onload=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/'onmouseover='alert(1)",
    "https://example.org/<script>alert(1)</script>",
    '@alice"><script>alert(1)</script>',
    '#tag"><img src=x onerror=alert(1)>',
    "<p onclick=alert(1)>hi</p>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<img src=x onerror=alert(1)>-->",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
]


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from some HTML, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse_html(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_user_html_survives_rendering(payload: str) -> None:
    parsed = parse_html(render(f"before {payload} after"))
    assert parsed.comments == []
    for tag, attributes in parsed.elements:
        assert tag in {"p", "br", "a"}
        assert set(attributes) <= {"href", "class", "rel", "target"}
        href = attributes.get("href")
        if href is not None:
            assert href.startswith(("https://", "http://", "/")), href
            assert not any(character in href for character in "\"'<> "), href


@pytest.mark.parametrize(
    "payload", [p for p in XSS_PAYLOADS if "https://" not in p and "@" not in p and "#" not in p]
)
def test_user_markup_comes_out_as_the_text_that_was_typed(payload: str) -> None:
    parsed = parse_html(render(payload))
    assert [tag for tag, _attributes in parsed.elements] == ["p"]
    assert "".join(parsed.text) == payload


def test_user_markup_is_shown_as_text() -> None:
    assert render("<b>bold</b> & co") == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>"


def test_web_links_become_safe_anchors() -> None:
    html = render("see https://example.org/a?b=1&c=2 now")
    assert html == (
        '<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc" '
        'target="_blank">https://example.org/a?b=1&amp;c=2</a> now</p>'
    )


@pytest.mark.parametrize("punctuation", [".", ",", ":", ";", "!", "?", ")", "'", '"', "...", "!?"])
def test_trailing_punctuation_is_not_part_of_a_link(punctuation: str) -> None:
    html = render(f"look at https://example.org/page{punctuation}")
    assert 'href="https://example.org/page"' in html
    assert html.endswith(f"</a>{render(punctuation)[3:-4]}</p>")


def test_closing_bracket_that_belongs_to_the_url_is_kept() -> None:
    html = render("(see https://en.wikipedia.org/wiki/Python_(programming_language))")
    assert 'href="https://en.wikipedia.org/wiki/Python_(programming_language)"' in html
    assert html.endswith("</a>)</p>")


def test_javascript_and_data_urls_are_not_linked() -> None:
    html = render("javascript:alert(1) data:text/html,hi ftp://example.org")
    assert "<a" not in html


def test_mentions_of_known_accounts_link_to_their_profiles() -> None:
    html = render("hi @Alice!")
    assert html == '<p>hi <a href="/@alice" class="mention">@Alice</a>!</p>'


def test_mention_of_unknown_account_stays_plain_text() -> None:
    assert render("hi @nobody") == "<p>hi @nobody</p>"


def test_remote_mention_stays_plain_text() -> None:
    assert render("hi @alice@elsewhere.social") == "<p>hi @alice@elsewhere.social</p>"


def test_hashtags_link_to_their_lower_case_timeline() -> None:
    assert render("#Django rocks") == '<p><a href="/tags/django" class="hashtag">#Django</a> rocks</p>'


def test_umlaut_hashtag_is_linked_whole() -> None:
    html = render("#Größe zählt")
    assert '<a href="/tags/größe" class="hashtag">#Größe</a> zählt' in html


def test_line_breaks_and_paragraphs() -> None:
    assert render("one\ntwo\n\n\nthree") == "<p>one<br>two</p><p>three</p>"


def test_plain_excerpt_collapses_whitespace_and_shortens() -> None:
    assert plain_excerpt("a  b\n c") == "a b c"
    assert plain_excerpt("x" * 100, length=10) == "x" * 9 + "…"
