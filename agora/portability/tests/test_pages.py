"""Settings pages: Your data (with sessions and "log out everywhere"), Development and Authorised apps."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from agora.accounts.models import AccountSession, User
from agora.accounts.tests.factories import DEFAULT_PASSWORD
from agora.accounts.tokens import create_token_for
from agora.posts.services import create_post

pytestmark = pytest.mark.django_db


def logged_in(user: User, agent: str, address: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post("/login", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def test_your_data_lists_what_is_stored_and_each_session_with_address(alice: User) -> None:
    create_post(author=alice, text="one")
    create_post(author=alice, text="two")
    phone = logged_in(alice, "PhoneBrowser/1.0", "198.51.100.7")
    logged_in(alice, "LaptopBrowser/2.0", "203.0.113.9")
    page = phone.get("/settings/data").content.decode()
    assert "2 posts" in page
    assert "PhoneBrowser/1.0" in page and "198.51.100.7" in page
    assert "LaptopBrowser/2.0" in page and "203.0.113.9" in page
    assert "this session" in page


def test_log_out_everywhere_ends_the_other_sessions_only(alice: User, bob: User) -> None:
    phone = logged_in(alice, "Phone", "198.51.100.7")
    laptop = logged_in(alice, "Laptop", "203.0.113.9")
    bobs = logged_in(bob, "Bob", "192.0.2.1")
    assert phone.post("/settings/data/logout-everywhere").status_code == 302
    assert phone.get("/settings/data").status_code == 200
    assert laptop.get("/settings/data").status_code == 302  # sent to log in
    assert bobs.get("/settings/data").status_code == 200
    assert AccountSession.objects.filter(user=alice).count() == 1


def test_development_page_creates_an_app_shows_and_regenerates_its_token(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post("/settings/development", {"name": "My bot", "scopes": ["read", "write"]})
    assert response.status_code == 302
    application = Application.objects.get(user=alice, name="My bot")
    token = AccessToken.objects.get(application=application, user=alice)
    assert token.scope == "read write" and not token.is_expired()
    page = client.get("/settings/development").content.decode()
    assert token.token in page
    client.post(f"/settings/development/{application.pk}/regenerate")
    new = AccessToken.objects.get(application=application, user=alice)
    assert new.token != token.token and new.scope == "read write"
    assert new.token in client.get("/settings/development").content.decode()


def test_development_form_needs_a_scope_and_name(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post("/settings/development", {"name": "", "scopes": []})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Application.objects.exists()


def test_nobody_regenerates_or_revokes_someone_elses_app(alice: User, bob: User) -> None:
    token = create_token_for(user=alice, app_name="bot", scopes="read")
    assert token.application is not None
    client = Client()
    client.force_login(bob)
    assert client.post(f"/settings/development/{token.application.pk}/regenerate").status_code == 404
    assert client.post(f"/settings/development/{token.application.pk}/delete").status_code == 404
    assert client.post(f"/settings/apps/{token.application.pk}/revoke").status_code == 404
    assert AccessToken.objects.filter(pk=token.pk).exists()


def test_authorised_apps_lists_apps_with_tokens_and_revokes_them(alice: User, bob: User) -> None:
    # An app someone else made that alice authorised (as through the OAuth flow).
    app = Application.objects.create(
        name="Tusky", user=bob, client_type="public", authorization_grant_type="authorization-code"
    )
    AccessToken.objects.create(
        user=alice, application=app, token="t" * 40, scope="read write", expires="2999-01-01T00:00Z"
    )
    client = Client()
    client.force_login(alice)
    page = client.get("/settings/apps").content.decode()
    assert "Tusky" in page and "read write" in page
    assert client.post(f"/settings/apps/{app.pk}/revoke").status_code == 302
    assert not AccessToken.objects.filter(user=alice).exists()
    assert "Tusky" not in client.get("/settings/apps").content.decode()
