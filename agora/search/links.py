"""Web addresses in post text, normalised so that the same page shared by many people counts as one link."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from agora.posts.text import shared_urls

# Parameters that only say where a click came from; two shares of one article differ in nothing else.
_TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "si", "_hsenc", "_hsmi"}
)
MAX_URL_LENGTH = 2000
MAX_LINKS_PER_POST = 10


def normalise_url(url: str) -> str | None:
    """The canonical form of an http(s) URL (lower-case scheme and host, no default port, no fragment, no
    tracking parameters), or None when it is not a usable web address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    if not host or "." not in host:
        return None
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMETERS
        ]
    )
    path = parts.path or "/"
    normalised = urlunsplit((scheme, netloc, path, query, ""))
    return normalised if len(normalised) <= MAX_URL_LENGTH else None


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def links_in(text: str) -> list[str]:
    """The normalised links of a post's text, each once, in order, at most MAX_LINKS_PER_POST."""
    found: dict[str, None] = {}
    for url in shared_urls(text):
        normalised = normalise_url(url)
        if normalised is not None:
            found.setdefault(normalised)
        if len(found) >= MAX_LINKS_PER_POST:
            break
    return list(found)


def domain_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
