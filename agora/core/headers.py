"""Security headers on every response: a Content-Security-Policy without inline scripts, and the rest.

Django's SecurityMiddleware already sends nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and (on HTTPS)
HSTS; X-Frame-Options comes from the clickjacking middleware. This adds what Django has no setting for.

Why style-src allows 'unsafe-inline' (and script-src never does): a few templates set a CSS custom property in
a style attribute (an avatar's colour, a reply's depth in a thread) from integers the server computes. Inline
*styles* cannot run code; everything users write passes the one sanitiser, which allows no style attributes;
and scripts stay restricted to our own files, so an injected <script> or on*= handler would still not run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    media_sources = " ".join(["'self'", "data:", "blob:", *settings.AGORA_MEDIA_ORIGINS])
    video_sources = " ".join(["'self'", "blob:", *settings.AGORA_MEDIA_ORIGINS])
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {media_sources}",
        f"media-src {video_sources}",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
    if settings.AGORA_HTTPS:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view may set a stricter policy of its own (media files are served with `sandbox`).
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
