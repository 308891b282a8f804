"""Getting a token: app registration, the consent page, and the discovery documents apps read first."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView
from rest_framework.request import Request
from rest_framework.response import Response

from agora.api.oauth import MastodonOAuthLibCore
from agora.api.scopes import ALL_SCOPES, parse_scopes
from agora.api.services import FORBIDDEN_SCHEMES, OOB, register_app
from agora.api.views.base import ApiView, json_schema, param_list, text_param


def app_entity(application: Any, *, secret: str | None = None) -> dict[str, Any]:
    details = getattr(application, "agora_details", None)
    uris = application.redirect_uris.split()
    data: dict[str, Any] = {
        "id": str(application.pk),
        "name": application.name,
        "website": (details.website or None) if details is not None else None,
        "scopes": details.scopes.split() if details is not None else ["read"],
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if secret is not None:
        data |= {"client_id": application.client_id, "client_secret": secret, "client_secret_expires_at": 0}
    return data


class AppsView(ApiView):
    """POST /api/v1/apps: register a client app (no token needed)."""

    @json_schema
    def post(self, request: Request) -> Response:
        data = request.data
        uris: str | list[str] = param_list(data, "redirect_uris") or text_param(data, "redirect_uris")
        scopes = data.get("scopes", "read")
        if isinstance(scopes, list):
            scopes = " ".join(str(s) for s in scopes)
        application, secret = register_app(
            name=text_param(data, "client_name"),
            redirect_uris=uris,
            scopes=str(scopes or "read"),
            website=text_param(data, "website", max_length=500),
        )
        return Response(app_entity(application, secret=secret))


class AppVerifyView(ApiView):
    """GET /api/v1/apps/verify_credentials: the app a token belongs to."""

    @json_schema
    def get(self, request: Request) -> Response:
        token = request.auth
        # A token made outside OAuth (none is, but the table allows it) has no app to describe.
        if token is None or token.application is None:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated("The access token is invalid")
        data = app_entity(token.application)
        data.pop("redirect_uri", None)
        return Response(data)


class AuthorizeView(AuthorizationView):
    """The consent page (`/oauth/authorize`): sign in, see what the app asks for, allow or deny.

    PKCE is optional, but a challenge must use S256. With the `oob` redirect the code is shown to copy.
    """

    template_name = "api/authorize.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        challenge = request.GET.get("code_challenge")
        method = request.GET.get("code_challenge_method")
        if (challenge or method) and method != "S256":
            return render(
                request,
                self.template_name,
                {
                    "error": {
                        "error": "invalid_request",
                        "description": "PKCE requires code_challenge_method S256",
                    }
                },
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        context["scope_items"] = [(scope, ALL_SCOPES.get(scope, scope)) for scope in parse_scopes(scopes)]
        return context

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        if redirect_to.startswith(OOB):
            query = parse_qs(urlsplit(redirect_to).query)
            return render(
                self.request,
                "api/authorize_code.html",
                {
                    "code": (query.get("code") or [""])[0],
                    "error": (query.get("error") or [""])[0],
                    "application": application,
                },
            )
        # oauthlib has checked the URI against the app's registered ones; apps may use their own scheme.
        scheme = urlsplit(redirect_to).scheme.lower()
        if scheme in FORBIDDEN_SCHEMES:
            scheme = "https"
        return OAuth2ResponseRedirect(redirect_to, [scheme])


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


class AuthorizationServerView(ApiView):
    """GET /.well-known/oauth-authorization-server (RFC 8414), as Mastodon 4.3 serves it."""

    @json_schema
    def get(self, request: Request) -> Response:
        origin = _origin(request)
        return Response(
            {
                "issuer": f"{origin}/",
                "service_documentation": "https://docs.joinmastodon.org/",
                "authorization_endpoint": f"{origin}/oauth/authorize",
                "token_endpoint": f"{origin}/oauth/token",
                "revocation_endpoint": f"{origin}/oauth/revoke",
                "app_registration_endpoint": f"{origin}/api/v1/apps",
                "scopes_supported": list(ALL_SCOPES),
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }
        )


class MastodonOAuthMixin:
    """Token and revoke requests read as Mastodon reads them (query string, JSON or form)."""

    oauthlib_backend_class = MastodonOAuthLibCore

    @classmethod
    def get_oauthlib_core(cls) -> Any:
        # django-oauth-toolkit caches the core on the class, and a subclass would find its parent's.
        if "_oauthlib_core" not in cls.__dict__:
            server = cls.get_server()  # type: ignore[attr-defined]
            cls._oauthlib_core = MastodonOAuthLibCore(server)  # type: ignore[attr-defined]
        return cls._oauthlib_core  # type: ignore[attr-defined]


class MastodonTokenView(MastodonOAuthMixin, TokenView):
    """`/oauth/token` with Mastodon's Token entity: django-oauth-toolkit's answer plus `created_at` (the UNIX
    time the token was issued), which apps such as Mastodon.py and Ice Cubes read."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        if isinstance(body, dict) and "access_token" in body and "created_at" not in body:
            body["created_at"] = int(time.time())
            response.content = json.dumps(body).encode()
            response["Content-Length"] = str(len(response.content))
        return response


class MastodonRevokeView(MastodonOAuthMixin, RevokeTokenView):
    """`/oauth/revoke`: as on Mastodon, an empty JSON object on success (clients parse the answer as JSON)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200 and not response.content:
            response.content = b"{}"
            response["Content-Type"] = "application/json"
            response["Content-Length"] = "2"
        return response
