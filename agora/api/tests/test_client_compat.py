"""Real Mastodon clients, unmodified, beyond the happy path: every documented key of the entities apps decode
(docs.joinmastodon.org/entities), the methods Mastodon.py offers for them, Link-header pagination, and the
OAuth flows mobile and web apps use (PKCE through the consent page, oob, their own URI scheme, refresh,
revoke, client credentials then sign-up). Runs against a live server."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.utils import timezone
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError
from oauth2_provider.models import AccessToken

from agora.accounts.models import User
from agora.accounts.services import set_registration_mode
from agora.accounts.tests.factories import UserFactory
from agora.media.tests.samples import jpeg_with_gps
from agora.posts.models import ModerationState
from agora.posts.tests.factories import PostFactory

PASSWORD = "correct horse battery"

ACCOUNT_KEYS = {
    "id", "username", "acct", "url", "uri", "display_name", "note", "avatar", "avatar_static", "header",
    "header_static", "locked", "fields", "emojis", "bot", "group", "discoverable", "noindex", "created_at",
    "last_status_at", "statuses_count", "followers_count", "following_count", "hide_collections",
    "indexable", "roles",
}  # fmt: skip
SOURCE_KEYS = {
    "note", "fields", "privacy", "sensitive", "language", "follow_requests_count", "indexable",
    "hide_collections", "discoverable", "attribution_domains",
}  # fmt: skip
STATUS_KEYS = {
    "id", "uri", "url", "created_at", "account", "content", "visibility", "sensitive", "spoiler_text",
    "media_attachments", "application", "mentions", "tags", "emojis", "reblogs_count", "favourites_count",
    "replies_count", "in_reply_to_id", "in_reply_to_account_id", "reblog", "poll", "card", "language",
    "text", "edited_at", "filtered",
}  # fmt: skip
VIEWER_KEYS = {"favourited", "reblogged", "muted", "bookmarked", "pinned"}
MEDIA_KEYS = {"id", "type", "url", "preview_url", "remote_url", "meta", "description", "blurhash"}
RELATIONSHIP_KEYS = {
    "id", "following", "showing_reblogs", "notifying", "languages", "followed_by", "blocking", "blocked_by",
    "muting", "muting_notifications", "requested", "requested_by", "domain_blocking", "endorsed", "note",
}  # fmt: skip
TAG_HISTORY_KEYS = {"day", "uses", "accounts"}

Tokens = Callable[..., str]


LIVE: list[str] = [""]


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    LIVE[0] = str(live_server.url)
    return str(live_server.url)


def as_client(base: str, token: str | None) -> Mastodon:
    return Mastodon(access_token=token, api_base_url=base, version_check_mode="none")


def signed_in(base: str, token_for: Tokens, username: str, **fields: Any) -> tuple[User, Mastodon]:
    user = UserFactory(username=username, password=PASSWORD, **fields)
    return user, as_client(base, token_for(user, "read write follow push"))


def raw(client: Mastodon, path: str) -> Any:
    """The JSON an endpoint answers, as sent (Mastodon.py fills in every key it knows with None)."""
    headers = {"Authorization": f"Bearer {client.access_token}"} if client.access_token else {}
    response = requests.get(f"{LIVE[0]}{path}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def loads(url: str) -> bool:
    """The picture at `url` is served (its host is AGORA_DOMAIN, here the live server)."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc
    response = requests.get(f"{LIVE[0]}{parts.path}", timeout=10)
    return response.status_code == 200 and response.headers["Content-Type"].startswith("image/")


