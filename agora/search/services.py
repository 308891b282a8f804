"""Writes of the search app: keeping the index up to date, following hashtags, reviewing trends.

Indexing runs inside the caller's transaction (create_post / edit_post), so a post is findable exactly when it
exists; deletion needs no call: the index entry cascades with the post and a trigger clears its FTS5 row.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed, NotFound
from agora.posts.models import Hashtag, Post
from agora.search.backends import get_backend
from agora.search.models import FollowedHashtag, TrendReview, TrendSettings
from agora.search.query import words_of


def index_post(*, post: Post) -> None:
    """Add or refresh the post's index entry. Reposts have no words of their own and are not indexed."""
    if post.repost_of_id is not None:
        return
    get_backend().index_post(post)


def reindex_all_posts() -> int:
    """Rebuild the whole index from the posts table (after seeding or a restore); returns posts indexed."""
    return get_backend().reindex_all()


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
    *, actor: User, status: str, hashtag: Hashtag | None = None, post: Post | None = None
) -> TrendReview:
    """Approve or hide a trending hashtag or post (moderators only)."""
    _require_moderator(actor)
    if status not in TrendReview.Status.values or (hashtag is None) == (post is None):
        raise NotAllowed(_("That is not a trend decision."))
    with transaction.atomic():
        review, _created = TrendReview.objects.update_or_create(
            hashtag=hashtag, post=post, defaults={"status": status, "reviewed_by": actor}
        )
    return review


def set_review_trends_first(*, actor: User, enabled: bool) -> TrendSettings:
    """Switch "review trends first": when on, only approved hashtags and posts trend."""
    _require_moderator(actor)
    with transaction.atomic():
        settings_row = TrendSettings.current()
        settings_row.review_first = enabled
        settings_row.save(update_fields=["review_first"])
    return settings_row
