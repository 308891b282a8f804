"""Creating notifications and marking them read.

Called from tasks, after the change that caused them has committed.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from agora.accounts.models import Block, Mute, User
from agora.core.exceptions import NotFound
from agora.notifications.models import Notification
from agora.posts.models import Post
from agora.posts.selectors import can_view_post
from agora.streaming import services as streaming_services


def _is_unwanted(recipient: User, actor: User) -> bool:
    """No notifications between accounts that block each other, nor from accounts the recipient muted."""
    return (
        Block.objects.filter(blocker=recipient, blocked=actor).exists()
        or Block.objects.filter(blocker=actor, blocked=recipient).exists()
        or Mute.objects.filter(muter=recipient, muted=actor).exists()
    )


def notify(*, recipient: User, actor: User, kind: str, post: Post | None = None) -> Notification | None:
    """Record one notification unless it is to oneself, unwanted, a repeat, or about a post the recipient
    may not see. Safe to call twice with the same arguments (tasks may run again).
    """
    if recipient.pk == actor.pk or not recipient.is_active or not actor.is_active:
        return None
    if _is_unwanted(recipient, actor):
        return None
    if post is not None and not can_view_post(recipient, post):
        return None
    existing = Notification.objects.filter(recipient=recipient, actor=actor, kind=kind, post=post).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            created = Notification.objects.create(recipient=recipient, actor=actor, kind=kind, post=post)
            created_id = str(created.pk)
            transaction.on_commit(lambda: streaming_services.publish_notification_created(created_id))
            return created
    except IntegrityError:
        return Notification.objects.filter(recipient=recipient, actor=actor, kind=kind, post=post).first()


def notify_about_post(*, post: Post, only_recipient_ids: list[uuid.UUID] | None = None) -> int:
    """Notify the accounts a new (or edited) post mentions and the author of the post it replies to.

    Returns the number of notifications that exist for it now.
    """
    if not post.is_published:
        return 0
    recipients: dict[uuid.UUID, str] = {}
    for user_id in post.mention_links.values_list("user_id", flat=True):
        recipients[user_id] = Notification.Kind.MENTION
    if post.in_reply_to_id is not None and post.in_reply_to is not None:
        # The replied-to author learns of the reply once, as a reply rather than as a mention.
        recipients[post.in_reply_to.author_id] = Notification.Kind.REPLY
    if only_recipient_ids is not None:
        wanted = set(only_recipient_ids)
        recipients = {k: v for k, v in recipients.items() if k in wanted}
    created = 0
    for user in User.objects.filter(pk__in=recipients):
        if notify(recipient=user, actor=post.author, kind=recipients[user.pk], post=post) is not None:
            created += 1
    return created


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, is_read=False).update(is_read=True)


def dismiss(*, user: User, notification_id: uuid.UUID) -> None:
    """Delete one of the user's notifications (Mastodon's dismiss); someone else's is not found."""
    deleted, _by_model = Notification.objects.filter(recipient=user, pk=notification_id).delete()
    if not deleted:
        raise NotFound(notification_id)


def clear_all(*, user: User) -> int:
    """Delete all of the user's notifications (Mastodon's clear)."""
    deleted, _by_model = Notification.objects.filter(recipient=user).delete()
    return deleted
