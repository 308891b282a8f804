"""What a person sees of their notifications.

Never about posts they may not see, nor from accounts blocked either way or muted.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from agora.accounts.models import User
from agora.accounts.selectors import blocked_user_ids, blocker_user_ids, muted_user_ids
from agora.core.pagination import Page, paginate_newest_first
from agora.notifications.models import Notification
from agora.posts.selectors import visibility_rule_through


def _visible_notifications(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user, actor__is_active=True)
        .exclude(actor_id__in=blocked_user_ids(user))
        .exclude(actor_id__in=blocker_user_ids(user))
        .exclude(actor_id__in=muted_user_ids(user))
        # Notifications point at originals, never at reposts, so the post's own rule is the whole rule.
        .filter(Q(post__isnull=True) | visibility_rule_through(user, "post__"))
    )


def notifications_for(user: User, *, before: uuid.UUID | None = None, limit: int = 20) -> Page[Notification]:
    queryset = _visible_notifications(user).select_related("actor", "post", "post__author")
    return paginate_newest_first(queryset, before=before, limit=limit)


def get_visible_notification(user: User, notification_id: uuid.UUID | str) -> Notification | None:
    """One of the user's notifications, if they may see it (for streaming it as it is created)."""
    return (
        _visible_notifications(user)
        .select_related("actor", "post", "post__author")
        .filter(pk=notification_id)
        .first()
    )


def unread_count(user: User, *, up_to: int = 100) -> int:
    """Unread notifications, counted up to `up_to` (as Mastodon does): the visibility rule runs on every row
    counted, so an account with tens of thousands unread must not cost that on each page view."""
    return _visible_notifications(user).filter(is_read=False)[:up_to].count()