def test_account_entity_and_profile_update(server: str, token_for: Tokens, tmp_path: Any) -> None:
    _alice, alice = signed_in(server, token_for, "alice")
    _bob, bob = signed_in(server, token_for, "bob")
    me = alice.account_verify_credentials()
    sent = raw(alice, "/api/v1/accounts/verify_credentials")
    assert set(sent) >= ACCOUNT_KEYS, ACCOUNT_KEYS - set(sent)
    assert set(sent["source"]) >= SOURCE_KEYS, SOURCE_KEYS - set(sent["source"])
    assert me.source.privacy in ("public", "unlisted", "private", "direct")
    for key in ("avatar", "avatar_static", "header", "header_static"):
        assert loads(me[key]), key
    for key in ("locked", "bot", "group", "discoverable", "noindex", "hide_collections", "indexable"):
        assert isinstance(me[key], bool), key
    assert isinstance(me.fields, list) and isinstance(me.emojis, list) and isinstance(me.roles, list)

    picture = tmp_path / "avatar.jpg"
    picture.write_bytes(jpeg_with_gps(size=(96, 96), orientation=1))
    updated = alice.account_update_credentials(
        display_name="Alice A.",
        note="Hello #world",
        locked=True,
        fields=[("Site", "https://example.org"), ("Pronouns", "she/her")],
        avatar=str(picture),
        avatar_mime_type="image/jpeg",
    )
    assert updated.display_name == "Alice A." and updated.locked is True
    assert "#world" in updated.note or "world" in updated.note
    assert updated.source.note == "Hello #world"
    assert [(f.name, f.value) for f in updated.source.fields] == [
        ("Site", "https://example.org"),
        ("Pronouns", "she/her"),
    ]
    assert [f.name for f in updated.fields] == ["Site", "Pronouns"]
    assert "Site" in [f.name for f in updated.fields]
    assert updated.avatar != me.avatar and loads(updated.avatar) and loads(updated.avatar_static)
    unlocked = alice.account_update_credentials(locked=False)
    assert unlocked.locked is False

    seen = bob.account(me.id)
    sent = raw(bob, f"/api/v1/accounts/{me.id}")
    assert set(sent) >= ACCOUNT_KEYS and "source" not in sent
    assert seen.display_name == "Alice A." and seen.avatar == updated.avatar
    assert bob.account_lookup("alice").id == me.id
    assert [a.id for a in bob.account_search("ali")] == [me.id]


