"""Which notifications are made: one per event, never to oneself, never unwanted or about hidden posts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from agora.accounts.models import User
from agora.accounts.services import approve_follow_request, block, follow, mute
from agora.accounts.tests.factories import BlockFactory, MuteFactory
from agora.notifications.models import Notification
from agora.notifications.services import mark_all_read, notify, notify_about_post
from agora.notifications.tasks import deliver_notification, deliver_post_notifications
from agora.posts.models import ModerationState, Post, Visibility
from agora.posts.services import create_post, like, repost
from agora.posts.tests.factories import PostFactory

RunOnCommit = Callable[[], AbstractContextManager[Any]]
Kind = Notification.Kind


def received(user: User) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "actor__username"))


def test_follow_notifies_once(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    with run_on_commit():
        follow(follower=bob, target=alice)
        follow(follower=bob, target=alice)
    assert received(alice) == [(Kind.FOLLOW, "bob")]
    assert received(bob) == []


def test_follow_request_notifies_once_and_approval_replaces_it(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    User.objects.filter(pk=alice.pk).update(is_locked=True)
    alice = User.objects.get(pk=alice.pk)
    with run_on_commit():
        follow(follower=bob, target=alice)
        follow(follower=bob, target=alice)
    assert received(alice) == [(Kind.FOLLOW_REQUEST, "bob")]
    with run_on_commit():
        approve_follow_request(user=alice, requester=bob)
    assert received(alice) == [(Kind.FOLLOW, "bob")]


def test_mention_notifies_each_mentioned_account_once(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=alice, text="@bob @Bob @carol @alice hello")
    assert received(bob) == [(Kind.MENTION, "alice")]
    assert received(carol) == [(Kind.MENTION, "alice")]
    assert received(alice) == []
    assert Notification.objects.get(recipient=bob).post_id == post.pk


def test_reply_notifies_the_author_replied_to_once_as_a_reply(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    root = create_post(author=alice, text="root")
    with run_on_commit():
        create_post(author=bob, text="@alice answering you", in_reply_to=root)
    assert received(alice) == [(Kind.REPLY, "bob")]


def test_replying_to_oneself_notifies_no_one(alice: User, run_on_commit: RunOnCommit) -> None:
    root = create_post(author=alice, text="root")
    with run_on_commit():
        create_post(author=alice, text="more", in_reply_to=root)
    assert not Notification.objects.exists()


def test_repost_notifies_the_author_once(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    post = create_post(author=alice, text="share me")
    with run_on_commit():
        repost(user=bob, post=post)
        repost(user=bob, post=post)
    assert received(alice) == [(Kind.REPOST, "bob")]


def test_like_notifies_the_author_once(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    post = create_post(author=alice, text="like me")
    with run_on_commit():
        like(user=bob, post=post)
        like(user=bob, post=post)
    assert received(alice) == [(Kind.LIKE, "bob")]


def test_running_a_delivery_task_twice_keeps_one_notification(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="hi @bob")
    for _ in range(2):
        deliver_post_notifications.call(post_id=str(post.pk))
        deliver_notification.call(
            recipient_id=str(alice.pk), actor_id=str(bob.pk), kind=Kind.LIKE, post_id=str(post.pk)
        )
    assert Notification.objects.count() == 2


def test_delivery_tasks_for_vanished_rows_do_nothing(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="hi @bob")
    post_id = str(post.pk)
    Post.objects.filter(pk=post.pk).delete()
    assert deliver_post_notifications.call(post_id=post_id) == 0
    assert (
        deliver_notification.call(
            recipient_id=str(alice.pk), actor_id=str(bob.pk), kind=Kind.LIKE, post_id=post_id
        )
        is False
    )
    assert not Notification.objects.exists()


def test_notify_never_notifies_oneself(alice: User) -> None:
    assert notify(recipient=alice, actor=alice, kind=Kind.FOLLOW) is None


@pytest.mark.parametrize(
    "relation", ["recipient_blocked_actor", "actor_blocked_recipient", "recipient_muted_actor"]
)
def test_no_notifications_from_blocked_or_muted_accounts(alice: User, bob: User, relation: str) -> None:
    if relation == "recipient_blocked_actor":
        BlockFactory(blocker=alice, blocked=bob)
    elif relation == "actor_blocked_recipient":
        BlockFactory(blocker=bob, blocked=alice)
    else:
        MuteFactory(muter=alice, muted=bob)
    post = PostFactory(author=alice)
    for kind in (Kind.FOLLOW, Kind.FOLLOW_REQUEST):
        assert notify(recipient=alice, actor=bob, kind=kind) is None
    for kind in (Kind.LIKE, Kind.REPOST):
        assert notify(recipient=alice, actor=bob, kind=kind, post=post) is None
    assert not Notification.objects.exists()


def test_muted_account_mentioning_you_does_not_notify(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    mute(muter=bob, target=alice)
    with run_on_commit():
        create_post(author=alice, text="hey @bob")
    assert received(bob) == []


def test_no_notifications_from_inactive_accounts(alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert notify(recipient=alice, actor=User.objects.get(pk=bob.pk), kind=Kind.FOLLOW) is None


def test_mention_in_a_held_post_notifies_no_one_until_it_is_published(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=alice, text="hey @bob")
        # Screening holds the post before its side effects run.
        Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.HELD)
    assert received(bob) == []
    post.refresh_from_db()
    assert notify_about_post(post=post) == 0
    assert notify(recipient=bob, actor=alice, kind=Kind.MENTION, post=post) is None
    Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.PUBLISHED)
    post.refresh_from_db()
    assert notify_about_post(post=post) == 1
    assert received(bob) == [(Kind.MENTION, "alice")]


def test_reply_the_parent_author_may_not_see_notifies_no_one(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    root = create_post(author=alice, text="root")
    with run_on_commit():
        create_post(author=bob, text="for my followers", in_reply_to=root, visibility=Visibility.FOLLOWERS)
    assert received(alice) == []


def test_no_notification_about_a_post_the_recipient_may_not_see(alice: User, bob: User) -> None:
    private = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    assert notify(recipient=bob, actor=alice, kind=Kind.MENTION, post=private) is None


def test_mark_all_read_marks_only_the_users_notifications(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        follow(follower=bob, target=alice)
        follow(follower=carol, target=alice)
        follow(follower=alice, target=bob)
    assert mark_all_read(user=alice) == 2
    assert mark_all_read(user=alice) == 0
    assert not Notification.objects.filter(recipient=alice, is_read=False).exists()
    assert Notification.objects.filter(recipient=bob, is_read=False).count() == 1


def test_block_removes_existing_notifications_both_ways(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    post = create_post(author=alice, text="hi @bob")
    with run_on_commit():
        like(user=bob, post=post)
        follow(follower=alice, target=bob)
    block(blocker=bob, target=alice)
    assert not Notification.objects.exists()
