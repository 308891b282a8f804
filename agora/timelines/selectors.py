"""Timelines: home, local public, hashtag and profile.

Each is the visibility rule plus its own selection, newest first, one cursor page at a time, with every card's
relations loaded in a fixed number of queries.

Every timeline is read the same way: a cheap query walks one index (author, public posts, a hashtag's posts)
for a window of candidate ids, newest first; the full rule then runs on that window only. So a page costs the
same however large the posts table grows, and no query planner can turn a page into a table scan.

With Redis (AGORA_TIMELINES_REDIS_URL, by default REDIS_URL), the home timeline's candidate ids come from the
account's list that fan-out fills (agora/timelines/feeds.py), merged with the posts of very widely followed
authors and of followed hashtags read here; the selection and the visibility rule then run on that window
exactly as without Redis. When Redis fails, the same page is read from the database.
"""

from __future__ import annotations

import functools
import logging
import operator
import uuid
from collections import defaultdict
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    UUIDField,
)
from django.db.models.functions import Cast, Coalesce

from agora.accounts.models import Follow, User
from agora.accounts.selectors import followed_user_ids, is_anonymous, muted_user_ids
from agora.core.pagination import Page
from agora.moderation.selectors import without_muted_words
from agora.posts.models import Hashtag, ModerationState, Post, PostHashtag, Visibility
from agora.posts.selectors import visible_posts_for, with_display_relations, without_muted
from agora.search.models import FollowedHashtag
from agora.search.selectors import followed_hashtag_ids
from agora.timelines import feeds

logger = logging.getLogger(__name__)

WINDOW = 100
MAX_WINDOWS = 8
UNPUBLISHED = (ModerationState.HELD, ModerationState.REMOVED)

# Given the cursor (None for the newest), the next window of at most WINDOW candidate ids, newest first.
WindowSource = Callable[[uuid.UUID | None], list[uuid.UUID]]


def _windows_of(candidates: QuerySet[Post]) -> WindowSource:
    def next_window(cursor: uuid.UUID | None) -> list[uuid.UUID]:
        query = candidates if cursor is None else candidates.filter(id__lt=cursor)
        return list(query.order_by("-id").values_list("id", flat=True)[:WINDOW])

    return next_window


def _windowed_page(
    viewer: User | None,
    *,
    candidates: QuerySet[Post] | WindowSource,
    shown: Q,
    hide_muted: bool,
    before: uuid.UUID | None,
    limit: int | None,
    superseded: Callable[[list[uuid.UUID]], set[uuid.UUID]] | None = None,
) -> Page[Post]:
    """One page of `candidates` that pass `shown` and the visibility rule, newest first.

    `superseded`, given a window of candidate ids, names those to leave out.

    When a long stretch of candidates is hidden from the viewer, the page stops after MAX_WINDOWS windows with
    what it found and a cursor to go on from.
    """
    limit = limit or settings.AGORA_PAGE_SIZE
    next_window = _windows_of(candidates) if isinstance(candidates, QuerySet) else candidates
    items: list[Post] = []
    cursor = before
    for _ in range(MAX_WINDOWS):
        window = next_window(cursor)
        if not window:
            return Page(items=items, next_cursor=None)
        posts = visible_posts_for(viewer, Post.objects.filter(pk__in=window).filter(shown))
        if hide_muted:
            posts = without_muted(viewer, posts)
            posts = without_muted_words(viewer, posts)  # the viewer's muted words (agora/moderation)
        if superseded is not None and (hidden := superseded(window)):
            posts = posts.exclude(pk__in=hidden)
        items += with_display_relations(posts, viewer).order_by("-id")[: limit + 1 - len(items)]
        if len(items) > limit:
            return Page(items=items[:limit], next_cursor=items[limit - 1].pk)
        if len(window) < WINDOW:
            return Page(items=items, next_cursor=None)
        cursor = window[-1]
    return Page(items=items, next_cursor=cursor)


