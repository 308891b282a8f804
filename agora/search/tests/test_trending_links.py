"""Trending links: the same page shared by many established accounts trends; one account cannot push it;
moderated and non-public posts do not count; moderators' review applies; edits and deletions update links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post, Visibility
from agora.search import selectors, services
from agora.search.links import links_in, normalise_url
from agora.search.models import Link, PostLink, TrendReview

pytestmark = pytest.mark.django_db

ARTICLE = "https://news.example.org/2026/11/vote-result"


def _established(count: int, prefix: str) -> list[User]:
    joined = timezone.now() - timedelta(days=30)
    return [UserFactory(username=f"{prefix}{n}", date_joined=joined) for n in range(count)]


def _trending_urls(**kwargs: object) -> list[str]:
    return [trend.link.url for trend in selectors.trending_links(**kwargs)]  # type: ignore[arg-type]


def test_urls_are_normalised_so_shares_of_one_page_count_together() -> None:
    assert (
        normalise_url("HTTPS://News.Example.org:443/a?utm_source=x&id=7#top")
        == "https://news.example.org/a?id=7"
    )
    assert normalise_url("http://example.org") == "http://example.org/"
    assert normalise_url("http://localhost/x") is None
    assert normalise_url("https://example.org:99999/") is None
    assert links_in(
        "see https://a.example.org/x, and https://a.example.org/x?fbclid=1 (or https://b.example.org/)."
    ) == [
        "https://a.example.org/x",
        "https://b.example.org/",
    ]


def test_twenty_accounts_sharing_a_link_make_it_trend_and_one_account_cannot() -> None:
    for n, account in enumerate(_established(20, "reader")):
        suffix = "?utm_campaign=share" if n % 2 else ""
        post_services.create_post(author=account, text=f"Read this: {ARTICLE}{suffix}")
    (spammer,) = _established(1, "spammer")
    for n in range(50):
        post_services.create_post(author=spammer, text=f"deal {n} https://shop.example.com/deal")
    trends = selectors.trending_links()
    assert [(trend.link.url, trend.link.domain, trend.accounts) for trend in trends] == [
        (ARTICLE, "news.example.org", 20)
    ]


def test_new_accounts_and_moderated_or_non_public_posts_do_not_count() -> None:
    for account in [UserFactory(username=f"fresh{n}") for n in range(10)]:
        post_services.create_post(author=account, text="https://fresh.example.org/")
    for state, accounts in zip(
        (ModerationState.HELD, ModerationState.REMOVED, ModerationState.LIMITED),
        (_established(6, "h"), _established(6, "r"), _established(6, "l")),
        strict=True,
    ):
        for account in accounts:
            post = post_services.create_post(author=account, text=f"https://{state}.example.org/")
            Post.objects.filter(pk=post.pk).update(moderation_state=state)
    for account in _established(6, "f"):
        post_services.create_post(
            author=account, text="https://private.example.org/", visibility=Visibility.FOLLOWERS
        )
    assert _trending_urls() == []


def test_hidden_links_never_trend_and_review_first_needs_approval(moderator: User) -> None:
    for account in _established(6, "s"):
        post_services.create_post(author=account, text=ARTICLE)
    link = Link.objects.get(url=ARTICLE)
    services.set_review_trends_first(actor=moderator, enabled=True)
    assert _trending_urls() == []
    assert [trend.link for trend in selectors.trending_links(for_review=True)] == [link]
    services.review_trend(actor=moderator, status=TrendReview.Status.APPROVED, link=link)
    assert _trending_urls() == [ARTICLE]
    services.review_trend(actor=moderator, status=TrendReview.Status.HIDDEN, link=link)
    services.set_review_trends_first(actor=moderator, enabled=False)
    assert _trending_urls() == []


def test_editing_a_post_updates_its_links_and_deleting_it_removes_them(alice: User) -> None:
    post = post_services.create_post(author=alice, text="first https://one.example.org/")
    assert list(PostLink.objects.filter(post=post).values_list("link__url", flat=True)) == [
        "https://one.example.org/"
    ]
    post_services.edit_post(post=post, editor=alice, text="now https://two.example.org/ instead")
    assert list(PostLink.objects.filter(post=post).values_list("link__url", flat=True)) == [
        "https://two.example.org/"
    ]
    post_services.delete_post(post=post, actor=alice)
    assert not PostLink.objects.exists()


def test_reindex_rebuilds_the_links_of_every_post(alice: User) -> None:
    post_services.create_post(author=alice, text="https://kept.example.org/a")
    PostLink.objects.all().delete()
    services.reindex_all_posts()
    assert list(PostLink.objects.values_list("link__url", flat=True)) == ["https://kept.example.org/a"]


def test_explore_and_review_pages_show_trending_links(client: Client, moderator: User) -> None:
    for account in _established(6, "p"):
        post_services.create_post(author=account, text=ARTICLE)
    page = client.get(reverse("search:explore"))
    assert page.status_code == 200 and ARTICLE in page.content.decode()
    client.force_login(moderator)
    link = Link.objects.get(url=ARTICLE)
    response = client.post(reverse("search:trends_review"), {"link": str(link.pk), "status": "hidden"})
    assert response.status_code == 302
    assert TrendReview.objects.get(link=link).status == TrendReview.Status.HIDDEN
    assert ARTICLE not in client.get(reverse("search:explore")).content.decode()
    bad = client.post(reverse("search:trends_review"), {"link": "not-an-id", "status": "hidden"})
    assert bad.status_code == 404
