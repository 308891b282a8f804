"""Trends count distinct established accounts, leave out moderated content, and obey moderators' review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.core.exceptions import NotAllowed
from agora.posts import services as post_services
from agora.posts.models import Hashtag, ModerationState, Post, Visibility
from agora.search import selectors, services
from agora.search.models import TrendReview

pytestmark = pytest.mark.django_db


def _established(count: int, prefix: str) -> list[User]:
    joined = timezone.now() - timedelta(days=30)
    return [UserFactory(username=f"{prefix}{n}", date_joined=joined) for n in range(count)]


def _trending_names(**kwargs: object) -> list[str]:
    return [trend.hashtag.name for trend in selectors.trending_hashtags(**kwargs)]  # type: ignore[arg-type]


def test_fifty_posts_of_one_tag_by_one_account_do_not_trend() -> None:
    (spammer,) = _established(1, "spammer")
    for n in range(50):
        post_services.create_post(author=spammer, text=f"buy now {n} #spamtag")
    assert _trending_names() == []


def test_twenty_accounts_using_a_tag_make_it_trend() -> None:
    for account in _established(20, "voice"):
        post_services.create_post(author=account, text="What a match #finale")
    (spammer,) = _established(1, "spammer")
    for n in range(50):
        post_services.create_post(author=spammer, text=f"buy now {n} #spamtag")
    trends = selectors.trending_hashtags()
    assert [(trend.hashtag.name, trend.accounts) for trend in trends] == [("finale", 20)]


def test_new_accounts_and_moderated_or_non_public_posts_do_not_count() -> None:
    fresh = [UserFactory(username=f"fresh{n}") for n in range(10)]
    for account in fresh:
        post_services.create_post(author=account, text="#brandnew")
    for state, accounts in zip(
        (ModerationState.HELD, ModerationState.REMOVED, ModerationState.LIMITED),
        (_established(6, "h"), _established(6, "r"), _established(6, "l")),
        strict=True,
    ):
        for account in accounts:
            post = post_services.create_post(author=account, text=f"#{state}tag")
            Post.objects.filter(pk=post.pk).update(moderation_state=state)
    for account in _established(6, "f"):
        post_services.create_post(author=account, text="#followersonly", visibility=Visibility.FOLLOWERS)
    assert _trending_names() == []


def test_old_posts_fall_out_of_the_day_window_but_stay_in_the_week() -> None:
    from agora.core.ids import new_id_at
    from agora.posts.models import PostHashtag
    from agora.posts.tests.factories import PostFactory

    tag = Hashtag.objects.create(name="lastweek")
    three_days_ago = timezone.now() - timedelta(days=3)
    for account in _established(6, "w"):
        # Ids carry their creation time, as an old post's would.
        post = PostFactory(
            author=account, text="#lastweek", id=new_id_at(int(three_days_ago.timestamp() * 1000))
        )
        Post.objects.filter(pk=post.pk).update(created_at=three_days_ago)
        PostHashtag.objects.create(post=post, hashtag=tag)
    assert _trending_names(window="day") == []
    assert _trending_names(window="week") == ["lastweek"]


def test_hidden_tags_never_trend_and_review_first_shows_only_approved(moderator: User) -> None:
    for account in _established(6, "a"):
        post_services.create_post(author=account, text="#alpha #beta #gamma")
    services.review_trend(
        actor=moderator, status=TrendReview.Status.HIDDEN, hashtag=Hashtag.objects.get(name="beta")
    )
    assert sorted(_trending_names()) == ["alpha", "gamma"]
    services.set_review_trends_first(actor=moderator, enabled=True)
    assert _trending_names() == []
    services.review_trend(
        actor=moderator, status=TrendReview.Status.APPROVED, hashtag=Hashtag.objects.get(name="gamma")
    )
    assert _trending_names() == ["gamma"]
    review_list = selectors.trending_hashtags(for_review=True)
    assert {trend.hashtag.name: trend.review for trend in review_list} == {
        "alpha": None,
        "beta": "hidden",
        "gamma": "approved",
    }


def test_only_moderators_review_trends(alice: User) -> None:
    hashtag = Hashtag.objects.create(name="x")
    with pytest.raises(NotAllowed):
        services.review_trend(actor=alice, status=TrendReview.Status.APPROVED, hashtag=hashtag)
    with pytest.raises(NotAllowed):
        services.set_review_trends_first(actor=alice, enabled=True)


def test_posts_trend_by_distinct_accounts_sharing_them(bob: User, moderator: User) -> None:
    (alice,) = _established(1, "author")
    newcomer = UserFactory(username="newcomer")
    by_newcomer = post_services.create_post(author=newcomer, text="a new account's post")
    popular = post_services.create_post(author=alice, text="a post many people like")
    quiet = post_services.create_post(author=alice, text="a post one person likes a lot")
    for account in _established(6, "fan"):
        post_services.like(user=account, post=popular)
        post_services.like(user=account, post=by_newcomer)
    (fan,) = _established(1, "superfan")
    post_services.like(user=fan, post=quiet)
    post_services.repost(user=fan, post=quiet)
    assert [trend.post.pk for trend in selectors.trending_posts(bob)] == [popular.pk]
    services.set_review_trends_first(actor=moderator, enabled=True)
    assert selectors.trending_posts(bob) == []
    services.review_trend(actor=moderator, status=TrendReview.Status.APPROVED, post=popular)
    assert [trend.post.pk for trend in selectors.trending_posts(bob)] == [popular.pk]
    Post.objects.filter(pk=popular.pk).update(moderation_state=ModerationState.LIMITED)
    assert selectors.trending_posts(bob) == []
