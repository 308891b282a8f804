"""Through the API, a followers-only post, a held post and a removed post are each invisible to those who
may not see them: the same 404 as a post that does not exist, and absent from every list that returns
statuses. Their author (and for followers-only posts, followers) still sees them; a held post shows its
pending state to its author."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agora.accounts.models import Follow, User
from agora.accounts.tests.factories import UserFactory
from agora.api.models import Bookmark
from agora.notifications.models import Notification
from agora.posts.models import Like, ModerationState, Post, Visibility
from agora.posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

HIDDEN_KINDS = ["followers_only", "held", "removed"]


@pytest.fixture
def author() -> User:
    return UserFactory(username="writer")


@pytest.fixture
def outsider() -> User:
    return UserFactory(username="outsider")


def hidden_post(kind: str, author: User) -> Post:
    """A post tagged #secret that mentions nobody; the outsider may not see it."""
    fields: dict[str, Any] = {"author": author, "text": "hidden words #secret"}
    if kind == "followers_only":
        fields["visibility"] = Visibility.FOLLOWERS
    elif kind == "held":
        fields["moderation_state"] = ModerationState.HELD
    else:
        fields["moderation_state"] = ModerationState.REMOVED
    post = PostFactory(**fields)
    from agora.posts.models import Hashtag, PostHashtag

    tag, _created = Hashtag.objects.get_or_create(name="secret")
    PostHashtag.objects.create(post=post, hashtag=tag)
    return post


def status_ids(response: Any) -> set[str]:
    body = response.json()
    if isinstance(body, dict):
        body = body.get("statuses", []) + body.get("ancestors", []) + body.get("descendants", [])
    found = set()
    for item in body:
        status = item.get("status", item) if isinstance(item, dict) else None
        if status:
            found.add(status["id"])
            if status.get("reblog"):
                found.add(status["reblog"]["id"])
    return found


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_hidden_post_is_404_on_every_status_endpoint(
    kind: str, who: str, author: User, outsider: User, api_as: Callable[..., Any]
) -> None:
    post = hidden_post(kind, author)
    client = api_as(None if who == "anonymous" else outsider)
    missing = "/api/v1/statuses/0190a0b0-0000-8000-8000-000000000000"
    for path in (
        f"/api/v1/statuses/{post.pk}",
        f"/api/v1/statuses/{post.pk}/context",
        f"/api/v1/statuses/{post.pk}/history",
        f"/api/v1/statuses/{post.pk}/favourited_by",
        f"/api/v1/statuses/{post.pk}/reblogged_by",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == client.get(missing).json()
    if who == "outsider":
        for action in ("favourite", "reblog", "bookmark", "pin"):
            assert client.post(f"/api/v1/statuses/{post.pk}/{action}").status_code == 404, action
        assert client.get(f"/api/v1/statuses/{post.pk}/source").status_code == 404
        reply = client.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(post.pk)})
        assert reply.status_code == 404
        assert not Post.objects.filter(in_reply_to=post).exists()
        assert not Like.objects.filter(post=post).exists()
        assert not Bookmark.objects.filter(post=post).exists()


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_hidden_post_is_absent_from_every_list(
    kind: str, author: User, outsider: User, api_as: Callable[..., Any]
) -> None:
    Follow.objects.create(follower=outsider, followee=author) if kind != "followers_only" else None
    post = hidden_post(kind, author)
    # A visible reply in the thread, a like and a bookmark made while the post was visible, a notification.
    parent = PostFactory(author=outsider, text="a question")
    Post.objects.filter(pk=post.pk).update(in_reply_to=parent, conversation_id=parent.pk)
    Like.objects.create(user=outsider, post=post)
    Bookmark.objects.create(user=outsider, post=post)
    Notification.objects.create(recipient=outsider, actor=author, kind=Notification.Kind.REPLY, post=post)
    client = api_as(outsider)
    for path in (
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/tag/secret",
        f"/api/v1/accounts/{author.pk}/statuses",
        f"/api/v1/accounts/{author.pk}/statuses?pinned=true",
        f"/api/v1/statuses/{parent.pk}/context",
        "/api/v1/favourites",
        "/api/v1/bookmarks",
        "/api/v1/notifications",
        "/api/v2/search?q=hidden",
        "/api/v2/search?q=secret&type=statuses",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert str(post.pk) not in status_ids(response), path
    assert api_as(None).get("/api/v1/timelines/public").status_code == 200
    assert str(post.pk) not in status_ids(api_as(None).get(f"/api/v1/accounts/{author.pk}/statuses"))


def test_follower_sees_a_followers_only_post(
    author: User, outsider: User, api_as: Callable[..., Any]
) -> None:
    post = hidden_post("followers_only", author)
    Follow.objects.create(follower=outsider, followee=author)
    client = api_as(outsider)
    status = client.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["visibility"] == "private"
    assert str(post.pk) in status_ids(client.get("/api/v1/timelines/home"))


@pytest.mark.parametrize("kind", ["held", "removed"])
def test_author_sees_their_held_or_removed_post_with_its_state(
    kind: str, author: User, api_as: Callable[..., Any]
) -> None:
    post = hidden_post(kind, author)
    client = api_as(author)
    status = client.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["moderation_state"] == kind
    assert status["pending"] is (kind == "held")
    # Apps show Mastodon's filter warnings: the state is visible in any app, not only through our own keys.
    assert status["filtered"][0]["filter"]["filter_action"] == "warn"
    assert "only you can see" in status["filtered"][0]["filter"]["title"]
    assert str(post.pk) in status_ids(client.get(f"/api/v1/accounts/{author.pk}/statuses"))


def test_posting_a_held_status_returns_it_pending_to_its_author_only(
    author: User, outsider: User, api_as: Callable[..., Any], run_on_commit: Any
) -> None:
    Follow.objects.create(follower=outsider, followee=author)
    with run_on_commit():
        response = api_as(author).post(
            "/api/v1/statuses", {"status": "I will kill you tomorrow with a knife, @outsider"}
        )
    assert response.status_code == 200
    status = response.json()
    assert status["pending"] is True and status["moderation_state"] == "held"
    assert api_as(outsider).get(f"/api/v1/statuses/{status['id']}").status_code == 404
    assert status["id"] not in status_ids(api_as(outsider).get("/api/v1/timelines/home"))
    assert status["id"] not in status_ids(api_as(outsider).get("/api/v1/notifications"))


def test_blocked_accounts_are_404(author: User, outsider: User, api_as: Callable[..., Any]) -> None:
    post = PostFactory(author=author, text="public words")
    api_as(author).post(f"/api/v1/accounts/{outsider.pk}/block")
    client = api_as(outsider)
    assert client.get(f"/api/v1/accounts/{author.pk}").status_code == 404
    assert client.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert client.get("/api/v1/accounts/lookup", {"acct": "writer"}).status_code == 404
