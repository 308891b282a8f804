"""Bearer-token authentication (OAuth 2 access tokens from django-oauth-toolkit) and scope checks.

`authenticate_bearer` is the one way to turn a request into (account, token): the API views use it through
`BearerAuthentication`, the streaming endpoints call it directly.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from oauth2_provider.models import AccessToken
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from agora.accounts.models import User
from agora.api.scopes import covers, parse_scopes

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def bearer_token_of(request: HttpRequest) -> str | None:
    """The access token a request carries: `Authorization: Bearer ...`, or `access_token` in the query string
    (Mastodon allows that for streaming, where browsers cannot set headers)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    from_query = request.GET.get("access_token", "")
    return from_query.strip() or None


def find_access_token(raw: str) -> AccessToken | None:
    """The live access token with this value (expired and revoked ones are not found)."""
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    token = AccessToken.objects.select_related("user", "application").filter(token_checksum=checksum).first()
    if token is None or token.is_expired():
        return None
    user = token.user
    if user is not None and not user.is_active:
        return None
    return token


def authenticate_bearer(request: HttpRequest) -> tuple[User | None, AccessToken] | None:
    """(account, token) for a request with a valid bearer token; None without a token or with an invalid one.

    The account is None for an app-only token (client_credentials grant).
    """
    raw = bearer_token_of(request)
    if raw is None:
        return None
    # Looked up once per request (the rate-limit middleware asks first, the view again).
    cached = getattr(request, "_agora_bearer", None)
    if cached is not None and cached[0] == raw:
        return cached[1]
    token = find_access_token(raw)
    result: tuple[User | None, AccessToken] | None = None
    if token is not None:
        user: Any = token.user
        result = (user, token)
    request._agora_bearer = (raw, result)  # type: ignore[attr-defined]
    return result


def token_scopes(token: AccessToken | None) -> list[str]:
    return parse_scopes(token.scope) if token is not None else []


class BearerAuthentication(BaseAuthentication):
    """DRF authentication: a valid bearer token, or anonymous without one; an invalid token is a 401."""

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        if bearer_token_of(request._request) is None:
            return None
        result = authenticate_bearer(request._request)
        if result is None:
            raise exceptions.AuthenticationFailed("The access token is invalid")
        user, token = result
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser(), token
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="Doorkeeper", error="invalid_token"'


class UserRequired(exceptions.APIException):
    status_code = 422
    default_detail = "This method requires an authenticated user"


class TokenScopes(BasePermission):
    """Views name `required_scopes` (method -> scope) and whether they need an account (`user_required`:
    True, or a tuple of methods). A missing or wrong token is 401; a token without the scope is 403."""

    message = "This action is outside the authorized scopes"

    def has_permission(self, request: Request, view: Any) -> bool:
        user_required = getattr(view, "user_required", False)
        if isinstance(user_required, tuple):
            user_required = request.method in user_required
        scopes: dict[str, str] = getattr(view, "required_scopes", {})
        required = scopes.get(request.method or "GET") or (
            scopes.get("GET") if request.method in READ_METHODS else None
        )
        token = request.auth
        if user_required and not request.user.is_authenticated:
            if token is not None:
                # Mastodon answers an app-only token on an account's method with 422.
                raise UserRequired()
            raise exceptions.NotAuthenticated("The access token is invalid")
        if required is None or token is None:
            return True
        if not covers(token_scopes(token), required):
            raise exceptions.PermissionDenied(self.message)
        return True