def home_timeline(viewer: User, *, before: uuid.UUID | None = None, limit: int | None = None) -> Page[Post]:
    """The viewer's own posts and those of accounts they follow, with their reposts, and public posts with a
    hashtag they follow.

    Replies show only when they answer the viewer or someone the viewer follows (as on Mastodon), so a
    followed account's conversations with strangers do not flood the timeline.
    """
    followed = followed_user_ids(viewer)
    relevant_replies = (
        Q(in_reply_to__isnull=True)
        | Q(in_reply_to__author_id__in=followed)
        | Q(in_reply_to__author_id=viewer.pk)
        | Q(in_reply_to__author_id=F("author_id"))
    )
    # A repost by someone else of one's own post, or of a post by someone one follows (the original is in the
    # timeline already), would only show the same post twice.
    repeated = (Q(repost_of__author_id=viewer.pk) | Q(repost_of__author_id__in=followed)) & ~Q(
        author_id=viewer.pk
    )
    # Held and removed posts do not fan out, not even to moderators (whom the visibility rule lets open them
    # by link for review): here only their author sees them.
    not_fanned_out = (Q(moderation_state__in=UNPUBLISHED) & ~Q(author_id=viewer.pk)) | (
        Q(repost_of__moderation_state__in=UNPUBLISHED) & ~Q(repost_of__author_id=viewer.pk)
    )
    by_account = Q(author_id__in=followed) | Q(author_id=viewer.pk)

    def superseded(window: list[uuid.UUID]) -> set[uuid.UUID]:
        """A post reposted by several followed accounts shows once, at its newest share the viewer gets (their
        own repost also stands in for the original). Decided per post, not per page, so paging never shows
        it twice.

        Read for the window alone, in two steps, each an index lookup per post: the window's originals, with
        whether their author is the viewer or followed (a share of those counts only when it is the viewer's
        own: `repeated`), then their shares. As one query (originals as a subquery, the original's author
        through a join) PostgreSQL may walk every repost ever made or hash the whole posts table (370 ms at
        1M posts)."""
        originals = (
            Post.objects.filter(pk__in=window)
            .annotate(original_author=Coalesce("repost_of__author_id", "author_id"))
            .values_list(
                Coalesce("repost_of_id", "id"),
                "original_author",
                Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("original_author"))),
            )
        )
        kept: list[uuid.UUID] = []  # only the viewer's own share stands in for these
        free: list[uuid.UUID] = []
        for original, author_id, author_followed in originals:
            (kept if author_followed or author_id == viewer.pk else free).append(original)
        shares = (
            Post.objects.filter(
                (Q(repost_of_id__in=free) & by_account) | Q(repost_of_id__in=kept, author_id=viewer.pk),
                author__is_active=True,
            )
            .exclude(moderation_state__in=UNPUBLISHED)
            .exclude(author_id__in=muted_user_ids(viewer))
            .values_list("repost_of_id", "id")
        )
        shares_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for original, share in shares:
            shares_of[original].append(share)
        hidden: set[uuid.UUID] = set()
        for original, ids in shares_of.items():
            newest = max(ids)
            # The original and every older share give way to the newest share.
            hidden |= {original, *ids} - {newest}
        return hidden & set(window)

    # Followed hashtags bring in public, published posts of anyone (as their hashtag page shows them).
    tagged = PostHashtag.objects.filter(hashtag_id__in=followed_hashtag_ids(viewer)).values("post_id")
    public_and_published = Q(visibility=Visibility.PUBLIC, moderation_state=ModerationState.PUBLISHED)
    by_hashtag = Q(pk__in=tagged) & public_and_published
    shown = relevant_replies & ~repeated & ~not_fanned_out
    if feeds.enabled():
        try:
            page = _windowed_page(
                viewer,
                # Candidates from Redis may be stale (unfollowed since): the membership is checked again here.
                candidates=_home_windows_from_redis(viewer, by_account=by_account, by_hashtag=by_hashtag),
                shown=shown & (by_account | by_hashtag),
                hide_muted=True,
                before=before,
                limit=limit,
                superseded=superseded,
            )
            return page
        except redis.RedisError as error:
            feeds.note_failure(error)
    page = _windowed_page(
        viewer,
        candidates=_home_candidates(viewer, by_hashtag=by_hashtag),
        shown=shown,
        hide_muted=True,
        before=before,
        limit=limit,
        superseded=superseded,
    )
    return page


