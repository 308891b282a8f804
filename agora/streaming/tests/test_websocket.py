"""The streaming WebSocket, `/api/v1/streaming`, as Mastodon clients use it."""

from __future__ import annotations

import json
from collections.abc import Callable

from asgiref.sync import sync_to_async

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post, Visibility
from agora.streaming.tests.clients import next_event, run, status_of, websocket

THREAT = "@bob Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."

create_post = sync_to_async(post_services.create_post)


def test_new_public_post_arrives_on_public_stream(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    token = token_for(alice)

    async def scenario() -> None:
        client = websocket(f"/api/v1/streaming?stream=public&access_token={token}")
        connected, _ = await client.connect()
        assert connected
        post = await create_post(author=bob, text="Hello #streaming")
        event = await next_event(client)
        assert event["stream"] == ["public"] and event["event"] == "update"
        status = status_of(event)
        assert status["id"] == str(post.pk)
        assert status["account"]["username"] == "bob"
        assert "Hello" in status["content"]
        await client.disconnect()

    run(scenario)


def test_followers_only_post_reaches_a_follower_and_never_a_stranger_or_public(
    alice: User, bob: User, carol: User, token_for: Callable[..., str]
) -> None:
    account_services.follow(follower=bob, target=alice)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario() -> None:
        follower = websocket(f"/api/v1/streaming?stream=user&access_token={bob_token}")
        stranger = websocket(
            "/api/v1/streaming", headers=[(b"authorization", f"Bearer {carol_token}".encode())]
        )
        assert (await follower.connect())[0] and (await stranger.connect())[0]
        # The stranger subscribes with messages, as clients that share one connection for many streams do.
        await stranger.send_json_to({"type": "subscribe", "stream": "user"})
        await stranger.send_json_to({"type": "subscribe", "stream": "public:local"})
        await stranger.send_json_to({"type": "subscribe", "stream": "hashtag", "tag": "secret"})
        await stranger.send_json_to({"type": "subscribe", "stream": "public"})
        assert await stranger.receive_nothing(timeout=0.3)  # no error, and time to take the subscriptions
        private = await create_post(
            author=alice, text="For my followers #secret", visibility=Visibility.FOLLOWERS
        )
        public = await create_post(author=alice, text="For everyone")

        first = await next_event(follower)
        assert first["stream"] == ["user"] and status_of(first)["id"] == str(private.pk)
        assert status_of(first)["visibility"] == "private"
        assert status_of(await next_event(follower))["id"] == str(public.pk)
        # The stranger's first events are the public post, once per public stream it holds; never the other.
        seen = [await next_event(stranger), await next_event(stranger)]
        assert sorted(tuple(event["stream"]) for event in seen) == [("public",), ("public:local",)]
        assert {status_of(event)["id"] for event in seen} == {str(public.pk)}
        assert await stranger.receive_nothing(timeout=0.3)
        await follower.disconnect()
        await stranger.disconnect()

    run(scenario)


def test_held_post_never_streams_not_even_to_its_author(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    account_services.follow(follower=bob, target=alice)
    alice_token, bob_token = token_for(alice), token_for(bob)

    async def scenario() -> None:
        author = websocket(f"/api/v1/streaming?stream=user&access_token={alice_token}")
        follower = websocket(f"/api/v1/streaming?stream=public&access_token={bob_token}")
        assert (await author.connect())[0] and (await follower.connect())[0]
        await follower.send_json_to({"type": "subscribe", "stream": "user"})
        assert await follower.receive_nothing(timeout=0.3)
        held = await create_post(author=alice, text=THREAT)
        assert held.moderation_state == ModerationState.HELD
        later = await create_post(author=alice, text="A quiet afternoon")
        assert status_of(await next_event(author))["id"] == str(later.pk)
        for _ in range(2):  # on the follower's user and public streams
            assert status_of(await next_event(follower))["id"] == str(later.pk)
        assert await author.receive_nothing(timeout=0.3)
        await author.disconnect()
        await follower.disconnect()

    run(scenario)


def test_blocked_and_muted_accounts_posts_are_not_delivered(
    alice: User, bob: User, carol: User, token_for: Callable[..., str]
) -> None:
    account_services.follow(follower=bob, target=alice)
    account_services.mute(muter=bob, target=alice)
    account_services.block(blocker=alice, target=carol)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario() -> None:
        muting = websocket(f"/api/v1/streaming?stream=user&access_token={bob_token}")
        blocked = websocket(f"/api/v1/streaming?stream=public&access_token={carol_token}")
        assert (await muting.connect())[0] and (await blocked.connect())[0]
        await create_post(author=alice, text="Muted and blocked")
        own = await create_post(author=bob, text="Bob's own")
        other = await create_post(author=carol, text="Carol's own")
        assert status_of(await next_event(muting))["id"] == str(own.pk)
        assert status_of(await next_event(blocked))["id"] == str(own.pk)
        assert status_of(await next_event(blocked))["id"] == str(other.pk)
        await muting.disconnect()
        await blocked.disconnect()

    run(scenario)


def test_notification_arrives_on_user_notification_stream(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    token = token_for(alice, "read:notifications")

    async def scenario() -> None:
        client = websocket(f"/api/v1/streaming?stream=user:notification&access_token={token}")
        assert (await client.connect())[0]
        post = await create_post(author=bob, text="@alice have a look")
        event = await next_event(client)
        assert event["stream"] == ["user:notification"] and event["event"] == "notification"
        notification = json.loads(event["payload"])
        assert notification["type"] == "mention"
        assert notification["account"]["username"] == "bob"
        assert notification["status"]["id"] == str(post.pk)
        await client.disconnect()

    run(scenario)


def test_edit_and_delete_stream_as_status_update_and_delete(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    token = token_for(bob)

    async def scenario() -> None:
        client = websocket(f"/api/v1/streaming?stream=hashtag&tag=Cats&access_token={token}")
        assert (await client.connect())[0]
        post = await create_post(author=alice, text="Look #cats")
        assert (await next_event(client))["stream"] == ["hashtag", "Cats"]
        await sync_to_async(post_services.edit_post)(editor=alice, post=post, text="Look at them #cats")
        edited = await next_event(client)
        assert edited["event"] == "status.update"
        assert "Look at them" in status_of(edited)["content"]
        await sync_to_async(post_services.delete_post)(actor=alice, post=post)
        deleted = await next_event(client)
        assert deleted == {"stream": ["hashtag", "Cats"], "event": "delete", "payload": str(post.pk)}
        await client.disconnect()

    run(scenario)


def test_unsubscribe_stops_a_stream(alice: User, bob: User, token_for: Callable[..., str]) -> None:
    token = token_for(bob)

    async def scenario() -> None:
        client = websocket(f"/api/v1/streaming?stream=public&access_token={token}")
        assert (await client.connect())[0]
        await client.send_json_to({"type": "subscribe", "stream": "hashtag", "tag": "news"})
        await client.send_json_to({"type": "unsubscribe", "stream": "public"})
        assert await client.receive_nothing(timeout=0.3)
        await create_post(author=alice, text="Not news")
        tagged = await create_post(author=alice, text="Big #news")
        event = await next_event(client)
        assert event["stream"] == ["hashtag", "news"] and status_of(event)["id"] == str(tagged.pk)
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()

    run(scenario)


def test_bad_requests_get_mastodon_errors(alice: User, token_for: Callable[..., str]) -> None:
    token = token_for(alice, "read:accounts")

    async def scenario() -> None:
        anonymous = websocket("/api/v1/streaming?stream=user")
        assert (await anonymous.connect())[0]
        assert await anonymous.receive_json_from() == {"error": "Missing access token", "status": 401}
        await anonymous.send_json_to({"type": "subscribe", "stream": "nonsense"})
        assert await anonymous.receive_json_from() == {"error": "Unknown stream type", "status": 400}
        await anonymous.send_json_to({"type": "subscribe", "stream": "hashtag"})
        assert await anonymous.receive_json_from() == {"error": "No tag for stream provided", "status": 400}
        await anonymous.send_to("not json")
        assert (await anonymous.receive_json_from())["status"] == 400
        await anonymous.disconnect()

        narrow = websocket(f"/api/v1/streaming?stream=public&access_token={token}")
        assert (await narrow.connect())[0]
        assert (await narrow.receive_json_from())["status"] == 401

        forged = websocket("/api/v1/streaming?stream=public&access_token=not-a-token")
        assert await forged.connect() == (False, 4001)
        assert (await websocket("/api/v1/elsewhere").connect())[0] is False

    run(scenario)


def test_token_may_come_as_the_websocket_subprotocol(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    token = token_for(alice)

    async def scenario() -> None:
        client = websocket("/api/v1/streaming?stream=user", subprotocols=[token])
        connected, subprotocol = await client.connect()
        assert connected and subprotocol == token
        post = await create_post(author=alice, text="Mine")
        assert status_of(await next_event(client))["id"] == str(post.pk)
        await client.disconnect()

    run(scenario)


def test_held_post_streams_once_moderation_publishes_it(
    alice: User, bob: User, token_for: Callable[..., str]
) -> None:
    account_services.follow(follower=bob, target=alice)
    token = token_for(bob)

    def publish(post: Post) -> None:
        Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.PUBLISHED)
        post.refresh_from_db()
        post_services.post_published(post=post)  # what moderation calls when it releases a held post

    async def scenario() -> None:
        client = websocket(f"/api/v1/streaming?stream=user&access_token={token}")
        assert (await client.connect())[0]
        held = await create_post(author=alice, text=THREAT)
        assert await client.receive_nothing(timeout=1.0)
        await sync_to_async(publish)(held)
        event = await next_event(client)
        assert event["event"] == "update" and status_of(event)["id"] == str(held.pk)
        await client.disconnect()

    run(scenario)
