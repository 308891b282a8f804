"""Reads the client API adds on top of the other apps' selectors. Each goes through the one visibility rule
(agora.posts.selectors); none has a rule of its own."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from agora.accounts.models import Block, Follow, Mute, User
from agora.accounts.selectors import followers_of, get_visible_account
from agora.api.models import Bookmark, Pin
from agora.api.pagination import PageParams, paginate_queryset
from agora.core.exceptions import NotFound
from agora.media.models import MediaAttachment, MediaFile
from agora.moderation.models import MutedWord
from agora.posts.models import Hashtag, Like, Mention, ModerationState, Post, PostHashtag, Visibility
from agora.posts.selectors import visible_posts_for, with_display_relations
from agora.search.models import FollowedHashtag


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


def home_page_fingerprint(viewer: User, *, newer_than: uuid.UUID | None) -> tuple[str, int] | None:
    """A digest of every row a home timeline page for `viewer` that reached down to `newer_than` (None: to
    the beginning) is made of, and how many candidate posts that range holds; None where the database cannot
    say (only PostgreSQL can: the digest reads each row version's transaction and place, `xmin` and
    `ctid`, which every write changes).

    It changes whenever anything the page shows or the rule that chose it reads changes: a candidate post in
    the range (by the viewer, by someone they follow, or with a hashtag they follow) is written, created or
    deleted, and so its originals, the posts it answers, its authors, mentions and media (and the authors'
    pictures); the viewer's own row (role), follows, blocks either way, mutes, muted words, followed
    hashtags; their likes, bookmarks and pins of the posts in the range. Posts older than the range cannot
    enter a page that stopped above them, and a new post is always newer than every post in it.
    """
    if connection.vendor != "postgresql":
        return None
    tables = {
        "post": Post._meta.db_table,
        "user": User._meta.db_table,
        "follow": Follow._meta.db_table,
        "block": Block._meta.db_table,
        "mute": Mute._meta.db_table,
        "muted_word": MutedWord._meta.db_table,
        "followed_tag": FollowedHashtag._meta.db_table,
        "post_tag": PostHashtag._meta.db_table,
        "mention": Mention._meta.db_table,
        "like": Like._meta.db_table,
        "bookmark": Bookmark._meta.db_table,
        "pin": Pin._meta.db_table,
        "attachment": MediaAttachment._meta.db_table,
        "file": MediaFile._meta.db_table,
    }
    # Sets are passed on as arrays (`= ANY(ARRAY(...))`) so that every lookup is an index scan, whatever
    # the planner guesses about the size of a CTE.
    sql = """
    WITH cand AS (
        SELECT p.id, p.xmin::text || p.ctid::text AS v, p.author_id, p.repost_of_id, p.in_reply_to_id
        FROM "{post}" p
        WHERE p.id >= %(low)s AND (p.author_id = %(viewer)s OR p.author_id = ANY(ARRAY(
            SELECT followee_id FROM "{follow}" WHERE follower_id = %(viewer)s)))
        UNION
        SELECT p.id, p.xmin::text || p.ctid::text, p.author_id, p.repost_of_id, p.in_reply_to_id
        FROM "{post}" p
        JOIN "{post_tag}" t ON t.post_id = p.id
        WHERE t.post_id >= %(low)s AND t.hashtag_id = ANY(ARRAY(
            SELECT hashtag_id FROM "{followed_tag}" WHERE user_id = %(viewer)s))
    ),
    orig AS (
        SELECT o.id, o.xmin::text || o.ctid::text AS v, o.author_id, o.in_reply_to_id FROM "{post}" o
        WHERE o.id = ANY(ARRAY(SELECT repost_of_id FROM cand WHERE repost_of_id IS NOT NULL))
    ),
    sets AS (
        SELECT
            ARRAY(SELECT id FROM cand UNION SELECT id FROM orig) AS shown,
            ARRAY(SELECT author_id FROM cand UNION SELECT author_id FROM orig UNION SELECT %(viewer)s)
                AS people,
            ARRAY(SELECT in_reply_to_id FROM cand WHERE in_reply_to_id IS NOT NULL
                  UNION SELECT in_reply_to_id FROM orig WHERE in_reply_to_id IS NOT NULL) AS parents
    ),
    attachments AS (
        SELECT a.id, a.xmin::text || a.ctid::text AS v FROM "{attachment}" a
        WHERE a.post_id = ANY((SELECT shown FROM sets)::uuid[])
        UNION
        SELECT a.id, a.xmin::text || a.ctid::text FROM "{attachment}" a
        WHERE a.owner_id = ANY((SELECT people FROM sets)::uuid[]) AND a.post_id IS NULL
    )
    SELECT (SELECT count(*) FROM cand), md5(concat_ws('|',
        (SELECT string_agg(id::text || v, ',' ORDER BY id) FROM cand),
        (SELECT string_agg(id::text || v, ',' ORDER BY id) FROM orig),
        (SELECT string_agg(id::text, ',' ORDER BY id) FROM "{post}"
            WHERE id = ANY((SELECT parents FROM sets)::uuid[])),
        (SELECT string_agg(u.id::text || u.xmin::text || u.ctid::text, ',' ORDER BY u.id) FROM "{user}" u
            WHERE u.id = ANY((SELECT people FROM sets)::uuid[])),
        (SELECT string_agg(m.post_id::text || m.user_id::text, ',' ORDER BY m.post_id, m.user_id)
            FROM "{mention}" m WHERE m.post_id = ANY((SELECT shown FROM sets)::uuid[])),
        (SELECT string_agg(id::text || v, ',' ORDER BY id) FROM attachments),
        (SELECT string_agg(f.id::text || f.xmin::text || f.ctid::text, ',' ORDER BY f.id) FROM "{file}" f
            WHERE f.attachment_id = ANY(ARRAY(SELECT id FROM attachments))),
        -- Follows are only ever added (with a newer id) or deleted, never changed: their count and newest
        -- id say the same as every row's version, for much less work (hundreds of follows).
        (SELECT count(*)::text || coalesce(max(id::text), '') FROM "{follow}" WHERE follower_id = %(viewer)s),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{block}"
            WHERE blocker_id = %(viewer)s OR blocked_id = %(viewer)s),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{mute}"
            WHERE muter_id = %(viewer)s),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{muted_word}"
            WHERE user_id = %(viewer)s),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{followed_tag}"
            WHERE user_id = %(viewer)s),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{like}"
            WHERE user_id = %(viewer)s AND post_id = ANY((SELECT shown FROM sets)::uuid[])),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{bookmark}"
            WHERE user_id = %(viewer)s AND post_id = ANY((SELECT shown FROM sets)::uuid[])),
        (SELECT string_agg(id::text || xmin::text || ctid::text, ',' ORDER BY id) FROM "{pin}"
            WHERE user_id = %(viewer)s AND post_id = ANY((SELECT shown FROM sets)::uuid[]))
    ))
    """.format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"viewer": viewer.pk, "low": newer_than or uuid.UUID(int=0)})
        count, digest = cursor.fetchone()
    return digest, int(count)