def _home_candidates(viewer: User, *, by_hashtag: Q) -> QuerySet[Post]:
    """Posts by the viewer and the accounts they follow, and posts `by_hashtag`, for walking newest first.

    PostgreSQL's planner weighs reading the followed accounts' posts through the author index against
    walking the newest posts; SQLite always takes the author index (a "multi-index OR") and sorts every post
    the followed accounts ever wrote, which grows with the table. When walking the newest posts is cheaper
    (the followed accounts wrote much of what is there), the author test is kept off the index (`+column`),
    so SQLite walks the primary key newest first and stops at the window's end.
    """
    followed = followed_user_ids(viewer)
    by_account = Q(author_id__in=followed) | Q(author_id=viewer.pk)
    if connection.vendor != "sqlite" or not _walking_is_cheaper(viewer):
        return Post.objects.filter(by_account | by_hashtag)
    unindexed = Func(F("author_id"), template="+%(expressions)s", output_field=UUIDField())
    return Post.objects.alias(walked_author=unindexed).filter(
        Q(walked_author__in=followed) | Q(walked_author=viewer.pk) | by_hashtag
    )


def _walking_is_cheaper(viewer: User) -> bool:
    """Reading the followed accounts' posts costs as many rows as they wrote; walking the newest posts until a
    window is full costs about WINDOW x all posts / their posts. The answer changes slowly: it is kept for a
    few minutes per viewer (a stale one costs time, never a wrong page)."""
    key = f"timelines:walk:{viewer.pk}"
    known = cache.get(key)
    if known is not None:
        return bool(known)
    theirs = (
        User.objects.filter(Q(pk__in=followed_user_ids(viewer)) | Q(pk=viewer.pk)).aggregate(
            posts=Sum("posts_count")
        )["posts"]
        or 0
    )
    everyone = cache.get("timelines:post-count")
    if everyone is None:
        everyone = User.objects.aggregate(posts=Sum("posts_count"))["posts"] or 0
        cache.set("timelines:post-count", everyone, 600)
    walking = theirs * theirs > WINDOW * everyone
    cache.set(key, walking, 300)
    return walking


def follow_graph_fingerprint(viewer: User) -> str:
    """Changes whenever the set of accounts `viewer` follows changes: follow ids only grow, so the same count
    with the same newest follow means the same set.
    """
    # PostgreSQL has no max() over uuid; the text form sorts the same way.
    graph = Follow.objects.filter(follower=viewer).aggregate(
        count=Count("id"), newest=Max(Cast("id", output_field=CharField()))
    )
    return f"{graph['count']}:{graph['newest'] or ''}"


