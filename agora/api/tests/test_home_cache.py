"""A remembered home timeline page is served only while it is exactly the page that would be made now: after
any change to what it shows or to what decides it (a post deleted, held, edited, liked; a block either way, a
mute, a muted word, an unfollow; a profile, a picture, a description), the next request answers what a page
made afresh answers. PostgreSQL only (elsewhere every page is made afresh, which the last test checks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.accounts import services as accounts
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.api import home_cache
from agora.api import services as api_services
from agora.media import services as media
from agora.media.models import MediaAttachment
from agora.media.tests.samples import jpeg_with_gps, upload
from agora.moderation import services as moderation
from agora.posts import services as posts
from agora.posts.models import ModerationState, Post, Visibility
from agora.search import services as search

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the page cache reads PostgreSQL's row versions"
)

HOME = "/api/v1/timelines/home"


class Scene:
    """Viewer follows Alice and Bob; both post, Bob reposts Alice, Alice answers Bob; a stranger posts
    with #gardening; Alice's post has a picture."""

    def __init__(self) -> None:
        self.viewer: User = UserFactory(username="viewer")
        self.alice: User = UserFactory(username="alice")
        self.bob: User = UserFactory(username="bob")
        self.stranger: User = UserFactory(username="stranger")
        for followee in (self.alice, self.bob):
            accounts.follow(follower=self.viewer, target=followee)
        self.picture: MediaAttachment = media.upload_post_media(
            owner=self.alice, uploads=[(upload("garden.jpg", jpeg_with_gps()), "A garden")]
        )[0]
        self.alice_post = posts.create_post(
            author=self.alice, text="Tomatoes are ripe #gardening", media_ids=[self.picture.pk]
        )
        self.bob_post = posts.create_post(author=self.bob, text="Anyone for chess?")
        self.bob_repost = posts.repost(user=self.bob, post=self.alice_post)
        self.reply = posts.create_post(author=self.alice, text="@bob always", in_reply_to=self.bob_post)
        self.private = posts.create_post(
            author=self.alice, text="For my followers", visibility=Visibility.FOLLOWERS
        )
        self.stranger_post = posts.create_post(author=self.stranger, text="Compost tips #gardening")
        self.own = posts.create_post(author=self.viewer, text="Hello")


def change_moderation(post: Post, state: str) -> None:
    Post.objects.filter(pk=post.pk).update(moderation_state=state)


MUTATIONS: dict[str, Callable[[Scene], Any]] = {
    "post deleted": lambda s: posts.delete_post(actor=s.bob, post=s.bob_post),
    "repost undone": lambda s: posts.undo_repost(user=s.bob, post=s.alice_post),
    "post held": lambda s: change_moderation(s.bob_post, ModerationState.HELD),
    "post removed": lambda s: change_moderation(s.alice_post, ModerationState.REMOVED),
    "held post published": lambda s: change_moderation(s.bob_post, ModerationState.PUBLISHED),
    "post edited": lambda s: posts.edit_post(editor=s.bob, post=s.bob_post, text="Anyone for go?"),
    "new post by a followed account": lambda s: posts.create_post(author=s.alice, text="Rain at last"),
    "liked by the viewer": lambda s: posts.like(user=s.viewer, post=s.bob_post),
    "liked by someone else": lambda s: posts.like(user=s.stranger, post=s.alice_post),
    "reposted by the viewer": lambda s: posts.repost(user=s.viewer, post=s.bob_post),
    "bookmarked": lambda s: api_services.bookmark(user=s.viewer, post=s.bob_post),
    "pinned by the viewer": lambda s: api_services.pin(user=s.viewer, post=s.own),
    "viewer blocks an author": lambda s: accounts.block(blocker=s.viewer, target=s.alice),
    "author blocks the viewer": lambda s: accounts.block(blocker=s.bob, target=s.viewer),
    "viewer mutes an author": lambda s: accounts.mute(muter=s.viewer, target=s.alice),
    "viewer unfollows": lambda s: accounts.unfollow(follower=s.viewer, target=s.alice),
    "viewer follows someone new": lambda s: accounts.follow(follower=s.viewer, target=s.stranger),
    "viewer follows a hashtag": lambda s: search.follow_hashtag(user=s.viewer, name="gardening"),
    "muted word": lambda s: moderation.add_muted_word(user=s.viewer, word="chess"),
    "author suspended": lambda s: accounts.set_account_disabled(user=s.bob, disabled=True),
    "author's profile edited": lambda s: accounts.update_profile(user=s.alice, display_name="Alice G."),
    "author's new avatar": lambda s: media.process_attachment(
        media_id=media.set_profile_image(
            user=s.alice,
            upload=upload("me.jpg", jpeg_with_gps((64, 64))),
            purpose=MediaAttachment.Purpose.AVATAR,
        ).pk
    ),
    "picture described again": lambda s: media.describe_media(
        actor=s.alice, media=s.picture, alt_text="Ripe tomatoes"
    ),
}
# What holds before the page is first remembered.
SETUPS: dict[str, Callable[[Scene], Any]] = {
    "held post published": lambda s: change_moderation(s.bob_post, ModerationState.HELD),
}


def fresh(client: Any, settings: Any, path: str = HOME) -> Any:
    settings.AGORA_HOME_PAGE_CACHE = False
    try:
        return client.get(path)
    finally:
        settings.AGORA_HOME_PAGE_CACHE = True


