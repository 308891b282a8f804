"""`agora seed` and `agora.core.seeding`: the community holds together as if the services built it."""

from __future__ import annotations

import io
import statistics
import uuid
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from agora.accounts.models import Follow, FollowRequest, User
from agora.core.ids import id_random_bits, id_timestamp_ms, new_id_at
from agora.core.seeding import SeedPlan, SeedReport, seed_community
from agora.notifications.models import Notification
from agora.posts.models import Hashtag, Like, Mention, Post, PostHashtag, Visibility
from agora.posts.selectors import visible_posts_for
from agora.posts.text import parse_text

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PLAN = SeedPlan(users=60, posts=600, seed=7, demo=True, now=NOW)

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db: None) -> SeedReport:
    report = seed_community(PLAN)
    assert report is not None
    return report


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


# What gets built --------------------------------------------------------------------------------------------


def test_seed_builds_as_many_accounts_and_posts_as_asked_plus_the_two_logins(community: SeedReport) -> None:
    assert User.objects.count() == community.users == 60 + 2
    assert Post.objects.count() == community.posts == 600
    assert Post.objects.filter(in_reply_to__isnull=False).count() == community.replies > 0
    assert Post.objects.filter(repost_of__isnull=False).count() == community.reposts > 0
    assert Follow.objects.count() == community.follows
    assert FollowRequest.objects.count() == community.follow_requests
    assert Like.objects.count() == community.likes > 0
    assert Mention.objects.count() == community.mentions > 0
    assert Hashtag.objects.count() == community.hashtags > 0
    assert Notification.objects.count() == community.notifications > 0


def test_counters_equal_the_rows_they_count(community: SeedReport) -> None:
    users = User.objects.annotate(
        followers=Count("follower_links", distinct=True),
        following=Count("following_links", distinct=True),
        originals=Count("posts", filter=Q(posts__repost_of__isnull=True), distinct=True),
    )
    for user in users:
        assert (user.followers_count, user.following_count, user.posts_count) == (
            user.followers,
            user.following,
            user.originals,
        ), user.username
    posts = Post.objects.annotate(
        replies_n=Count("replies", distinct=True),
        reposts_n=Count("reposts", distinct=True),
        likes_n=Count("likes", distinct=True),
    )
    for post in posts:
        assert (post.replies_count, post.reposts_count, post.likes_count) == (
            post.replies_n,
            post.reposts_n,
            post.likes_n,
        )


def test_every_reply_carries_the_conversation_id_of_its_threads_first_post(community: SeedReport) -> None:
    posts = {post.pk: post for post in Post.objects.all()}
    deepest = 0
    for post in posts.values():
        if post.repost_of_id is not None:
            assert post.conversation_id is None
            continue
        root, depth = post, 0
        while root.in_reply_to_id is not None:
            parent = posts[root.in_reply_to_id]
            assert parent.created_at < root.created_at
            root, depth = parent, depth + 1
        assert post.conversation_id == root.pk
        deepest = max(deepest, depth)
    assert deepest >= 2, "threads should go deeper than one reply"


def test_mentions_and_hashtags_are_exactly_what_parse_text_finds(community: SeedReport) -> None:
    names_by_id = dict(User.objects.values_list("id", "username"))
    mentioned: dict[uuid.UUID, set[str]] = {}
    for post_id, user_id in Mention.objects.values_list("post_id", "user_id"):
        mentioned.setdefault(post_id, set()).add(names_by_id[user_id].lower())
    tagged: dict[uuid.UUID, set[str]] = {}
    for post_id, name in PostHashtag.objects.values_list("post_id", "hashtag__name"):
        tagged.setdefault(post_id, set()).add(name)
    for post in Post.objects.select_related("author"):
        parsed = parse_text(post.text, settings.AGORA_DOMAIN)
        expected_mentions = set(parsed.mentioned_usernames) - {post.author.username.lower()}
        assert mentioned.get(post.pk, set()) == expected_mentions, post.text
        assert tagged.get(post.pk, set()) == set(parsed.hashtags), post.text
    assert all(name == name.lower() for name in Hashtag.objects.values_list("name", flat=True))


