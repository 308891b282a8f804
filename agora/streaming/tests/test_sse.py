"""The server-sent-event variants of the streams, `/api/v1/streaming/<stream>`, and the health check."""

from __future__ import annotations

import json
from collections.abc import Callable

from asgiref.sync import sync_to_async

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.posts import services as post_services
from agora.posts.models import Visibility
from agora.streaming.tests.clients import EventStream, run

create_post = sync_to_async(post_services.create_post)


def test_health_says_ok() -> None:
    async def scenario() -> None:
        response = await EventStream("/api/v1/streaming/health").open()
        assert response.status == 200
        assert await response.read_body() == b"OK"

    run(scenario)


def test_public_stream_sends_new_public_posts_as_events(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    token = token_for(alice)

    async def scenario() -> None:
        stream = await EventStream("/api/v1/streaming/public/local", f"access_token={token}").open()
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        await create_post(author=bob, text="Only followers", visibility=Visibility.FOLLOWERS)
        post = await create_post(author=bob, text="Hello over SSE")
        event, data = await stream.next_event()
        assert event == "update"
        assert json.loads(data)["id"] == str(post.pk)
        await stream.close()

    run(scenario)


def test_user_stream_sends_followed_posts_and_notifications(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    account_services.follow(follower=alice, target=bob)
    token = token_for(alice)

    async def scenario() -> None:
        headers = [(b"authorization", f"Bearer {token}".encode())]
        home = await EventStream("/api/v1/streaming/user", headers=headers).open()
        notifications = await EventStream("/api/v1/streaming/user/notification", headers=headers).open()
        post = await create_post(author=bob, text="Hi @alice", visibility=Visibility.FOLLOWERS)
        received = dict([await home.next_event(), await home.next_event()])  # in either order
        assert json.loads(received["update"])["id"] == str(post.pk)
        assert json.loads(received["notification"])["type"] == "mention"
        event, data = await notifications.next_event()
        assert event == "notification" and json.loads(data)["status"]["id"] == str(post.pk)
        await home.close()
        await notifications.close()

    run(scenario)


def test_sse_errors_are_json(alice: User, token_for: Callable[..., str]) -> None:
    token = token_for(alice)

    async def scenario() -> None:
        anonymous = await EventStream("/api/v1/streaming/user").open()
        assert anonymous.status == 401
        assert json.loads(await anonymous.read_body()) == {"error": "Missing access token"}
        untagged = await EventStream("/api/v1/streaming/hashtag", f"access_token={token}").open()
        assert untagged.status == 400
        assert json.loads(await untagged.read_body()) == {"error": "No tag for stream provided"}
        forged = await EventStream("/api/v1/streaming/public", "access_token=forged").open()
        assert forged.status == 401

    run(scenario)
