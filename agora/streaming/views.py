"""Server-sent events: `/api/v1/streaming/<stream>` (`user`, `user/notification`, `public`, `public/local`,
`hashtag?tag=...`, ...), the same streams as the WebSocket, for clients that prefer plain HTTP, and
`/api/v1/streaming/health` for load balancers. Served by the ASGI application (`agora serve`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from agora.streaming.access import viewer_for
from agora.streaming.broker import Subscription, get_broker
from agora.streaming.events import render_event
from agora.streaming.streams import Stream, StreamError, Viewer, resolve_stream

# A comment line this often keeps proxies and clients from closing a quiet stream.
HEARTBEAT_SECONDS = 15.0


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


def _open(request: HttpRequest, name: str) -> tuple[Viewer, Stream]:
    viewer = viewer_for(request)
    return viewer, resolve_stream(name, request.GET.get("tag"), viewer)


async def _events(viewer: Viewer, stream: Stream, subscription: Subscription) -> AsyncIterator[str]:
    try:
        yield ":)\n\n"
        while True:
            item = await subscription.get(HEARTBEAT_SECONDS)
            if item is None:
                yield ":thump\n\n"
                continue
            for message in await sync_to_async(render_event)(viewer.user, [stream], *item):
                yield f"event: {message['event']}\ndata: {message['payload']}\n\n"
    finally:
        await subscription.close()


@require_GET
async def stream_events(request: HttpRequest, path: str = "") -> HttpResponse | StreamingHttpResponse:
    """`path` is the stream's name with `/` for `:` (`user/notification`); without it, `?stream=`."""
    name = path.strip("/").replace("/", ":") if path else request.GET.get("stream", "")
    try:
        viewer, stream = await sync_to_async(_open)(request, name)
    except StreamError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    subscription = get_broker().open()
    if stream.channel is not None:
        # Subscribed before the response starts, so nothing published from now on is missed.
        await subscription.subscribe([stream.channel])
    response = StreamingHttpResponse(_events(viewer, stream, subscription), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response
