"""What a person sees of their notifications: only about posts they may see, never from blocked or muted
accounts, newest first, with an unread count that agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from agora.accounts.models import User
from agora.accounts.tests.factories import BlockFactory, MuteFactory, UserFactory
from agora.notifications.models import Notification
from agora.notifications.selectors import notifications_for, unread_count
from agora.notifications.services import mark_all_read
from agora.posts.models import ModerationState, Post, Visibility
from agora.posts.services import create_post, delete_post, edit_post, like

RunOnCommit = Callable[[], AbstractContextManager[Any]]
Kind = Notification.Kind


def shown(user: User) -> list[tuple[str, str]]:
    return [(n.kind, n.actor.username) for n in notifications_for(user)]


def test_notifications_are_listed_newest_first_with_unread_count(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    post = create_post(author=alice, text="hi")
    with run_on_commit():
        like(user=bob, post=post)
    with run_on_commit():
        like(user=carol, post=post)
    assert shown(alice) == [(Kind.LIKE, "carol"), (Kind.LIKE, "bob")]
    assert unread_count(alice) == 2
    assert unread_count(alice, up_to=1) == 1  # counted up to a cap, as Mastodon's unread_count
    mark_all_read(user=alice)
    assert unread_count(alice) == 0
    assert len(notifications_for(alice)) == 2


def test_notifications_page_with_a_cursor(alice: User, run_on_commit: RunOnCommit) -> None:
    post = create_post(author=alice, text="hi")
    likers = UserFactory.create_batch(5)
    for liker in likers:
        with run_on_commit():
            like(user=liker, post=post)
    first = notifications_for(alice, limit=3)
    second = notifications_for(alice, before=first.next_cursor, limit=3)
    assert second.next_cursor is None
    names = [n.actor.username for n in [*first, *second]]
    assert names == [liker.username for liker in reversed(likers)]


def test_notifications_about_deleted_posts_vanish(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    with run_on_commit():
        post = create_post(author=bob, text="hi @alice")
    assert unread_count(alice) == 1
    delete_post(actor=bob, post=post)
    assert shown(alice) == []
    assert unread_count(alice) == 0


def test_notifications_about_posts_later_held_or_removed_are_hidden(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=bob, text="hi @alice")
    for state in (ModerationState.HELD, ModerationState.REMOVED):
        Post.objects.filter(pk=post.pk).update(moderation_state=state)
        assert shown(alice) == []
        assert unread_count(alice) == 0
    Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.PUBLISHED)
    assert shown(alice) == [(Kind.MENTION, "bob")]


def test_mention_removed_by_an_edit_hides_the_notification_of_a_mentioned_only_post(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=bob, text="psst @alice", visibility=Visibility.MENTIONED)
    assert unread_count(alice) == 1
    edit_post(editor=bob, post=post, text="never mind")
    assert shown(alice) == []
    assert unread_count(alice) == 0


def test_notifications_from_accounts_blocked_or_muted_later_are_hidden(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    post = create_post(author=alice, text="hi")
    dave = UserFactory(username="dave")
    with run_on_commit():
        for liker in (bob, carol, dave):
            like(user=liker, post=post)
    # Rows written directly: the block and mute services would also delete the rows; the selector must hide
    # them even where they remain (e.g. a block made while a delivery task was in flight).
    BlockFactory(blocker=alice, blocked=bob)
    BlockFactory(blocker=carol, blocked=alice)
    MuteFactory(muter=alice, muted=dave)
    assert shown(alice) == []
    assert unread_count(alice) == 0


def test_notifications_from_deactivated_accounts_are_hidden(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    post = create_post(author=alice, text="hi")
    with run_on_commit():
        like(user=bob, post=post)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert shown(alice) == []
    assert unread_count(alice) == 0
