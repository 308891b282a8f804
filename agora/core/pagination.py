"""Cursor pagination over time-ordered ids, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    items: Sequence[ModelT]
    next_cursor: uuid.UUID | None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def parse_cursor(value: str | None) -> uuid.UUID | None:
    """A cursor from a query string; junk is treated as no cursor rather than an error page."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def paginate_newest_first(
    queryset: QuerySet[ModelT], *, before: uuid.UUID | None, limit: int, field: str = "id"
) -> Page[ModelT]:
    """One page of `queryset` ordered by `field` descending, starting just below `before`."""
    if before is not None:
        queryset = queryset.filter(**{f"{field}__lt": before})
    rows = list(queryset.order_by(f"-{field}")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = getattr(rows[-1], field) if has_more and rows else None
    return Page(items=rows, next_cursor=next_cursor)
