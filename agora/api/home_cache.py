"""Home timeline pages remembered per viewer and served again while nothing they are made of has changed.

Apps poll the home timeline far more often than it changes. A page costs tens of queries' worth of ORM work;
checking that a remembered one still holds costs one query (`home_page_fingerprint`: a digest of the row
versions of every post in the page's range, its originals, authors, media and mentions, and of the viewer's
follows, blocks, mutes, muted words, followed hashtags, likes, bookmarks and pins) and one Redis read (the
state of the viewer's fanned-out list). Anything written since makes the digest differ and the page is made
afresh, so a remembered page is never staler than one made now would be: a deleted, held or blocked post
drops out on the next request, as without the cache.

The digest is taken *before* the page is made (a write in between makes the next check fail, never a stale
page pass), so it needs the page's range in advance: a miss stores the range it found, and the next request
for the same page takes the digest over that range first. PostgreSQL only (the digest reads `xmin`/`ctid`);
elsewhere, or with AGORA_HOME_PAGE_CACHE=0, every page is made afresh. Pages with `max_id`, `min_id` or
filters are always made afresh.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
import zlib
from dataclasses import dataclass
from functools import cache as remembered
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.request import Request

from agora.accounts.models import User
from agora.api.selectors import home_page_fingerprint
from agora.media.selectors import GRANT_PERIOD_SECONDS
from agora.timelines import feeds

logger = logging.getLogger(__name__)


CODE = (
    "api/home_cache.py",
    "api/serializers.py",
    "api/views/timelines.py",
    "api/pagination.py",
    "posts/selectors.py",
    "posts/text.py",
    "timelines/selectors.py",
    "media/selectors.py",
)


@remembered
def _version() -> str:
    """Changes with the code that decides and renders a page, so that after an upgrade no page made by the
    code before is served (they would otherwise live out their time in a shared cache)."""
    import agora

    root = Path(agora.__file__).parent
    digest = hashlib.sha256()
    for name in CODE:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


CACHEABLE_PARAMS = frozenset({"limit", "since_id"})
# A range holding more candidate posts than this (a page that had to look far back) is not remembered:
# checking it would cost about as much as making it.
MAX_RANGE_POSTS = 2000
TTL_SECONDS = 600
# After the cache server fails, this process leaves it alone for a few seconds rather than trying (and
# logging) on every request.
RETRY_AFTER_FAILURE_S = 5.0
_failed_at = -RETRY_AFTER_FAILURE_S


def _cache_failed(error: Exception) -> None:
    global _failed_at
    if time.monotonic() - _failed_at >= RETRY_AFTER_FAILURE_S:
        logger.warning("home page cache unavailable, pages are made afresh: %r", error)
    _failed_at = time.monotonic()


@dataclass
class Lookup:
    """A page request's place in the cache: its key, what was remembered, and the state read before the
    page is made (to store with it)."""

    key: str
    viewer: User
    content: bytes | None = None
    content_type: str = ""
    link: str | None = None
    low: str | None = None
    stored_state: str | None = None
    state: str | None = None

    @property
    def hit(self) -> bool:
        return self.content is not None


def enabled() -> bool:
    from django.db import connection

    return settings.AGORA_HOME_PAGE_CACHE and connection.vendor == "postgresql"


def _key(request: Request, viewer: User) -> str:
    # Everything else a page depends on: the address (links), the language (notices), the media grants'
    # period (their URLs change with it), the negotiated format.
    period = math.ceil(time.time() / GRANT_PERIOD_SECONDS)
    parts = "|".join(
        [
            request.get_full_path(),
            request.get_host(),
            request.scheme or "",
            translation.get_language() or "",
            str(request.accepted_media_type),
            str(period),
        ]
    )
    return f"agora:home:{_version()}:{viewer.pk.hex}:{hashlib.sha256(parts.encode()).hexdigest()[:32]}"


def _state(viewer: User, low: str | None) -> str | None:
    fingerprint = home_page_fingerprint(viewer, newer_than=uuid.UUID(low) if low else None)
    if fingerprint is None or fingerprint[1] > MAX_RANGE_POSTS:
        return None
    feed = "-"
    if feeds.enabled():
        try:
            feed = feeds.state(viewer.pk)
        except redis.RedisError as error:
            feeds.note_failure(error)
            feed = "unavailable"
    return f"{fingerprint[0]}:{feed}"


def lookup(request: Request, viewer: User) -> Lookup | None:
    """The remembered page if it still holds (`hit`); otherwise what to store once the page is made. None
    when this request's page is not remembered at all."""
    if not enabled() or set(request.query_params) - CACHEABLE_PARAMS:
        return None
    if request.accepted_renderer.format != "json" or time.monotonic() - _failed_at < RETRY_AFTER_FAILURE_S:
        return None
    found = Lookup(key=_key(request, viewer), viewer=viewer)
    try:
        stored = cache.get(found.key)
    except Exception as error:  # the cache server is down: pages are made afresh until it is back
        _cache_failed(error)
        return None
    if stored is None:
        return found
    found.low = stored["low"]
    found.state = _state(viewer, found.low)
    if found.state is not None and found.state == stored["state"]:
        found.content = zlib.decompress(stored["content"])
        found.content_type = stored["content_type"]
        found.link = stored["link"]
    return found


def store(
    found: Lookup, *, low: uuid.UUID | None, content: bytes, content_type: str, link: str | None
) -> None:
    """Remember a page just made. Its state is stored only when it was read before the page was made over a
    range that covers the page's; otherwise the range alone, for the next request to read the state first."""
    low_text = str(low) if low is not None else None
    covered = found.state is not None and (found.low is None or (low is not None and str(low) >= found.low))
    if covered:
        value = {
            "low": found.low,
            "state": found.state,
            # About a sixth of the size: JSON of a page repeats itself a lot.
            "content": zlib.compress(content, 1),
            "content_type": content_type,
            "link": link,
        }
    else:
        value = {"low": low_text, "state": None}
    try:
        cache.set(found.key, value, TTL_SECONDS)
    except Exception as error:
        _cache_failed(error)
