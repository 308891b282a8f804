"""The one visibility rule: which posts a viewer may see.

Every timeline, page, search, notification, API endpoint and stream asks these functions. A post the viewer
may not see behaves exactly like one that does not exist (NotFound, which entry points turn into 404).
"""

from __future__ import annotations

import uuid

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from agora.accounts.models import User
from agora.accounts.selectors import blocked_user_ids, blocker_user_ids, followed_user_ids, is_anonymous
from agora.core.exceptions import NotFound
from agora.media.models import MediaAttachment
from agora.posts.models import Like, Mention, ModerationState, Post, PostEdit, Visibility

OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)
# Limited posts stay reachable by link; held and removed ones only by their author and moderators.
OPEN_MODERATION_STATES = (ModerationState.PUBLISHED, ModerationState.LIMITED)


def visibility_rule_through(viewer: User | None, prefix: str = "") -> Q:
    """The condition under which `viewer` may see a post, for posts reached through `prefix`."""

    def field(name: str) -> str:
        return f"{prefix}{name}"

    author_active = Q(**{field("author__is_active"): True})
    if is_anonymous(viewer):
        return (
            author_active
            & Q(**{field("visibility__in"): OPEN_VISIBILITIES})
            & Q(**{field("moderation_state__in"): OPEN_MODERATION_STATES})
        )
    assert viewer is not None
    own = Q(**{field("author_id"): viewer.pk})
    mentioned = Exists(Mention.objects.filter(post_id=OuterRef(field("id")), user_id=viewer.pk))
    audience = (
        own
        | Q(**{field("visibility__in"): OPEN_VISIBILITIES})
        | (
            Q(**{field("visibility"): Visibility.FOLLOWERS})
            & Q(**{field("author_id__in"): followed_user_ids(viewer)})
        )
        | (Q(**{field("visibility"): Visibility.FOLLOWERS}) & mentioned)
        | (Q(**{field("visibility"): Visibility.MENTIONED}) & mentioned)
    )
    moderation = own | Q(**{field("moderation_state__in"): OPEN_MODERATION_STATES})
    if viewer.is_moderator:
        moderation = Q()
    not_blocked = ~Q(**{field("author_id__in"): blocked_user_ids(viewer)}) & ~Q(
        **{field("author_id__in"): blocker_user_ids(viewer)}
    )
    return author_active & audience & moderation & not_blocked


def visibility_rule(viewer: User | None) -> Q:
    """The full rule for a post row: the post itself and, for a repost, the post it reposts."""
    return visibility_rule_through(viewer) & (
        Q(repost_of__isnull=True) | visibility_rule_through(viewer, "repost_of__")
    )