def test_status_entities_and_writes(server: str, token_for: Tokens, tmp_path: Any) -> None:
    _alice, alice = signed_in(server, token_for, "alice")
    _bob, bob = signed_in(server, token_for, "bob")
    anonymous = as_client(server, None)
    bob_id = bob.account_verify_credentials().id

    picture = tmp_path / "photo.jpg"
    picture.write_bytes(jpeg_with_gps(size=(120, 80), orientation=1))
    media = alice.media_post(str(picture), mime_type="image/jpeg", description="a gradient", synchronous=True)
    sent_media = raw(alice, f"/api/v1/media/{media.id}")
    assert set(sent_media) >= MEDIA_KEYS, MEDIA_KEYS - set(sent_media)
    assert media.meta.original.width == 120 and media.meta.original.height == 80
    assert isinstance(media.blurhash, str) and media.preview_url and media.url

    post = alice.status_post(
        "Look at this, @bob #Photos",
        spoiler_text="a picture",
        sensitive=True,
        visibility="unlisted",
        language="en",
        media_ids=[media.id],
    )
    sent = raw(alice, f"/api/v1/statuses/{post.id}")
    assert (STATUS_KEYS - {"text"}) | VIEWER_KEYS <= set(sent), STATUS_KEYS - set(sent)
    assert set(sent["account"]) >= ACCOUNT_KEYS
    assert post.visibility == "unlisted" and post.sensitive is True and post.spoiler_text == "a picture"
    assert post.language == "en" and post.edited_at is None
    assert post.uri.startswith("http") and post.url.startswith("http")
    assert [m.id for m in post.mentions] == [bob_id] and [t.name for t in post.tags] == ["photos"]
    assert post.media_attachments[0].id == media.id and post.media_attachments[0].meta.small.width
    # Apps load pictures without credentials: once posted (unlisted here), they are served to anyone.
    assert loads(post.media_attachments[0].url) and loads(post.media_attachments[0].preview_url)
    assert post.card is None and post.poll is None and post.emojis == []
    assert not post.favourited and not post.bookmarked and not post.pinned

    for visibility in ("public", "private", "direct"):
        assert alice.status_post(f"as {visibility} @bob", visibility=visibility).visibility == visibility

    # Anonymous readers get no per-viewer flags (they are only there for an authorized user).
    public = alice.status_post("for everyone #hello", language="en")
    seen = raw(anonymous, f"/api/v1/statuses/{public.id}")
    assert not VIEWER_KEYS & set(seen), VIEWER_KEYS & set(seen)
    assert STATUS_KEYS - {"text"} <= set(seen)
    assert anonymous.status(public.id).id == public.id

    reply = bob.status_post("a reply", in_reply_to_id=public.id, visibility="public")
    assert reply.in_reply_to_id == public.id and reply.in_reply_to_account_id == public.account.id
    context = anonymous.status_context(public.id)
    assert context.ancestors == [] and [s.id for s in context.descendants] == [reply.id]
    assert [s.id for s in bob.status_context(reply.id).ancestors] == [public.id]

    reblog = bob.status_reblog(public.id)
    assert reblog.reblog.id == public.id and reblog.reblog.reblogged is True and reblog.reblogged is True
    sent = raw(bob, f"/api/v1/statuses/{reblog.id}")
    assert STATUS_KEYS - {"text"} <= set(sent["reblog"]) and sent["reblog"]["favourited"] is False
    bob.status_favourite(public.id)
    bob.status_bookmark(public.id)
    assert [a.id for a in alice.status_reblogged_by(public.id)] == [bob_id]
    assert [a.id for a in anonymous.status_favourited_by(public.id)] == [bob_id]
    assert [s.id for s in bob.bookmarks()] == [public.id]
    assert [s.id for s in bob.favourites()] == [public.id]
    assert bob.status(public.id).bookmarked is True

    edited = alice.status_update(public.id, "for everyone, edited", spoiler_text="cw")
    assert edited.edited_at is not None and edited.spoiler_text == "cw"
    assert len(alice.status_history(public.id)) == 2
    assert alice.status_source(public.id).text == "for everyone, edited"

    # How Tusky and Ice Cubes post: a JSON body with nulls for what they do not use.
    tusky = requests.post(
        f"{server}/api/v1/statuses",
        json={
            "status": "from an app",
            "spoiler_text": "",
            "visibility": "private",
            "sensitive": False,
            "media_ids": None,
            "media_attributes": None,
            "scheduled_at": None,
            "poll": None,
            "language": None,
            "in_reply_to_id": None,
        },
        headers={"Authorization": f"Bearer {alice.access_token}", "Idempotency-Key": "tusky-1"},
        timeout=10,
    )
    assert tusky.status_code == 200, tusky.text
    assert tusky.json()["visibility"] == "private" and tusky.json()["language"] is None

    # Delete & redraft: the deleted status comes back with its source text and attachments.
    deleted = alice.status_delete(post.id)
    assert deleted.text == "Look at this, @bob #Photos"
    assert deleted.spoiler_text == "a picture" and deleted.media_attachments[0].id == media.id
    with pytest.raises(MastodonNotFoundError):
        bob.status(post.id)


