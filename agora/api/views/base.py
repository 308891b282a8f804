"""What every endpoint shares: scope declarations, the viewer, parsing helpers and ids in URLs."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.views import APIView

from agora.accounts.models import User
from agora.api.serializers import EntitySerializer
from agora.core.exceptions import NotFound

PAGE_PARAMETERS = [
    OpenApiParameter("max_id", OpenApiTypes.STR, description="Results older than this id"),
    OpenApiParameter("since_id", OpenApiTypes.STR, description="Results newer than this id"),
    OpenApiParameter("min_id", OpenApiTypes.STR, description="Results just newer than this id"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="At most this many results (max 40)"),
]


class ApiView(APIView):
    # `required_scopes` maps methods to the OAuth scope they need; `user_required` says whether a signed-in
    # account is needed (True for all methods, or a tuple of methods). (A comment, not a docstring: the
    # OpenAPI document would repeat it for every endpoint.)

    required_scopes: dict[str, str] = {}
    user_required: bool | tuple[str, ...] = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse what no endpoint can use before any view code runs: NUL characters (which PostgreSQL
        cannot store or compare) and request bodies that are not a JSON object or a form."""
        super().initial(request, *args, **kwargs)
        if "\x00" in request.path or any("\x00" in value for value in request.query_params.values()):
            raise ValidationError({"query": ["contains characters that cannot be processed"]})
        if request.method in ("POST", "PUT", "PATCH"):
            if not hasattr(request.data, "get"):
                raise ParseError("The request body must be a JSON object or a form")
            if _has_nul(request.data):
                raise ValidationError({"body": ["contains characters that cannot be processed"]})

    def viewer(self, request: Request) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_authenticated else None

    def account(self, request: Request) -> User:
        """The signed-in account (the permission check has made sure there is one)."""
        user = self.viewer(request)
        assert user is not None
        return user

    def entities(self, request: Request) -> EntitySerializer:
        return EntitySerializer(self.viewer(request))


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 5:
        return False
    if hasattr(value, "lists"):
        return any(_has_nul(key) or _has_nul(items, depth + 1) for key, items in value.lists())
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def parse_id(value: Any) -> uuid.UUID:
    """An id from a URL or a form; anything else is a 404 like a missing record."""
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise NotFound(value) from error


def param(data: Any, name: str, default: Any = None) -> Any:
    """One value from a form, JSON body or query string (`name[]` lists as lists)."""
    if hasattr(data, "getlist") and (name.endswith("[]") or name in ("media_ids", "account_id", "id")):
        values = data.getlist(name) or data.getlist(f"{name}[]")
        if values:
            return values
    return data.get(name, default)


def param_list(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(f"{name}[]") or data.getlist(name)
    else:
        raw = data.get(name) or data.get(f"{name}[]") or []
        values = raw if isinstance(raw, list) else [raw]
    return [str(v) for v in values if str(v) != ""]


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def text_param(data: Any, name: str, default: str = "", *, max_length: int = 100_000) -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise ValidationError({name: ["must be text"]})
    value = str(value)
    if len(value) > max_length:
        raise ValidationError({name: ["is too long"]})
    return value


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "details": {"type": "object"}},
    "required": ["error"],
}
OBJECT_SCHEMA: dict[str, Any] = {"type": "object"}
LIST_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "object"}}
ERROR_RESPONSES = {code: ERROR_SCHEMA for code in (400, 401, 403, 404, 422, 429)}


def api_schema(
    body: dict[str, Any] = OBJECT_SCHEMA,
    *,
    parameters: list[OpenApiParameter] | None = None,
    statuses: tuple[int, ...] = (200,),
    operation_id: str | None = None,
) -> Any:
    """The OpenAPI description of an endpoint: a JSON object or list, Mastodon's error shape otherwise."""
    return extend_schema(
        request={"application/json": OBJECT_SCHEMA, "application/x-www-form-urlencoded": OBJECT_SCHEMA},
        responses={**{code: body for code in statuses}, **ERROR_RESPONSES},
        parameters=parameters or [],
        operation_id=operation_id,
    )


json_schema = api_schema()
list_schema = api_schema(LIST_SCHEMA)
page_schema = api_schema(LIST_SCHEMA, parameters=PAGE_PARAMETERS)