def widely_followed_threshold() -> int:
    """Followed authors with at least this many followers are merged in at read time. It is half of the
    fan-out limit, so that an author whose follower count hovers around the limit is never missed.
    """
    return max(1, settings.AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS // 2)


def _home_windows_from_redis(viewer: User, *, by_account: Q, by_hashtag: Q) -> WindowSource:
    """Candidate windows: the viewer's fanned-out list, merged with what fan-out leaves to read time (posts of
    widely followed authors and of followed hashtags), and with the database below the list's oldest entry.
    """
    graph = follow_graph_fingerprint(viewer)
    # Through the partial index of widely followed accounts (accounts.User), then the viewer's follow of each.
    widely_followed = list(
        Follow.objects.filter(
            follower=viewer, followee__followers_count__gte=widely_followed_threshold()
        ).values_list("followee_id", flat=True)
    )
    at_read_time = [Q(author_id__in=widely_followed)] if widely_followed else []
    if FollowedHashtag.objects.filter(user=viewer).exists():
        at_read_time.append(by_hashtag)
    merged = (
        _windows_of(Post.objects.filter(functools.reduce(operator.or_, at_read_time)))
        if at_read_time
        else None
    )
    everything: list[WindowSource] = []  # made when first needed

    def older(cursor: uuid.UUID | None) -> list[uuid.UUID]:
        if not everything:
            everything.append(_windows_of(_home_candidates(viewer, by_hashtag=by_hashtag)))
        return everything[0](cursor)

    def next_window(cursor: uuid.UUID | None) -> list[uuid.UUID]:
        listed, built, truncated = feeds.read_window(viewer.pk, before=cursor, count=WINDOW, graph=graph)
        if not built:
            rebuild_home_timeline(viewer, graph=graph, by_account=by_account)
            listed, built, truncated = feeds.read_window(viewer.pk, before=cursor, count=WINDOW, graph=graph)
        if truncated and len(listed) < WINDOW:
            # Past the end of the list: older posts come from the database.
            others = older(cursor)
        elif merged is not None:
            others = merged(cursor)
        else:
            others = []
        return sorted(set(listed) | set(others), reverse=True)[:WINDOW]

    return next_window


def rebuild_home_timeline(viewer: User, *, graph: str, by_account: Q) -> None:
    """Fill (or top up, after the viewer followed someone) the viewer's list from the database."""
    candidates = Post.objects.filter(by_account).order_by("-id").values_list("id", flat=True)
    feeds.fill(viewer.pk, list(candidates[: settings.AGORA_TIMELINE_SIZE]), graph=graph)
    # A post committed while the query above ran was fanned out before the list existed, so it was skipped;
    # now that the list exists, read the newest ones once more.
    feeds.fill(viewer.pk, list(candidates[:WINDOW]))


def public_timeline(
    viewer: User | None, *, before: uuid.UUID | None = None, limit: int | None = None
) -> Page[Post]:
    """Public, published, top-level posts of this server (no reposts, no replies to others)."""
    return _windowed_page(
        viewer,
        candidates=Post.objects.filter(
            visibility=Visibility.PUBLIC, moderation_state=ModerationState.PUBLISHED
        ),
        shown=Q(repost_of__isnull=True)
        & (Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id=F("author_id"))),
        hide_muted=True,
        before=before,
        limit=limit,
    )


def hashtag_timeline(
    viewer: User | None, tag: str, *, before: uuid.UUID | None = None, limit: int | None = None
) -> Page[Post]:
    """Public, published posts with the hashtag, replies included."""
    hashtag = Hashtag.objects.filter(name=tag.lower()).first()
    if hashtag is None:
        return Page(items=[], next_cursor=None)
    return _windowed_page(
        viewer,
        candidates=Post.objects.filter(hashtag_links__hashtag=hashtag),
        shown=Q(visibility=Visibility.PUBLIC, moderation_state=ModerationState.PUBLISHED),
        hide_muted=True,
        before=before,
        limit=limit,
    )


def profile_timeline(
    viewer: User | None,
    account: User,
    *,
    with_replies: bool = False,
    before: uuid.UUID | None = None,
    limit: int | None = None,
) -> Page[Post]:
    """An account's posts and reposts that the viewer may see; replies to others only when asked for."""
    shown = Q()
    if not with_replies:
        shown &= Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id=account.pk)
    if is_anonymous(viewer) or (viewer is not None and viewer.pk != account.pk):
        shown &= ~Q(moderation_state__in=UNPUBLISHED)
    return _windowed_page(
        viewer,
        candidates=Post.objects.filter(author=account),
        shown=shown,
        hide_muted=False,
        before=before,
        limit=limit,
    )
