"""Helpers for API tests: an app, tokens with chosen scopes, and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauthlib.common import generate_token

from agora.accounts.models import User
from agora.api.services import register_app


@pytest.fixture
def app(db: None) -> Application:
    application, _secret = register_app(
        name="Test app", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow push"
    )
    return application


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data or {}, headers=self.headers)

    def post(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.post(
            path, data or {}, content_type="application/json", headers={**self.headers, **extra}
        )

    def put(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.put(path, data or {}, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.patch(path, data or {}, content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def token_for(app: Application) -> Callable[..., str]:
    def make(user: User | None, scopes: str = "read write follow") -> str:
        raw = generate_token()
        AccessToken.objects.create(
            user=user,
            application=app,
            token=raw,
            scope=scopes,
            expires=timezone.now() + timedelta(days=1),
        )
        return raw

    return make


@pytest.fixture
def api_as(token_for: Callable[..., str]) -> Callable[..., ApiClient]:
    """`api_as(alice)` is a client with a read/write/follow token of alice; `api_as(None)` is anonymous."""

    def make(user: User | None, scopes: str = "read write follow") -> ApiClient:
        return ApiClient(token_for(user, scopes) if user is not None else None)

    return make