def served_from_cache(client: Any, path: str = HOME) -> Any:
    """The page, after requests enough for it to be remembered; checks that this one was a hit (the token
    and the check: two queries, against a dozen for a page made afresh)."""
    client.get(path)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert len(queries) <= 2, [query["sql"][:120] for query in queries.captured_queries]
    return response


@postgresql_only
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_remembered_page_is_never_staler_than_a_fresh_one(
    mutation: str, api_as: Callable[..., Any], settings: Any
) -> None:
    settings.AGORA_HOME_PAGE_CACHE = True
    scene = Scene()
    if mutation in SETUPS:
        SETUPS[mutation](scene)
    client = api_as(scene.viewer)
    before = served_from_cache(client)
    assert before.json() == fresh(client, settings).json()

    MUTATIONS[mutation](scene)

    after = client.get(HOME)
    expected = fresh(client, settings)
    assert after.status_code == expected.status_code == 200
    assert after.json() == expected.json()
    assert after.json() != before.json(), "the mutation should change the page"
    assert after.get("Link") == expected.get("Link")


@postgresql_only
def test_a_page_that_did_not_change_is_served_again_with_its_link_header(
    api_as: Callable[..., Any], settings: Any
) -> None:
    settings.AGORA_HOME_PAGE_CACHE = True
    scene = Scene()
    for n in range(5):
        posts.create_post(author=scene.bob, text=f"Move {n}")
    client = api_as(scene.viewer)
    path = f"{HOME}?limit=3"
    response = served_from_cache(client, path)
    expected = fresh(client, settings, path)
    assert response.json() == expected.json()
    assert len(response.json()) == 3
    assert response["Link"] == expected["Link"]
    assert response["Content-Type"] == expected["Content-Type"]
    # Something older than the page changing leaves it as it is, and still remembered.
    posts.like(user=scene.stranger, post=scene.own)
    assert served_from_cache(client, path).json() == expected.json()


@postgresql_only
def test_each_viewer_and_each_query_has_its_own_page(api_as: Callable[..., Any], settings: Any) -> None:
    settings.AGORA_HOME_PAGE_CACHE = True
    scene = Scene()
    other = UserFactory(username="other")
    accounts.follow(follower=other, target=scene.bob)
    viewer_client, other_client = api_as(scene.viewer), api_as(other)
    mine = served_from_cache(viewer_client)
    theirs = served_from_cache(other_client)
    assert mine.json() != theirs.json()
    assert theirs.json() == fresh(other_client, settings).json()
    short = served_from_cache(viewer_client, f"{HOME}?limit=2")
    assert [status["id"] for status in short.json()] == [status["id"] for status in mine.json()][:2]
    newer = served_from_cache(viewer_client, f"{HOME}?since_id={scene.reply.pk}")
    assert newer.json() == fresh(viewer_client, settings, f"{HOME}?since_id={scene.reply.pk}").json()


@postgresql_only
def test_older_pages_and_filtered_pages_are_always_made_afresh(
    api_as: Callable[..., Any], settings: Any
) -> None:
    settings.AGORA_HOME_PAGE_CACHE = True
    scene = Scene()
    client = api_as(scene.viewer)
    for query in (f"max_id={scene.own.pk}", f"min_id={scene.alice_post.pk}", "only_media=true"):
        for _ in range(3):
            client.get(f"{HOME}?{query}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{HOME}?{query}").status_code == 200
        assert len(queries) > 2, query


@postgresql_only
def test_pages_are_made_afresh_while_the_cache_server_is_down(
    api_as: Callable[..., Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.AGORA_HOME_PAGE_CACHE = True
    scene = Scene()
    client = api_as(scene.viewer)
    served_from_cache(client)
    posts.delete_post(actor=scene.viewer, post=scene.own)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache server gone")

    monkeypatch.setattr(home_cache, "_failed_at", home_cache._failed_at)  # forgotten after the test
    monkeypatch.setattr(home_cache.cache, "get", down)
    monkeypatch.setattr(home_cache.cache, "set", down)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.json() == fresh(client, settings).json()
    assert str(scene.own.pk) not in {status["id"] for status in response.json()}
    # For a few seconds the cache is not tried again; then it is.
    monkeypatch.undo()
    monkeypatch.setattr(home_cache, "_failed_at", time.monotonic())
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
        client.get(HOME)
        client.get(HOME)
    assert len(queries) > 3 * 2
    monkeypatch.setattr(home_cache, "_failed_at", time.monotonic() - home_cache.RETRY_AFTER_FAILURE_S)
    assert served_from_cache(client).json() == response.json()


def test_without_postgresql_or_when_switched_off_nothing_is_remembered(
    api_as: Callable[..., Any], settings: Any
) -> None:
    scene = Scene()
    client = api_as(scene.viewer)
    settings.AGORA_HOME_PAGE_CACHE = connection.vendor == "postgresql"
    assert home_cache.enabled() is (connection.vendor == "postgresql")
    settings.AGORA_HOME_PAGE_CACHE = False
    assert not home_cache.enabled()
    for _ in range(3):
        client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert len(queries) > 2
    assert response.json()[0]["id"] == str(scene.own.pk)
