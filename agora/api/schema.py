"""How the OpenAPI document (`/api/openapi.json`, made by drf-spectacular from the views) describes the API:
bearer tokens, and Mastodon's paths without the trailing slash the URL patterns also accept."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "agora.api.auth.BearerAuthentication"
    name = "OAuth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "An OAuth 2 access token"}

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]]:
        # Every endpoint takes a token; endpoints that need none also answer without one.
        return [{self.name: []}, {}]


def strip_trailing_slashes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result["paths"] = {(path.rstrip("/") or "/"): item for path, item in result.get("paths", {}).items()}
    return result
