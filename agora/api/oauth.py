"""OAuth 2 as Mastodon apps expect it, on django-oauth-toolkit: every registered app may use the
authorization-code (optionally with PKCE, S256 only), client-credentials and refresh-token grants, within the
scopes it registered; `urn:ietf:wg:oauth:2.0:oob` shows the code instead of redirecting.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator

from agora.api.scopes import ALL_SCOPES
from agora.api.services import OOB

MASTODON_GRANTS = {"authorization_code", "client_credentials", "refresh_token"}


def registered_scopes(client: Any) -> set[str]:
    details = getattr(client, "agora_details", None)
    try:
        return set(details.scopes.split()) if details is not None else set(ALL_SCOPES)
    except Exception:  # no details row (an app made by the operator's CLI): its scopes are not narrowed
        return set(ALL_SCOPES)


class AgoraOAuth2Validator(OAuth2Validator):
    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type in MASTODON_GRANTS:
            return True
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Known scopes, each covered by what the app registered (as Mastodon checks)."""
        from agora.api.scopes import covers

        allowed = registered_scopes(client)
        return all(scope in ALL_SCOPES and covers(allowed, scope) for scope in scopes)

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        return ["read"]

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if redirect_uri == OOB:
            return OOB in request.client.redirect_uris.split()
        return bool(super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return "" if value is None else str(value)


def mastodon_token_params(request: HttpRequest) -> dict[str, str]:
    """The parameters of a token or revoke request, read as Mastodon (Doorkeeper) reads them: from the query
    string (Ice Cubes sends them there), a JSON object (Elk) or a form, later ones winning."""
    params = {key: request.GET.get(key, "") for key in request.GET}
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            params.update({str(key): _text(value) for key, value in body.items()})
    else:
        params.update({key: request.POST.get(key, "") for key in request.POST})
    return params


class MastodonOAuthLibCore(OAuthLibCore):
    """django-oauth-toolkit's bridge to oauthlib, fed with `mastodon_token_params` for POST requests."""

    def _extract_params(self, request: HttpRequest) -> tuple[str, str, str, dict[str, Any]]:
        uri, http_method, body, headers = super()._extract_params(request)
        if request.method == "POST":
            parts = urlsplit(uri)
            uri = urlunsplit(parts._replace(query=""))
            body = urlencode(mastodon_token_params(request))
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return uri, http_method, body, headers