def test_ids_sort_like_created_at_and_carry_its_time(community: SeedReport) -> None:
    by_id = list(Post.objects.order_by("id").values_list("id", "created_at"))
    by_time = list(Post.objects.order_by("created_at").values_list("id", "created_at"))
    assert by_id == by_time
    for model in (Post, User, Follow, Like, Notification, Hashtag):
        field = "date_joined" if model is User else "created_at"
        for row_id, created_at in model.objects.values_list("id", field):
            assert id_timestamp_ms(row_id) == _ms(created_at), model.__name__


def test_posts_spread_over_the_last_sixty_days(community: SeedReport) -> None:
    times = [_ms(moment) for moment in Post.objects.values_list("created_at", flat=True)]
    day = 24 * 3600 * 1000
    assert min(times) >= _ms(NOW) - 60 * day
    assert max(times) < _ms(NOW)
    assert max(times) - min(times) > 50 * day


def test_a_few_accounts_have_far_more_followers_than_most(community: SeedReport) -> None:
    counts = list(User.objects.values_list("followers_count", flat=True))
    assert max(counts) >= 3 * statistics.median(counts)


def test_locked_accounts_have_pending_requests_from_accounts_not_yet_following(community: SeedReport) -> None:
    requests = list(FollowRequest.objects.select_related("target"))
    assert requests
    for request in requests:
        assert request.target.is_locked
        pair = {"follower_id": request.requester_id, "followee_id": request.target_id}
        assert not Follow.objects.filter(**pair).exists()
        assert Notification.objects.filter(
            recipient_id=request.target_id,
            actor_id=request.requester_id,
            kind=Notification.Kind.FOLLOW_REQUEST,
        ).exists()


def test_posts_are_mostly_public_with_some_of_every_other_visibility_and_a_few_content_warnings(
    community: SeedReport,
) -> None:
    originals = Post.objects.filter(repost_of__isnull=True)
    by_visibility = dict(originals.values_list("visibility").annotate(n=Count("id")))
    assert by_visibility[Visibility.PUBLIC] > originals.count() / 2
    assert set(by_visibility) == set(Visibility.values)
    warned = originals.exclude(spoiler_text="")
    assert warned.exists()
    assert not warned.filter(sensitive=False).exists()
    assert not originals.filter(visibility=Visibility.MENTIONED, mention_links__isnull=True).exists()


def test_reposts_are_empty_share_their_originals_visibility_and_are_one_per_author(
    community: SeedReport,
) -> None:
    reposts = list(Post.objects.filter(repost_of__isnull=False).select_related("repost_of"))
    for repost in reposts:
        assert repost.repost_of is not None
        assert repost.text == "" and repost.repost_of.repost_of_id is None
        assert repost.visibility == repost.repost_of.visibility
        assert repost.repost_of.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
        assert repost.author_id != repost.repost_of.author_id
    assert len({(repost.author_id, repost.repost_of_id) for repost in reposts}) == len(reposts)


def test_likes_are_on_open_posts_by_someone_else_after_the_post(community: SeedReport) -> None:
    for like in Like.objects.select_related("post"):
        assert like.user_id != like.post.author_id
        assert like.post.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
        assert like.post.repost_of_id is None
        assert like.post.created_at < like.created_at <= NOW


def test_notifications_are_never_to_oneself_and_only_about_posts_the_recipient_may_see(
    community: SeedReport,
) -> None:
    notifications = list(Notification.objects.select_related("recipient", "post"))
    # Moderation notices come from moderation decisions and archive notices from export requests, which the
    # seed does not make.
    assert {n.kind for n in notifications} == set(Notification.Kind.values) - {
        Notification.Kind.MODERATION,
        Notification.Kind.ARCHIVE,
    }
    for notification in notifications:
        assert notification.recipient_id != notification.actor_id
        if notification.post is not None:
            about = Post.objects.filter(pk=notification.post_id)
            assert visible_posts_for(notification.recipient, about).exists()
        if notification.kind == Notification.Kind.REPLY:
            assert notification.post is not None and notification.post.in_reply_to is not None
            assert notification.post.in_reply_to.author_id == notification.recipient_id


