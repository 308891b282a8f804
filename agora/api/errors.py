"""Mastodon's error shape, `{"error": "..."}`, for every failure of the API, and the service errors mapped
the same way everywhere: NotFound 404, NotAllowed 403, bad input 422, over budget 429. Never a 500 for bad
input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agora.core.exceptions import NotAllowed, NotFound
from agora.core.ratelimit import RateLimited, add_headers


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "Validation failed"


def validation_message(error: ValidationError) -> tuple[str, dict[str, Any]]:
    """`Validation failed: text: ...` plus Mastodon's `details` by field."""
    if hasattr(error, "error_dict"):
        details = {
            field: [{"error": "ERR_INVALID", "description": str(message)} for message in messages]
            for field, messages in error.message_dict.items()
        }
        flat = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return f"Validation failed: {flat}", details
    return f"Validation failed: {' '.join(error.messages)}", {}


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound | Http404):
        return Response({"error": "Record not found"}, status=404)
    if isinstance(exc, NotAllowed):
        return Response({"error": str(exc) or "This action is not allowed"}, status=403)
    if isinstance(exc, ValidationError):
        message, details = validation_message(exc)
        body: dict[str, Any] = {"error": message}
        if details:
            body["details"] = details
        return Response(body, status=422)
    if isinstance(exc, RateLimited):
        response = Response({"error": "Too many requests"}, status=429)
        response["Retry-After"] = str(exc.outcome.retry_after())
        add_headers(response, exc.outcome)
        return response
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        response.status_code = 422 if isinstance(exc, exceptions.ValidationError) else 400
    detail = getattr(exc, "detail", None)
    response.data = {"error": _flatten(detail) if detail is not None else str(exc)}
    return response


def _is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/oauth/"))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: Mastodon's JSON error under /api/ and /oauth/ (apps parse it), else the web page."""
    if _is_api_path(request):
        return JsonResponse({"error": "Record not found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api_path(request):
        return JsonResponse({"error": "Internal server error"}, status=500)
    return defaults.server_error(request)
