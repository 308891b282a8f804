"""Finding the newest matches in slices (PostgreSQL's walk-then-GIN strategy) gives the same pages as
filtering all posts: with tiny slices every path is taken (a walk that fills the window, a walk that measures
and walks on, the GIN index for the rest) on a handful of posts. On SQLite the engine filters posts, and the
same assertions hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.accounts.models import User
from agora.posts import services as post_services
from agora.search import backends, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tiny_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "FIRST_WALK", 2)
    monkeypatch.setattr(backends, "MAX_WALK", 3)
    monkeypatch.setattr(backends, "MAX_WALKS", 2)
    monkeypatch.setattr(selectors, "FIRST_WINDOW", 2)


def _texts(viewer: User, query: str, **kwargs: object) -> list[str]:
    """Every page of results, newest first, following the cursors."""
    texts: list[str] = []
    cursor = None
    while True:
        page = selectors.search_posts(
            viewer,
            query,
            order=selectors.ORDER_NEWEST,
            limit=2,
            cursor=cursor,
            **kwargs,  # type: ignore[arg-type]
        )
        texts += [post.text for post in page.items]
        if page.next_cursor is None:
            return texts
        cursor = page.next_cursor


@pytest.mark.parametrize("analyzed", [True, False])
def test_sparse_and_dense_matches_come_newest_first_across_pages(
    alice: User, bob: User, analyzed: bool
) -> None:
    texts = []
    for index in range(14):
        text = (
            f"walnut {index}" if index % 4 == 0 else f"filler {index} walnut tree" if index % 3 else "other"
        )
        post_services.create_post(author=alice, text=text)
        texts.append(text)
    if analyzed and connection.vendor == "postgresql":
        # With statistics the index's size is known and walking on can win; without, the GIN index reads
        # the rest.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_postsearchdocument")
    expected = [text for text in reversed(texts) if "walnut" in text]
    with CaptureQueriesContext(connection) as queries:
        assert _texts(bob, "walnut") == expected
        assert _texts(bob, "walnut -tree") == [text for text in expected if "tree" not in text]
        assert _texts(bob, '"walnut tree"') == [text for text in expected if "walnut tree" in text]
        relevance = selectors.search_posts(bob, "walnut", limit=40)
        assert sorted(post.text for post in relevance.items) == sorted(expected)
    if connection.vendor == "postgresql":
        sql = [query["sql"] for query in queries.captured_queries]
        walks = sum("row_number() OVER" in query for query in sql)
        assert walks > 0 and any("WITH matches AS MATERIALIZED" in query for query in sql)


def test_other_conditions_apply_to_every_slice(alice: User, bob: User) -> None:
    for index in range(9):
        author = alice if index % 3 == 0 else bob
        post_services.create_post(
            author=author, text=f"hazelnut {index} #nuts" if index % 2 else f"hazelnut {index}"
        )
    assert _texts(bob, "hazelnut from:alice") == ["hazelnut 6", "hazelnut 3 #nuts", "hazelnut 0"]
    assert _texts(bob, "hazelnut #nuts") == [
        "hazelnut 7 #nuts",
        "hazelnut 5 #nuts",
        "hazelnut 3 #nuts",
        "hazelnut 1 #nuts",
    ]
    assert _texts(bob, "#nuts from:alice") == ["hazelnut 3 #nuts"]
    assert _texts(bob, "hazelnut from:nobody@elsewhere.example") == []