def test_relationships_and_notifications(server: str, token_for: Tokens) -> None:
    _alice, alice = signed_in(server, token_for, "alice")
    _bob, bob = signed_in(server, token_for, "bob")
    _carol, carol = signed_in(server, token_for, "carol", is_locked=True)
    alice_id = alice.account_verify_credentials().id
    bob_id = bob.account_verify_credentials().id
    carol_id = carol.account_verify_credentials().id

    requested = alice.account_follow(carol_id, reblogs=True, notify=False)
    sent = raw(alice, f"/api/v1/accounts/relationships?id[]={carol_id}")[0]
    assert set(sent) >= RELATIONSHIP_KEYS, RELATIONSHIP_KEYS - set(sent)
    assert all(isinstance(sent[key], bool) for key in RELATIONSHIP_KEYS - {"id", "languages", "note"})
    assert requested.requested is True and requested.following is False
    assert requested.note == "" and requested.domain_blocking is False and requested.endorsed is False
    assert carol.account_relationships(alice_id)[0].requested_by is True
    assert [a.id for a in carol.follow_requests()] == [alice_id]
    assert carol.notifications(types=["follow_request"])[0].account.id == alice_id
    assert carol.follow_request_authorize(alice_id).followed_by is True
    assert alice.account_relationships(carol_id)[0].following is True
    bob.account_follow(carol_id)
    assert carol.follow_request_reject(bob_id).requested_by is False
    assert bob.account_relationships(carol_id)[0].requested is False

    bob.account_follow(alice_id)
    first = alice.status_post("hello")
    bob.status_favourite(first.id)
    bob.status_reblog(first.id)
    bob.status_post("@alice hi there")
    notifications = alice.notifications()
    assert {n.type for n in notifications} == {"follow", "favourite", "reblog", "mention"}
    for notification in raw(alice, "/api/v1/notifications"):
        assert {"id", "type", "created_at", "account", "status", "group_key"} <= set(notification)
        assert (notification["status"] is None) == (notification["type"] == "follow")
    assert {n.type for n in alice.notifications(types=["favourite", "reblog"])} == {"favourite", "reblog"}
    assert "follow" not in {n.type for n in alice.notifications(exclude_types=["follow"])}
    assert len(alice.notifications(account_id=bob_id)) == 4 and alice.notifications(account_id=carol_id) == []
    assert alice.notifications(id=notifications[0].id).id == notifications[0].id

    # Mastodon 4.3's notification filtering: Agora filters nothing into requests.
    assert raw(alice, "/api/v2/notifications/policy")["for_not_following"] == "accept"
    assert raw(alice, "/api/v1/notifications/requests") == []

    alice.notifications_dismiss(notifications[0].id)
    assert notifications[0].id not in [n.id for n in alice.notifications()]
    with pytest.raises(MastodonNotFoundError):
        bob.notifications_dismiss(notifications[1].id)  # someone else's
    alice.notifications_clear()
    assert alice.notifications() == []

    muted = alice.account_mute(bob_id, notifications=False)
    assert muted.muting is True
    assert alice.account_unmute(bob_id).muting is False
    blocked = alice.account_block(bob_id)
    assert blocked.blocking is True and blocked.following is False and blocked.followed_by is False
    assert [a.id for a in alice.blocks()] == [bob_id]
    assert alice.account_unblock(bob_id).blocking is False
    assert alice.account_unfollow(carol_id).following is False


