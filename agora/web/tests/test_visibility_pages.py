"""A followers-only post is a 404 for everyone who may not see it.

On every page and action that could show it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.posts import services as post_services
from agora.posts.models import Post, Visibility

pytestmark = pytest.mark.django_db

SECRET = "secret plans for the weekend"


@pytest.fixture
def author() -> User:
    return UserFactory(username="writer")


@pytest.fixture
def private_post(author: User) -> Post:
    follower = UserFactory(username="friend")
    account_services.follow(follower=follower, target=author)
    return post_services.create_post(author=author, text=f"{SECRET} #plans", visibility=Visibility.FOLLOWERS)


def _client_for(kind: str, author: User) -> Client:
    client = Client()
    if kind == "logged_out":
        return client
    viewer = UserFactory(username=f"viewer_{kind}")
    if kind == "blocked":
        account_services.block(blocker=author, target=viewer)
    elif kind == "blocking":
        account_services.block(blocker=viewer, target=author)
    client.force_login(viewer)
    return client


VIEWERS = ["logged_out", "non_follower", "blocked", "blocking"]


@pytest.mark.parametrize("viewer_kind", VIEWERS)
def test_followers_only_post_is_404_on_its_own_pages(
    viewer_kind: str, author: User, private_post: Post
) -> None:
    client = _client_for(viewer_kind, author)
    pages = [
        reverse("web:thread", kwargs={"username": author.username, "post_id": private_post.pk}),
        reverse("web:post_history", kwargs={"username": author.username, "post_id": private_post.pk}),
        reverse("web:edit_post", kwargs={"post_id": private_post.pk}),
        f"{reverse('web:compose')}?in_reply_to={private_post.pk}",
    ]
    for url in pages:
        response = client.get(url)
        if viewer_kind == "logged_out" and response.status_code == 302:
            # Pages for signed-in people send visitors to log in, never saying whether the post exists.
            assert response["Location"].startswith(reverse("web:login"))
            continue
        assert response.status_code == 404, url
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("viewer_kind", ["non_follower", "blocked", "blocking"])
@pytest.mark.parametrize("action", ["like", "repost", "unlike", "unrepost"])
def test_followers_only_post_is_404_for_actions(
    viewer_kind: str, action: str, author: User, private_post: Post
) -> None:
    client = _client_for(viewer_kind, author)
    response = client.post(reverse("web:post_action", kwargs={"post_id": private_post.pk, "action": action}))
    assert response.status_code == 404
    assert not private_post.likes.exists()


@pytest.mark.parametrize("viewer_kind", ["non_follower", "blocked", "blocking"])
def test_followers_only_post_cannot_be_replied_to_by_outsiders(
    viewer_kind: str, author: User, private_post: Post
) -> None:
    client = _client_for(viewer_kind, author)
    response = client.post(
        reverse("web:compose"),
        {"text": "sneaky reply", "visibility": "public", "in_reply_to": private_post.pk},
    )
    assert response.status_code == 404
    assert not Post.objects.filter(text="sneaky reply").exists()


@pytest.mark.parametrize("viewer_kind", VIEWERS)
def test_followers_only_post_is_absent_from_every_listing(
    viewer_kind: str, author: User, private_post: Post
) -> None:
    client = _client_for(viewer_kind, author)
    listings = [
        reverse("web:public"),
        reverse("web:hashtag", kwargs={"tag": "plans"}),
        reverse("web:profile", kwargs={"username": author.username}),
        reverse("web:profile_with_replies", kwargs={"username": author.username}),
    ]
    if viewer_kind != "logged_out":
        listings += [reverse("web:home"), reverse("web:notifications")]
    for url in listings:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert SECRET not in response.content.decode(), url


def test_follower_and_author_see_the_followers_only_post(author: User, private_post: Post) -> None:
    follower = User.objects.get(username="friend")
    for viewer in (author, follower):
        client = Client()
        client.force_login(viewer)
        url = reverse("web:thread", kwargs={"username": author.username, "post_id": private_post.pk})
        assert SECRET in client.get(url).content.decode()
        assert SECRET in client.get(reverse("web:home")).content.decode()


def test_blocked_account_cannot_see_the_blockers_profile(author: User) -> None:
    client = _client_for("blocked", author)
    assert client.get(reverse("web:profile", kwargs={"username": author.username})).status_code == 404


def test_thread_url_with_another_authors_name_is_404(author: User, private_post: Post) -> None:
    other = UserFactory(username="someone")
    client = Client()
    client.force_login(author)
    url = reverse("web:thread", kwargs={"username": other.username, "post_id": private_post.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("bad_id", ["not-a-uuid-at-all-not-a-uuid-at-all", "0" * 32, "f" * 36])
def test_malformed_or_unknown_post_ids_are_404(bad_id: str, author: User) -> None:
    client = Client()
    response = client.get(f"/@{author.username}/{bad_id}")
    assert response.status_code == 404
