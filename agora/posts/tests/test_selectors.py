"""The one visibility rule: who may see which post, by visibility, moderation state, graph and role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from agora.accounts.models import User
from agora.accounts.tests.factories import BlockFactory, FollowFactory, FollowRequestFactory, UserFactory
from agora.core.exceptions import NotFound
from agora.posts.models import ModerationState, Post, Visibility
from agora.posts.selectors import (
    can_view_post,
    edit_history,
    get_visible_post,
    visible_ancestors,
    visible_descendants,
    visible_posts_for,
)
from agora.posts.tests.factories import PostFactory, RepostFactory

ALL_VISIBILITIES = set(Visibility)
ALL_STATES = set(ModerationState)
OPEN = {Visibility.PUBLIC, Visibility.UNLISTED}
LINK_REACHABLE = {ModerationState.PUBLISHED, ModerationState.LIMITED}

# The rule as a table: the visibilities each kind of viewer may see when moderation leaves the post alone ...
AUDIENCE = {
    "anonymous": OPEN,
    "author": ALL_VISIBILITIES,
    "follower": OPEN | {Visibility.FOLLOWERS},
    "non_follower": OPEN,
    "pending_follow_request": OPEN,
    "mentioned": ALL_VISIBILITIES,
    "blocked_by_author": set(),
    "blocking_author": set(),
    "moderator": OPEN,
}
# ... and which moderation states each may see (held and removed: only the author and moderators).
MODERATION = {
    "anonymous": LINK_REACHABLE,
    "author": ALL_STATES,
    "follower": LINK_REACHABLE,
    "non_follower": LINK_REACHABLE,
    "pending_follow_request": LINK_REACHABLE,
    "mentioned": LINK_REACHABLE,
    "blocked_by_author": LINK_REACHABLE,
    "blocking_author": LINK_REACHABLE,
    "moderator": ALL_STATES,
}


@dataclass
class Scene:
    author: User
    viewers: dict[str, User | None]


def make_scene(post_kwargs: dict[str, object] | None = None) -> tuple[Scene, Post]:
    author = UserFactory(username="author", is_locked=True)
    follower = UserFactory(username="follower")
    FollowFactory(follower=follower, followee=author)
    mentioned = UserFactory(username="mentioned")
    requester = UserFactory(username="requester")
    FollowRequestFactory(requester=requester, target=author)
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=author, blocked=blocked)
    blocker = UserFactory(username="blocker")
    BlockFactory(blocker=blocker, blocked=author)
    # A blocked follower: the block wins over the follow (the service would have removed it anyway).
    FollowFactory(follower=blocked, followee=author)
    viewers: dict[str, User | None] = {
        "anonymous": None,
        "author": author,
        "follower": follower,
        "non_follower": UserFactory(username="stranger"),
        "pending_follow_request": requester,
        "mentioned": mentioned,
        "blocked_by_author": blocked,
        "blocking_author": blocker,
        "moderator": UserFactory(username="mod", role=User.Role.MODERATOR),
    }
    post = PostFactory(author=author, mentions=[mentioned], **(post_kwargs or {}))
    return Scene(author=author, viewers=viewers), post


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(ModerationState))
@pytest.mark.parametrize("visibility", list(Visibility))
def test_visibility_rule_for_every_viewer(visibility: Visibility, state: ModerationState) -> None:
    scene, post = make_scene({"visibility": visibility, "moderation_state": state})
    for name, viewer in scene.viewers.items():
        expected = visibility in AUDIENCE[name] and state in MODERATION[name]
        assert can_view_post(viewer, post) is expected, name
        assert visible_posts_for(viewer).filter(pk=post.pk).exists() is expected, name
        if expected:
            assert get_visible_post(viewer, post.pk) == post
            assert get_visible_post(viewer, str(post.pk)) == post
        else:
            with pytest.raises(NotFound):
                get_visible_post(viewer, post.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(ModerationState))
# Only public and unlisted posts can be reposted; moderation may act on the original afterwards.
@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_repost_is_visible_exactly_when_its_original_is(
    visibility: Visibility, state: ModerationState
) -> None:
    scene, original = make_scene({"visibility": visibility, "moderation_state": state})
    sharer = UserFactory(username="sharer")
    repost = RepostFactory(author=sharer, repost_of=original)
    for name, viewer in scene.viewers.items():
        expected = visibility in AUDIENCE[name] and state in MODERATION[name]
        assert can_view_post(viewer, repost) is expected, name
        assert visible_posts_for(viewer).filter(pk=repost.pk).exists() is expected, name


def test_followers_only_post_is_hidden_from_logged_out_visitor(alice: User) -> None:
    post = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    assert not can_view_post(None, post)
    with pytest.raises(NotFound):
        get_visible_post(None, post.pk)


def test_followers_only_post_is_shown_to_follower(alice: User, bob: User) -> None:
    FollowFactory(follower=bob, followee=alice)
    post = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    assert get_visible_post(bob, post.pk) == post


def test_pending_follow_request_does_not_open_followers_only_posts(alice: User, bob: User) -> None:
    FollowRequestFactory(requester=bob, target=alice)
    post = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    assert not can_view_post(bob, post)


def test_mentioned_only_post_is_hidden_from_followers_who_are_not_mentioned(alice: User, bob: User) -> None:
    FollowFactory(follower=bob, followee=alice)
    post = PostFactory(author=alice, visibility=Visibility.MENTIONED)
    assert not can_view_post(bob, post)


def test_held_post_is_seen_by_its_author_and_moderators_only(alice: User, bob: User, moderator: User) -> None:
    post = PostFactory(author=alice, moderation_state=ModerationState.HELD)
    assert can_view_post(alice, post)
    assert can_view_post(moderator, post)
    assert not can_view_post(bob, post)
    assert not can_view_post(None, post)


def test_limited_post_stays_reachable_by_link(alice: User, bob: User) -> None:
    post = PostFactory(author=alice, moderation_state=ModerationState.LIMITED)
    assert can_view_post(bob, post)
    assert can_view_post(None, post)


def test_moderator_role_does_not_open_followers_only_posts(alice: User, moderator: User) -> None:
    post = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    assert not can_view_post(moderator, post)


def test_admin_and_superuser_count_as_moderators(alice: User) -> None:
    post = PostFactory(author=alice, moderation_state=ModerationState.REMOVED)
    assert can_view_post(UserFactory(role=User.Role.ADMIN), post)
    assert can_view_post(UserFactory(is_superuser=True), post)


def test_posts_of_inactive_authors_are_hidden_from_everyone(alice: User, moderator: User) -> None:
    post = PostFactory(author=alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert not can_view_post(None, post)
    assert not can_view_post(moderator, post)
    assert not visible_posts_for(UserFactory()).filter(pk=post.pk).exists()


def test_repost_of_post_by_inactive_author_is_hidden(alice: User, bob: User, carol: User) -> None:
    repost = RepostFactory(author=bob, repost_of=PostFactory(author=alice))
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert not can_view_post(carol, repost)


def test_repost_of_post_whose_author_blocked_the_viewer_is_hidden(
    alice: User, bob: User, carol: User
) -> None:
    repost = RepostFactory(author=bob, repost_of=PostFactory(author=alice))
    BlockFactory(blocker=alice, blocked=carol)
    assert not can_view_post(carol, repost)
    assert can_view_post(bob, repost)


def test_repost_by_blocked_account_is_hidden(alice: User, bob: User, carol: User) -> None:
    repost = RepostFactory(author=bob, repost_of=PostFactory(author=alice))
    BlockFactory(blocker=carol, blocked=bob)
    assert not can_view_post(carol, repost)


def test_repost_of_post_held_after_sharing_is_hidden_from_others(alice: User, bob: User, carol: User) -> None:
    original = PostFactory(author=alice)
    repost = RepostFactory(author=bob, repost_of=original)
    Post.objects.filter(pk=original.pk).update(moderation_state=ModerationState.HELD)
    assert not can_view_post(carol, repost)
    assert not can_view_post(bob, repost)


def test_visible_posts_for_filters_a_queryset(alice: User, bob: User) -> None:
    public = PostFactory(author=alice)
    PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    PostFactory(author=alice, moderation_state=ModerationState.REMOVED)
    assert list(visible_posts_for(bob, Post.objects.filter(author=alice))) == [public]


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not-an-id",
        "123",
        "0" * 33,
        "../../etc/passwd",
        "<script>",
        "00000000-0000-0000-0000-00000000000g",
    ],
)
def test_get_visible_post_raises_not_found_for_malformed_ids(alice: User, malformed: str) -> None:
    with pytest.raises(NotFound):
        get_visible_post(alice, malformed)


def test_get_visible_post_raises_not_found_for_unknown_id(alice: User) -> None:
    with pytest.raises(NotFound):
        get_visible_post(alice, uuid.uuid4())


def test_hidden_post_and_missing_post_raise_the_same_error(alice: User, bob: User) -> None:
    hidden = PostFactory(author=alice, visibility=Visibility.MENTIONED)
    with pytest.raises(NotFound) as for_hidden:
        get_visible_post(bob, hidden.pk)
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as for_missing:
        get_visible_post(bob, missing)
    assert type(for_hidden.value) is type(for_missing.value)
    assert str(for_hidden.value) == str(hidden.pk)


def test_get_visible_post_loads_viewer_flags(alice: User, bob: User) -> None:
    from agora.posts.tests.factories import LikeFactory

    post = PostFactory(author=alice)
    LikeFactory(user=bob, post=post)
    loaded = get_visible_post(bob, post.pk)
    assert loaded.viewer_liked is True
    assert loaded.viewer_reposted is False


def test_ancestors_stop_at_the_first_post_the_viewer_may_not_see(alice: User, bob: User, carol: User) -> None:
    root = PostFactory(author=alice)
    hidden = PostFactory(author=alice, in_reply_to=root, visibility=Visibility.FOLLOWERS)
    middle = PostFactory(author=bob, in_reply_to=hidden)
    leaf = PostFactory(author=bob, in_reply_to=middle)
    assert visible_ancestors(carol, leaf) == [middle]
    FollowFactory(follower=carol, followee=alice)
    assert visible_ancestors(carol, leaf) == [root, hidden, middle]


def test_ancestors_of_a_deep_thread_take_a_fixed_number_of_queries(
    alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    parent = PostFactory(author=alice)
    chain = [parent]
    for n in range(25):
        parent = PostFactory(author=bob if n % 2 else alice, in_reply_to=parent)
        chain.append(parent)
    leaf = PostFactory(author=bob, in_reply_to=parent)
    with django_assert_max_num_queries(12):
        ancestors = visible_ancestors(bob, leaf)
    assert ancestors == chain
    assert visible_ancestors(bob, leaf, limit=3) == chain[-3:]


def test_descendants_leave_out_branches_under_hidden_replies(alice: User, bob: User, carol: User) -> None:
    root = PostFactory(author=alice)
    visible_reply = PostFactory(author=bob, in_reply_to=root)
    nested = PostFactory(author=carol, in_reply_to=visible_reply)
    hidden_reply = PostFactory(author=bob, in_reply_to=root, visibility=Visibility.MENTIONED)
    PostFactory(author=carol, in_reply_to=hidden_reply)
    viewer = UserFactory()
    assert visible_descendants(viewer, root) == [(visible_reply, 1), (nested, 2)]


def test_edit_history_is_not_found_for_viewers_who_may_not_see_the_post(alice: User, bob: User) -> None:
    post = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    with pytest.raises(NotFound):
        edit_history(bob, post)
    assert edit_history(alice, post) == []