def test_timelines_pagination_search_and_small_endpoints(server: str, token_for: Tokens) -> None:
    _alice, alice = signed_in(server, token_for, "alice")
    bob_user, bob = signed_in(server, token_for, "bob")
    anonymous = as_client(server, None)
    alice_id = alice.account_verify_credentials().id
    bob_id = bob.account_verify_credentials().id
    alice.account_follow(bob_id)
    posts = [bob.status_post(f"number {n} #counting") for n in range(5)]
    ids = [p.id for p in posts]  # oldest first

    page = alice.timeline_home(limit=2)
    assert [s.id for s in page] == ids[:2:-1][:2] == [ids[4], ids[3]]
    older = alice.fetch_next(page)
    assert [s.id for s in older] == [ids[2], ids[1]]
    newer = alice.fetch_previous(older)
    assert [s.id for s in newer] == [ids[4], ids[3]]
    assert [s.id for s in alice.timeline_home(min_id=ids[0], limit=2)] == [ids[2], ids[1]]
    assert [s.id for s in alice.timeline_home(since_id=ids[2])] == [ids[4], ids[3]]
    assert [s.id for s in alice.timeline_home(max_id=ids[2])] == [ids[1], ids[0]]
    assert [s.id for s in anonymous.timeline_public(local=True, limit=3)] == [ids[4], ids[3], ids[2]]
    assert [s.id for s in anonymous.timeline_hashtag("counting", max_id=ids[1])] == [ids[0]]
    assert [s.id for s in anonymous.timeline_hashtag("Counting", min_id=ids[3])] == [ids[4]]

    # Account statuses and their filters.
    alices = alice.status_post("alice's own")
    reply = bob.status_post("a reply", in_reply_to_id=alices.id)
    self_reply = bob.status_post("a thread", in_reply_to_id=ids[0])
    reblog = bob.status_reblog(alices.id)
    bob.status_pin(ids[1])
    everything = [s.id for s in alice.account_statuses(bob_id)]
    assert everything[:3] == [reblog.id, self_reply.id, reply.id]
    # As on Mastodon, excluding replies keeps the account's own threads.
    without_replies = [s.id for s in alice.account_statuses(bob_id, exclude_replies=True)]
    assert reply.id not in without_replies and self_reply.id in without_replies
    assert reblog.id not in [s.id for s in alice.account_statuses(bob_id, exclude_reblogs=True)]
    assert [s.id for s in alice.account_statuses(bob_id, pinned=True)] == [ids[1]]
    assert alice.account_statuses(bob_id, only_media=True) == []
    assert len(alice.account_statuses(bob_id, tagged="counting")) == 5
    assert alice.status(ids[1]).pinned is False  # pinned is about the viewer's own pins
    assert bob.status(ids[1]).pinned is True

    # Followers and following pages, through the Link header both ways.
    followers = [UserFactory(username=f"fan{n}") for n in range(3)]
    from agora.accounts.services import follow

    for fan in followers:
        follow(follower=fan, target=bob_user)
    first_page = anonymous.account_followers(bob_id, limit=2)
    assert len(first_page) == 2
    second_page = anonymous.fetch_next(first_page)
    assert len(second_page) == 2
    everyone = {a.id for a in first_page} | {a.id for a in second_page}
    assert alice_id in everyone and len(everyone) == 4
    assert [a.id for a in anonymous.fetch_previous(second_page)] == [a.id for a in first_page]
    assert [a.id for a in anonymous.account_following(alice_id)] == [bob_id]

    # Search.
    found = alice.search_v2("bob", resolve=False, result_type="accounts")
    assert [a.id for a in found.accounts] == [bob_id] and found.statuses == [] and found.hashtags == []
    tags = alice.search_v2("counting", resolve=False, result_type="hashtags").hashtags
    assert [t.name for t in tags] == ["counting"] and len(tags[0].history) == 7
    history = raw(alice, "/api/v2/search?q=counting&type=hashtags")["hashtags"][0]["history"]
    assert len(history) == 7 and set(history[0]) >= TAG_HISTORY_KEYS
    assert all(isinstance(day[key], str) for day in history for key in TAG_HISTORY_KEYS)
    assert history[0]["uses"] == "5" and history[0]["accounts"] == "1"
    assert raw(anonymous, "/api/v1/tags/counting")["history"][0]["uses"] == "5"
    unused = raw(alice, "/api/v1/tags/NeverUsed")
    assert unused["name"] == "neverused" and unused["following"] is False and len(unused["history"]) == 7
    statuses = alice.search_v2("number", resolve=False, result_type="statuses").statuses
    assert set(ids) == {s.id for s in statuses}
    assert anonymous.search_v2("number", resolve=False).statuses == []

    # What the apps ask for that Agora does not have is empty, not missing.
    assert alice.conversations() == [] and alice.lists() == [] and alice.filters_v2() == []
    assert alice.custom_emojis() == [] and alice.announcements() == []
    assert alice.account_featured_tags(bob_id) == [] and alice.account_lists(bob_id) == []
    assert alice.endorsements() == [] and alice.domain_blocks() == []
    assert anonymous.instance_extended_description().content == ""
    # Profiles show who of those one follows follows them too.
    fan = followers[0]
    alice.account_follow(str(fan.pk))
    familiar = alice.account_familiar_followers([bob_id, alice_id])
    assert [(f.id, [a.id for a in f.accounts]) for f in familiar] == [(bob_id, [str(fan.pk)]), (alice_id, [])]

    # Markers and preferences.
    alice.markers_set(["home", "notifications"], [ids[4], ids[3]])
    markers = alice.markers_get(["home", "notifications"])
    assert markers.home.last_read_id == ids[4] and markers.notifications.last_read_id == ids[3]
    assert {"last_read_id", "version", "updated_at"} <= set(markers.home)
    preferences = alice.preferences()
    assert preferences["posting:default:visibility"] == "public"
    assert {"reading:expand:media", "reading:expand:spoilers", "posting:default:sensitive"} <= set(
        preferences
    )

    # Instance v2.
    instance = anonymous.instance_v2()
    configuration = instance.configuration
    sent = raw(anonymous, "/api/v2/instance")
    assert {
        "domain",
        "title",
        "version",
        "source_url",
        "description",
        "usage",
        "thumbnail",
        "icon",
        "languages",
        "configuration",
        "registrations",
        "api_versions",
        "contact",
        "rules",
    } <= set(sent)
    assert {"urls", "accounts", "statuses", "media_attachments", "polls", "translation"} <= set(
        sent["configuration"]
    )
    assert configuration.urls.streaming.startswith("ws")
    assert configuration.statuses.max_characters > 0 and configuration.statuses.max_media_attachments > 0
    assert configuration.media_attachments.supported_mime_types
    assert {"max_options", "max_characters_per_option", "min_expiration", "max_expiration"} <= set(
        configuration.polls
    )
    assert "max_featured_tags" in configuration.accounts
    assert {"enabled", "approval_required", "message"} <= set(instance.registrations)
    assert {"email", "account"} <= set(instance.contact) and isinstance(instance.rules, list)
    assert {"url"} <= set(instance.thumbnail) and isinstance(instance.usage.users.active_month, int)


