"""The main pages cost a fixed number of queries.

However many posts, reposts, replies and mentions a page shows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.posts import services as post_services

pytestmark = pytest.mark.django_db


def _busy_community(viewer: User, size: int) -> None:
    for index in range(size):
        author = UserFactory(username=f"author{index}")
        account_services.follow(follower=viewer, target=author)
        post = post_services.create_post(
            author=author, text=f"post {index} for @{viewer.username} #busy with https://example.org/{index}"
        )
        post_services.create_post(author=viewer, text=f"@{author.username} reply {index}", in_reply_to=post)
        post_services.like(user=viewer, post=post)
        other = UserFactory(username=f"sharer{index}")
        account_services.follow(follower=viewer, target=other)
        post_services.repost(user=other, post=post)


@pytest.mark.parametrize("size", [3, 12])
def test_main_pages_cost_a_fixed_number_of_queries(
    size: int, django_assert_max_num_queries: Callable, run_on_commit: Callable
) -> None:
    viewer = UserFactory(username="reader")
    with run_on_commit():
        _busy_community(viewer, size)
    client = Client()
    client.force_login(viewer)
    thread_post = viewer.posts.filter(in_reply_to__isnull=False).first()
    assert thread_post is not None
    # Post cards add two queries for media attachments (of posts and of reposted originals) per list of cards.
    pages = {
        # The home page reads its window's originals, then their shares (one query more than the others).
        reverse("web:home"): 9 + 2,
        reverse("web:public"): 8 + 2,
        reverse("web:hashtag", kwargs={"tag": "busy"}): 9 + 2,
        reverse("web:profile", kwargs={"username": "reader"}): 9 + 2,
        reverse("web:profile", kwargs={"username": "author0"}): 15 + 2,
        reverse("web:notifications"): 7 + 2,
        reverse("web:thread", kwargs={"username": "reader", "post_id": thread_post.pk}): 11 + 6,
        reverse("search:explore") + "?q=busy": 10,
        reverse("search:explore") + "?q=author": 10,
    }
    for url, budget in pages.items():
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, url