def visible_posts_for(viewer: User | None, posts: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The posts of `posts` (default: all) that `viewer` may see."""
    queryset = Post.objects.all() if posts is None else posts
    return queryset.filter(visibility_rule(viewer))


def without_muted(viewer: User | None, posts: QuerySet[Post]) -> QuerySet[Post]:
    """Drop posts and reposts by, and reposts of, accounts the viewer muted (timelines, not direct links)."""
    if is_anonymous(viewer):
        return posts
    assert viewer is not None
    from agora.accounts.selectors import muted_user_ids

    muted = muted_user_ids(viewer)
    return posts.exclude(author_id__in=muted).exclude(repost_of__author_id__in=muted)


def with_display_relations(posts: QuerySet[Post], viewer: User | None) -> QuerySet[Post]:
    """Everything a post card shows, loaded in a fixed number of queries however long the page."""
    posts = posts.select_related(
        "author",
        "repost_of",
        "repost_of__author",
        "in_reply_to",
        "in_reply_to__author",
        "repost_of__in_reply_to",
        "repost_of__in_reply_to__author",
    ).prefetch_related(
        Prefetch("mentions", queryset=User.objects.only("id", "username")),
        Prefetch("repost_of__mentions", queryset=User.objects.only("id", "username")),
        # Attachments (and their files) of the post and of a reposted original: two queries, four with media.
        Prefetch("media_attachments", queryset=MediaAttachment.objects.prefetch_related("files")),
        Prefetch("repost_of__media_attachments", queryset=MediaAttachment.objects.prefetch_related("files")),
    )
    if not is_anonymous(viewer):
        assert viewer is not None
        posts = posts.annotate(
            viewer_liked=Exists(Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("id"))),
            viewer_reposted=Exists(Post.objects.filter(author_id=viewer.pk, repost_of_id=OuterRef("id"))),
            original_viewer_liked=Exists(
                Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("repost_of_id"))
            ),
            original_viewer_reposted=Exists(
                Post.objects.filter(author_id=viewer.pk, repost_of_id=OuterRef("repost_of_id"))
            ),
        )
    return posts


def can_view_post(viewer: User | None, post: Post) -> bool:
    return visible_posts_for(viewer, Post.objects.filter(pk=post.pk)).exists()


def get_visible_post(viewer: User | None, post_id: uuid.UUID | str) -> Post:
    """The post with this id if `viewer` may see it; NotFound otherwise (never a hint that it exists)."""
    try:
        post_uuid = post_id if isinstance(post_id, uuid.UUID) else uuid.UUID(str(post_id))
    except ValueError as error:
        raise NotFound(post_id) from error
    post = with_display_relations(
        visible_posts_for(viewer, Post.objects.filter(pk=post_uuid)), viewer
    ).first()
    if post is None:
        raise NotFound(post_id)
    return post


def visible_ancestors(viewer: User | None, post: Post, limit: int = 40) -> list[Post]:
    """The posts `post` replies to, oldest first, stopping at the first one the viewer may not see.

    A fixed number of queries however deep the thread: the chain of ids in one recursive query, then the
    visibility rule and the cards for all of them at once.
    """
    if post.in_reply_to_id is None:
        return []
    table = connection.ops.quote_name(Post._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE chain(id, parent, depth) AS ("
            f"SELECT id, in_reply_to_id, 1 FROM {table} WHERE id = %s "
            f"UNION ALL SELECT p.id, p.in_reply_to_id, c.depth + 1 FROM {table} p "
            f"JOIN chain c ON p.id = c.parent WHERE c.depth < %s"
            f") SELECT id FROM chain ORDER BY depth",
            [Post._meta.pk.get_db_prep_value(post.in_reply_to_id, connection), limit],
        )
        chain_ids = [uuid.UUID(str(row[0])) for row in cursor.fetchall()]
    shown = {
        parent.pk: parent
        for parent in with_display_relations(
            visible_posts_for(viewer, Post.objects.filter(pk__in=chain_ids)), viewer
        )
    }
    chain: list[Post] = []
    for parent_id in chain_ids:  # from the direct parent up
        if parent_id not in shown:
            break
        chain.append(shown[parent_id])
    chain.reverse()
    return chain


def visible_descendants(viewer: User | None, post: Post, limit: int = 200) -> list[tuple[Post, int]]:
    """Replies below `post` in thread order, each with its depth; branches under hidden posts are left out."""
    conversation = post.conversation_id or post.pk
    candidates = list(
        with_display_relations(
            without_muted(
                viewer,
                visible_posts_for(
                    viewer, Post.objects.filter(conversation_id=conversation, repost_of__isnull=True)
                ),
            ),
            viewer,
        ).order_by("id")[: limit * 2]
    )
    children: dict[uuid.UUID, list[Post]] = {}
    for candidate in candidates:
        if candidate.in_reply_to_id is not None:
            children.setdefault(candidate.in_reply_to_id, []).append(candidate)
    ordered: list[tuple[Post, int]] = []

    def walk(parent_id: uuid.UUID, depth: int) -> None:
        for child in children.get(parent_id, []):
            if len(ordered) >= limit:
                return
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(post.pk, 1)
    return ordered


def edit_history(viewer: User | None, post: Post) -> list[PostEdit]:
    """Earlier versions of a post the viewer may see, oldest first."""
    get_visible_post(viewer, post.pk)
    return list(post.edits.all())
