"""The streams a client may open (Mastodon's names) and the broker channels behind them.

One channel per audience: `user:<id>` (a home timeline and its notifications), `public`, `hashtag:<name>`.
Publishers (agora.streaming.services) decide which channels an event goes to; each open stream then renders
it for its own subscriber through the visibility rule (agora.streaming.events).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from agora.accounts.models import User
from agora.api.scopes import covers

STATUS_EVENTS = frozenset({"update", "status.update", "delete"})
NOTIFICATION_EVENTS = frozenset({"notification"})
# Mastodon's stream names that need an account, and those anyone may open.
USER_STREAMS = ("user", "user:notification")
PUBLIC_STREAMS = ("public", "public:local", "public:remote", "public:media", "public:local:media")
HASHTAG_STREAMS = ("hashtag", "hashtag:local")


def _prefix() -> str:
    return str(getattr(settings, "AGORA_STREAMING_PREFIX", "agora:stream"))


def user_channel(user_id: uuid.UUID | str) -> str:
    return f"{_prefix()}:user:{user_id}"


def is_user_channel(channel: str) -> bool:
    return channel.startswith(f"{_prefix()}:user:")


def user_ids_of(channels: Iterable[str]) -> list[str]:
    """The account ids of the personal channels among `channels`."""
    prefix = f"{_prefix()}:user:"
    return [channel[len(prefix) :] for channel in channels if channel.startswith(prefix)]


def public_channel() -> str:
    return f"{_prefix()}:public"


def hashtag_channel(name: str) -> str:
    return f"{_prefix()}:hashtag:{name.lower()}"


class StreamError(Exception):
    """A stream that cannot be opened: Mastodon's error message and HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Viewer:
    """Who holds the stream (None: nobody signed in, or an app-only token) and what the token allows."""

    user: User | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    has_token: bool = False

    def allows(self, scope: str) -> bool:
        return not self.has_token or covers(self.scopes, scope)


@dataclass(frozen=True)
class Stream:
    """An open stream: its Mastodon name (and tag), the channel it listens to, the events it passes on."""

    name: str
    tag: str
    channel: str | None
    events: frozenset[str]

    @property
    def label(self) -> list[str]:
        """The `stream` field of each message, e.g. ["public"] or ["hashtag", "cats"]."""
        return [self.name, self.tag] if self.tag else [self.name]

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.tag.lower())


def resolve_stream(name: str, tag: str | None, viewer: Viewer) -> Stream:
    """The stream a client asked for, or a StreamError saying why it cannot have it."""
    tag = (tag or "").strip().lstrip("#")
    if name in USER_STREAMS:
        if viewer.user is None:
            raise StreamError("Missing access token", 401)
        with_statuses = name == "user"
        statuses_allowed = viewer.allows("read:statuses")
        notifications_allowed = viewer.allows("read:notifications")
        if (with_statuses and not statuses_allowed) or (not with_statuses and not notifications_allowed):
            raise StreamError("Access token does not have the required scopes", 401)
        events = (STATUS_EVENTS if with_statuses else frozenset()) | (
            NOTIFICATION_EVENTS if notifications_allowed else frozenset()
        )
        return Stream(name=name, tag="", channel=user_channel(viewer.user.pk), events=events)
    if name in PUBLIC_STREAMS or name in HASHTAG_STREAMS:
        if not viewer.allows("read:statuses"):
            raise StreamError("Access token does not have the required scopes", 401)
        if name in HASHTAG_STREAMS:
            if not tag:
                raise StreamError("No tag for stream provided")
            if len(tag) > 100:
                raise StreamError("Unknown tag")
            return Stream(name=name, tag=tag, channel=hashtag_channel(tag), events=STATUS_EVENTS)
        # Every post here is local (no federation yet): the remote stream is empty, the local one is public.
        # Posts with media are not told apart yet, so the media streams stay empty rather than show others.
        channel = public_channel() if name in ("public", "public:local") else None
        return Stream(name=name, tag="", channel=channel, events=STATUS_EVENTS)
    raise StreamError("Unknown stream type")


def channels_of(streams: Iterable[Stream]) -> set[str]:
    return {stream.channel for stream in streams if stream.channel is not None}
