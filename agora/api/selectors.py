"""Reads the client API adds on top of the other apps' selectors. Each goes through the one visibility rule
(agora.posts.selectors); none has a rule of its own."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from agora.accounts.models import Follow, User
from agora.accounts.selectors import followers_of, get_visible_account
from agora.api.models import Bookmark, Pin
from agora.api.pagination import PageParams, paginate_queryset
from agora.core.exceptions import NotFound
from agora.posts.models import Hashtag, Like, ModerationState, Post, PostHashtag, Visibility
from agora.posts.selectors import visible_posts_for, with_display_relations


def get_visible_account_by_id(viewer: User | None, account_id: uuid.UUID) -> User:
    """The active account with this id unless it and the viewer block each other (NotFound otherwise)."""
    username = User.objects.filter(pk=account_id, is_active=True).values_list("username", flat=True).first()
    if username is None:
        raise NotFound(account_id)
    return get_visible_account(viewer, username)


def visible_posts_by_ids(viewer: User | None, ids: list[uuid.UUID]) -> list[Post]:
    """The posts among `ids` the viewer may see, in the order given."""
    found = {
        post.pk: post
        for post in with_display_relations(visible_posts_for(viewer, Post.objects.filter(pk__in=ids)), viewer)
    }
    return [found[post_id] for post_id in ids if post_id in found]


def _page_of_links(
    viewer: User, links: QuerySet[Like] | QuerySet[Bookmark], params: PageParams
) -> tuple[list[Post], list[uuid.UUID]]:
    rows: list[Any] = paginate_queryset(links.filter(post__in=visible_posts_for(viewer)), params)
    link_ids = [row.pk for row in rows]
    return visible_posts_by_ids(viewer, [row.post_id for row in rows]), link_ids


def favourited_posts(viewer: User, params: PageParams) -> tuple[list[Post], list[uuid.UUID]]:
    """The posts the viewer liked and may still see, most recently liked first; with the like ids (the
    pagination cursor)."""
    return _page_of_links(viewer, Like.objects.filter(user=viewer), params)


def bookmarked_posts(viewer: User, params: PageParams) -> tuple[list[Post], list[uuid.UUID]]:
    return _page_of_links(viewer, Bookmark.objects.filter(user=viewer), params)


def pinned_posts(viewer: User | None, account: User) -> list[Post]:
    ids = list(Pin.objects.filter(user=account).order_by("-id").values_list("post_id", flat=True))
    return visible_posts_by_ids(viewer, ids)


HISTORY_DAYS = 7


def hashtag_history(hashtags: list[Hashtag]) -> dict[uuid.UUID, list[dict[str, str]]]:
    """Mastodon's Tag `history`: for each of the last 7 days (newest first, `day` as the UNIX time of its
    start in UTC) how many public, published posts used the hashtag and how many accounts wrote them.
    Only public posts count, so that the numbers reveal nothing about posts the viewer may not see."""
    days = _history_days()
    start = datetime.datetime.combine(days[-1], datetime.time.min, tzinfo=datetime.UTC)
    rows = (
        PostHashtag.objects.filter(
            hashtag__in=hashtags,
            post__created_at__gte=start,
            post__visibility=Visibility.PUBLIC,
            post__moderation_state=ModerationState.PUBLISHED,
            post__author__is_active=True,
        )
        .annotate(day=TruncDate("post__created_at", tzinfo=datetime.UTC))
        .values("hashtag_id", "day")
        .annotate(uses=Count("post_id"), accounts=Count("post__author_id", distinct=True))
    )
    counts = {(row["hashtag_id"], row["day"]): (row["uses"], row["accounts"]) for row in rows}
    return {
        tag.pk: [_history_day(day, *counts.get((tag.pk, day), (0, 0))) for day in days] for tag in hashtags
    }


def unused_history() -> list[dict[str, str]]:
    """The `history` of a hashtag nobody used this week."""
    return [_history_day(day, 0, 0) for day in _history_days()]


def _history_days() -> list[datetime.date]:
    today = timezone.now().astimezone(datetime.UTC).date()
    return [today - datetime.timedelta(days=n) for n in range(HISTORY_DAYS)]


def _history_day(day: datetime.date, uses: int, accounts: int) -> dict[str, str]:
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return {"day": str(int(midnight.timestamp())), "uses": str(uses), "accounts": str(accounts)}


def familiar_followers(viewer: User, account: User, *, limit: int = 40) -> list[User]:
    """Accounts the viewer follows that follow `account` (what profiles show as "followed by ...")."""
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    links = followers_of(viewer, account).filter(follower_id__in=followed).order_by("-id")[:limit]
    return [link.follower for link in links]
