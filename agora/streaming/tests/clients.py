"""Clients for the streaming endpoints in tests: the WebSocket and server-sent events, run through the real
ASGI application (agora.asgi) in-process with asgiref's communicators."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

_open_clients: list[Any] = []


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async test scenario; whatever happens, close the clients it opened (a failed assertion must
    fail the test, not leave a stream open that the event loop then waits for)."""

    async def guarded() -> None:
        try:
            await scenario()
        finally:
            while _open_clients:
                with contextlib.suppress(BaseException):
                    await _open_clients.pop().close()

    async_to_sync(guarded)()


class WebsocketClient(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the application (channels' own test client needs daphne)."""

    def __init__(
        self,
        path: str,
        headers: list[tuple[bytes, bytes]] | None = None,
        subprotocols: list[str] | None = None,
    ) -> None:
        from agora.asgi import application

        route, _, query = path.partition("?")
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"localhost"), *(headers or [])],
            "subprotocols": subprotocols or [],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        super().__init__(application, scope)
        _open_clients.append(self)

    async def connect(self, timeout: float = 5) -> tuple[bool, Any]:
        """(True, accepted subprotocol) or (False, close code)."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def send_to(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def receive_json_from(self, timeout: float = 5) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000) -> None:
        await self.close(code)

    async def close(self, code: int = 1000) -> None:
        if self in _open_clients:
            _open_clients.remove(self)
        if not self.future.done():
            await self.send_input({"type": "websocket.disconnect", "code": code})
            with contextlib.suppress(BaseException):
                await self.wait(timeout=5)


def websocket(path: str, **kwargs: Any) -> WebsocketClient:
    return WebsocketClient(path, **kwargs)


async def next_event(communicator: WebsocketClient, timeout: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = await communicator.receive_json_from(timeout=timeout)
    return message


class EventStream:
    """A server-sent events response read as it arrives, through the ASGI application."""

    def __init__(self, path: str, query: str = "", headers: list[tuple[bytes, bytes]] | None = None) -> None:
        from agora.asgi import application

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"localhost"), *(headers or [])],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        self.communicator = ApplicationCommunicator(application, scope)
        _open_clients.append(self)
        self.status = 0
        self.headers: dict[str, str] = {}
        self._buffer = ""
        self.body = b""

    async def open(self) -> EventStream:
        await self.communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await self.communicator.receive_output(timeout=5)
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
        return self

    async def read_body(self) -> bytes:
        """The whole body of a response that is not a stream (an error)."""
        while True:
            message = await self.communicator.receive_output(timeout=5)
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                return self.body

    async def next_event(self, timeout: float = 5) -> tuple[str, str]:
        """The next `event:`/`data:` pair, skipping comments (the opening line and heartbeats)."""
        while True:
            while "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
                )
                if "event" in fields:
                    return fields["event"], fields.get("data", "")
            message = await self.communicator.receive_output(timeout=timeout)
            assert message["type"] == "http.response.body"
            self._buffer += message.get("body", b"").decode()

    async def close(self) -> None:
        if self in _open_clients:
            _open_clients.remove(self)
        if not self.communicator.future.done():
            await self.communicator.send_input({"type": "http.disconnect"})
            # The cancelled response, or a timeout: the stream is gone either way.
            with contextlib.suppress(BaseException):
                await self.communicator.wait(timeout=5)


def status_of(event: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(event["payload"])
    return payload
