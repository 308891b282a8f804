"""Every timeline test runs for each way home timelines are read: from the database, from the database by
walking the newest posts (SQLite's plan for accounts that follow much of the network), and from Redis lists
filled by fan-out (the same behaviour, the same assertions).

The Redis variant uses its own database (AGORA_TEST_REDIS_URL, default redis://127.0.0.1:6379/7) and flushes
only that one. Without a reachable Redis it is skipped, unless AGORA_REQUIRE_TOOLS is set (CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import connection

from agora.timelines import feeds, selectors

TEST_REDIS_URL = os.environ.get("AGORA_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_for_tests() -> str:
    """The test Redis URL, flushed; skips (or fails under AGORA_REQUIRE_TOOLS) when Redis is unreachable."""
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("AGORA_REQUIRE_TOOLS"):
            pytest.fail(f"AGORA_REQUIRE_TOOLS is set but Redis at {TEST_REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis timelines not tested: no Redis at {TEST_REDIS_URL} ({error}); start redis-server")
    connection.flushdb()
    return TEST_REDIS_URL


@pytest.fixture(params=["database", "database-walk", "redis"], autouse=True)
def timeline_store(
    request: pytest.FixtureRequest, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if request.param == "redis":
        settings.AGORA_TIMELINES_REDIS_URL = redis_for_tests()
    if request.param == "database-walk":
        if connection.vendor != "sqlite":
            pytest.skip("the walk is SQLite's plan; PostgreSQL's planner chooses its own")
        monkeypatch.setattr(selectors, "_walking_is_cheaper", lambda viewer: True)
    feeds.reset_failure()
    yield request.param
    feeds.reset_failure()


@pytest.fixture
def redis_only(timeline_store: str) -> None:
    """For tests of the Redis lists themselves: run once, in the Redis variant."""
    if timeline_store != "redis":
        pytest.skip("tests the Redis lists")
