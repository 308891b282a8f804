"""Where streaming events travel between the process that commits a change (a web process, or a task worker
that creates notifications) and the processes that hold open streams: Redis pub/sub when REDIS_URL is set;
otherwise the database, through a small relay (each event is one row in `StreamEvent`, kept a few minutes; one
task per process polls for new rows while that process has subscribers, every RELAY_POLL_SECONDS). Inside a
process, an in-process broker hands each message to the streams subscribed to its channel.

Messages are small JSON strings naming an event and an id; what a subscriber finally receives is rendered per
subscriber, through the visibility rule, by agora.streaming.events. Publishing never raises: the change has
committed already, and a stream that misses an event is better than a request that fails after the fact.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import logging
import random
import threading
import time
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# A subscriber that falls this far behind loses events rather than the process's memory.
MAX_PENDING = 1000
# The database relay: how often a process with subscribers looks for new events, how far back it looks
# (rows of transactions that committed out of id order, clocks of other hosts), how long rows are kept.
RELAY_POLL_SECONDS = 0.5
RELAY_LOOKBACK = datetime.timedelta(seconds=5)
RELAY_KEEP = datetime.timedelta(minutes=5)
# With Redis, every subscription marks its channels as listened to (a sorted set: channel -> time), again
# every LISTENED_REFRESH_SECONDS while it lives; publishers skip personal channels nobody listens to, so a
# post by an account with 100,000 followers costs a message per follower with a stream open, not per follower.
LISTENED_REFRESH_SECONDS = 30.0
LISTENED_FOR_SECONDS = 120.0


def _listened_key() -> str:
    return f"{getattr(settings, 'AGORA_STREAMING_PREFIX', 'agora:stream')}:listened"


class Subscription(Protocol):
    """One open stream's view of the broker: the channels it listens to and the messages that arrive."""

    async def subscribe(self, channels: Iterable[str]) -> None: ...

    async def unsubscribe(self, channels: Iterable[str]) -> None: ...

    async def get(self, timeout: float) -> tuple[str, str] | None:
        """The next (channel, message), or None when nothing arrived within `timeout` seconds."""

    async def close(self) -> None: ...


class Broker(Protocol):
    def publish(self, messages: Iterable[tuple[str, str]]) -> None:
        """Send each (channel, message); called from synchronous code, after commit."""

    def open(self) -> Subscription: ...

    def listened_channels(self) -> set[str] | None:
        """The channels some subscription listens to now; None when the broker cannot tell (then publish
        to every channel)."""


class LocalSubscription:
    def __init__(self, broker: LocalBroker) -> None:
        self._broker = broker
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=MAX_PENDING)
        self.channels: set[str] = set()

    def deliver_threadsafe(self, channel: str, message: str) -> None:
        try:
            self._loop.call_soon_threadsafe(self._put, channel, message)
        except RuntimeError:  # the loop has closed: the stream is gone
            self._broker.forget(self)

    def _put(self, channel: str, message: str) -> None:
        try:
            self._queue.put_nowait((channel, message))
        except asyncio.QueueFull:
            logger.warning("streaming: a subscriber fell %d events behind; dropping one", MAX_PENDING)

    async def subscribe(self, channels: Iterable[str]) -> None:
        self._broker.add(self, channels)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        self._broker.remove(self, channels)

    async def get(self, timeout: float) -> tuple[str, str] | None:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        self._broker.forget(self)


