"""What a subscriber may receive from a stream: the one visibility rule (agora.posts.selectors), applied to
each event for each subscriber, plus the timelines' filters for muted accounts and muted words. Only
published posts stream: held and removed ones are never sent, not even to their author."""

from __future__ import annotations

import uuid

from django.db.models import Q

from agora.accounts.models import User
from agora.moderation.selectors import without_muted_words
from agora.notifications.models import Notification
from agora.notifications.selectors import get_visible_notification
from agora.posts.models import ModerationState, Post
from agora.posts.selectors import visible_posts_for, with_display_relations, without_muted

STREAMED_STATES = (ModerationState.PUBLISHED,)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def streamed_post(viewer: User | None, post_id: uuid.UUID | str) -> Post | None:
    """The post, ready to render, if it is published and `viewer` may see it in a timeline; else None."""
    pk = _as_uuid(post_id)
    if pk is None:
        return None
    posts = Post.objects.filter(pk=pk, moderation_state__in=STREAMED_STATES).filter(
        Q(repost_of__isnull=True) | Q(repost_of__moderation_state__in=STREAMED_STATES)
    )
    posts = without_muted_words(viewer, without_muted(viewer, visible_posts_for(viewer, posts)))
    return with_display_relations(posts, viewer).first()


def streamed_notification(viewer: User | None, notification_id: uuid.UUID | str) -> Notification | None:
    """The viewer's own notification, if they may see it (never about a post hidden from them)."""
    pk = _as_uuid(notification_id)
    if pk is None or viewer is None or not viewer.is_authenticated:
        return None
    return get_visible_notification(viewer, pk)
