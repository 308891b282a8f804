"""Mastodon.py, unmodified, against a live Agora server: app registration, OAuth with PKCE, posting, replying,
favouriting, reblogging, following, home timeline, notifications, search, media upload and deletion."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from mastodon import Mastodon, MastodonNotFoundError

from agora.accounts.tests.factories import UserFactory
from agora.media.tests.samples import jpeg_with_gps

SCOPES = ["read", "write", "follow"]
OOB = "urn:ietf:wg:oauth:2.0:oob"


def log_in_on_the_web(base: str, username: str, password: str) -> requests.Session:
    """A browser session: the log-in form, posted over HTTP with its CSRF token."""
    session = requests.Session()
    page = session.get(f"{base}/login")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        f"{base}/login",
        data={"csrfmiddlewaretoken": csrf, "username": username, "password": password},
        headers={"Referer": f"{base}/login"},
    )
    assert done.ok and "logout" in done.text.lower()
    return session


def consent(session: requests.Session, authorize_url: str) -> str:
    """Open the consent page, press Authorize, read the code the oob page shows."""
    page = session.get(authorize_url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    shown = session.post(page.url, data={**fields, "allow": "Authorize"}, headers={"Referer": page.url})
    return re.search(r'value="([^"]+)" aria-label="[^"]*" data-testid="oauth-code"', shown.text).group(1)


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    return str(live_server.url)


def connect(base: str, username: str, *, pkce: bool) -> Mastodon:
    """Register an app and sign `username` in to it, as a client app does."""
    client_id, client_secret = Mastodon.create_app("Agora test", scopes=SCOPES, api_base_url=base)
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    session = log_in_on_the_web(base, username, "correct horse battery")
    url = app.auth_request_url(scopes=SCOPES, redirect_uris=OOB, allow_http=True)
    if not pkce:
        app.log_in(code=consent(session, url), redirect_uri=OOB, scopes=SCOPES, allow_http=True)
        return Mastodon(access_token=app.access_token, api_base_url=base, version_check_mode="created")
    # Mastodon.py builds the URL; PKCE (S256) is added to it and the verifier sent with the code, as an app
    # that uses PKCE does.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url += "&" + urlencode({"code_challenge": challenge, "code_challenge_method": "S256"})
    code = consent(session, url)
    token = requests.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": OOB,
            "client_id": client_id,
            "client_secret": client_secret,
            "code_verifier": verifier,
            "scope": " ".join(SCOPES),
        },
    )
    assert token.status_code == 200, token.text
    return Mastodon(
        access_token=token.json()["access_token"], api_base_url=base, version_check_mode="created"
    )


def test_mastodon_py_session(server: str, tmp_path: Any) -> None:
    UserFactory(username="alice", password="correct horse battery")
    UserFactory(username="bob", password="correct horse battery")
    alice = connect(server, "alice", pkce=True)
    bob = connect(server, "bob", pkce=False)

    me = alice.account_verify_credentials()
    assert me.username == "alice"
    assert alice.retrieve_mastodon_version() == "4.3.0" and alice.verify_minimum_version("4.3.0")
    bob_account = bob.account_verify_credentials()

    # Following, posting, replying.
    relationship = alice.account_follow(bob_account.id)
    assert relationship.following
    first = bob.status_post("Hello from bob #agora")
    reply = alice.status_reply(first, "Hi bob, nice to see you")
    assert reply.in_reply_to_id == first.id
    assert "@bob" in reply.content
    home = alice.timeline_home()
    assert first.id in [status.id for status in home]
    context = bob.status_context(first.id)
    assert [status.id for status in context.descendants] == [reply.id]

    # Favouriting and reblogging notify the author.
    assert alice.status_favourite(first.id).favourited
    reblog = alice.status_reblog(first.id)
    assert reblog.reblog.id == first.id
    kinds = {n.type for n in bob.notifications()}
    assert {"follow", "mention", "favourite", "reblog"} <= kinds

    # Search finds accounts, hashtags and posts.
    found = alice.search_v2("agora")
    assert first.id in [status.id for status in found.statuses]
    assert "agora" in [tag.name for tag in found.hashtags]
    assert bob_account.id in [account.id for account in alice.search_v2("bob").accounts]

    # Media: upload, describe, post with it; the stored picture is served.
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(jpeg_with_gps(size=(64, 48), orientation=1))
    media = alice.media_post(str(picture), mime_type="image/jpeg", description="a gradient", synchronous=True)
    assert media.type == "image" and media.url
    alice.media_update(media.id, description="a grey gradient")
    with_picture = alice.status_post("With a picture", media_ids=[media.id])
    assert with_picture.media_attachments[0].description == "a grey gradient"

    # Deleting a status: it is gone for everyone.
    deleted = alice.status_delete(with_picture.id)
    assert deleted.text == "With a picture"
    with pytest.raises(MastodonNotFoundError):
        bob.status(with_picture.id)
