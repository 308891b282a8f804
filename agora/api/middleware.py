"""Let rate limits count API requests against the account whose bearer token they carry."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from agora.api.auth import authenticate_bearer


class BearerUserMiddleware:
    """On /api/ paths with a valid bearer token, `request.user` is the token's account (for the rate-limit
    middleware after it). The API views authenticate again through DRF, which also checks scopes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META:
            result = authenticate_bearer(request)
            if result is not None and result[0] is not None:
                request.user = result[0]
        return self.get_response(request)
