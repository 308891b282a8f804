"""The explore page, suggestions, following hashtags (and their posts on home), and the moderators' pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.accounts.tests.factories import BlockFactory, UserFactory
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post, Visibility
from agora.search import selectors, services
from agora.search.models import FollowedHashtag, TrendSettings
from agora.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_explore_finds_posts_for_signed_in_people(alice: User, bob: User) -> None:
    post_services.create_post(author=alice, text="A walk along the #river today")
    response = _client(bob).get(reverse("search:explore"), {"q": "walk"})
    assert response.status_code == 200
    assert "A walk along the" in response.content.decode()


def test_explore_does_not_search_post_text_for_logged_out_visitors(alice: User) -> None:
    post_services.create_post(author=alice, text="A walk along the #river today")
    response = _client().get(reverse("search:explore"), {"q": "walk", "tab": "posts"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "A walk along the" not in page
    assert "Log in to search the text of posts" in page
    accounts = _client().get(reverse("search:explore"), {"q": "alice"})
    assert "@alice" in accounts.content.decode()
    tags = _client().get(reverse("search:explore"), {"q": "riv", "tab": "hashtags"})
    assert "#river" in tags.content.decode()


def test_bad_query_is_a_message_not_an_error(bob: User) -> None:
    response = _client(bob).get(reverse("search:explore"), {"q": "before:someday", "tab": "posts"})
    assert response.status_code == 200
    assert "needs a date like" in response.content.decode()
    for junk in ['"', "-", "from:", "#", "@@", "x" * 5000]:
        assert (
            _client(bob)
            .get(reverse("search:explore"), {"q": junk, "tab": "posts", "before": "junk"})
            .status_code
            == 200
        )
        assert _client().get(reverse("search:explore"), {"q": junk, "tab": "accounts"}).status_code == 200


def test_suggestions_list_accounts_and_hashtags(alice: User, bob: User) -> None:
    post_services.create_post(author=alice, text="#alpine views")
    response = _client(bob).get(reverse("search:suggest"), {"q": "al"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "#alpine" in page and "@alice" in page


def test_post_results_page_through_with_htmx(alice: User, bob: User) -> None:
    for n in range(25):
        post_services.create_post(author=alice, text=f"pebble number {n}")
    first = selectors.search_posts(bob, "pebble", order=selectors.ORDER_NEWEST)
    response = _client(bob).get(
        reverse("search:explore"),
        {"q": "pebble", "tab": "posts", "order": "newest", "before": first.next_cursor},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert page.count('<article class="post') == 5
    assert "<html" not in page


def test_opted_out_account_is_not_found_by_strangers(alice: User, bob: User, carol: User) -> None:
    account_services.update_profile(user=alice, discoverable=False)
    assert selectors.search_accounts(bob, "alice") == []
    assert selectors.search_accounts(None, "alice") == []
    assert selectors.search_accounts(alice, "alice") == [alice]
    account_services.follow(follower=carol, target=alice)
    assert selectors.search_accounts(carol, "alice") == [alice]


def test_account_search_respects_blocks_and_ranks_exact_names_first(alice: User, bob: User) -> None:
    UserFactory(username="alicewonder", display_name="Alice W", followers_count=1000)
    UserFactory(username="zed", display_name="Zed", bio="I know alice")
    assert [user.username for user in selectors.search_accounts(bob, "alice")] == [
        "alice",
        "alicewonder",
        "zed",
    ]
    assert [user.username for user in selectors.search_accounts(bob, "@alice@localhost")][:1] == ["alice"]
    assert selectors.search_accounts(bob, "@alice@remote.example") == []
    BlockFactory(blocker=alice, blocked=bob)
    assert "alice" not in [user.username for user in selectors.search_accounts(bob, "alice")]


def test_hashtag_search_leaves_out_tags_only_in_non_public_posts(alice: User) -> None:
    post_services.create_post(author=alice, text="#secretplan", visibility=Visibility.FOLLOWERS)
    post_services.create_post(author=alice, text="#secretary")
    assert [tag.name for tag in selectors.search_hashtags("secret")] == ["secretary"]


def test_following_a_hashtag_brings_its_public_posts_home(alice: User, bob: User, carol: User) -> None:
    client = _client(bob)
    hashtag_page = client.get(reverse("web:hashtag", kwargs={"tag": "Birds"}))
    assert "Follow hashtag" in hashtag_page.content.decode()
    response = client.post(reverse("search:hashtag_follow", kwargs={"tag": "Birds", "action": "follow"}))
    assert response.status_code == 302
    assert FollowedHashtag.objects.filter(user=bob, hashtag__name="birds").exists()
    assert "Unfollow hashtag" in client.get(reverse("web:hashtag", kwargs={"tag": "birds"})).content.decode()
    public = post_services.create_post(author=alice, text="A robin! #birds")
    post_services.create_post(author=alice, text="Only for followers #birds", visibility=Visibility.FOLLOWERS)
    post_services.create_post(author=alice, text="Quietly #birds", visibility=Visibility.UNLISTED)
    held = post_services.create_post(author=alice, text="Held #birds")
    Post.objects.filter(pk=held.pk).update(moderation_state=ModerationState.HELD)
    blocked = post_services.create_post(author=carol, text="From a blocker #birds")
    BlockFactory(blocker=carol, blocked=bob)
    assert [post.pk for post in home_timeline(bob).items] == [public.pk]
    assert blocked.pk not in [post.pk for post in home_timeline(bob).items]
    assert "A robin!" in client.get(reverse("web:home")).content.decode()
    client.post(reverse("search:hashtag_follow", kwargs={"tag": "birds", "action": "unfollow"}))
    assert home_timeline(bob).items == []


def test_following_an_invalid_hashtag_is_404(bob: User) -> None:
    response = _client(bob).post(
        reverse("search:hashtag_follow", kwargs={"tag": "no way", "action": "follow"})
    )
    assert response.status_code == 404


def test_home_with_followed_hashtags_costs_a_fixed_number_of_queries(
    alice: User, bob: User, django_assert_max_num_queries: object
) -> None:
    services.follow_hashtag(user=bob, name="busy")
    for n in range(3):
        post_services.create_post(author=UserFactory(), text=f"#busy {n} @alice")
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        few = home_timeline(bob)
        [(post.author.username, list(post.mentions.all())) for post in few.items]
    for n in range(20):
        post_services.create_post(author=UserFactory(), text=f"#busy {n} @alice")
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        many = home_timeline(bob)
        [(post.author.username, list(post.mentions.all())) for post in many.items]
    assert len(many.items) == 20


def test_trending_tab_shows_trends(alice: User) -> None:
    response = _client().get(reverse("search:explore"))
    assert response.status_code == 200
    assert "Nothing is trending right now." in response.content.decode()


def test_moderator_pages_are_404_for_others(alice: User) -> None:
    for name in ("search:trends_review", "search:moderator_search"):
        assert _client(alice).get(reverse(name)).status_code == 404
        assert _client().get(reverse(name)).status_code == 302  # to the log-in page


def test_moderator_search_covers_held_and_removed_posts(alice: User, moderator: User) -> None:
    held = post_services.create_post(author=alice, text="coordinated slogan one")
    removed = post_services.create_post(
        author=alice, text="coordinated slogan two", visibility=Visibility.FOLLOWERS
    )
    post_services.create_post(author=moderator, text="coordinated slogan by someone else")
    Post.objects.filter(pk=held.pk).update(moderation_state=ModerationState.HELD)
    Post.objects.filter(pk=removed.pk).update(moderation_state=ModerationState.REMOVED)
    page = selectors.moderator_search_posts(moderator, text="slogan", author="alice")
    assert [post.pk for post in page.items] == [removed.pk, held.pk]
    only_held = selectors.moderator_search_posts(moderator, text="slogan", states=[ModerationState.HELD])
    assert [post.pk for post in only_held.items] == [held.pk]
    response = _client(moderator).get(
        reverse("search:moderator_search"), {"q": "slogan", "author": "alice", "since": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "coordinated slogan two" in response.content.decode()
    bad = _client(moderator).get(
        reverse("search:moderator_search"), {"since": "2025-02-01", "until": "2025-01-01"}
    )
    assert "must not be after" in bad.content.decode()


def test_moderators_review_trends_on_their_page(moderator: User) -> None:
    client = _client(moderator)
    assert client.get(reverse("search:trends_review")).status_code == 200
    client.post(reverse("search:trends_review"), {"review_first_form": "1", "review_first": "on"})
    assert TrendSettings.current().review_first
    post_services.create_post(author=moderator, text="#reviewme")
    response = client.post(reverse("search:trends_review"), {"hashtag": "reviewme", "status": "hidden"})
    assert response.status_code == 302
    assert (
        client.post(reverse("search:trends_review"), {"post": "not-an-id", "status": "hidden"}).status_code
        == 404
    )


def test_moderator_search_by_screening_score(alice: User, moderator: User) -> None:
    from django.utils import timezone

    from agora.moderation.models import Case, ScreeningResult

    flagged = post_services.create_post(author=alice, text="screened text high")
    mild = post_services.create_post(author=alice, text="screened text low")
    for post, score in ((flagged, 0.93), (mild, 0.2)):
        case = Case.objects.create(
            subject_type=Case.SubjectType.POST,
            post=post,
            account=alice,
            source=Case.Source.values[0],
            category=Case._meta.get_field("category").choices[0][0],  # type: ignore[index]
            deadline=timezone.now(),
        )
        ScreeningResult.objects.create(
            case=case, model_name="m", model_version="1", scores={"violence": score}
        )
    page = selectors.moderator_search_posts(
        moderator, text="screened", screening_score="violence", min_score=0.9
    )
    assert [post.pk for post in page.items] == [flagged.pk]
    response = _client(moderator).get(
        reverse("search:moderator_search"),
        {"q": "screened", "screening_score": "violence", "min_score": "0.5"},
    )
    assert "screened text high" in response.content.decode()
    assert "screened text low" not in response.content.decode()
    bad = _client(moderator).get(
        reverse("search:moderator_search"), {"min_score": "0.5", "screening_score": "a b"}
    )
    assert bad.status_code == 200 and "letters, digits and underscores" in bad.content.decode()
