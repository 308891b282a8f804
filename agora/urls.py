"""Top-level URL map: the web app owns the site; the API and others mount beside it as they land."""

from django.urls import include, path

urlpatterns = [
    path("", include("agora.media.urls")),
    path("", include("agora.security.urls")),
    path("", include("agora.web.urls")),
    path("", include("agora.search.urls")),
    path("", include("agora.moderation.urls")),
]
