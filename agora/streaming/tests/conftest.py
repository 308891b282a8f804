"""Streaming tests: access tokens and named accounts with committed data.

The tests run the real ASGI application (agora.asgi) in-process, against the broker the settings choose
(in-process, or Redis when REDIS_URL is set). The consumers manage database connections as in production
(channels closes stale ones around each call), so these tests use committed data (`transactional_db`)
rather than a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterator

import pytest
from asgiref.sync import SyncToAsync
from django.db import connections
from django.utils import timezone
from oauth2_provider.models import AccessToken

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def connections_as_under_asgi() -> Iterator[None]:
    """As `agora serve` runs it (agora/core/server.py): request threads close their connections at the end
    of each request. The database relay keeps its own in the process's one thread for async-started work;
    it is closed after each test so that the test database can be dropped."""
    settings_dict = connections["default"].settings_dict
    kept = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 0
    yield
    settings_dict["CONN_MAX_AGE"] = kept
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def token_for(transactional_db: None) -> Callable[..., str]:
    """`token_for(user, scope="read")`: a live OAuth access token for the account, as the API issues them."""

    def make(user: User | None, scope: str = "read") -> str:
        raw = secrets.token_urlsafe(32)
        AccessToken.objects.create(
            user=user, token=raw, scope=scope, expires=timezone.now() + datetime.timedelta(hours=1)
        )
        return raw

    return make


@pytest.fixture
def alice(transactional_db: None) -> User:
    return UserFactory(username="alice")


@pytest.fixture
def bob(transactional_db: None) -> User:
    return UserFactory(username="bob")


@pytest.fixture
def carol(transactional_db: None) -> User:
    return UserFactory(username="carol")
