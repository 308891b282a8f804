"""Rule-bearing reads about accounts: who can be found, how two accounts stand, whose lists show whom."""

from __future__ import annotations

import pytest

from agora.accounts.models import User
from agora.accounts.selectors import (
    Relationship,
    blocked_either_way,
    followers_of,
    following_of,
    get_visible_account,
    pending_follow_requests,
    relationship_between,
)
from agora.accounts.tests.factories import (
    BlockFactory,
    FollowFactory,
    FollowRequestFactory,
    MuteFactory,
    UserFactory,
)
from agora.core.exceptions import NotFound


def test_account_is_found_by_username_without_regard_to_case(alice: User) -> None:
    assert get_visible_account(None, "ALICE") == alice


def test_missing_inactive_and_blocking_accounts_are_not_found(alice: User, bob: User, carol: User) -> None:
    with pytest.raises(NotFound):
        get_visible_account(None, "nobody")
    User.objects.filter(pk=carol.pk).update(is_active=False)
    with pytest.raises(NotFound):
        get_visible_account(None, "carol")
    BlockFactory(blocker=alice, blocked=bob)
    with pytest.raises(NotFound):
        get_visible_account(bob, "alice")
    with pytest.raises(NotFound):
        get_visible_account(alice, "bob")
    assert get_visible_account(None, "alice") == alice


def test_blocked_either_way_is_symmetric_and_false_for_anonymous(alice: User, bob: User) -> None:
    assert not blocked_either_way(alice, bob)
    BlockFactory(blocker=alice, blocked=bob)
    assert blocked_either_way(alice, bob)
    assert blocked_either_way(bob, alice)
    assert not blocked_either_way(None, alice)


def test_relationship_between_reports_every_link(alice: User, bob: User) -> None:
    assert relationship_between(None, alice) == Relationship()
    assert relationship_between(alice, alice) == Relationship(is_self=True)
    FollowFactory(follower=alice, followee=bob)
    FollowRequestFactory(requester=bob, target=alice)
    MuteFactory(muter=alice, muted=bob)
    assert relationship_between(alice, bob) == Relationship(following=True, requested_by=True, muting=True)
    assert relationship_between(bob, alice) == Relationship(followed_by=True, requested=True)
    BlockFactory(blocker=alice, blocked=bob)
    assert relationship_between(alice, bob).blocking


def test_follower_and_following_lists_leave_out_inactive_and_blocked_accounts(
    alice: User, bob: User, carol: User
) -> None:
    inactive = UserFactory(is_active=False)
    for account in (bob, carol, inactive):
        FollowFactory(follower=account, followee=alice)
        FollowFactory(follower=alice, followee=account)
    viewer = UserFactory()
    BlockFactory(blocker=viewer, blocked=bob)
    BlockFactory(blocker=carol, blocked=viewer)
    assert {f.follower.username for f in followers_of(None, alice)} == {"bob", "carol"}
    assert list(followers_of(viewer, alice)) == []
    assert {f.followee.username for f in following_of(None, alice)} == {"bob", "carol"}
    assert list(following_of(viewer, alice)) == []


def test_pending_requests_leave_out_inactive_requesters(alice: User, bob: User, carol: User) -> None:
    FollowRequestFactory(requester=bob, target=alice)
    FollowRequestFactory(requester=carol, target=alice)
    User.objects.filter(pk=carol.pk).update(is_active=False)
    assert [r.requester.username for r in pending_follow_requests(alice)] == ["bob"]