class LocalBroker:
    """Subscribers of this process only; publishers may run in any thread of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[LocalSubscription]] = {}

    def add(self, subscription: LocalSubscription, channels: Iterable[str]) -> None:
        with self._lock:
            for channel in channels:
                self._by_channel.setdefault(channel, set()).add(subscription)
                subscription.channels.add(channel)

    def remove(self, subscription: LocalSubscription, channels: Iterable[str]) -> None:
        with self._lock:
            for channel in list(channels):
                listeners = self._by_channel.get(channel)
                if listeners is not None:
                    listeners.discard(subscription)
                    if not listeners:
                        del self._by_channel[channel]
                subscription.channels.discard(channel)

    def forget(self, subscription: LocalSubscription) -> None:
        self.remove(subscription, list(subscription.channels))

    def has_subscribers(self, loop: asyncio.AbstractEventLoop) -> bool:
        with self._lock:
            return any(sub._loop is loop for subs in self._by_channel.values() for sub in subs)

    def publish(self, messages: Iterable[tuple[str, str]]) -> None:
        for channel, message in messages:
            with self._lock:
                listeners = list(self._by_channel.get(channel, ()))
            for listener in listeners:
                listener.deliver_threadsafe(channel, message)

    def open(self) -> LocalSubscription:
        return LocalSubscription(self)


class RedisSubscription:
    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._client: Any = redis.asyncio.Redis.from_url(url)
        self._pubsub: Any = self._client.pubsub(ignore_subscribe_messages=True)
        self._channels: set[str] = set()
        self._listening = asyncio.Event()
        self._marked_at = 0.0

    async def _mark_listened(self) -> None:
        """Record (again) that this subscription's channels are listened to; a failure only costs events."""
        self._marked_at = time.monotonic()
        if not self._channels:
            return
        now = time.time()
        try:
            await self._client.zadd(_listened_key(), dict.fromkeys(self._channels, now))
            if random.random() < 0.05:  # now and then, forget channels nobody listens to any more
                await self._client.zremrangebyscore(_listened_key(), "-inf", now - LISTENED_FOR_SECONDS)
        except Exception:
            logger.exception("streaming: could not mark channels as listened to")

    async def subscribe(self, channels: Iterable[str]) -> None:
        new = set(channels) - self._channels
        if new:
            # Marked before subscribing: a publisher that sees the mark may publish before the subscription
            # exists (the event is lost as it would be a moment earlier), never the other way round.
            self._channels |= new
            await self._mark_listened()
            await self._pubsub.subscribe(*sorted(new))
            self._listening.set()

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self._channels
        if gone:
            await self._pubsub.unsubscribe(*sorted(gone))
            self._channels -= gone
            if not self._channels:
                self._listening.clear()

    async def get(self, timeout: float) -> tuple[str, str] | None:
        if not self._channels:
            # Nothing to read from Redis until a first subscription: wait for it, not for the whole timeout.
            try:
                await asyncio.wait_for(self._listening.wait(), timeout)
            except TimeoutError:
                return None
        if time.monotonic() - self._marked_at > LISTENED_REFRESH_SECONDS:
            await self._mark_listened()
        message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
        if message is None or message.get("type") != "message":
            return None
        channel, data = message["channel"], message["data"]
        return (
            channel.decode() if isinstance(channel, bytes) else str(channel),
            data.decode() if isinstance(data, bytes) else str(data),
        )

    async def close(self) -> None:
        try:
            await self._pubsub.aclose()
        finally:
            await self._client.aclose()


class RedisBroker:
    def __init__(self, url: str) -> None:
        self._url = url
        self._local = threading.local()

    def _client(self) -> Any:
        import redis

        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = redis.Redis.from_url(self._url, socket_timeout=5)
        return client

    def publish(self, messages: Iterable[tuple[str, str]]) -> None:
        pipeline = self._client().pipeline(transaction=False)
        for channel, message in messages:
            pipeline.publish(channel, message)
        pipeline.execute()

    def open(self) -> RedisSubscription:
        return RedisSubscription(self._url)

    def listened_channels(self) -> set[str] | None:
        members = self._client().zrangebyscore(_listened_key(), time.time() - LISTENED_FOR_SECONDS, "+inf")
        return {member.decode() if isinstance(member, bytes) else str(member) for member in members}


class RelaySubscription(LocalSubscription):
    """A local subscription whose process relays events from the database while it listens."""

    def __init__(self, broker: DatabaseBroker) -> None:
        super().__init__(broker.local)
        self._relay_owner = broker

    async def subscribe(self, channels: Iterable[str]) -> None:
        await super().subscribe(channels)
        await self._relay_owner.ensure_relay()


