"""Turning a broker message into what one subscriber receives, in Mastodon's shape.

Runs once per subscriber per event (synchronously: it reads the database), so every status and notification
goes through the visibility rule for that subscriber and is serialised for them (favourited, reblogged...).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from agora.accounts.models import User
from agora.streaming.selectors import streamed_notification, streamed_post
from agora.streaming.streams import Stream

logger = logging.getLogger(__name__)


def render_event(
    viewer: User | None, streams: Sequence[Stream], channel: str, message: str
) -> list[dict[str, Any]]:
    """The messages (`stream`, `event`, `payload`) the subscriber's `streams` get for one broker message;
    none when the event is not for them or concerns something they may not see."""
    try:
        data = json.loads(message)
        event, object_id = str(data["event"]), str(data["id"])
    except (ValueError, KeyError, TypeError):
        logger.warning("streaming: ignoring a malformed message on %s", channel)
        return []
    matching = [stream for stream in streams if stream.channel == channel and event in stream.events]
    if not matching:
        return []
    from agora.api.serializers import serialize_notification, serialize_status

    if event == "delete":
        payload = object_id
    elif event == "notification":
        notification = streamed_notification(viewer, object_id)
        if notification is None:
            return []
        payload = json.dumps(serialize_notification(notification, viewer))
    else:
        post = streamed_post(viewer, object_id)
        if post is None:
            return []
        payload = json.dumps(serialize_status(post, viewer))
    return [{"stream": stream.label, "event": event, "payload": payload} for stream in matching]
