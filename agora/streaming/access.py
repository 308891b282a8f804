"""Who opens a stream: the bearer token (header, `access_token` query parameter, or for WebSockets the
`Sec-WebSocket-Protocol` header, as Mastodon's web app sends it), checked by the API's one authenticator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, QueryDict

from agora.api.auth import authenticate_bearer, bearer_token_of, token_scopes
from agora.streaming.streams import StreamError, Viewer


def viewer_for(request: HttpRequest) -> Viewer:
    """The viewer a request's token stands for; anonymous without a token; StreamError(401) for a bad one."""
    if bearer_token_of(request) is None:
        return Viewer()
    result = authenticate_bearer(request)
    if result is None:
        raise StreamError("Invalid access token", 401)
    user, token = result
    return Viewer(user=user, scopes=frozenset(token_scopes(token)), has_token=True)


def request_for_websocket(scope: Mapping[str, Any]) -> tuple[HttpRequest, str | None]:
    """A request carrying the WebSocket handshake's token and query, and the subprotocol to accept (the
    token itself, when that is how the client sent it)."""
    request = HttpRequest()
    request.GET = QueryDict(scope.get("query_string", b"").decode("latin-1"))
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])
    }
    if "authorization" in headers:
        request.META["HTTP_AUTHORIZATION"] = headers["authorization"]
    protocols: list[str] = list(scope.get("subprotocols") or [])
    accepted = None
    if bearer_token_of(request) is None and protocols:
        request.META["HTTP_AUTHORIZATION"] = f"Bearer {protocols[0]}"
        accepted = protocols[0]
    return request, accepted
