"""The operator's tokens and the registration mode, through Mastodon.py, unmodified, against a live server:
`agora accounts create` + `agora tokens create` give a bot a token it posts with; `create_account` obeys the
registration mode (open: an account and a token; closed: refused in Mastodon's error shape)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from mastodon import Mastodon, MastodonAPIError, MastodonIllegalArgumentError

from agora.accounts.models import User
from agora.accounts.services import set_registration_mode
from agora.posts.models import Post


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    return str(live_server.url)


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_account_and_token_let_a_bot_post_with_mastodon_py(server: str) -> None:
    command(
        "accounts", "create", "weatherbot", "--email", "bot@example.org", "--random-password", "--confirmed"
    )
    token = command("tokens", "create", "weatherbot", "--app", "forecasts", "--scopes", "read write").strip()

    bot = Mastodon(access_token=token, api_base_url=server, version_check_mode="none")
    assert bot.account_verify_credentials().username == "weatherbot"
    status = bot.status_post("Sunny all day #weather")
    assert status.account.username == "weatherbot"
    assert Post.objects.filter(author__username="weatherbot", text="Sunny all day #weather").exists()

    command("tokens", "revoke", "weatherbot", "--app", "forecasts")
    with pytest.raises(MastodonAPIError):
        bot.status_post("no longer")


def test_read_only_token_cannot_post(server: str) -> None:
    command("accounts", "create", "reader", "--email", "r@example.org", "--random-password", "--confirmed")
    token = command("tokens", "create", "reader", "--app", "reader", "--scopes", "read").strip()
    reader = Mastodon(access_token=token, api_base_url=server, version_check_mode="none")
    with pytest.raises(MastodonAPIError):
        reader.status_post("not allowed")
    assert not Post.objects.filter(author__username="reader").exists()


def app_for(server: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Sign-up app", scopes=["read", "write", "follow"], api_base_url=server
    )
    return Mastodon(
        client_id=client_id, client_secret=client_secret, api_base_url=server, version_check_mode="none"
    )


def test_create_account_works_while_registrations_are_open(server: str) -> None:
    app = app_for(server)
    token = app.create_account(
        "newcomer", "a long good password", "newcomer@example.org", agreement=True, scopes=["read", "write"]
    )
    assert token
    me = Mastodon(access_token=token, api_base_url=server, version_check_mode="none")
    assert me.account_verify_credentials().username == "newcomer"
    assert User.objects.get(username="newcomer").is_active


def test_create_account_is_refused_in_mastodons_error_shape_when_closed(server: str) -> None:
    set_registration_mode(mode="closed")
    app = app_for(server)
    token, error = app.create_account(
        "latecomer",
        "a long good password",
        "latecomer@example.org",
        agreement=True,
        scopes=["read", "write"],
        return_detailed_error=True,
    )
    assert token is None
    assert "closed" in error["error"]
    with pytest.raises(MastodonIllegalArgumentError, match="closed"):
        app.create_account(
            "latecomer", "a long good password", "latecomer@example.org", agreement=True, scopes=["write"]
        )
    assert not User.objects.filter(username="latecomer").exists()


def test_create_account_in_approval_mode_waits_for_an_admin(server: str) -> None:
    set_registration_mode(mode="approval")
    app = app_for(server)
    token = app.create_account(
        "hopeful",
        "a long good password",
        "hopeful@example.org",
        agreement=True,
        reason="I like it here",
        scopes=["read", "write"],
    )
    user = User.objects.get(username="hopeful")
    assert user.pending_approval and not user.is_active and user.signup_reason == "I like it here"
    pending = Mastodon(access_token=token, api_base_url=server, version_check_mode="none")
    with pytest.raises(MastodonAPIError):
        pending.account_verify_credentials()  # the token works only once an admin approves
    command("accounts", "modify", "hopeful", "--approve")
    assert pending.account_verify_credentials().username == "hopeful"
