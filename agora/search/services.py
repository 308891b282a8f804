"""Writes of the search app: keeping the index up to date, following hashtags, reviewing trends.

Indexing runs inside the caller's transaction (create_post / edit_post), so a post is findable exactly when it
exists; deletion needs no call: the index entry cascades with the post and a trigger clears its FTS5 row.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed, NotFound
from agora.posts.models import Hashtag, Post
from agora.search.backends import get_backend
from agora.search.links import domain_of, links_in, url_hash
from agora.search.models import FollowedHashtag, Link, PostLink, TrendReview, TrendSettings
from agora.search.query import words_of

LINK_REINDEX_BATCH = 2000


def index_post(*, post: Post) -> None:
    """Add or refresh the post's index entry. Reposts have no words of their own and are not indexed."""
    if post.repost_of_id is not None:
        return
    get_backend().index_post(post)
    _record_links(post.pk, post.text)


def _links_for(urls: list[str]) -> dict[str, Link]:
    """The Link rows of these normalised URLs, created where missing."""
    hashes = {url_hash(url): url for url in urls}
    existing = {link.url_hash: link for link in Link.objects.filter(url_hash__in=hashes)}
    missing = [
        Link(url=url, url_hash=digest, domain=domain_of(url))
        for digest, url in hashes.items()
        if digest not in existing
    ]
    if missing:
        Link.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {link.url_hash: link for link in Link.objects.filter(url_hash__in=hashes)}
    return {url: existing[digest] for digest, url in hashes.items()}


def _record_links(post_id: uuid.UUID, text: str) -> None:
    """Make the post's links those of its current text (an edit may add or drop some)."""
    urls = links_in(text)
    links = _links_for(urls) if urls else {}
    PostLink.objects.filter(post_id=post_id).exclude(link__in=list(links.values())).delete()
    PostLink.objects.bulk_create(
        [PostLink(post_id=post_id, link=link) for link in links.values()], ignore_conflicts=True
    )


def _rebuild_links() -> None:
    PostLink.objects.all().delete()
    posts = Post.objects.filter(repost_of__isnull=True, text__icontains="http").order_by("id")
    last: uuid.UUID | None = None
    while True:
        batch = list(
            (posts if last is None else posts.filter(id__gt=last)).values_list("id", "text")[
                :LINK_REINDEX_BATCH
            ]
        )
        if not batch:
            break
        last = batch[-1][0]
        urls_by_post = {post_id: links_in(text) for post_id, text in batch}
        links = _links_for(sorted({url for urls in urls_by_post.values() for url in urls}))
        PostLink.objects.bulk_create(
            [
                PostLink(post_id=post_id, link=links[url])
                for post_id, urls in urls_by_post.items()
                for url in urls
            ],
            ignore_conflicts=True,
        )


def reindex_all_posts() -> int:
    """Rebuild the whole index (and the links shared in posts) from the posts table, after seeding or a
    restore; returns posts indexed."""
    with transaction.atomic():
        indexed = get_backend().reindex_all()
        _rebuild_links()
    return indexed


def _hashtag_named(name: str) -> Hashtag:
    """The hashtag, created if nobody used it yet (one may follow a tag before its first post)."""
    tag = name.lstrip("#").lower()
    if not tag or len(tag) > 100 or words_of(tag) != [tag]:
        raise NotFound(name)
    hashtag, _created = Hashtag.objects.get_or_create(name=tag)
    return hashtag


def follow_hashtag(*, user: User, name: str) -> FollowedHashtag:
    """Follow a hashtag: its public posts appear in the user's home timeline. Following twice is harmless."""
    hashtag = _hashtag_named(name)
    with transaction.atomic():
        followed, _created = FollowedHashtag.objects.get_or_create(user=user, hashtag=hashtag)
    return followed


def unfollow_hashtag(*, user: User, name: str) -> None:
    FollowedHashtag.objects.filter(user=user, hashtag__name=name.lstrip("#").lower()).delete()


def _require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise NotAllowed(_("Only moderators can review trends."))


def review_trend(
    *,
    actor: User,
    status: str,
    hashtag: Hashtag | None = None,
    post: Post | None = None,
    link: Link | None = None,
) -> TrendReview:
    """Approve or hide a trending hashtag, post or link (moderators only)."""
    _require_moderator(actor)
    subjects = [subject for subject in (hashtag, post, link) if subject is not None]
    if status not in TrendReview.Status.values or len(subjects) != 1:
        raise NotAllowed(_("That is not a trend decision."))
    with transaction.atomic():
        review, _created = TrendReview.objects.update_or_create(
            hashtag=hashtag, post=post, link=link, defaults={"status": status, "reviewed_by": actor}
        )
    return review


def set_review_trends_first(*, actor: User, enabled: bool) -> TrendSettings:
    """Switch "review trends first": when on, only approved hashtags, posts and links trend."""
    _require_moderator(actor)
    with transaction.atomic():
        settings_row = TrendSettings.current()
        settings_row.review_first = enabled
        settings_row.save(update_fields=["review_first"])
    return settings_row
