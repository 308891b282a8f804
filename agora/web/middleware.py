"""Turn the service layer's errors into the web's answers, the same way on every page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from agora.core.exceptions import NotAllowed, NotFound


class ServiceErrorMiddleware:
    """NotFound becomes a 404 (exactly like a missing page); NotAllowed goes back with the reason shown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, NotAllowed):
            messages.error(request, str(exception))
            return redirect(safe_next_url(request, default="web:home"))
        return None


def safe_next_url(request: HttpRequest, *, default: str) -> str:
    """Where to go back to after a form post: `next`, else the referring page, if it is on this site."""
    for candidate in (request.POST.get("next"), request.GET.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    from django.urls import reverse

    return reverse(default)
