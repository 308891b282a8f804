from django.urls import path, re_path

from agora.streaming import views

urlpatterns = [
    path("api/v1/streaming/health", views.health, name="streaming-health"),
    re_path(r"^api/v1/streaming/?$", views.stream_events, name="streaming"),
    re_path(r"^api/v1/streaming/(?P<path>[a-z:/]+)$", views.stream_events, name="streaming-sse"),
]
