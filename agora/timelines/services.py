"""Fan-out: copying a new post's id into the Redis home timelines of its author's active followers.

A post fans out once it is published (held posts wait until a moderator publishes them); see feeds.py for
what is stored and for the accounts whose timelines are filled at read time instead.
"""

from __future__ import annotations

import itertools
import uuid

from django.conf import settings
from django.db import transaction

from agora.accounts.models import Follow
from agora.posts.models import Post
from agora.timelines import feeds


def fan_out_post(*, post_id: uuid.UUID | str) -> int:
    """Add a published post to the built home timelines of its author and their followers; returns how many
    timelines took it. Safe to run again: adding an id twice keeps one. Raises redis.RedisError when Redis
    fails (the task retries it).
    """
    if not feeds.enabled():
        return 0
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None or not post.is_published:
        return 0
    recipients: list[uuid.UUID] | itertools.chain[uuid.UUID] = [post.author_id]
    if post.author.followers_count <= settings.AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS:
        followers = (
            Follow.objects.filter(followee_id=post.author_id)
            .values_list("follower_id", flat=True)
            .iterator(chunk_size=5000)
        )
        recipients = itertools.chain(recipients, followers)
    return feeds.add_post(post.pk, recipients)


def schedule_fan_out(*, post_id: uuid.UUID) -> None:
    """After the current transaction commits, fan the post out in the background (only with Redis)."""
    if not feeds.enabled():
        return
    from agora.timelines.tasks import fan_out_post as fan_out_task

    value = str(post_id)
    transaction.on_commit(lambda: fan_out_task.enqueue(post_id=value))
