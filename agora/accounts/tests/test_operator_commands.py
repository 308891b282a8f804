"""`agora accounts` and `agora tokens`: the operator's command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import AccessToken, Application

from agora.accounts.models import User
from agora.accounts.services import set_registration_mode
from agora.accounts.tests.factories import UserFactory
from agora.posts.models import Post
from agora.posts.services import create_post
from agora.security.models import RecoveryCode, TwoFactorAuthenticator

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> str:
    out = io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_confirmed_moderator_with_password_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    run(
        "accounts", "create", "rosa", "--email", "rosa@example.org", "--password-stdin",
        "--role", "moderator", "--confirmed", stdin="a fine long password\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    rosa = User.objects.get(username="rosa")
    assert rosa.role == User.Role.MODERATOR and rosa.is_active and not rosa.pending_approval
    assert rosa.check_password("a fine long password")


def test_create_works_while_registrations_are_closed_and_prints_a_random_password() -> None:
    set_registration_mode(mode="closed")
    output = run(
        "accounts", "create", "support", "--email", "s@example.org", "--random-password", "--confirmed"
    )
    password = output.strip().splitlines()[-1].removeprefix("Password: ")
    assert User.objects.get(username="support").check_password(password)


def test_unconfirmed_account_waits_for_approval_until_modify_approve() -> None:
    run("accounts", "create", "newbie", "--email", "n@example.org", "--random-password")
    newbie = User.objects.get(username="newbie")
    assert not newbie.is_active and newbie.pending_approval
    run("accounts", "modify", "newbie", "--approve")
    newbie.refresh_from_db()
    assert newbie.is_active and not newbie.pending_approval


def test_bad_input_is_a_command_error_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    UserFactory(username="taken")
    with pytest.raises(CommandError, match="username"):
        run("accounts", "create", "Taken", "--email", "new@example.org", "--random-password")
    with pytest.raises(CommandError, match="password"):
        run(
            "accounts", "create", "shorty", "--email", "x@example.org", "--password-stdin",
            stdin="short\n", monkeypatch=monkeypatch,
        )  # fmt: skip
    with pytest.raises(CommandError, match="No account"):
        run("accounts", "modify", "nobody", "--role", "admin")
    assert not User.objects.filter(username__in=["shorty"]).exists()
    assert not User.objects.filter(email="new@example.org").exists()


def test_modify_role_disable_enable_and_reset_two_factor(alice: User) -> None:
    TwoFactorAuthenticator.objects.create(user=alice, secret="S" * 32)
    RecoveryCode.objects.create(user=alice, code_hash="h")
    run("accounts", "modify", "alice", "--role", "admin", "--disable", "--reset-2fa")
    alice.refresh_from_db()
    assert alice.role == User.Role.ADMIN and alice.is_superuser and not alice.is_active
    assert not TwoFactorAuthenticator.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    run("accounts", "modify", "alice", "--enable", "--role", "user")
    alice.refresh_from_db()
    assert alice.is_active and alice.role == User.Role.USER and not alice.is_superuser


def test_approving_an_account_that_is_not_pending_changes_nothing(alice: User) -> None:
    with pytest.raises(CommandError, match="not waiting"):
        run("accounts", "modify", "alice", "--approve", "--role", "admin")
    alice.refresh_from_db()
    assert alice.role == User.Role.USER


def test_delete_is_the_real_deletion(alice: User) -> None:
    create_post(author=alice, text="soon gone")
    run("accounts", "delete", "alice", "--yes")
    assert not User.objects.filter(username="alice").exists()
    assert not Post.objects.filter(text="soon gone").exists()


def test_list_filters_and_prints_json(alice: User, bob: User, moderator: User) -> None:
    rows = json.loads(run("accounts", "list", "--role", "moderator", "--json"))
    assert [row["username"] for row in rows] == ["mod"]
    rows = json.loads(run("accounts", "list", "--search", "ali", "--json"))
    assert [row["username"] for row in rows] == ["alice"]
    assert "3 account(s)." in run("accounts", "list")


def test_tokens_create_reuses_the_app_and_revoke_removes_tokens(alice: User) -> None:
    first = run("tokens", "create", "alice", "--app", "mybot", "--scopes", "read write follow").strip()
    second = run("tokens", "create", "alice", "--app", "mybot", "--scopes", "read").strip()
    assert first != second
    assert Application.objects.filter(user=alice, name="mybot").count() == 1
    token = AccessToken.objects.get(token=first)
    assert token.user == alice and token.scope == "read write follow" and not token.is_expired()
    run("tokens", "revoke", "alice", "--app", "mybot")
    assert not AccessToken.objects.filter(user=alice).exists()


def test_tokens_create_refuses_unknown_scopes_and_unknown_accounts(alice: User) -> None:
    with pytest.raises(CommandError, match="Unknown scopes: destroy"):
        run("tokens", "create", "alice", "--app", "bot", "--scopes", "read destroy")
    with pytest.raises(CommandError, match="No account"):
        run("tokens", "create", "nobody", "--app", "bot")
    assert not Application.objects.exists()
