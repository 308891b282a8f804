"""The ASGI application `agora serve` runs: Django for HTTP (pages, API, server-sent events) and the
streaming WebSocket (agora.streaming) routed by channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
# Django is set up first: the WebSocket routes import models.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from agora.streaming import redaction  # noqa: E402
from agora.streaming.routing import websocket_urlpatterns  # noqa: E402

redaction.install()

application = ProtocolTypeRouter({"http": django_application, "websocket": URLRouter(websocket_urlpatterns)})
