"""Where streaming events go: the home streams the home timeline would show a post in, public and hashtags."""

from __future__ import annotations

from typing import Any

import pytest

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post, Visibility
from agora.streaming.services import post_channels
from agora.streaming.streams import hashtag_channel, public_channel, user_channel


def test_public_post_goes_to_author_followers_public_and_its_hashtags(alice: User, bob: User) -> None:
    account_services.follow(follower=bob, target=alice)
    post = post_services.create_post(author=alice, text="Morning #Coffee")
    assert set(post_channels(post)) == {
        user_channel(alice.pk),
        user_channel(bob.pk),
        public_channel(),
        hashtag_channel("coffee"),
    }


def test_personal_channels_nobody_listens_to_are_left_out(alice: User, bob: User, carol: User) -> None:
    account_services.follow(follower=bob, target=alice)
    account_services.follow(follower=carol, target=alice)
    post = post_services.create_post(author=alice, text="Morning #Coffee")
    listened = {user_channel(carol.pk), public_channel()}
    assert set(post_channels(post, listened=listened)) == {
        user_channel(carol.pk),
        public_channel(),
        hashtag_channel("coffee"),  # shared channels are cheap: always published
    }


def test_followers_only_post_stays_in_home_streams(alice: User, bob: User) -> None:
    account_services.follow(follower=bob, target=alice)
    post = post_services.create_post(author=alice, text="Hi #coffee", visibility=Visibility.FOLLOWERS)
    assert set(post_channels(post)) == {user_channel(alice.pk), user_channel(bob.pk)}


def test_held_or_removed_post_goes_nowhere(alice: User, bob: User) -> None:
    account_services.follow(follower=bob, target=alice)
    post = post_services.create_post(author=alice, text="Hello")
    for state in (ModerationState.HELD, ModerationState.REMOVED, ModerationState.LIMITED):
        Post.objects.filter(pk=post.pk).update(moderation_state=state)
        post.refresh_from_db()
        assert post_channels(post) == []


def test_reply_to_someone_else_reaches_only_followers_of_both(alice: User, bob: User, carol: User) -> None:
    account_services.follow(follower=bob, target=alice)
    account_services.follow(follower=carol, target=alice)
    account_services.follow(follower=carol, target=bob)
    original = post_services.create_post(author=bob, text="A question")
    reply = post_services.create_post(author=alice, text="An answer", in_reply_to=original)
    # Carol follows both; Bob is the one answered (and follows Alice); public timelines leave it out.
    assert set(post_channels(reply)) == {user_channel(alice.pk), user_channel(bob.pk), user_channel(carol.pk)}
    account_services.unfollow(follower=carol, target=bob)
    assert user_channel(carol.pk) not in post_channels(reply)


def test_repost_skips_followers_who_have_the_original_already(alice: User, bob: User, carol: User) -> None:
    account_services.follow(follower=bob, target=alice)
    account_services.follow(follower=carol, target=alice)
    account_services.follow(follower=carol, target=bob)
    original = post_services.create_post(author=bob, text="Worth sharing")
    shared = post_services.repost(user=alice, post=original)
    assert set(post_channels(shared)) == {user_channel(alice.pk)}


def test_a_broker_that_is_down_does_not_fail_the_post(alice: User, settings: Any, caplog: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    post = post_services.create_post(author=alice, text="Still saved")
    assert Post.objects.filter(pk=post.pk).exists()
    assert "could not publish" in caplog.text


@pytest.mark.parametrize("name", ["user", "user:notification"])
def test_user_streams_need_an_account(name: str) -> None:
    from agora.streaming.streams import StreamError, Viewer, resolve_stream

    with pytest.raises(StreamError) as error:
        resolve_stream(name, None, Viewer())
    assert error.value.status == 401


def test_access_tokens_in_query_strings_never_reach_the_logs() -> None:
    import io
    import logging

    import agora.asgi  # noqa: F401  (installs the filter, as the server does when it loads the application)

    logger, written = logging.getLogger("uvicorn.error"), io.StringIO()
    handler, level = logging.StreamHandler(written), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        path = "/api/v1/streaming?stream=user&access_token=s3cret-Token_1"
        logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1", path)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "s3cret" not in written.getvalue()
    assert "access_token=[redacted]" in written.getvalue()
