"""Home timelines through fan-out: what reaches the Redis lists, what is merged at read time, and that every
change after fan-out (delete, hold, remove, block, mute, unfollow) shows in the timeline at once.

The tests that need Redis use the `redis_only` fixture; the others run on both stores (see conftest.py) and
compare the timeline with what the database alone reads.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock

import pytest

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import services as moderation_services
from agora.moderation.models import Case, Decision
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post
from agora.posts.tests.factories import PostFactory
from agora.timelines import feeds
from agora.timelines.selectors import home_timeline
from agora.timelines.services import fan_out_post

RunOnCommit = Callable[[], AbstractContextManager[Any]]
THREAT = "@bob Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."


def ids(viewer: User, **kwargs: Any) -> list[Any]:
    return [post.pk for post in home_timeline(viewer, **kwargs)]


def all_pages(viewer: User, limit: int) -> list[Any]:
    seen, cursor = [], None
    while True:
        page = home_timeline(viewer, before=cursor, limit=limit)
        seen += [post.pk for post in page]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def listed(account: User) -> set[Any]:
    window, _built, _truncated = feeds.read_window(account.pk, before=None, count=10_000, graph="")
    return set(window)


@pytest.fixture
def reader(alice: User, bob: User, run_on_commit: RunOnCommit) -> User:
    """alice follows bob; her timeline has been read once (so it is built, in the Redis variant)."""
    with run_on_commit():
        account_services.follow(follower=alice, target=bob)
    ids(alice)
    return alice


def test_a_new_post_reaches_the_built_timelines_of_followers(
    reader: User, bob: User, carol: User, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    ids(bob)
    with run_on_commit():
        post = post_services.create_post(author=bob, text="hello followers")
    assert post.pk in listed(reader) and post.pk in listed(bob)
    assert post.pk not in listed(carol)
    assert ids(reader) == [post.pk]


def test_the_timeline_is_read_from_the_list_once_built(reader: User, bob: User, redis_only: None) -> None:
    # A row written behind the services' back is not fanned out, so a built list does not know it.
    PostFactory(author=bob)
    assert ids(reader) == []


def test_inactive_accounts_get_no_fan_out_and_a_rebuilt_timeline_on_return(
    alice: User, bob: User, carol: User, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        account_services.follow(follower=carol, target=bob)
        post = post_services.create_post(author=bob, text="while carol is away")
    assert feeds.size(carol.pk) == 0  # never read: nothing written for her
    assert ids(carol) == [post.pk]  # built from the database on return
    assert post.pk in listed(carol)


def test_held_posts_fan_out_only_once_published(
    reader: User, bob: User, moderator: User, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        held = post_services.create_post(author=bob, text=THREAT)
    assert held.moderation_state == ModerationState.HELD
    assert fan_out_post(post_id=held.pk) == 0
    assert held.pk not in listed(reader) and ids(reader) == []
    case = Case.objects.get(post=held)
    with run_on_commit():
        moderation_services.decide_case(
            case=case, action=Decision.Action.DISMISS, explanation="Quoting a film.", moderator=moderator
        )
    assert held.pk in listed(reader)
    assert ids(reader) == [held.pk]


def test_widely_followed_authors_are_merged_in_at_read_time(
    reader: User, bob: User, settings: Any, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    settings.AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS = 0
    with run_on_commit():
        post = post_services.create_post(author=bob, text="to my many followers")
    assert post.pk not in listed(reader)
    assert ids(reader) == [post.pk]


def test_changes_after_fan_out_show_at_once(
    reader: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        account_services.follow(follower=reader, target=carol)
        kept = post_services.create_post(author=bob, text="stays")
        deleted = post_services.create_post(author=bob, text="deleted soon")
        removed = post_services.create_post(author=bob, text="removed soon")
        by_carol = post_services.create_post(author=carol, text="carol speaks")
        shared = post_services.repost(user=bob, post=by_carol)
    # bob's repost of carol's post is left out: her post is there already.
    assert shared.pk not in ids(reader)
    assert ids(reader) == [by_carol.pk, removed.pk, deleted.pk, kept.pk]
    post_services.delete_post(actor=bob, post=deleted)
    Post.objects.filter(pk=removed.pk).update(moderation_state=ModerationState.REMOVED)
    account_services.mute(muter=reader, target=carol)
    assert ids(reader) == [kept.pk]
    account_services.unmute(muter=reader, target=carol)
    account_services.unfollow(follower=reader, target=bob)
    assert ids(reader) == [by_carol.pk]
    account_services.block(blocker=reader, target=carol)
    assert ids(reader) == []


def test_following_someone_brings_their_earlier_posts_in(
    reader: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        earlier = post_services.create_post(author=carol, text="before anyone followed me")
        account_services.follow(follower=reader, target=carol)
    assert ids(reader) == [earlier.pk]


def test_paging_past_the_end_of_a_capped_list_reads_on_from_the_database(
    reader: User, bob: User, settings: Any, run_on_commit: RunOnCommit
) -> None:
    settings.AGORA_TIMELINE_SIZE = 5
    with run_on_commit():
        posts = [post_services.create_post(author=bob, text=f"post {n}") for n in range(12)]
    expected = [post.pk for post in reversed(posts)]
    assert all_pages(reader, limit=4) == expected
    settings.AGORA_TIMELINES_REDIS_URL = ""
    assert all_pages(reader, limit=4) == expected


def test_when_redis_is_down_timelines_come_from_the_database_and_recover(
    reader: User, bob: User, settings: Any, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    working = settings.AGORA_TIMELINES_REDIS_URL
    with run_on_commit():
        before = post_services.create_post(author=bob, text="before the outage")
    settings.AGORA_TIMELINES_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.AGORA_TASK_ATTEMPTS = 1
    during = PostFactory(author=bob)  # fan-out would fail now; the database still has it
    assert ids(reader) == [during.pk, before.pk]
    settings.AGORA_TIMELINES_REDIS_URL = working
    feeds.reset_failure()  # as if the few seconds this process leaves Redis alone had passed
    feeds.drop(reader.pk)  # Redis came back empty (no persistence): rebuilt from the database
    assert ids(reader) == [during.pk, before.pk]
    assert during.pk in listed(reader)


def test_both_stores_read_the_same_busy_timeline(
    reader: User, settings: Any, run_on_commit: RunOnCommit
) -> None:
    authors = [UserFactory() for _ in range(4)]
    with run_on_commit():
        for author in authors:
            account_services.follow(follower=reader, target=author)
        for round_ in range(6):
            for author in authors:
                post = post_services.create_post(author=author, text=f"round {round_}")
                if round_ % 3 == 0:
                    post_services.create_post(author=reader, text="reply", in_reply_to=post)
                if round_ % 2 == 0:
                    post_services.repost(user=authors[0], post=post) if author != authors[0] else None
    fanned_out = all_pages(reader, limit=7)
    settings.AGORA_TIMELINES_REDIS_URL = ""
    assert fanned_out == all_pages(reader, limit=7)
    assert len(fanned_out) > 20


def test_a_list_keeps_only_the_newest_posts_up_to_its_size(
    reader: User, bob: User, settings: Any, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    settings.AGORA_TIMELINE_SIZE = 3
    with run_on_commit():
        posts = [post_services.create_post(author=bob, text=f"post {n}") for n in range(5)]
    assert listed(reader) == {post.pk for post in posts[2:]}
    feeds.drop(reader.pk)
    ids(reader)  # rebuilt from the database: the newest three again
    assert listed(reader) == {post.pk for post in posts[2:]}


def test_a_connection_that_breaks_inside_the_redis_client_falls_back_to_the_database(
    reader: User, bob: User, redis_only: None, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = post_services.create_post(author=bob, text="still here")
    # As seen under load: a socket closed under a thread surfaces as OSError from inside redis-py.
    with mock.patch("redis.client.Pipeline.execute", side_effect=OSError(9, "Bad file descriptor")):
        assert ids(reader) == [post.pk]
    feeds.reset_failure()
    assert ids(reader) == [post.pk]
