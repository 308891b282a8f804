"""Home timelines in Redis: per-account capped lists of candidate post ids, filled on write (fan-out).

The database stays the source of truth; Redis only holds *candidates*. Every page read from here still goes
through the home timeline's selection and the one visibility rule (agora/posts/selectors.py) on the rows it
loads, so a post deleted, held, removed, blocked, muted or unfollowed since it was fanned out simply drops out
at read time. What is stored:

- ``agora:tl:<account id>``: a sorted set whose members are post ids as 32 hex digits, all with score 0, so
  Redis orders them lexically, which for these time-ordered ids is newest last. Its lowest member is a
  sentinel ("!") that marks the timeline as built even while it is empty. At most AGORA_TIMELINE_SIZE ids are
  kept; anything older is read from the database.
- ``agora:tl:<account id>:graph``: the follow-graph fingerprint the list was last filled for (how many
  accounts followed and the newest follow's id). When it changes, the newest posts of everyone now followed
  are merged in from the database.

Both keys expire AGORA_TIMELINE_ACTIVE_DAYS after the last read: fan-out writes only to timelines that exist,
i.e. to accounts active within that many days; an inactive account's timeline is rebuilt when it returns.
Authors with more than AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS followers are not fanned out; their posts are
merged in at read time (see selectors.home_timeline).

Every call here may raise redis.RedisError; callers fall back to the database. After a failure this process
leaves Redis alone for a few seconds rather than waiting on it on every request.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SENTINEL = "!"  # sorts before every hex digit
PIPELINE_CHUNK = 1000
RETRY_AFTER_FAILURE_S = 5.0
_failed_at = 0.0

# Adds one id to a timeline only if the timeline exists, then trims it to its size (keeping the sentinel at
# rank 0). One key per call, so it also works on Redis Cluster.
_ADD_IF_BUILT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[2]) + 1))
  return 1
end
return 0
"""


class Unavailable(redis.RedisError):
    """Redis failed a moment ago; not tried again yet."""


def enabled() -> bool:
    return bool(settings.AGORA_TIMELINES_REDIS_URL)


@cache
def _client_for(url: str) -> redis.Redis:
    # No health_check_interval: with redis-py 8.1 it races on connect when threads share the pool (a PING
    # read from a buffer another thread reset); a dead connection fails the command and is replaced anyway.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1, decode_responses=True)


def client() -> redis.Redis:
    if time.monotonic() - _failed_at < RETRY_AFTER_FAILURE_S:
        raise Unavailable("timelines: Redis failed less than a few seconds ago")
    return _client_for(settings.AGORA_TIMELINES_REDIS_URL)


@contextlib.contextmanager
def redis_errors() -> Iterator[None]:
    """Report a connection that broke inside the client library (a closed socket read by another thread,
    seen under load) as the RedisError it is, so that callers fall back instead of failing the request.
    """
    try:
        yield
    except redis.RedisError:
        raise
    except (OSError, ValueError, AttributeError) as error:
        raise redis.ConnectionError(f"timelines: Redis connection broke: {error!r}") from error


def note_failure(error: Exception) -> None:
    """Remember that Redis failed, so that this process serves from the database for a few seconds."""
    global _failed_at
    if not isinstance(error, Unavailable):
        logger.warning("timelines: Redis unavailable, reading from the database (%s)", error)
        _failed_at = time.monotonic()
        _client_for.cache_clear()  # start over with fresh connections


def reset_failure() -> None:
    global _failed_at
    _failed_at = 0.0


def timeline_key(account_id: uuid.UUID | str) -> str:
    return f"agora:tl:{uuid.UUID(str(account_id)).hex}"


def _ttl_seconds() -> int:
    return int(settings.AGORA_TIMELINE_ACTIVE_DAYS * 86400)


def add_post(post_id: uuid.UUID, account_ids: Iterable[uuid.UUID | str]) -> int:
    """Add a post id to the built timelines among `account_ids`; returns how many timelines took it."""
    connection = client()
    script = connection.register_script(_ADD_IF_BUILT)
    member, size = post_id.hex, settings.AGORA_TIMELINE_SIZE
    added = 0
    batch: list[str] = []

    def flush() -> int:
        pipe = connection.pipeline(transaction=False)
        for key in batch:
            script(keys=[key], args=[member, size], client=pipe)
        with redis_errors():
            result = sum(int(value) for value in pipe.execute())
        batch.clear()
        return result

    for account_id in account_ids:
        batch.append(timeline_key(account_id))
        if len(batch) >= PIPELINE_CHUNK:
            added += flush()
    if batch:
        added += flush()
    return added


def read_window(
    account_id: uuid.UUID, *, before: uuid.UUID | None, count: int, graph: str
) -> tuple[list[uuid.UUID], bool, bool]:
    """Up to `count` candidate ids below `before`, newest first; whether the timeline is built for `graph`;
    whether older posts than the ones it holds exist (it was trimmed, so they are read from the database).

    Reading a timeline keeps it (and its account) active.
    """
    key = timeline_key(account_id)
    upper = f"({before.hex}" if before is not None else "+"
    pipe = client().pipeline(transaction=False)
    pipe.get(f"{key}:graph")
    pipe.zcard(key)
    pipe.zrevrangebylex(key, upper, f"({SENTINEL}", start=0, num=count)
    pipe.expire(key, _ttl_seconds())
    pipe.expire(f"{key}:graph", _ttl_seconds())
    with redis_errors():
        stored_graph, size, members, _e1, _e2 = pipe.execute()
    built = size > 0 and stored_graph == graph
    truncated = size - 1 >= settings.AGORA_TIMELINE_SIZE
    return [uuid.UUID(hex=member) for member in members], built, truncated


def fill(account_id: uuid.UUID, post_ids: Sequence[uuid.UUID], *, graph: str | None = None) -> None:
    """Merge `post_ids` into a timeline (creating it), trim it, and record the graph it was filled for."""
    key = timeline_key(account_id)
    pipe = client().pipeline(transaction=True)
    pipe.zadd(key, {SENTINEL: 0, **{post_id.hex: 0 for post_id in post_ids}})
    pipe.zremrangebyrank(key, 1, -(settings.AGORA_TIMELINE_SIZE + 1))
    pipe.expire(key, _ttl_seconds())
    if graph is not None:
        pipe.set(f"{key}:graph", graph, ex=_ttl_seconds())
    with redis_errors():
        pipe.execute()


def drop(account_id: uuid.UUID) -> None:
    key = timeline_key(account_id)
    with redis_errors():
        client().delete(key, f"{key}:graph")


def size(account_id: uuid.UUID) -> int:
    """How many post ids a timeline holds (0 when it is not built)."""
    with redis_errors():
        return max(0, int(client().zcard(timeline_key(account_id))) - 1)


def state(account_id: uuid.UUID) -> str:
    """What a timeline holds in short (its size, newest id and the graph it was filled for): any fan-out to
    it, trim or rebuild changes it."""
    key = timeline_key(account_id)
    pipe = client().pipeline(transaction=False)
    pipe.zcard(key)
    pipe.zrevrangebylex(key, "+", "-", start=0, num=1)
    pipe.get(f"{key}:graph")
    with redis_errors():
        size, newest, graph = pipe.execute()
    return f"{size}:{''.join(newest)}:{graph or ''}"
