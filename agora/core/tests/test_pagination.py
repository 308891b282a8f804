"""Cursor pagination over time-ordered ids."""

from __future__ import annotations

import uuid

import pytest

from agora.accounts.models import User
from agora.core.pagination import paginate_newest_first, parse_cursor
from agora.posts.models import Post
from agora.posts.tests.factories import PostFactory


@pytest.mark.parametrize("junk", [None, "", "nope", "123", "'; DROP TABLE posts; --"])
def test_parse_cursor_treats_junk_as_no_cursor(junk: str | None) -> None:
    assert parse_cursor(junk) is None


def test_parse_cursor_reads_a_uuid() -> None:
    value = uuid.uuid4()
    assert parse_cursor(str(value)) == value


def test_pages_run_newest_first_without_gaps_or_repeats(alice: User) -> None:
    posts = [PostFactory(author=alice) for _ in range(7)]
    seen: list[Post] = []
    cursor = None
    while True:
        page = paginate_newest_first(Post.objects.all(), before=cursor, limit=3)
        assert len(page) <= 3
        seen.extend(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [post.pk for post in seen] == [post.pk for post in reversed(posts)]


def test_last_full_page_has_no_next_cursor(alice: User) -> None:
    PostFactory.create_batch(3, author=alice)
    page = paginate_newest_first(Post.objects.all(), before=None, limit=3)
    assert len(page) == 3
    assert page.next_cursor is None
