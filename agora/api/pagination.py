"""Mastodon's pagination: `max_id`, `since_id`, `min_id` and `limit` in, a `Link` header out.

Our ids are time-ordered strings (UUIDs), so "older than" and "newer than" are plain comparisons.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from agora.core.pagination import Page, parse_cursor

ModelT = TypeVar("ModelT", bound=Model)

DEFAULT_LIMIT = 20
MAX_LIMIT = 40


@dataclass(frozen=True)
class PageParams:
    max_id: uuid.UUID | None
    since_id: uuid.UUID | None
    min_id: uuid.UUID | None
    limit: int


def page_params(request: Request, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> PageParams:
    try:
        limit = int(request.query_params.get("limit", default))
    except ValueError:
        limit = default
    return PageParams(
        max_id=parse_cursor(request.query_params.get("max_id")),
        since_id=parse_cursor(request.query_params.get("since_id")),
        min_id=parse_cursor(request.query_params.get("min_id")),
        limit=max(1, min(limit, maximum)),
    )


def paginate_queryset(queryset: QuerySet[ModelT], params: PageParams, *, field: str = "id") -> list[ModelT]:
    """Newest first below max_id and above since_id; with min_id, the page just above it (still returned
    newest first)."""
    if params.max_id is not None:
        queryset = queryset.filter(**{f"{field}__lt": params.max_id})
    if params.since_id is not None:
        queryset = queryset.filter(**{f"{field}__gt": params.since_id})
    if params.min_id is not None:
        rows = list(queryset.filter(**{f"{field}__gt": params.min_id}).order_by(field)[: params.limit])
        rows.reverse()
        return rows
    return list(queryset.order_by(f"-{field}")[: params.limit])


# How many pages the readers below look through before they stop (a filter that matches little, or a min_id
# far back, gives what was found so far and a Link header to go on from there).
MAX_ROUNDS = 10


def backwards_page(
    fetch: Callable[[Any, int], Page[Any]],
    params: PageParams,
    key: Callable[[Any], Any] | None = None,
    keep: Callable[[Any], bool] | None = None,
) -> tuple[list[Any], Any, bool]:
    """One page from a selector that only pages backwards (`fetch(before, limit)`), honouring all of
    Mastodon's parameters: (items newest first, cursor for the next older page, whether there may be more).

    `keep` filters items (only_media, exclude_reblogs, notification types, ...): pages are read on until
    `limit` items are kept, so a filter never answers an empty page while older matches exist.
    With `min_id` it is the page just newer than min_id (the oldest `limit` such items); with `since_id`,
    the newest items above since_id."""
    key = key or (lambda item: item.pk)
    if params.min_id is not None:
        return _page_above_min_id(fetch, params, key, keep)
    collected: list[Any] = []
    before = params.max_id
    oldest = None
    for _round in range(MAX_ROUNDS):
        page = fetch(before, params.limit if keep is None else MAX_LIMIT)
        for item in page.items:
            if params.since_id is not None and key(item) <= params.since_id:
                return collected, oldest, False
            oldest = key(item)
            if keep is None or keep(item):
                collected.append(item)
                if len(collected) == params.limit:
                    return collected, oldest, True
        if page.next_cursor is None:
            return collected, oldest, False
        before = oldest = page.next_cursor
    return collected, oldest, True


def _page_above_min_id(
    fetch: Callable[[Any, int], Page[Any]],
    params: PageParams,
    key: Callable[[Any], Any],
    keep: Callable[[Any], bool] | None,
) -> tuple[list[Any], Any, bool]:
    floor = params.min_id
    collected: list[Any] = []
    before = params.max_id
    for _round in range(MAX_ROUNDS):
        page = fetch(before, MAX_LIMIT)
        above = [item for item in page.items if key(item) > floor]
        if params.since_id is not None:
            above = [item for item in above if key(item) > params.since_id]
        collected.extend(item for item in above if keep is None or keep(item))
        if len(above) < len(page.items) or page.next_cursor is None:
            break
        before = page.next_cursor
    items = collected[-params.limit :]
    return items, (key(items[-1]) if items else None), True


def with_link_header(
    response: Response,
    request: Request,
    *,
    newest: Any | None,
    oldest: Any | None,
    has_more: bool = True,
) -> Response:
    """Add `Link: <...max_id=oldest>; rel="next", <...min_id=newest>; rel="prev"` (ids as strings)."""
    if newest is None or oldest is None:
        return response
    base = request.build_absolute_uri(request.path)
    kept = {k: v for k, v in request.query_params.items() if k not in ("max_id", "min_id", "since_id")}
    links = []
    if has_more:
        links.append(f'<{base}?{urlencode({**kept, "max_id": str(oldest)})}>; rel="next"')
    links.append(f'<{base}?{urlencode({**kept, "min_id": str(newest)})}>; rel="prev"')
    response["Link"] = ", ".join(links)
    return response
