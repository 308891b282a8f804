"""`agora search reindex`, and `agora seed` leaving a complete index behind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from agora.accounts.models import User
from agora.core.seeding import SeedPlan, seed_community
from agora.posts.models import Post
from agora.posts.tests.factories import PostFactory
from agora.search import selectors
from agora.search.models import PostSearchDocument

pytestmark = pytest.mark.django_db


def test_seeded_posts_are_indexed() -> None:
    seed_community(SeedPlan(users=20, posts=150, seed=5))
    originals = Post.objects.filter(repost_of__isnull=True)
    assert PostSearchDocument.objects.count() == originals.count() > 0
    viewer = User.objects.filter(is_active=True).first()
    sample = originals.filter(visibility="public", moderation_state="published").exclude(text="").first()
    assert viewer is not None and sample is not None
    word = max(sample.text.split(), key=len).strip("#@.,!?:;\"'()")
    assert (
        selectors.searchable_posts(sample.author, f"{word} from:{sample.author.username}")
        .filter(pk=sample.pk)
        .exists()
    )


def test_reindex_command_indexes_every_post_once(alice: User) -> None:
    PostFactory(author=alice, text="written around the services")
    PostFactory(author=alice, text="also written directly")
    out = StringIO()
    call_command("search", "reindex", stdout=out)
    call_command("search", "reindex", stdout=out)
    assert "Indexed 2 posts" in out.getvalue()
    assert PostSearchDocument.objects.count() == 2
    assert [post.text for post in selectors.search_posts(alice, "directly").items] == [
        "also written directly"
    ]