class DatabaseBroker:
    """Events as rows; each process with subscribers polls for new rows and delivers them locally."""

    def __init__(self) -> None:
        self.local = LocalBroker()
        self._relays: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    def publish(self, messages: Iterable[tuple[str, str]]) -> None:
        from agora.streaming.models import StreamEvent

        by_message: dict[str, list[str]] = {}
        for channel, message in messages:
            by_message.setdefault(message, []).append(channel)
        now = timezone.now()
        StreamEvent.objects.bulk_create(
            [
                StreamEvent(channels=channels, message=message, created_at=now)
                for message, channels in by_message.items()
            ]
        )
        if random.random() < 0.02:  # now and then, not on every event
            StreamEvent.objects.filter(created_at__lt=now - RELAY_KEEP).delete()

    def open(self) -> RelaySubscription:
        return RelaySubscription(self)

    def listened_channels(self) -> set[str] | None:
        return None  # subscribers are in other processes; they filter what reaches them

    async def ensure_relay(self) -> None:
        """Start this process's relay if it is not running. Events already in the table when it starts are
        not news: they are marked seen first, before the subscriber's stream begins."""
        loop = asyncio.get_running_loop()
        task = self._relays.get(loop)
        if task is not None and not task.done():
            return
        since = timezone.now() - RELAY_LOOKBACK
        seen = {row[0]: row[3] for row in await sync_to_async(_fetch_events)(since)}
        task = self._relays.get(loop)
        if task is None or task.done():
            # A fresh context: not the request's that happened to start it (its thread goes when it ends).
            # Database reads then run in the process's one thread for such work, on one kept connection.
            self._relays[loop] = loop.create_task(
                self._relay(loop, since, seen), context=contextvars.Context()
            )

    async def _relay(
        self, loop: asyncio.AbstractEventLoop, since: datetime.datetime, seen: dict[int, datetime.datetime]
    ) -> None:
        try:
            while self.local.has_subscribers(loop):
                await asyncio.sleep(RELAY_POLL_SECONDS)
                started = timezone.now()
                try:
                    rows = await sync_to_async(_fetch_events)(since)
                except Exception:
                    logger.exception("streaming: could not read events from the database")
                    continue
                for row_id, channels, message, created_at in rows:
                    if row_id not in seen:
                        seen[row_id] = created_at
                        self.local.publish((channel, message) for channel in channels)
                # Rows older than the next look back cannot come again: forget them.
                since = started - RELAY_LOOKBACK
                seen = {row_id: at for row_id, at in seen.items() if at >= since}
        finally:
            if self._relays.get(loop) is asyncio.current_task():
                del self._relays[loop]


def _fetch_events(since: datetime.datetime) -> list[tuple[int, list[str], str, datetime.datetime]]:
    """New events. The relay's thread keeps its connection between polls; one that failed is dropped, and
    the next poll opens a new one."""
    from agora.streaming.models import StreamEvent

    rows = StreamEvent.objects.filter(created_at__gte=since).order_by("id")
    try:
        return list(rows.values_list("id", "channels", "message", "created_at")[:5000])
    except DatabaseError:
        connection.close()
        raise


_database_broker = DatabaseBroker()


@cache
def _redis_broker(url: str) -> RedisBroker:
    return RedisBroker(url)


def get_broker() -> Broker:
    """Redis when REDIS_URL is set, else the database relay (read at each call: tests switch)."""
    url: str = getattr(settings, "REDIS_URL", "")
    return _redis_broker(url) if url else _database_broker


def listened_channels() -> set[str] | None:
    """The channels someone listens to (None: unknown, or the broker is down: publish to all)."""
    try:
        return get_broker().listened_channels()
    except Exception:
        logger.exception("streaming: could not read which channels are listened to")
        return None


def publish(messages: Iterable[tuple[str, str]]) -> None:
    """Hand messages to the broker; a broker that is down is logged, never raised to the caller."""
    batch = list(messages)
    if not batch:
        return
    try:
        get_broker().publish(batch)
    except Exception:
        logger.exception("streaming: could not publish %d event(s)", len(batch))
