"""Timelines: home, local public, hashtag and profile. Each is the visibility rule plus its own selection,
newest first, one cursor page at a time, with every card's relations loaded in a fixed number of queries.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import F, Q, QuerySet

from agora.accounts.models import User
from agora.accounts.selectors import followed_user_ids, is_anonymous
from agora.core.pagination import Page, paginate_newest_first
from agora.posts.models import Hashtag, ModerationState, Post, Visibility
from agora.posts.selectors import visible_posts_for, with_display_relations, without_muted


def _page(
    viewer: User | None, posts: QuerySet[Post], before: uuid.UUID | None, limit: int | None
) -> Page[Post]:
    return paginate_newest_first(
        with_display_relations(posts, viewer), before=before, limit=limit or settings.AGORA_PAGE_SIZE
    )


# Home timelines are read in windows of candidate ids taken from the author index, newest first; the rule
# then runs on one window at a time, so a page costs the same however large the posts table grows.
HOME_WINDOW = 100
HOME_MAX_WINDOWS = 8


def home_timeline(viewer: User, *, before: uuid.UUID | None = None, limit: int | None = None) -> Page[Post]:
    """The viewer's own posts and those of accounts they follow, with their reposts.

    Replies show only when they answer the viewer or someone the viewer follows (as on Mastodon), so a
    followed account's conversations with strangers do not flood the timeline.
    """
    limit = limit or settings.AGORA_PAGE_SIZE
    followed = followed_user_ids(viewer)
    candidates = Post.objects.filter(Q(author_id__in=followed) | Q(author_id=viewer.pk))
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
    unpublished = [ModerationState.HELD, ModerationState.REMOVED]
    not_fanned_out = (Q(moderation_state__in=unpublished) & ~Q(author_id=viewer.pk)) | (
        Q(repost_of__moderation_state__in=unpublished) & ~Q(repost_of__author_id=viewer.pk)
    )

    items: list[Post] = []
    cursor = before
    for _ in range(HOME_MAX_WINDOWS):
        window_query = candidates if cursor is None else candidates.filter(id__lt=cursor)
        window = list(window_query.order_by("-id").values_list("id", flat=True)[:HOME_WINDOW])
        if not window:
            return _without_repeated_originals(Page(items=items, next_cursor=None))
        shown = (
            Post.objects.filter(pk__in=window)
            .filter(relevant_replies)
            .exclude(repeated)
            .exclude(not_fanned_out)
        )
        needed = limit + 1 - len(items)
        items += with_display_relations(
            without_muted(viewer, visible_posts_for(viewer, shown)), viewer
        ).order_by("-id")[:needed]
        if len(items) > limit:
            return _without_repeated_originals(Page(items=items[:limit], next_cursor=items[limit - 1].pk))
        if len(window) < HOME_WINDOW:
            return _without_repeated_originals(Page(items=items, next_cursor=None))
        cursor = window[-1]
    # A long stretch of posts the viewer may not see: show what was found and let the next page go on.
    return _without_repeated_originals(Page(items=items, next_cursor=cursor))


def _without_repeated_originals(page: Page[Post]) -> Page[Post]:
    """Several followed accounts reposting one post show it once on a page, at its newest repost."""
    seen: set[uuid.UUID] = set()
    items = []
    for post in page.items:
        original_id = post.repost_of_id or post.pk
        if original_id not in seen:
            seen.add(original_id)
            items.append(post)
    return Page(items=items, next_cursor=page.next_cursor)


def public_timeline(
    viewer: User | None, *, before: uuid.UUID | None = None, limit: int | None = None
) -> Page[Post]:
    """Public, published, top-level posts of this server (no reposts, no replies to others)."""
    posts = Post.objects.filter(
        visibility=Visibility.PUBLIC,
        moderation_state=ModerationState.PUBLISHED,
        repost_of__isnull=True,
    ).filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id=F("author_id")))
    return _page(viewer, without_muted(viewer, visible_posts_for(viewer, posts)), before, limit)


def hashtag_timeline(
    viewer: User | None, tag: str, *, before: uuid.UUID | None = None, limit: int | None = None
) -> Page[Post]:
    """Public, published posts with the hashtag, replies included."""
    hashtag = Hashtag.objects.filter(name=tag.lower()).first()
    if hashtag is None:
        return Page(items=[], next_cursor=None)
    posts = Post.objects.filter(
        hashtag_links__hashtag=hashtag,
        visibility=Visibility.PUBLIC,
        moderation_state=ModerationState.PUBLISHED,
    )
    return _page(viewer, without_muted(viewer, visible_posts_for(viewer, posts)), before, limit)


def profile_timeline(
    viewer: User | None,
    account: User,
    *,
    with_replies: bool = False,
    before: uuid.UUID | None = None,
    limit: int | None = None,
) -> Page[Post]:
    """An account's posts and reposts that the viewer may see; replies to others only when asked for."""
    posts = Post.objects.filter(author=account)
    if not with_replies:
        posts = posts.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id=account.pk))
    if is_anonymous(viewer) or (viewer is not None and viewer.pk != account.pk):
        posts = posts.exclude(moderation_state__in=[ModerationState.HELD, ModerationState.REMOVED])
    return _page(viewer, visible_posts_for(viewer, posts), before, limit)