def test_the_demo_account_has_followers_posts_and_notifications(community: SeedReport) -> None:
    demo = User.objects.get(username="demo")
    assert demo.followers_count > 0 and demo.following_count > 0 and demo.posts_count > 0
    assert Notification.objects.filter(recipient=demo, is_read=False).exists()


# Logins and passwords ---------------------------------------------------------------------------------------


def test_demo_creates_a_demo_login_and_an_admin_login(community: SeedReport) -> None:
    demo = User.objects.get(username="demo")
    admin = User.objects.get(username="admin")
    assert demo.check_password("demo-password")
    assert (demo.email, demo.role, demo.is_staff) == ("demo@example.org", User.Role.USER, False)
    assert admin.check_password("admin-password")
    assert (admin.email, admin.role, admin.is_staff) == ("admin@example.org", User.Role.ADMIN, True)
    assert [login.username for login in community.logins] == ["admin", "demo"]


def test_synthetic_accounts_cannot_log_in(community: SeedReport) -> None:
    synthetic = User.objects.exclude(username__in=["demo", "admin"])
    assert not any(user.has_usable_password() for user in synthetic)


# The command ------------------------------------------------------------------------------------------------


def test_if_empty_does_nothing_when_there_are_accounts_already(db: None) -> None:
    out = io.StringIO()
    call_command("seed", users=20, posts=50, seed=1, if_empty=True, verbosity=0, stdout=out)
    counts = (User.objects.count(), Post.objects.count())
    assert counts == (20, 50)
    call_command("seed", users=20, posts=50, seed=2, if_empty=True, demo=True, stdout=out)
    assert (User.objects.count(), Post.objects.count()) == counts
    assert "nothing seeded" in out.getvalue()


def test_demo_is_refused_politely_when_the_demo_name_is_taken(db: None) -> None:
    User.objects.create_user(username="Demo", email="someone@example.com", password="x" * 12)
    with pytest.raises(CommandError, match="demo"):
        call_command("seed", users=10, posts=10, demo=True, verbosity=0)
    assert User.objects.count() == 1


def test_seeding_again_skips_taken_usernames(db: None) -> None:
    seed_community(SeedPlan(users=40, posts=100, seed=3, now=NOW))
    seed_community(SeedPlan(users=40, posts=100, seed=3, now=NOW))
    names = [name.lower() for name in User.objects.values_list("username", flat=True)]
    assert len(names) == len(set(names)) == 80
    assert Post.objects.count() == 200


def test_the_same_seed_builds_the_same_community(db: None) -> None:
    def snapshot() -> tuple[list[str], list[tuple[str, str, str]]]:
        users = list(User.objects.order_by("username").values_list("username", flat=True))
        posts = list(
            Post.objects.order_by("created_at").values_list("author__username", "text", "visibility")
        )
        return users, posts

    plan = SeedPlan(users=30, posts=200, seed=11, now=NOW)
    seed_community(plan)
    first = snapshot()
    User.objects.all().delete()
    seed_community(plan)
    assert snapshot() == first


def test_the_command_prints_the_logins_and_no_progress_at_verbosity_0(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("seed", users=10, posts=30, demo=True, verbosity=0)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "demo / demo-password" in captured.out and "admin / admin-password" in captured.out


def test_too_few_accounts_are_refused(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("seed", users=1, posts=10, verbosity=0)


# Ids for the past -------------------------------------------------------------------------------------------


def test_new_id_at_encodes_the_given_time_in_the_usual_layout() -> None:
    timestamp_ms = _ms(NOW)
    value = new_id_at(timestamp_ms)
    assert id_timestamp_ms(value) == timestamp_ms
    assert value.version == 8 and value.variant == uuid.RFC_4122
    assert new_id_at(timestamp_ms) != value


def test_new_id_at_sorts_by_time_whatever_the_random_bits() -> None:
    ids = [new_id_at(timestamp_ms) for timestamp_ms in range(1_700_000_000_000, 1_700_000_000_200)]
    assert ids == sorted(ids)
    assert ids == sorted(ids, key=str)
    assert len({id_random_bits(value) for value in ids}) == len(ids)


def test_new_id_at_refuses_times_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        new_id_at(-1)
    with pytest.raises(ValueError):
        new_id_at(1 << 48)
