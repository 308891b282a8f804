"""Sign-up, profile, password, follows and requests, blocks, mutes and account deletion."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

import agora.settings
from agora.accounts.models import Block, Follow, FollowRequest, Mute, User
from agora.accounts.services import (
    approve_follow_request,
    block,
    change_password,
    clean_profile_fields,
    delete_account,
    follow,
    is_web_link,
    mute,
    recount_follow_counters,
    recount_post_counters,
    register_user,
    reject_follow_request,
    remove_follower,
    unblock,
    unfollow,
    unmute,
    update_profile,
)
from agora.accounts.tests.factories import DEFAULT_PASSWORD, FollowFactory, FollowRequestFactory
from agora.core.exceptions import NotAllowed, NotFound
from agora.notifications.models import Notification
from agora.posts.models import Like, Mention, Post, Tombstone
from agora.posts.services import create_post, like, repost

RunOnCommit = Callable[[], AbstractContextManager[Any]]
GOOD_PASSWORD = "plum-lantern-quietly-42"


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def sign_up(**overrides: Any) -> User:
    values: dict[str, Any] = {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password": GOOD_PASSWORD,
        "accepted_terms": True,
    }
    values.update(overrides)
    return register_user(**values)


def sign_up_errors(**overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        sign_up(**overrides)
    return caught.value.message_dict


# register_user


def test_register_user_creates_an_account_with_accepted_terms(db: None) -> None:
    user = sign_up(language="de")
    assert user.pk is not None
    assert user.check_password(GOOD_PASSWORD)
    assert user.terms_accepted_at is not None
    assert user.language == "de"
    assert user.role == User.Role.USER
    assert not user.is_staff


def test_register_user_hashes_passwords_with_argon2_by_default(settings: Any, db: None) -> None:
    # The autouse fixture swaps in MD5 for speed; the real configuration must put Argon2 first.
    assert agora.settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = agora.settings.PASSWORD_HASHERS
    user = sign_up()
    assert user.password.startswith("argon2$argon2id$")
    assert check_password(GOOD_PASSWORD, user.password)


@pytest.mark.parametrize("taken_as", ["alice", "Alice", "ALICE"])
def test_register_user_rejects_a_taken_username_without_regard_to_case(alice: User, taken_as: str) -> None:
    assert sign_up_errors(username=taken_as) == {"username": ["This username is taken."]}


@pytest.mark.parametrize("reserved", ["admin", "Admin", "support", "MODERATOR", "tags"])
def test_register_user_rejects_reserved_usernames(db: None, reserved: str) -> None:
    assert sign_up_errors(username=reserved) == {"username": ["This username is reserved."]}


def test_register_user_allows_reserved_username_when_the_operator_asks(db: None) -> None:
    assert sign_up(username="admin", allow_reserved_username=True).username == "admin"


@pytest.mark.parametrize("bad", ["al ice", "alice!", "ålice", "al-ice", "al.ice", "", "a" * 31, "<b>x</b>"])
def test_register_user_rejects_usernames_with_bad_characters_or_length(db: None, bad: str) -> None:
    errors = sign_up_errors(username=bad)
    assert set(errors) == {"username"}


@pytest.mark.parametrize("weak", ["short1", "password123", "12345678901", "newcomer1"])
def test_register_user_rejects_weak_passwords(db: None, weak: str) -> None:
    errors = sign_up_errors(password=weak)
    assert set(errors) == {"password"}
    assert errors["password"]


def test_register_user_requires_accepted_terms(db: None) -> None:
    assert set(sign_up_errors(accepted_terms=False)) == {"accepted_terms"}
    assert not User.objects.exists()


@pytest.mark.parametrize("taken_as", ["alice@example.org", "ALICE@example.org", "Alice@Example.ORG"])
def test_register_user_rejects_a_known_email_without_regard_to_case(alice: User, taken_as: str) -> None:
    assert sign_up_errors(email=taken_as) == {
        "email": ["An account with this e-mail address exists already."]
    }


def test_register_user_rejects_an_invalid_email(db: None) -> None:
    assert set(sign_up_errors(email="not an address")) == {"email"}


def test_register_user_reports_every_field_at_fault_at_once(alice: User) -> None:
    errors = sign_up_errors(username="ALICE", email="alice@example.org", password="123", accepted_terms=False)
    assert set(errors) == {"username", "email", "password", "accepted_terms"}


# update_profile


def test_update_profile_changes_the_given_fields(alice: User) -> None:
    update_profile(user=alice, display_name="Alice A.", bio="Hi", language="de")
    alice = fresh(alice)
    assert (alice.display_name, alice.bio, alice.language) == ("Alice A.", "Hi", "de")


def test_update_profile_refuses_fields_it_does_not_own(alice: User) -> None:
    with pytest.raises(ValueError):
        update_profile(user=alice, role=User.Role.ADMIN)
    assert fresh(alice).role == User.Role.USER


def test_update_profile_rejects_unknown_language(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        update_profile(user=alice, language="xx")
    assert set(caught.value.message_dict) == {"language"}


def test_update_profile_rejects_overlong_bio(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        update_profile(user=alice, bio="x" * 501)
    assert set(caught.value.message_dict) == {"bio"}


def test_update_profile_cleans_profile_fields(alice: User) -> None:
    update_profile(
        user=alice,
        profile_fields=[
            {"name": "  Site ", "value": " https://example.org "},
            {"name": "", "value": ""},
            {"name": "Pronouns", "value": "she/her"},
        ],
    )
    assert fresh(alice).profile_fields == [
        {"name": "Site", "value": "https://example.org"},
        {"name": "Pronouns", "value": "she/her"},
    ]


@pytest.mark.parametrize(
    "fields",
    [
        [{"name": "Label only", "value": ""}],
        [{"name": "", "value": "value only"}],
        [{"name": "x" * 51, "value": "v"}],
        [{"name": "n", "value": "v" * 201}],
        [{"name": f"n{i}", "value": "v"} for i in range(5)],
    ],
)
def test_clean_profile_fields_rejects_bad_links(fields: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_profile_fields(fields)
    assert set(caught.value.message_dict) == {"profile_fields"}


def test_is_web_link_accepts_only_http_and_https() -> None:
    assert is_web_link("https://example.org/me")
    assert not is_web_link("javascript:alert(1)")
    assert not is_web_link("ftp://example.org")
    assert not is_web_link("she/her")


def test_unlocking_an_account_approves_its_pending_follow_requests(
    alice: User, bob: User, carol: User
) -> None:
    alice = update_profile(user=alice, is_locked=True)
    assert follow(follower=bob, target=alice) == "requested"
    assert follow(follower=carol, target=alice) == "requested"
    update_profile(user=alice, is_locked=False)
    assert not FollowRequest.objects.exists()
    assert set(Follow.objects.filter(followee=alice).values_list("follower__username", flat=True)) == {
        "bob",
        "carol",
    }
    assert fresh(alice).followers_count == 2


def test_locking_an_account_keeps_existing_followers(alice: User, bob: User) -> None:
    follow(follower=bob, target=alice)
    update_profile(user=alice, is_locked=True)
    assert Follow.objects.filter(follower=bob, followee=alice).exists()


# change_password


def test_change_password_needs_the_current_password(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        change_password(user=alice, old_password="wrong", new_password=GOOD_PASSWORD)
    assert set(caught.value.message_dict) == {"old_password"}
    assert fresh(alice).check_password(DEFAULT_PASSWORD)


def test_change_password_rejects_a_weak_new_password(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        change_password(user=alice, old_password=DEFAULT_PASSWORD, new_password="12345678")
    assert set(caught.value.message_dict) == {"new_password"}


def test_change_password_sets_the_new_password(alice: User) -> None:
    change_password(user=alice, old_password=DEFAULT_PASSWORD, new_password=GOOD_PASSWORD)
    assert fresh(alice).check_password(GOOD_PASSWORD)
    assert not fresh(alice).check_password(DEFAULT_PASSWORD)


# follow, requests, unfollow


def test_follow_creates_the_link_and_counts_it(alice: User, bob: User) -> None:
    assert follow(follower=bob, target=alice) == "following"
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
    assert fresh(alice).followers_count == 1
    assert fresh(bob).following_count == 1


def test_following_twice_is_harmless(alice: User, bob: User) -> None:
    follow(follower=bob, target=alice)
    assert follow(follower=bob, target=alice) == "following"
    assert Follow.objects.count() == 1
    assert fresh(alice).followers_count == 1
    assert fresh(bob).following_count == 1


def test_following_a_locked_account_sends_a_request(alice: User, bob: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_locked=True)
    alice = fresh(alice)
    assert follow(follower=bob, target=alice) == "requested"
    assert follow(follower=bob, target=alice) == "requested"
    assert FollowRequest.objects.filter(requester=bob, target=alice).count() == 1
    assert not Follow.objects.exists()
    assert fresh(alice).followers_count == 0


def test_following_oneself_is_not_allowed(alice: User) -> None:
    with pytest.raises(NotAllowed):
        follow(follower=alice, target=alice)


@pytest.mark.parametrize("direction", ["target_blocked_follower", "follower_blocked_target"])
def test_following_across_a_block_is_not_found(alice: User, bob: User, direction: str) -> None:
    if direction == "target_blocked_follower":
        block(blocker=alice, target=bob)
    else:
        block(blocker=bob, target=alice)
    with pytest.raises(NotFound):
        follow(follower=bob, target=alice)
    assert not Follow.objects.exists()


def test_following_an_inactive_account_is_not_found(alice: User, bob: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    with pytest.raises(NotFound):
        follow(follower=bob, target=fresh(alice))


def test_approving_a_request_creates_the_follow(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    User.objects.filter(pk=alice.pk).update(is_locked=True)
    with run_on_commit():
        follow(follower=bob, target=fresh(alice))
    assert Notification.objects.filter(recipient=alice, kind=Notification.Kind.FOLLOW_REQUEST).exists()
    approve_follow_request(user=alice, requester=bob)
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.FOLLOW_REQUEST).exists()
    assert fresh(alice).followers_count == 1


def test_rejecting_a_request_creates_no_follow(alice: User, bob: User) -> None:
    FollowRequestFactory(requester=bob, target=alice)
    reject_follow_request(user=alice, requester=bob)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()


def test_approving_or_rejecting_a_missing_request_is_not_found(alice: User, bob: User) -> None:
    with pytest.raises(NotFound):
        approve_follow_request(user=alice, requester=bob)
    with pytest.raises(NotFound):
        reject_follow_request(user=alice, requester=bob)
    assert not Follow.objects.exists()


def test_unfollow_removes_the_link_and_counts_it(alice: User, bob: User) -> None:
    follow(follower=bob, target=alice)
    unfollow(follower=bob, target=alice)
    assert not Follow.objects.exists()
    assert fresh(alice).followers_count == 0
    assert fresh(bob).following_count == 0
    unfollow(follower=bob, target=alice)
    assert fresh(alice).followers_count == 0


def test_unfollow_withdraws_a_pending_request_and_its_notification(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    User.objects.filter(pk=alice.pk).update(is_locked=True)
    with run_on_commit():
        follow(follower=bob, target=fresh(alice))
    unfollow(follower=bob, target=alice)
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.exists()


def test_remove_follower_ends_their_follow(alice: User, bob: User) -> None:
    follow(follower=bob, target=alice)
    remove_follower(user=alice, follower=bob)
    assert not Follow.objects.exists()
    assert fresh(alice).followers_count == 0
    assert fresh(bob).following_count == 0


# block, mute


def test_block_ends_follows_both_ways_and_their_counters(alice: User, bob: User) -> None:
    follow(follower=alice, target=bob)
    follow(follower=bob, target=alice)
    block(blocker=alice, target=bob)
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Follow.objects.exists()
    for user in (fresh(alice), fresh(bob)):
        assert (user.followers_count, user.following_count) == (0, 0)


def test_block_ends_pending_requests_both_ways(alice: User, bob: User) -> None:
    FollowRequestFactory(requester=bob, target=alice)
    FollowRequestFactory(requester=alice, target=bob)
    block(blocker=alice, target=bob)
    assert not FollowRequest.objects.exists()


def test_block_deletes_notifications_between_the_two(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        follow(follower=alice, target=bob)
        follow(follower=bob, target=alice)
        follow(follower=carol, target=alice)
    assert Notification.objects.count() == 3
    block(blocker=alice, target=bob)
    assert list(Notification.objects.values_list("actor__username", "recipient__username")) == [
        ("carol", "alice")
    ]


def test_blocking_twice_is_harmless_and_unblock_lifts_it(alice: User, bob: User) -> None:
    block(blocker=alice, target=bob)
    block(blocker=alice, target=bob)
    assert Block.objects.count() == 1
    unblock(blocker=alice, target=bob)
    assert not Block.objects.exists()
    assert follow(follower=bob, target=alice) == "following"


def test_blocking_oneself_is_not_allowed(alice: User) -> None:
    with pytest.raises(NotAllowed):
        block(blocker=alice, target=alice)


def test_mute_is_recorded_once_and_keeps_follows(alice: User, bob: User) -> None:
    follow(follower=alice, target=bob)
    mute(muter=alice, target=bob)
    mute(muter=alice, target=bob)
    assert Mute.objects.filter(muter=alice, muted=bob).count() == 1
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    unmute(muter=alice, target=bob)
    assert not Mute.objects.exists()


def test_muting_oneself_is_not_allowed(alice: User) -> None:
    with pytest.raises(NotAllowed):
        mute(muter=alice, target=alice)


# delete_account


def test_delete_account_needs_the_password(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        delete_account(user=alice, password="wrong")
    assert set(caught.value.message_dict) == {"password"}
    assert User.objects.filter(pk=alice.pk).exists()


def test_delete_account_removes_everything_the_account_made(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        follow(follower=alice, target=bob)
        follow(follower=carol, target=alice)
        follow(follower=carol, target=bob)
        bobs_post = create_post(author=bob, text="hello @alice")
        alices_post = create_post(author=alice, text="mine @bob")
        alices_reply = create_post(author=alice, text="a reply", in_reply_to=bobs_post)
        like(user=alice, post=bobs_post)
        alices_repost = repost(user=alice, post=bobs_post)
        carols_reply = create_post(author=carol, text="reply to alice", in_reply_to=alices_post)
        carols_repost = repost(user=carol, post=alices_post)
        like(user=carol, post=alices_post)
    alice_id = alice.pk

    delete_account(user=alice, password=DEFAULT_PASSWORD)

    assert not User.objects.filter(pk=alice_id).exists()
    assert not Post.objects.filter(author_id=alice_id).exists()
    assert not Like.objects.filter(user_id=alice_id).exists()
    assert not Follow.objects.filter(follower_id=alice_id).exists()
    assert not Follow.objects.filter(followee_id=alice_id).exists()
    assert not Mention.objects.filter(user_id=alice_id).exists()
    assert not Notification.objects.filter(actor_id=alice_id).exists()
    assert not Notification.objects.filter(recipient_id=alice_id).exists()
    assert not Post.objects.filter(pk=carols_repost.pk).exists()
    # Others' replies stay, detached.
    assert Post.objects.get(pk=carols_reply.pk).in_reply_to_id is None
    # Tombstones for the account, its posts, and every repost that went with them.
    tombstones = dict(Tombstone.objects.values_list("id", "kind"))
    assert tombstones[alice_id] == Tombstone.Kind.ACCOUNT
    for name, gone in [
        ("alices_post", alices_post),
        ("alices_reply", alices_reply),
        ("alices_repost", alices_repost),
        ("carols_repost", carols_repost),
    ]:
        assert tombstones.get(gone.pk) == Tombstone.Kind.POST, name
    # Counters of the others are true again.
    bobs_post = Post.objects.get(pk=bobs_post.pk)
    assert (bobs_post.likes_count, bobs_post.reposts_count, bobs_post.replies_count) == (0, 0, 0)
    bob, carol = fresh(bob), fresh(carol)
    assert (bob.followers_count, bob.following_count, bob.posts_count) == (1, 0, 1)
    assert (carol.followers_count, carol.following_count, carol.posts_count) == (0, 1, 1)


def test_recount_counters_repairs_drifted_values(alice: User, bob: User) -> None:
    follow(follower=bob, target=alice)
    post = create_post(author=alice, text="hi")
    like(user=bob, post=post)
    User.objects.update(followers_count=9, following_count=9, posts_count=9)
    Post.objects.update(likes_count=9, replies_count=9, reposts_count=9)
    recount_follow_counters()
    recount_post_counters()
    alice, bob = fresh(alice), fresh(bob)
    assert (alice.followers_count, alice.following_count, alice.posts_count) == (1, 0, 1)
    assert (bob.followers_count, bob.following_count, bob.posts_count) == (0, 1, 0)
    post = Post.objects.get(pk=post.pk)
    assert (post.likes_count, post.replies_count, post.reposts_count) == (1, 0, 0)


def test_follow_factory_rows_match_service_shape(alice: User, bob: User) -> None:
    # Guards the factories other tests rely on: a factory follow is the same row the service writes.
    FollowFactory(follower=bob, followee=alice)
    assert follow(follower=bob, target=alice) == "following"
    assert Follow.objects.count() == 1
