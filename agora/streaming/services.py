"""Publishing streaming events, called on commit by the services that change posts and notifications.

Each function takes ids, loads fresh rows and decides which channels the event goes to: the author's and
followers' home streams (`user:<id>`, with the home timeline's choice of replies and reposts), `public` and
the post's hashtags for public top-level posts. Only published posts stream (a held post streams once it is
published); whether a given subscriber receives the event is decided per subscriber, through the visibility
rule, when it is delivered (agora.streaming.events). Publishing never raises (see agora.streaming.broker).
"""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from django.db.models import Q

from agora.accounts.models import Follow
from agora.notifications.models import Notification
from agora.posts.models import Hashtag, ModerationState, Post, Visibility
from agora.search.models import FollowedHashtag
from agora.streaming import broker
from agora.streaming.streams import (
    hashtag_channel,
    is_user_channel,
    public_channel,
    user_channel,
    user_ids_of,
)


def _message(event: str, object_id: uuid.UUID | str) -> str:
    return json.dumps({"event": event, "id": str(object_id)})


def post_channels(
    post: Post, *, only_if_published: bool = True, listened: set[str] | None = None
) -> list[str]:
    """The channels an event about `post` goes to. With `only_if_published`, none for a post (or the
    original of a repost) that is held, limited or removed. With `listened` (the channels someone listens
    to), personal channels nobody listens to are left out, and followers are looked up among listeners only.
    """
    original = post.repost_of
    if only_if_published and (
        post.moderation_state != ModerationState.PUBLISHED
        or (original is not None and original.moderation_state != ModerationState.PUBLISHED)
    ):
        return []
    replied_to = post.in_reply_to.author_id if post.in_reply_to is not None else None
    reply_to_other = replied_to is not None and replied_to != post.author_id
    channels = {user_channel(post.author_id)}
    followers = Follow.objects.filter(followee_id=post.author_id)
    if listened is not None:
        followers = followers.filter(follower_id__in=user_ids_of(listened))
    if reply_to_other:
        # As in the home timeline: a reply shows to those who follow (or are) the account it answers.
        followers = followers.filter(
            Q(follower_id=replied_to)
            | Q(follower_id__in=Follow.objects.filter(followee_id=replied_to).values("follower_id"))
        )
    if original is not None:
        # Nor does a repost show to those who have the original in their timeline already.
        followers = followers.exclude(follower_id=original.author_id).exclude(
            follower_id__in=Follow.objects.filter(followee_id=original.author_id).values("follower_id")
        )
    channels.update(user_channel(user_id) for user_id in followers.values_list("follower_id", flat=True))
    if post.visibility == Visibility.PUBLIC and original is None:
        tag_ids = post.hashtag_links.values("hashtag_id")
        channels.update(
            hashtag_channel(name)
            for name in Hashtag.objects.filter(pk__in=tag_ids).values_list("name", flat=True)
        )
        if not reply_to_other:
            channels.add(public_channel())
            tag_followers = FollowedHashtag.objects.filter(hashtag_id__in=tag_ids).values_list(
                "user_id", flat=True
            )
            channels.update(user_channel(user_id) for user_id in tag_followers)
    if listened is not None:
        channels = {channel for channel in channels if channel in listened or not is_user_channel(channel)}
    return sorted(channels)


def _load_post(post_id: uuid.UUID | str) -> Post | None:
    return Post.objects.select_related("repost_of", "in_reply_to").filter(pk=post_id).first()


def publish_post_created(post_id: uuid.UUID | str) -> None:
    """A post, reply or repost was published: `update` to its audience's streams."""
    post = _load_post(post_id)
    if post is not None:
        message = _message("update", post.pk)
        channels = post_channels(post, listened=broker.listened_channels())
        broker.publish((channel, message) for channel in channels)


def publish_post_edited(post_id: uuid.UUID | str) -> None:
    """A post was edited: `status.update` while it is published; `delete` when the edit got it held, so
    that clients drop what their people may no longer see."""
    post = _load_post(post_id)
    if post is None:
        return
    listened = broker.listened_channels()
    if post.moderation_state == ModerationState.PUBLISHED:
        message = _message("status.update", post.pk)
        broker.publish((channel, message) for channel in post_channels(post, listened=listened))
    elif post.moderation_state == ModerationState.HELD:
        message = _message("delete", post.pk)
        channels = post_channels(post, only_if_published=False, listened=listened)
        broker.publish((channel, message) for channel in channels)


def publish_post_deleted_on_commit(post: Post) -> None:
    """Call inside the transaction that deletes `post`, before its row goes: after commit, `delete` goes to
    the streams that had it (worked out now, while its hashtags and reply target are still there)."""
    channels = post_channels(post, listened=broker.listened_channels())
    if channels:
        message = _message("delete", post.pk)
        transaction.on_commit(lambda: broker.publish((channel, message) for channel in channels))


def publish_notification_created(notification_id: uuid.UUID | str) -> None:
    """A notification was recorded: `notification` to its recipient's streams."""
    recipient_id = (
        Notification.objects.filter(pk=notification_id).values_list("recipient_id", flat=True).first()
    )
    if recipient_id is not None:
        broker.publish([(user_channel(recipient_id), _message("notification", notification_id))])