def test_held_post_is_the_authors_alone(server: str, token_for: Tokens) -> None:
    author_user, author = signed_in(server, token_for, "writer")
    _other, other = signed_in(server, token_for, "reader")
    anonymous = as_client(server, None)
    other.account_follow(str(author_user.pk))
    held = PostFactory(author=author_user, text="held words #quiet", moderation_state=ModerationState.HELD)
    own = author.status(str(held.pk))
    assert own.pending is True and own.filtered[0].filter.filter_action == "warn"
    assert str(held.pk) in [s.id for s in author.account_statuses(str(author_user.pk))]
    for client in (other, anonymous):
        for call in (
            lambda c: c.status(str(held.pk)),
            lambda c: c.status_context(str(held.pk)),
            lambda c: c.status_favourited_by(str(held.pk)),
            lambda c: c.status_reblogged_by(str(held.pk)),
            lambda c: c.status_history(str(held.pk)),
        ):
            with pytest.raises(MastodonNotFoundError):
                call(client)
        assert str(held.pk) not in [s.id for s in client.account_statuses(str(author_user.pk))]
    for call in (
        lambda c: c.status_favourite(str(held.pk)),
        lambda c: c.status_reblog(str(held.pk)),
        lambda c: c.status_bookmark(str(held.pk)),
        lambda c: c.status_post("sneaky reply", in_reply_to_id=str(held.pk)),
    ):
        with pytest.raises(MastodonNotFoundError):
            call(other)
    assert str(held.pk) not in [s.id for s in other.timeline_home()]
    assert other.search_v2("held", resolve=False).statuses == []


# OAuth -------------------------------------------------------------------------------------------------


