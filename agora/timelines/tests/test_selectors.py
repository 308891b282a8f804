"""Home, public, hashtag and profile timelines: what each shows, in what order, at what cost."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.accounts.models import User
from agora.accounts.tests.factories import BlockFactory, FollowFactory, MuteFactory, UserFactory
from agora.core.pagination import Page
from agora.posts.models import Hashtag, ModerationState, Post, PostHashtag, Visibility
from agora.posts.services import create_post, repost
from agora.posts.tests.factories import PostFactory, RepostFactory
from agora.timelines.selectors import hashtag_timeline, home_timeline, profile_timeline, public_timeline

QueryLimit = Callable[[int], AbstractContextManager[Any]]
# Query budget for one page, however many posts, reposts, replies and mentions it holds: the posts with their
# authors, originals and parents joined in; mentions; mentions of reposted originals; media attachments of
# posts and of reposted originals (their files only when there are attachments).
PAGE_QUERIES = 5


def ids(page: Iterable[Post]) -> list[Any]:
    return [post.pk for post in page]


def as_set(page: Iterable[Post]) -> set[Any]:
    return set(ids(page))


def render_cards(page: Page[Post], viewer: User | None) -> list[str]:
    """Touch everything a post card shows, as the templates and API do."""
    lines = []
    for post in page:
        shown = post.repost_of or post
        parts = [post.author.username, shown.author.username, shown.text]
        parts += [user.username for user in shown.mentions.all()]
        if shown.in_reply_to is not None:
            parts.append(shown.in_reply_to.author.username)
        if viewer is not None:
            parts += [str(post.viewer_liked), str(post.viewer_reposted), str(post.original_viewer_liked)]
        lines.append(" ".join(parts))
    return lines


@pytest.fixture
def viewer(db: None) -> User:
    return UserFactory(username="viewer")


@pytest.fixture
def friend(viewer: User) -> User:
    """An account the viewer follows."""
    account = UserFactory(username="friend")
    FollowFactory(follower=viewer, followee=account)
    return account


@pytest.fixture
def stranger(db: None) -> User:
    return UserFactory(username="stranger")


# home


def test_home_shows_own_and_followed_posts_and_their_reposts(
    viewer: User, friend: User, stranger: User
) -> None:
    own = PostFactory(author=viewer)
    friends = PostFactory(author=friend)
    strangers = PostFactory(author=stranger)
    friend_shares = RepostFactory(author=friend, repost_of=strangers)
    assert ids(home_timeline(viewer)) == [friend_shares.pk, friends.pk, own.pk]


def test_home_leaves_out_posts_of_accounts_not_followed(viewer: User, stranger: User) -> None:
    PostFactory(author=stranger)
    assert ids(home_timeline(viewer)) == []


def test_home_shows_followers_only_posts_of_followed_accounts(viewer: User, friend: User) -> None:
    post = PostFactory(author=friend, visibility=Visibility.FOLLOWERS)
    assert ids(home_timeline(viewer)) == [post.pk]


def test_home_shows_replies_only_to_the_viewer_followed_accounts_or_oneself(
    viewer: User, friend: User, stranger: User
) -> None:
    other_friend = UserFactory()
    FollowFactory(follower=viewer, followee=other_friend)
    to_stranger = PostFactory(author=friend, in_reply_to=PostFactory(author=stranger))
    to_viewer = PostFactory(author=friend, in_reply_to=PostFactory(author=viewer))
    to_friend = PostFactory(author=friend, in_reply_to=PostFactory(author=other_friend))
    self_thread = PostFactory(author=friend, in_reply_to=PostFactory(author=friend))
    shown = as_set(home_timeline(viewer))
    assert to_stranger.pk not in shown
    assert {to_viewer.pk, to_friend.pk, self_thread.pk} <= shown


def test_home_leaves_out_muted_accounts_and_reposts_of_them(
    viewer: User, friend: User, stranger: User
) -> None:
    muted_friend = UserFactory()
    FollowFactory(follower=viewer, followee=muted_friend)
    MuteFactory(muter=viewer, muted=muted_friend)
    MuteFactory(muter=viewer, muted=stranger)
    PostFactory(author=muted_friend)
    RepostFactory(author=friend, repost_of=PostFactory(author=stranger))
    kept = PostFactory(author=friend)
    assert ids(home_timeline(viewer)) == [kept.pk]


def test_home_leaves_out_reposts_of_accounts_blocked_either_way(
    viewer: User, friend: User, stranger: User
) -> None:
    blocker = UserFactory()
    BlockFactory(blocker=viewer, blocked=stranger)
    BlockFactory(blocker=blocker, blocked=viewer)
    RepostFactory(author=friend, repost_of=PostFactory(author=stranger))
    RepostFactory(author=friend, repost_of=PostFactory(author=blocker))
    assert ids(home_timeline(viewer)) == []


def test_home_leaves_out_others_reposts_of_the_viewers_own_posts(viewer: User, friend: User) -> None:
    own = PostFactory(author=viewer)
    RepostFactory(author=friend, repost_of=own)
    own_share = RepostFactory(author=viewer, repost_of=PostFactory(author=friend))
    # The friend's post shows once, as the viewer's own repost of it.
    assert ids(home_timeline(viewer)) == [own_share.pk, own.pk]


@pytest.mark.parametrize("state", [ModerationState.HELD, ModerationState.REMOVED])
def test_home_leaves_out_held_and_removed_posts_of_others(viewer: User, friend: User, state: str) -> None:
    PostFactory(author=friend, moderation_state=state)
    own = PostFactory(author=viewer, moderation_state=state)
    assert ids(home_timeline(viewer)) == [own.pk]


@pytest.mark.parametrize("state", [ModerationState.HELD, ModerationState.REMOVED])
def test_moderators_home_leaves_out_held_and_removed_posts_of_others_too(friend: User, state: str) -> None:
    # Moderators may open such posts by link to review them, but a held post does not fan out to anyone.
    moderator = UserFactory(role=User.Role.MODERATOR)
    FollowFactory(follower=moderator, followee=friend)
    hidden = PostFactory(author=friend, moderation_state=state)
    shared = RepostFactory(author=friend, repost_of=PostFactory(author=friend))
    Post.objects.filter(pk=shared.repost_of_id).update(moderation_state=state)
    shown = as_set(home_timeline(moderator))
    assert hidden.pk not in shown
    assert shared.pk not in shown


def test_home_keeps_limited_posts_of_followed_accounts(viewer: User, friend: User) -> None:
    post = PostFactory(author=friend, moderation_state=ModerationState.LIMITED)
    assert ids(home_timeline(viewer)) == [post.pk]


# public


def test_public_timeline_shows_only_public_published_top_level_posts(viewer: User, friend: User) -> None:
    public = PostFactory(author=friend)
    self_reply = PostFactory(author=friend, in_reply_to=public)
    PostFactory(author=friend, visibility=Visibility.UNLISTED)
    PostFactory(author=friend, visibility=Visibility.FOLLOWERS)
    PostFactory(author=friend, visibility=Visibility.MENTIONED, mentions=[viewer])
    for state in (ModerationState.HELD, ModerationState.LIMITED, ModerationState.REMOVED):
        PostFactory(author=friend, moderation_state=state)
    PostFactory(author=viewer, in_reply_to=public)
    RepostFactory(author=viewer, repost_of=public)
    for who in (None, viewer, UserFactory(role=User.Role.MODERATOR)):
        assert ids(public_timeline(who)) == [self_reply.pk, public.pk]


def test_public_timeline_leaves_out_inactive_blocked_and_muted_authors(viewer: User) -> None:
    gone, blocked, muted = UserFactory(is_active=False), UserFactory(), UserFactory()
    BlockFactory(blocker=blocked, blocked=viewer)
    MuteFactory(muter=viewer, muted=muted)
    for author in (gone, blocked, muted):
        PostFactory(author=author)
    assert ids(public_timeline(viewer)) == []
    assert len(public_timeline(None)) == 2


# hashtag


def test_hashtag_timeline_shows_public_published_posts_with_the_tag(alice: User, bob: User) -> None:
    tagged = create_post(author=alice, text="about #Django")
    reply = create_post(author=bob, text="me too #django", in_reply_to=tagged)
    create_post(author=alice, text="#django quietly", visibility=Visibility.UNLISTED)
    create_post(author=alice, text="#django for friends", visibility=Visibility.FOLLOWERS)
    held = create_post(author=alice, text="#django held")
    Post.objects.filter(pk=held.pk).update(moderation_state=ModerationState.LIMITED)
    create_post(author=alice, text="about #python")
    repost(user=bob, post=tagged)
    assert ids(hashtag_timeline(None, "DJANGO")) == [reply.pk, tagged.pk]
    assert ids(hashtag_timeline(bob, "django")) == [reply.pk, tagged.pk]


def test_hashtag_timeline_of_unknown_tag_is_empty(db: None) -> None:
    page = hashtag_timeline(None, "nothing")
    assert ids(page) == []
    assert page.next_cursor is None


def test_umlaut_hashtag_timeline(alice: User) -> None:
    post = create_post(author=alice, text="#Größe zählt")
    assert ids(hashtag_timeline(None, "größe")) == [post.pk]


# profile


def test_profile_shows_posts_and_reposts_without_replies_to_others(alice: User, bob: User) -> None:
    top = PostFactory(author=alice)
    self_reply = PostFactory(author=alice, in_reply_to=top)
    reply_to_bob = PostFactory(author=alice, in_reply_to=PostFactory(author=bob))
    share = RepostFactory(author=alice, repost_of=PostFactory(author=bob))
    PostFactory(author=bob)
    assert ids(profile_timeline(None, alice)) == [share.pk, self_reply.pk, top.pk]
    assert ids(profile_timeline(None, alice, with_replies=True)) == [
        share.pk,
        reply_to_bob.pk,
        self_reply.pk,
        top.pk,
    ]


def test_profile_follows_the_visibility_rule(alice: User, bob: User, carol: User) -> None:
    FollowFactory(follower=bob, followee=alice)
    public = PostFactory(author=alice)
    followers_only = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    to_carol = PostFactory(author=alice, visibility=Visibility.MENTIONED, mentions=[carol])
    limited = PostFactory(author=alice, moderation_state=ModerationState.LIMITED)
    assert ids(profile_timeline(None, alice)) == [limited.pk, public.pk]
    assert ids(profile_timeline(bob, alice)) == [limited.pk, followers_only.pk, public.pk]
    assert ids(profile_timeline(carol, alice)) == [limited.pk, to_carol.pk, public.pk]


def test_profile_shows_held_and_removed_posts_to_their_author_only(alice: User, moderator: User) -> None:
    held = PostFactory(author=alice, moderation_state=ModerationState.HELD)
    removed = PostFactory(author=alice, moderation_state=ModerationState.REMOVED)
    assert ids(profile_timeline(alice, alice)) == [removed.pk, held.pk]
    assert ids(profile_timeline(moderator, alice)) == []
    assert ids(profile_timeline(None, alice)) == []


def test_profile_is_empty_for_blocked_viewer(alice: User, bob: User) -> None:
    PostFactory(author=alice)
    BlockFactory(blocker=alice, blocked=bob)
    assert ids(profile_timeline(bob, alice)) == []


# pagination


def walk(fetch: Callable[..., Page[Post]], limit: int) -> list[Post]:
    seen: list[Post] = []
    cursor = None
    while True:
        page = fetch(before=cursor, limit=limit)
        assert len(page) <= limit
        seen.extend(page)
        if page.next_cursor is None:
            return seen
        assert page.next_cursor == page.items[-1].pk
        cursor = page.next_cursor


def test_timelines_page_newest_first_without_duplicates_or_gaps(viewer: User, friend: User) -> None:
    made = [create_post(author=friend if n % 2 else viewer, text=f"post {n} #paging") for n in range(25)]
    expected = [post.pk for post in reversed(made)]
    fetches: list[Callable[..., Page[Post]]] = [
        lambda **kw: home_timeline(viewer, **kw),
        lambda **kw: public_timeline(None, **kw),
        lambda **kw: hashtag_timeline(None, "paging", **kw),
    ]
    for fetch in fetches:
        for limit in (1, 7, 20, 25, 30):
            assert ids(walk(fetch, limit)) == expected
    assert ids(walk(lambda **kw: profile_timeline(None, friend, **kw), 5)) == [
        post.pk for post in reversed(made) if post.author_id == friend.pk
    ]


def test_first_page_has_the_default_size_and_a_cursor(viewer: User) -> None:
    for n in range(21):
        PostFactory(author=viewer, text=f"p{n}")
    page = home_timeline(viewer)
    assert len(page) == 20
    assert page.next_cursor == page.items[-1].pk
    rest = home_timeline(viewer, before=page.next_cursor)
    assert len(rest) == 1
    assert rest.next_cursor is None


# query counts


def fill_busy_page(viewer: User, friend: User) -> None:
    """Twenty posts of every shape: plain, replies, reposts of replies, mentions, followers-only."""
    others = UserFactory.create_batch(3)
    stranger = UserFactory()
    for account in others:
        FollowFactory(follower=viewer, followee=account)
    for n in range(5):
        author = others[n % 3]
        root = PostFactory(author=author, mentions=[viewer, friend])
        PostFactory(author=friend, in_reply_to=root, mentions=[author])
        strangers_reply = PostFactory(author=stranger, in_reply_to=root, mentions=[author])
        RepostFactory(author=others[(n + 1) % 3], repost_of=strangers_reply)
        PostFactory(author=friend, visibility=Visibility.FOLLOWERS, mentions=others)


def fill_plain_page(viewer: User, friend: User) -> None:
    for _ in range(20):
        PostFactory(author=friend)


def tag_everything(tag: str) -> None:
    hashtag = Hashtag.objects.create(name=tag)
    PostHashtag.objects.bulk_create([PostHashtag(post=post, hashtag=hashtag) for post in Post.objects.all()])


@pytest.mark.parametrize("fill", [fill_plain_page, fill_busy_page])
@pytest.mark.parametrize("as_viewer", [True, False])
def test_a_page_costs_a_fixed_number_of_queries(
    viewer: User,
    friend: User,
    django_assert_max_num_queries: QueryLimit,
    fill: Callable[[User, User], None],
    as_viewer: bool,
    timeline_store: str,
) -> None:
    fill(viewer, friend)
    tag_everything("page")
    who = viewer if as_viewer else None
    fetches: dict[str, Callable[[], Page[Post]]] = {
        "profile": lambda: profile_timeline(who, friend, with_replies=True),
        "public": lambda: public_timeline(who),
        "hashtag": lambda: hashtag_timeline(who, "page"),
    }
    if as_viewer:
        fetches["home"] = lambda: home_timeline(viewer)
    if as_viewer:
        home_timeline(viewer)  # with Redis, the first read builds the viewer's list
    for name, fetch in fetches.items():
        # Each timeline reads a window of candidate ids first; the hashtag timeline looks its tag up too. The
        # home timeline reads the window's originals and their newest shares; from Redis, it checks the follow
        # graph, widely followed accounts and followed hashtags.
        extra = {"hashtag": 1, "home": 2 + (2 if timeline_store == "redis" else 0)}.get(name, 0)
        with django_assert_max_num_queries(PAGE_QUERIES + 1 + extra):
            page = fetch()
            render_cards(page, who)
        assert len(page) > 0, name
        if name == "home":
            assert len(page) == 20


def test_query_count_does_not_grow_with_page_length(viewer: User, friend: User) -> None:
    fill_busy_page(viewer, friend)
    home_timeline(viewer)  # with Redis, the first read builds the viewer's list
    counts = []
    for limit in (2, 8, 20):
        with CaptureQueriesContext(connection) as captured:
            page = home_timeline(viewer, limit=limit)
            render_cards(page, viewer)
        assert len(page) == limit
        counts.append(len(captured))
    assert len(set(counts)) == 1


@pytest.fixture
def followed_reposters(viewer: User) -> tuple[User, User]:
    reposters = (UserFactory(), UserFactory())
    for account in reposters:
        FollowFactory(follower=viewer, followee=account)
    return reposters


def test_home_shows_a_followed_authors_post_once_however_many_followed_accounts_repost_it(
    viewer: User, friend: User, followed_reposters: tuple[User, User]
) -> None:
    reposter_one, reposter_two = followed_reposters
    followed_original = PostFactory(author=friend, text="original by a friend")
    RepostFactory(author=reposter_one, repost_of=followed_original)
    strangers_post = PostFactory(author=UserFactory(), text="original by a stranger")
    RepostFactory(author=reposter_one, repost_of=strangers_post)
    newest_repost = RepostFactory(author=reposter_two, repost_of=strangers_post)

    items = home_timeline(viewer).items

    assert [post.pk for post in items if (post.repost_of_id or post.pk) == followed_original.pk] == [
        followed_original.pk
    ]
    assert [post.pk for post in items if post.repost_of_id == strangers_post.pk] == [newest_repost.pk]


def test_home_shows_a_reposted_post_once_across_pages_at_its_newest_repost_the_viewer_gets(
    viewer: User, friend: User, followed_reposters: tuple[User, User]
) -> None:
    reposter_one, reposter_two = followed_reposters
    strangers_post = PostFactory(author=UserFactory(), text="original by a stranger")
    older_repost = RepostFactory(author=reposter_one, repost_of=strangers_post)
    in_between = [PostFactory(author=friend, text=f"post {n}") for n in range(3)]
    newest_repost = RepostFactory(author=reposter_two, repost_of=strangers_post)

    def every_page(limit: int) -> list[Any]:
        return ids(walk(lambda **kw: home_timeline(viewer, **kw), limit))

    expected = [newest_repost.pk, *[post.pk for post in reversed(in_between)]]
    assert every_page(limit=1) == every_page(limit=20) == expected

    # When the newest reposter is muted, the older repost is the one the viewer gets.
    MuteFactory(muter=viewer, muted=reposter_two)
    assert every_page(limit=1) == [post.pk for post in reversed(in_between)] + [older_repost.pk]


def test_home_pages_through_long_stretches_of_posts_the_viewer_may_not_see(
    viewer: User, friend: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("agora.timelines.selectors.WINDOW", 5)
    monkeypatch.setattr("agora.timelines.selectors.MAX_WINDOWS", 3)
    stranger = UserFactory()
    oldest = PostFactory(author=friend, text="old but visible")
    for _ in range(40):
        # Replies to strangers stay off the home timeline: candidates that the rule then drops.
        PostFactory(author=friend, in_reply_to=PostFactory(author=stranger))
    newest = PostFactory(author=friend, text="new")

    first = home_timeline(viewer, limit=5)
    assert ids(first) == [newest.pk]
    assert first.next_cursor is not None
    seen = ids(first)
    cursor = first.next_cursor
    while cursor is not None:
        page = home_timeline(viewer, before=cursor, limit=5)
        seen += ids(page)
        cursor = page.next_cursor
    assert seen == [newest.pk, oldest.pk]
