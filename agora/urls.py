"""Top-level URL map: the web app owns the site; the API and others mount beside it as they land."""

from django.urls import include, path

urlpatterns = [
    path("", include("agora.core.urls")),
    path("", include("agora.streaming.urls")),
    path("", include("agora.api.urls")),
    path("", include("agora.media.urls")),
    path("", include("agora.security.urls")),
    path("", include("agora.web.urls")),
    path("", include("agora.search.urls")),
    path("", include("agora.moderation.urls")),
    path("", include("agora.screening.urls")),
    path("", include("agora.transparency.urls")),
    path("", include("agora.jury.urls")),
    path("", include("agora.accounts.urls")),
    path("", include("agora.portability.urls")),
]

# Under /api/ and /oauth/ even a path that matches nothing answers in Mastodon's JSON error shape.
handler404 = "agora.api.errors.not_found"
handler500 = "agora.api.errors.server_error"
