"""The Mastodon streaming WebSocket, `/api/v1/streaming`: streams named in the query string
(`?stream=user&access_token=...`) or subscribed to and left with `{"type": "subscribe", "stream": ...}` and
`{"type": "unsubscribe", ...}` messages; each event arrives as
`{"stream": [...], "event": ..., "payload": ...}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from agora.streaming.access import request_for_websocket, viewer_for
from agora.streaming.broker import Subscription, get_broker
from agora.streaming.events import render_event
from agora.streaming.streams import Stream, StreamError, Viewer, channels_of, resolve_stream

logger = logging.getLogger(__name__)

# How long one wait on the broker lasts; the WebSocket itself is kept alive by the server's pings.
POLL_SECONDS = 30.0


def _authenticate(scope: dict[str, Any]) -> tuple[Viewer, str | None]:
    request, subprotocol = request_for_websocket(scope)
    return viewer_for(request), subprotocol


class StreamingConsumer(AsyncWebsocketConsumer):
    viewer: Viewer
    subscription: Subscription | None = None
    pump: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        try:
            self.viewer, subprotocol = await database_sync_to_async(_authenticate)(self.scope)
        except StreamError:
            await self.close(code=4001)  # refused before the handshake completes: HTTP 403 to the client
            return
        self.streams: dict[tuple[str, str], Stream] = {}
        self.subscription = get_broker().open()
        await self.accept(subprotocol=subprotocol)
        params = dict(_query(self.scope))
        if params.get("stream"):
            await self._subscribe(params["stream"], params.get("tag"))
        self.pump = asyncio.create_task(self._pump())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            request = json.loads(text_data or "")
            kind, name, tag = request.get("type"), request.get("stream"), request.get("tag")
        except (ValueError, AttributeError):
            await self._error("Invalid JSON")
            return
        if kind not in ("subscribe", "unsubscribe") or not isinstance(name, str):
            await self._error("Unknown message type")
            return
        if tag is not None and not isinstance(tag, str):
            await self._error("No tag for stream provided")
            return
        if kind == "subscribe":
            await self._subscribe(name, tag)
        else:
            await self._unsubscribe(name, tag)

    async def disconnect(self, code: int) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pump
        if self.subscription is not None:
            await self.subscription.close()

    async def _subscribe(self, name: str, tag: str | None) -> None:
        assert self.subscription is not None
        try:
            stream = resolve_stream(name, tag, self.viewer)
        except StreamError as error:
            await self._error(error.message, error.status)
            return
        self.streams[stream.key] = stream
        await self.subscription.subscribe(channels_of([stream]))

    async def _unsubscribe(self, name: str, tag: str | None) -> None:
        assert self.subscription is not None
        key = (name, (tag or "").strip().lstrip("#").lower())
        stream = self.streams.pop(key, None)
        if stream is not None:
            await self.subscription.unsubscribe(channels_of([stream]) - channels_of(self.streams.values()))

    async def _error(self, message: str, status: int = 400) -> None:
        await self.send(text_data=json.dumps({"error": message, "status": status}))

    async def _pump(self) -> None:
        assert self.subscription is not None
        while True:
            item = await self.subscription.get(POLL_SECONDS)
            if item is None:
                continue
            try:
                messages = await database_sync_to_async(render_event)(
                    self.viewer.user, list(self.streams.values()), *item
                )
            except Exception:
                logger.exception("streaming: could not render an event")
                continue
            for message in messages:
                await self.send(text_data=json.dumps(message))


def _query(scope: dict[str, Any]) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(scope.get("query_string", b"").decode("latin-1"))


class RejectConsumer(AsyncWebsocketConsumer):
    """Any other WebSocket path: refused (HTTP 403 to the client)."""

    async def connect(self) -> None:
        await self.close(code=4004)
