"""WebSocket routes, mounted by agora.asgi beside Django's HTTP application."""

from django.urls import re_path

from agora.streaming.consumers import RejectConsumer, StreamingConsumer

websocket_urlpatterns = [
    re_path(r"^api/v1/streaming/?$", StreamingConsumer.as_asgi()),
    re_path(r"", RejectConsumer.as_asgi()),
]
