"""Writing through the API: statuses (idempotent create, edit, history, source, delete), the actions on a
status, relationships, profile changes, media, reports, markers and sign-up. Each goes through the
services of the app that owns the data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agora.accounts.models import Follow, User
from agora.accounts.tests.factories import UserFactory
from agora.api.serializers import serialize_notification, serialize_status
from agora.media.models import MediaAttachment
from agora.media.services import process_attachment
from agora.media.tests.samples import jpeg_with_gps, truncated_png, upload
from agora.moderation.models import Report
from agora.notifications.models import Notification
from agora.posts.models import Post
from agora.posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db
Api = Callable[..., Any]


def test_create_with_idempotency_key_posts_once(alice: User, api_as: Api) -> None:
    client = api_as(alice)
    first = client.post("/api/v1/statuses", {"status": "once"}, **{"Idempotency-Key": "abc"})
    again = client.post("/api/v1/statuses", {"status": "once"}, **{"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Post.objects.filter(author=alice).count() == 1
    other = client.post("/api/v1/statuses", {"status": "once"}, **{"Idempotency-Key": "def"})
    assert other.json()["id"] != first.json()["id"]


def test_unsupported_polls_are_refused_and_nothing_is_posted(alice: User, api_as: Api) -> None:
    response = api_as(alice).post(
        "/api/v1/statuses", {"status": "vote", "poll": {"options": ["a", "b"], "expires_in": 600}}
    )
    assert response.status_code == 422
    assert not Post.objects.exists()


def test_status_entity_has_every_key_apps_dereference(alice: User, bob: User, api_as: Api) -> None:
    status = (
        api_as(alice)
        .post(
            "/api/v1/statuses", {"status": "hi @bob #Django", "visibility": "unlisted", "spoiler_text": "cw"}
        )
        .json()
    )
    for key in (
        "id", "uri", "url", "account", "in_reply_to_id", "in_reply_to_account_id", "reblog", "content",
        "created_at", "edited_at", "emojis", "replies_count", "reblogs_count", "favourites_count",
        "reblogged", "favourited", "muted", "bookmarked", "pinned", "sensitive", "spoiler_text",
        "visibility", "language", "media_attachments", "mentions", "tags", "card", "poll", "application",
        "filtered",
    ):  # fmt: skip
        assert key in status, key
    assert status["visibility"] == "unlisted" and status["sensitive"] is True
    assert [m["username"] for m in status["mentions"]] == ["bob"]
    assert [t["name"] for t in status["tags"]] == ["django"]
    assert status["created_at"].endswith("Z")
    # The converter the streaming endpoints use gives the same entity.
    post = Post.objects.get(pk=status["id"])
    assert serialize_status(post, alice) | {"account": None} == status | {"account": None}


def test_edit_history_source_and_delete(alice: User, bob: User, api_as: Api) -> None:
    client = api_as(alice)
    status = client.post("/api/v1/statuses", {"status": "first words"}).json()
    edited = client.put(f"/api/v1/statuses/{status['id']}", {"status": "second words", "spoiler_text": ""})
    assert edited.status_code == 200 and "second words" in edited.json()["content"]
    assert edited.json()["edited_at"]
    history = client.get(f"/api/v1/statuses/{status['id']}/history").json()
    assert ["first words" in v["content"] for v in history] == [True, False]
    source = client.get(f"/api/v1/statuses/{status['id']}/source").json()
    assert source == {"id": status["id"], "text": "second words", "spoiler_text": ""}
    assert api_as(bob).put(f"/api/v1/statuses/{status['id']}", {"status": "mine now"}).status_code == 403
    assert api_as(bob).delete(f"/api/v1/statuses/{status['id']}").status_code == 403
    deleted = client.delete(f"/api/v1/statuses/{status['id']}")
    assert deleted.status_code == 200 and deleted.json()["text"] == "second words"
    assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 404


def test_favourite_reblog_bookmark_pin_and_their_reversals(
    alice: User, bob: User, api_as: Api, run_on_commit: Any
) -> None:
    post = PostFactory(author=bob, text="worth keeping")
    client = api_as(alice)
    url = f"/api/v1/statuses/{post.pk}"
    with run_on_commit():
        liked = client.post(f"{url}/favourite").json()
        reblog = client.post(f"{url}/reblog").json()
    assert liked["favourited"] is True and liked["favourites_count"] == 1
    assert reblog["reblog"]["id"] == str(post.pk) and reblog["reblog"]["reblogged"] is True
    assert {n.kind for n in Notification.objects.filter(recipient=bob)} == {"like", "repost"}
    assert client.post(f"{url}/bookmark").json()["bookmarked"] is True
    assert [s["id"] for s in client.get("/api/v1/bookmarks").json()] == [str(post.pk)]
    assert [s["id"] for s in client.get("/api/v1/favourites").json()] == [str(post.pk)]
    assert client.get(f"{url}/favourited_by").json()[0]["username"] == "alice"
    assert client.get(f"{url}/reblogged_by").json()[0]["username"] == "alice"
    assert client.post(f"{url}/unfavourite").json()["favourited"] is False
    assert client.post(f"{url}/unreblog").json()["reblogged"] is False
    assert client.post(f"{url}/unbookmark").json()["bookmarked"] is False
    assert client.get("/api/v1/bookmarks").json() == []
    # Only one's own posts can be pinned.
    assert client.post(f"{url}/pin").status_code == 403
    own = client.post("/api/v1/statuses", {"status": "pin me"}).json()
    assert client.post(f"/api/v1/statuses/{own['id']}/pin").json()["pinned"] is True
    pinned = api_as(bob).get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"}).json()
    assert [s["id"] for s in pinned] == [own["id"]]
    assert client.post(f"/api/v1/statuses/{own['id']}/unpin").json()["pinned"] is False


def test_relationships_follow_requests_blocks_and_mutes(alice: User, bob: User, api_as: Api) -> None:
    locked = UserFactory(username="locked", is_locked=True)
    client = api_as(alice)
    assert client.post(f"/api/v1/accounts/{bob.pk}/follow").json()["following"] is True
    assert client.post(f"/api/v1/accounts/{locked.pk}/follow").json()["requested"] is True
    requests = api_as(locked).get("/api/v1/follow_requests").json()
    assert [a["username"] for a in requests] == ["alice"]
    approved = api_as(locked).post(f"/api/v1/follow_requests/{alice.pk}/authorize").json()
    assert approved["followed_by"] is True
    relationships = client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk), str(locked.pk)]})
    assert [r["following"] for r in relationships.json()] == [True, True]
    assert [a["username"] for a in api_as(bob).get(f"/api/v1/accounts/{bob.pk}/followers").json()] == [
        "alice"
    ]
    assert [a["username"] for a in client.get(f"/api/v1/accounts/{alice.pk}/following").json()] == [
        "locked",
        "bob",
    ]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unfollow").json()["following"] is False
    assert client.post(f"/api/v1/accounts/{bob.pk}/mute").json()["muting"] is True
    assert [a["username"] for a in client.get("/api/v1/mutes").json()] == ["bob"]
    assert client.post(f"/api/v1/accounts/{bob.pk}/block").json()["blocking"] is True
    assert [a["username"] for a in client.get("/api/v1/blocks").json()] == ["bob"]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False
    assert client.get("/api/v1/accounts/lookup", {"acct": "bob"}).json()["id"] == str(bob.pk)
    assert api_as(alice, "read").post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 403


def test_update_credentials_goes_through_the_profile_rules(alice: User, api_as: Api) -> None:
    client = api_as(alice)
    response = client.patch(
        "/api/v1/accounts/update_credentials",
        {
            "display_name": "Alice A.",
            "note": "I like #tea",
            "locked": True,
            "fields_attributes": [{"name": "Site", "value": "https://alice.example"}],
        },
    )
    assert response.status_code == 200
    me = client.get("/api/v1/accounts/verify_credentials").json()
    assert me["display_name"] == "Alice A." and me["locked"] is True
    assert me["source"]["note"] == "I like #tea" and "tags/tea" in me["note"]
    assert me["fields"][0]["value"] == "https://alice.example"
    too_long = client.patch("/api/v1/accounts/update_credentials", {"note": "x" * 501})
    assert too_long.status_code == 422 and "bio" in too_long.json()["error"]


def test_media_upload_is_202_until_processed_then_attached(alice: User, bob: User, api_as: Api) -> None:
    client = api_as(alice)
    picture = upload("photo.jpg", jpeg_with_gps(size=(64, 48), orientation=1))
    accepted = client.client.post(
        "/api/v2/media", {"file": picture, "description": "grey"}, headers=client.headers
    )
    assert accepted.status_code == 202 and accepted.json()["url"] is None
    media_id = accepted.json()["id"]
    assert client.get(f"/api/v1/media/{media_id}").status_code == 206
    assert api_as(bob).get(f"/api/v1/media/{media_id}").status_code == 404
    process_attachment(media_id=media_id)
    ready = client.get(f"/api/v1/media/{media_id}")
    assert (
        ready.status_code == 200 and ready.json()["url"] and ready.json()["meta"]["original"]["width"] == 64
    )
    described = client.put(f"/api/v1/media/{media_id}", {"description": "a grey picture"}).json()
    assert described["description"] == "a grey picture"
    status = client.post("/api/v1/statuses", {"status": "", "media_ids": [media_id]}).json()
    assert [m["id"] for m in status["media_attachments"]] == [media_id]
    # Attached media cannot be deleted on its own; an unattached upload can.
    assert client.delete(f"/api/v1/media/{media_id}").status_code == 403
    other = client.client.post(
        "/api/v2/media", {"file": upload("b.jpg", jpeg_with_gps(size=(8, 8)))}, headers=client.headers
    ).json()
    assert client.delete(f"/api/v1/media/{other['id']}").status_code == 200
    assert not MediaAttachment.objects.filter(pk=other["id"]).exists()


def test_a_broken_upload_is_422_when_polled_and_cannot_be_posted(alice: User, api_as: Api) -> None:
    client = api_as(alice)
    broken = client.client.post(
        "/api/v2/media", {"file": upload("x.png", truncated_png(), "image/png")}, headers=client.headers
    )
    assert broken.status_code == 202
    process_attachment(media_id=broken.json()["id"])
    polled = client.get(f"/api/v1/media/{broken.json()['id']}")
    assert polled.status_code == 422 and polled.json()["error"].startswith("Validation failed")
    refused = client.post("/api/v1/statuses", {"status": "look", "media_ids": [broken.json()["id"]]})
    assert refused.status_code == 422
    assert not Post.objects.exists()
    html = client.client.post(
        "/api/v2/media", {"file": upload("x.jpg", b"<html>not a picture</html>")}, headers=client.headers
    )
    assert html.status_code == 422
    assert client.client.post("/api/v2/media", {}, headers=client.headers).status_code == 422
    reader = api_as(alice, "read")
    assert reader.client.post("/api/v2/media", {}, headers=reader.headers).status_code == 403


def test_reports_join_the_moderation_case(alice: User, bob: User, api_as: Api) -> None:
    post = PostFactory(author=bob, text="something bad")
    client = api_as(alice)
    report = client.post(
        "/api/v1/reports",
        {"account_id": str(bob.pk), "status_ids": [str(post.pk)], "comment": "spam", "category": "spam"},
    )
    assert report.status_code == 200 and report.json()["status_ids"] == [str(post.pk)]
    stored = Report.objects.get()
    assert stored.reporter == alice and stored.case.post_id == post.pk
    myself = client.post("/api/v1/reports", {"account_id": str(alice.pk), "comment": "me"})
    assert myself.status_code == 422


def test_markers_keep_versions(alice: User, api_as: Api) -> None:
    client = api_as(alice)
    saved = client.post("/api/v1/markers", {"home": {"last_read_id": "abc"}}).json()
    assert saved["home"]["last_read_id"] == "abc" and saved["home"]["version"] == 0
    client.post("/api/v1/markers", {"home": {"last_read_id": "def"}})
    markers = client.get("/api/v1/markers", {"timeline[]": ["home", "notifications"]}).json()
    assert markers["home"]["last_read_id"] == "def" and markers["home"]["version"] == 1
    assert "notifications" not in markers


def test_notifications_filter_count_and_entity(
    alice: User, bob: User, api_as: Api, run_on_commit: Any
) -> None:
    with run_on_commit():
        api_as(bob).post(f"/api/v1/accounts/{alice.pk}/follow")
        mention = api_as(bob).post("/api/v1/statuses", {"status": "hey @alice"}).json()
    client = api_as(alice)
    everything = client.get("/api/v1/notifications").json()
    assert [n["type"] for n in everything] == ["mention", "follow"]
    assert everything[0]["status"]["id"] == mention["id"]
    assert [n["type"] for n in client.get("/api/v1/notifications", {"types[]": "follow"}).json()] == [
        "follow"
    ]
    assert client.get("/api/v1/notifications", {"exclude_types[]": ["follow"]}).json()[0]["type"] == "mention"
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 2}
    assert client.get("/api/v1/notifications/unread_count?limit=1").json() == {"count": 1}
    assert client.get("/api/v1/notifications/unread_count?limit=x").json() == {"count": 2}
    single = client.get(f"/api/v1/notifications/{everything[1]['id']}").json()
    assert single["account"]["username"] == "bob"
    assert api_as(bob).get(f"/api/v1/notifications/{everything[1]['id']}").status_code == 404
    grouped = client.get("/api/v2/notifications").json()
    assert [g["type"] for g in grouped["notification_groups"]] == ["mention", "follow"]
    assert grouped["notification_groups"][0]["status_id"] == mention["id"]
    assert [a["username"] for a in grouped["accounts"]] == ["bob"]
    assert [s["id"] for s in grouped["statuses"]] == [mention["id"]]
    notification = Notification.objects.get(kind="follow")
    assert serialize_notification(notification, alice)["id"] == everything[1]["id"]


def test_sign_up_with_an_app_token_follows_the_registration_mode(
    api_as: Api, token_for: Any, alice: User
) -> None:
    from agora.accounts.services import set_registration_mode
    from agora.api.tests.conftest import ApiClient

    app_client = ApiClient(token_for(None, "read write"))
    form = {
        "username": "newbie",
        "email": "n@example.org",
        "password": "a long passphrase",
        "agreement": True,
    }
    created = app_client.post("/api/v1/accounts", form)
    assert created.status_code == 200, created.content
    token = created.json()["access_token"]
    assert ApiClient(token).get("/api/v1/accounts/verify_credentials").json()["username"] == "newbie"
    taken = app_client.post("/api/v1/accounts", {**form, "email": "other@example.org"})
    assert taken.status_code == 422 and "username" in taken.json()["error"]
    assert api_as(alice).post("/api/v1/accounts", {**form, "username": "x2"}).status_code == 403
    set_registration_mode(mode="closed")
    closed = app_client.post("/api/v1/accounts", {**form, "username": "late", "email": "l@example.org"})
    assert closed.status_code == 403
    assert not User.objects.filter(username="late").exists()


def test_small_read_endpoints(alice: User, api_as: Api) -> None:
    client = api_as(alice)
    assert client.get("/api/v1/custom_emojis").json() == []
    assert client.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"
    assert client.get("/api/v1/instance/rules").status_code == 200
    Follow.objects.count()
    PostFactory(author=alice, text="about #tea")
    from agora.posts.models import Hashtag

    Hashtag.objects.get_or_create(name="tea")
    assert client.get("/api/v1/tags/tea").status_code == 200
    assert client.get("/api/v1/tags/nothing-here").status_code == 404


def test_hashtags_can_be_followed_and_bring_posts_home(alice: User, bob: User, api_as: Api) -> None:
    client = api_as(alice)
    followed = client.post("/api/v1/tags/gardening/follow")
    assert followed.status_code == 200 and followed.json()["following"] is True
    assert [t["name"] for t in client.get("/api/v1/followed_tags").json()] == ["gardening"]
    tagged = api_as(bob).post("/api/v1/statuses", {"status": "tomatoes #gardening"}).json()
    assert tagged["id"] in [s["id"] for s in client.get("/api/v1/timelines/home").json()]
    assert client.post("/api/v1/tags/gardening/unfollow").json()["following"] is False
    assert client.get("/api/v1/followed_tags").json() == []
    assert client.get("/api/v1/trends/tags").status_code == 200
    assert client.get("/api/v1/trends/statuses").status_code == 200


def test_several_statuses_at_once_only_those_visible(alice: User, bob: User, api_as: Api) -> None:
    from agora.posts.models import Visibility

    shown = PostFactory(author=bob, text="open")
    hidden = PostFactory(author=bob, text="closed", visibility=Visibility.FOLLOWERS)
    found = api_as(alice).get("/api/v1/statuses", {"id[]": [str(hidden.pk), str(shown.pk)]}).json()
    assert [s["id"] for s in found] == [str(shown.pk)]


def test_pages_cost_the_same_number_of_queries_however_long(alice: User, bob: User, api_as: Api) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Follow.objects.create(follower=alice, followee=bob)
    client = api_as(alice)

    def cost(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add_posts(count: int) -> None:
        for n in range(count):
            post = PostFactory(author=bob, text=f"post {n} @alice", mentions=[alice])
            Notification.objects.create(recipient=alice, actor=bob, kind=Notification.Kind.MENTION, post=post)
            from agora.posts.models import Like

            Like.objects.create(user=alice, post=post)

    add_posts(3)
    paths = (
        "/api/v1/timelines/home",
        "/api/v1/notifications",
        "/api/v2/notifications",
        "/api/v1/favourites",
        f"/api/v1/accounts/{bob.pk}/statuses",
    )
    for path in paths:  # the home page cache's first request stores no check (agora/api/home_cache.py)
        cost(path)
    small = {path: cost(path) for path in paths}
    add_posts(15)
    for path, queries in small.items():
        assert cost(path) <= queries, path


def test_media_urls_of_a_followers_only_post_load_in_apps_without_cookie_and_only_with_a_valid_grant(
    alice: User, bob: User, api_as: Api, settings: Any
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from django.test import Client

    client = api_as(alice)
    picture = upload("photo.jpg", jpeg_with_gps(size=(32, 24), orientation=1))
    media_id = client.client.post("/api/v2/media", {"file": picture}, headers=client.headers).json()["id"]
    process_attachment(media_id=media_id)
    posted = client.post(
        "/api/v1/statuses", {"status": "for followers", "media_ids": [media_id], "visibility": "private"}
    ).json()
    url = urlsplit(posted["media_attachments"][0]["url"])
    query = parse_qs(url.query)
    image_loader = Client()  # no session, no token: how apps fetch pictures
    assert (
        image_loader.get(url.path, {"expires": query["expires"][0], "grant": query["grant"][0]}).status_code
        == 200
    )
    assert image_loader.get(url.path).status_code == 404
    assert (
        image_loader.get(
            url.path, {"expires": query["expires"][0], "grant": "x" + query["grant"][0]}
        ).status_code
        == 404
    )
    later = str(int(query["expires"][0]) + 3600)
    assert image_loader.get(url.path, {"expires": later, "grant": query["grant"][0]}).status_code == 404
    # Someone the post is not visible to never receives a URL at all.
    assert api_as(bob).get(f"/api/v1/statuses/{posted['id']}").status_code == 404
