"""Background tasks that deliver notifications. They take ids, load fresh rows and are safe to run twice."""

from __future__ import annotations

import uuid

from django_tasks import task

from agora.accounts.models import User
from agora.notifications import services
from agora.posts.models import Post


@task()
def deliver_post_notifications(post_id: str, only_recipient_ids: list[str] | None = None) -> int:
    post = Post.objects.select_related("author", "in_reply_to").filter(pk=post_id).first()
    if post is None:
        return 0
    recipients = (
        [uuid.UUID(value) for value in only_recipient_ids] if only_recipient_ids is not None else None
    )
    return services.notify_about_post(post=post, only_recipient_ids=recipients)


@task()
def deliver_notification(recipient_id: str, actor_id: str, kind: str, post_id: str | None = None) -> bool:
    users = {str(user.pk): user for user in User.objects.filter(pk__in=[recipient_id, actor_id])}
    if recipient_id not in users or actor_id not in users:
        return False
    post = None
    if post_id is not None:
        post = Post.objects.filter(pk=post_id).first()
        if post is None:
            return False
    return (
        services.notify(recipient=users[recipient_id], actor=users[actor_id], kind=kind, post=post)
        is not None
    )