def web_session(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf is not None
    done = session.post(
        f"{base}/login",
        data={"csrfmiddlewaretoken": csrf.group(1), "username": username, "password": PASSWORD},
        headers={"Referer": f"{base}/login"},
    )
    assert done.ok
    return session


def allow(session: requests.Session, url: str) -> requests.Response:
    """Open the consent page and press Authorize; the answer is not followed."""
    page = session.get(url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return session.post(
        page.url,
        data={**fields, "allow": "Authorize"},
        headers={"Referer": page.url},
        allow_redirects=False,
    )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def test_oauth_flows_apps_use(server: str) -> None:
    UserFactory(username="alice", password=PASSWORD)
    session = web_session(server, "alice")

    # A mobile app: its own scheme, PKCE S256, answered by a redirect into the app.
    app = requests.post(
        f"{server}/api/v1/apps",
        data={"client_name": "Tusky", "redirect_uris": "tusky://oauth", "scopes": "read write follow push"},
    ).json()
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": "tusky://oauth",
        "scope": "read write follow push",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "xyz",
    }
    answer = allow(session, f"{server}/oauth/authorize?{urlencode(query)}")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "tusky://oauth"
    params = parse_qs(location.query)
    assert params["state"] == ["xyz"]
    exchange = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "redirect_uri": "tusky://oauth",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    wrong = requests.post(f"{server}/oauth/token", data={**exchange, "code_verifier": "x" * 50})
    assert wrong.status_code == 400 and "error" in wrong.json()
    # A failed exchange burns nothing the right verifier needs? oauthlib invalidates the code: ask again.
    answer = allow(session, f"{server}/oauth/authorize?{urlencode(query)}")
    exchange["code"] = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    # Ice Cubes sends the token request's parameters in the query string, as Mastodon accepts.
    token = requests.post(f"{server}/oauth/token?{urlencode({**exchange, 'code_verifier': verifier})}")
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read write follow push"
    assert isinstance(body["created_at"], int)
    client = as_client(server, body["access_token"])
    assert client.account_verify_credentials().username == "alice"
    assert client.app_verify_credentials().name == "Tusky"

    # Refreshing gives a new working token (a JSON body, as Elk sends).
    if body.get("refresh_token"):
        refreshed = requests.post(
            f"{server}/oauth/token",
            json={
                "grant_type": "refresh_token",
                "refresh_token": body["refresh_token"],
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        assert refreshed.status_code == 200, refreshed.text
        client = as_client(server, refreshed.json()["access_token"])
        assert client.account_verify_credentials().username == "alice"

    # A desktop or CLI app: the oob page shows the code; Mastodon.py logs in with it.
    client_id, client_secret = Mastodon.create_app("toot-like", scopes=["read", "write"], api_base_url=server)
    oob_app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    url = oob_app.auth_request_url(scopes=["read", "write"], allow_http=True)
    shown = allow(session, url)
    code = re.search(r'value="([^"]+)" aria-label="[^"]*" data-testid="oauth-code"', shown.text)
    assert shown.status_code == 200 and code is not None
    oob_app.log_in(code=code.group(1), scopes=["read", "write"], allow_http=True)
    assert oob_app.me().username == "alice"

    # Revoking: the token stops working, with Mastodon's 401 and error shape.
    oob_app.revoke_access_token(allow_http=True)
    denied = requests.get(
        f"{server}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {oob_app.access_token}"},
    )
    assert denied.status_code == 401 and isinstance(denied.json()["error"], str)
    with pytest.raises(MastodonUnauthorizedError):
        as_client(server, "not-a-token").account_verify_credentials()
    checksum = hashlib.sha256(str(client.access_token).encode()).hexdigest()
    stored = AccessToken.objects.get(token_checksum=checksum)
    stored.expires = timezone.now() - timedelta(seconds=1)
    stored.save(update_fields=["expires"])
    expired = requests.get(
        f"{server}/api/v1/timelines/home", headers={"Authorization": f"Bearer {client.access_token}"}
    )
    assert expired.status_code == 401 and "error" in expired.json()

    # Sign-up from an app: client credentials, then POST /api/v1/accounts, then the new account's token.
    set_registration_mode(mode="open")
    signup = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    new_token = signup.create_account(
        "newcomer",
        "a long enough passphrase 42",
        "newcomer@example.org",
        agreement=True,
        scopes=["read", "write"],
    )
    assert new_token
    newcomer = as_client(server, new_token).account_verify_credentials()
    assert newcomer.username == "newcomer"
