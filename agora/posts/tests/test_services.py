"""Creating, replying, editing, deleting, reposting and liking posts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from agora.accounts.models import User
from agora.accounts.services import block, follow
from agora.accounts.tests.factories import UserFactory
from agora.core.exceptions import NotAllowed, NotFound
from agora.notifications.models import Notification
from agora.posts.models import Hashtag, Like, ModerationState, Post, PostEdit, Tombstone, Visibility
from agora.posts.services import create_post, delete_post, edit_post, like, repost, undo_repost, unlike
from agora.posts.tests.factories import PostFactory

RunOnCommit = Callable[[], AbstractContextManager[Any]]


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def mentioned_usernames(post: Post) -> set[str]:
    return set(post.mentions.values_list("username", flat=True))


def hashtag_names(post: Post) -> set[str]:
    return set(post.hashtags.values_list("name", flat=True))


def notifications(kind: str | None = None) -> list[tuple[str, str, str]]:
    rows = Notification.objects.all() if kind is None else Notification.objects.filter(kind=kind)
    return sorted(rows.values_list("kind", "actor__username", "recipient__username"))


# create_post


def test_create_post_stores_the_post_and_counts_it(alice: User) -> None:
    post = create_post(author=alice, text="  Hello world\r\nsecond line  ", language="en-GB-x-long")
    post = fresh(post)
    assert post.text == "Hello world\nsecond line"
    assert post.visibility == Visibility.PUBLIC
    assert post.moderation_state == ModerationState.PUBLISHED
    assert post.language == "en-GB-x-"
    assert post.conversation_id == post.pk
    assert fresh(alice).posts_count == 1


def test_post_of_exactly_the_limit_is_accepted_counting_characters_not_bytes(alice: User) -> None:
    text = "ä" * 999 + "🙂"
    assert len(text.encode()) > 1000
    assert create_post(author=alice, text=text).text == text


@pytest.mark.parametrize("text", ["x" * 1001, "ü" * 1001, "🙂" * 1001])
def test_post_over_the_limit_is_rejected(alice: User, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        create_post(author=alice, text=text)
    assert set(caught.value.message_dict) == {"text"}
    assert "1001" in caught.value.message_dict["text"][0]
    assert not Post.objects.exists()
    assert fresh(alice).posts_count == 0


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t"])
def test_empty_post_is_rejected(alice: User, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        create_post(author=alice, text=text)
    assert set(caught.value.message_dict) == {"text"}


def test_post_with_nul_character_is_rejected(alice: User) -> None:
    with pytest.raises(ValidationError):
        create_post(author=alice, text="a\x00b")


def test_unknown_visibility_is_rejected(alice: User) -> None:
    with pytest.raises(ValidationError) as caught:
        create_post(author=alice, text="hi", visibility="everyone")
    assert set(caught.value.message_dict) == {"visibility"}


def test_content_warning_marks_post_sensitive_and_is_bounded(alice: User) -> None:
    assert create_post(author=alice, text="hi", spoiler_text="spoilers").sensitive is True
    with pytest.raises(ValidationError) as caught:
        create_post(author=alice, text="hi", spoiler_text="x" * 201)
    assert set(caught.value.message_dict) == {"spoiler_text"}


def test_mentions_and_hashtags_are_parsed_and_stored(alice: User, bob: User, carol: User) -> None:
    post = create_post(author=alice, text="Hi @bob and @CAROL and @nobody, see #Django #django #Größe")
    assert mentioned_usernames(post) == {"bob", "carol"}
    assert hashtag_names(post) == {"django", "größe"}
    assert set(Hashtag.objects.values_list("name", flat=True)) == {"django", "größe"}


def test_mentions_match_usernames_without_regard_to_case(alice: User) -> None:
    UserFactory(username="MixedCase")
    post = create_post(author=alice, text="hello @mixedcase")
    assert mentioned_usernames(post) == {"MixedCase"}


def test_mentioning_oneself_or_inactive_accounts_stores_no_mention(alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(is_active=False)
    post = create_post(author=alice, text="@alice @bob")
    assert mentioned_usernames(post) == set()


def test_reply_joins_the_conversation_and_is_counted(alice: User, bob: User, carol: User) -> None:
    root = create_post(author=alice, text="root")
    reply = create_post(author=bob, text="reply", in_reply_to=root)
    nested = create_post(author=carol, text="nested", in_reply_to=reply)
    assert reply.in_reply_to_id == root.pk
    assert reply.conversation_id == root.pk
    assert nested.conversation_id == root.pk
    assert fresh(root).replies_count == 1
    assert fresh(reply).replies_count == 1


def test_reply_to_a_repost_answers_the_original(alice: User, bob: User, carol: User) -> None:
    original = create_post(author=alice, text="original")
    shared = repost(user=bob, post=original)
    reply = create_post(author=carol, text="reply", in_reply_to=shared)
    assert reply.in_reply_to_id == original.pk
    assert fresh(original).replies_count == 1


@pytest.mark.parametrize(
    "hidden",
    [
        {"visibility": Visibility.FOLLOWERS},
        {"visibility": Visibility.MENTIONED},
        {"moderation_state": ModerationState.HELD},
        {"moderation_state": ModerationState.REMOVED},
    ],
)
def test_reply_to_a_post_the_author_may_not_see_is_not_found(
    alice: User, bob: User, hidden: dict[str, str]
) -> None:
    invisible = PostFactory(author=alice, **hidden)
    with pytest.raises(NotFound):
        create_post(author=bob, text="reply", in_reply_to=invisible)
    assert fresh(invisible).replies_count == 0
    assert not Post.objects.filter(author=bob).exists()


def test_reply_to_an_account_that_blocked_you_is_not_found(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="hi")
    block(blocker=alice, target=bob)
    with pytest.raises(NotFound):
        create_post(author=bob, text="reply", in_reply_to=post)


# edit_post


def test_edit_keeps_the_earlier_version_in_history(alice: User) -> None:
    post = create_post(author=alice, text="first")
    edit_post(editor=alice, post=post, text="second")
    edited = edit_post(editor=alice, post=post, text="third", spoiler_text="cw")
    assert edited.text == "third"
    assert edited.sensitive is True
    assert edited.edited_at is not None
    assert list(PostEdit.objects.filter(post=post).values_list("text", flat=True)) == ["first", "second"]


def test_edit_without_changes_writes_no_history(alice: User) -> None:
    post = create_post(author=alice, text="same")
    edit_post(editor=alice, post=post, text="same")
    assert not PostEdit.objects.exists()
    assert fresh(post).edited_at is None


def test_only_the_author_can_edit(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="mine")
    with pytest.raises(NotAllowed):
        edit_post(editor=bob, post=post, text="yours now")
    assert fresh(post).text == "mine"


def test_a_repost_cannot_be_edited(alice: User, bob: User) -> None:
    shared = repost(user=bob, post=create_post(author=alice, text="hi"))
    with pytest.raises(NotAllowed):
        edit_post(editor=bob, post=shared, text="changed")


def test_edit_is_validated_like_a_new_post(alice: User) -> None:
    post = create_post(author=alice, text="ok")
    with pytest.raises(ValidationError):
        edit_post(editor=alice, post=post, text="x" * 1001)
    assert fresh(post).text == "ok"


def test_edit_updates_mentions_and_hashtags(alice: User, bob: User, carol: User) -> None:
    post = create_post(author=alice, text="@bob #one")
    edit_post(editor=alice, post=post, text="@carol #two")
    assert mentioned_usernames(post) == {"carol"}
    assert hashtag_names(post) == {"two"}


def test_edit_notifies_newly_mentioned_accounts_once(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=alice, text="hi @bob")
    with run_on_commit():
        edit_post(editor=alice, post=post, text="hi @bob and @carol")
    with run_on_commit():
        edit_post(editor=alice, post=post, text="hi @bob and @carol!")
    with run_on_commit():
        edit_post(editor=alice, post=post, text="hi @bob")
    with run_on_commit():
        edit_post(editor=alice, post=post, text="hi @bob and @carol again")
    assert notifications() == [("mention", "alice", "bob"), ("mention", "alice", "carol")]


# delete_post


def test_delete_post_removes_the_row_and_leaves_a_tombstone(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="bye #gone @bob")
    like(user=bob, post=post)
    shared = repost(user=bob, post=post)
    delete_post(actor=alice, post=post)
    assert not Post.objects.filter(pk__in=[post.pk, shared.pk]).exists()
    assert not Like.objects.exists()
    assert set(Tombstone.objects.values_list("id", flat=True)) == {post.pk, shared.pk}
    assert fresh(alice).posts_count == 0


def test_delete_post_keeps_replies_detached_in_their_conversation(alice: User, bob: User) -> None:
    root = create_post(author=alice, text="root")
    reply = create_post(author=bob, text="reply", in_reply_to=root)
    delete_post(actor=alice, post=root)
    reply = fresh(reply)
    assert reply.in_reply_to_id is None
    assert reply.conversation_id == root.pk


def test_deleting_a_reply_updates_the_parents_count(alice: User, bob: User) -> None:
    root = create_post(author=alice, text="root")
    reply = create_post(author=bob, text="reply", in_reply_to=root)
    delete_post(actor=bob, post=reply)
    assert fresh(root).replies_count == 0
    assert fresh(bob).posts_count == 0


def test_deleting_a_repost_updates_the_originals_count(alice: User, bob: User) -> None:
    original = create_post(author=alice, text="hi")
    shared = repost(user=bob, post=original)
    delete_post(actor=bob, post=shared)
    assert fresh(original).reposts_count == 0
    assert fresh(bob).posts_count == 0


def test_only_the_author_can_delete(alice: User, bob: User, moderator: User) -> None:
    post = create_post(author=alice, text="mine")
    for other in (bob, moderator):
        with pytest.raises(NotAllowed):
            delete_post(actor=other, post=post)
    assert Post.objects.filter(pk=post.pk).exists()


def test_deleting_twice_is_harmless(alice: User) -> None:
    post = create_post(author=alice, text="once")
    delete_post(actor=alice, post=post)
    delete_post(actor=alice, post=post)
    assert fresh(alice).posts_count == 0


def test_notifications_about_a_deleted_post_vanish(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():
        post = create_post(author=alice, text="hi @bob")
    with run_on_commit():
        like(user=bob, post=post)
    assert len(notifications()) == 2
    delete_post(actor=alice, post=post)
    assert notifications() == []


# repost


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_public_and_unlisted_posts_can_be_reposted(alice: User, bob: User, visibility: str) -> None:
    original = create_post(author=alice, text="share me", visibility=visibility)
    shared = repost(user=bob, post=original)
    assert shared.repost_of_id == original.pk
    assert shared.visibility == visibility
    assert shared.text == ""
    assert shared.conversation_id is None
    assert fresh(original).reposts_count == 1
    assert fresh(bob).posts_count == 0


@pytest.mark.parametrize("visibility", [Visibility.FOLLOWERS, Visibility.MENTIONED])
def test_followers_only_and_mentioned_only_posts_cannot_be_reposted(
    alice: User, bob: User, visibility: str
) -> None:
    follow(follower=bob, target=alice)
    original = create_post(author=alice, text="@bob private", visibility=visibility)
    with pytest.raises(NotAllowed):
        repost(user=bob, post=original)
    assert fresh(original).reposts_count == 0


def test_limited_post_cannot_be_reposted(alice: User, bob: User) -> None:
    original = PostFactory(author=alice, moderation_state=ModerationState.LIMITED)
    with pytest.raises(NotAllowed):
        repost(user=bob, post=original)


def test_reposting_an_invisible_post_is_not_found(alice: User, bob: User) -> None:
    original = PostFactory(author=alice, visibility=Visibility.FOLLOWERS)
    with pytest.raises(NotFound):
        repost(user=bob, post=original)


def test_reposting_twice_keeps_one_repost(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    original = create_post(author=alice, text="share me")
    with run_on_commit():
        first = repost(user=bob, post=original)
    with run_on_commit():
        second = repost(user=bob, post=original)
    assert first.pk == second.pk
    assert Post.objects.filter(repost_of=original).count() == 1
    assert fresh(original).reposts_count == 1
    assert notifications() == [("repost", "bob", "alice")]


def test_reposting_a_repost_shares_the_original(alice: User, bob: User, carol: User) -> None:
    original = create_post(author=alice, text="share me")
    shared = repost(user=bob, post=original)
    again = repost(user=carol, post=shared)
    assert again.repost_of_id == original.pk
    assert fresh(original).reposts_count == 2


def test_reposting_ones_own_post_notifies_no_one(alice: User, run_on_commit: RunOnCommit) -> None:
    with run_on_commit():
        repost(user=alice, post=create_post(author=alice, text="me"))
    assert notifications() == []


def test_undo_repost_removes_it_and_its_notification(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    original = create_post(author=alice, text="share me")
    with run_on_commit():
        repost(user=bob, post=original)
    undo_repost(user=bob, post=original)
    undo_repost(user=bob, post=original)
    assert not Post.objects.filter(repost_of=original).exists()
    assert fresh(original).reposts_count == 0
    assert notifications() == []


# like, unlike


def test_like_counts_once_and_notifies_once(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    post = create_post(author=alice, text="like me")
    with run_on_commit():
        like(user=bob, post=post)
    with run_on_commit():
        like(user=bob, post=post)
    assert Like.objects.filter(user=bob, post=post).count() == 1
    assert fresh(post).likes_count == 1
    assert notifications() == [("like", "bob", "alice")]


def test_liking_a_repost_likes_the_original(alice: User, bob: User, carol: User) -> None:
    original = create_post(author=alice, text="hi")
    shared = repost(user=bob, post=original)
    like(user=carol, post=shared)
    assert fresh(original).likes_count == 1
    assert fresh(shared).likes_count == 0


def test_unlike_removes_the_like_count_and_notification(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    post = create_post(author=alice, text="like me")
    with run_on_commit():
        like(user=bob, post=post)
    unlike(user=bob, post=post)
    unlike(user=bob, post=post)
    assert not Like.objects.exists()
    assert fresh(post).likes_count == 0
    assert notifications() == []


@pytest.mark.parametrize(
    "hidden",
    [
        {"visibility": Visibility.FOLLOWERS},
        {"visibility": Visibility.MENTIONED},
        {"moderation_state": ModerationState.HELD},
        {"moderation_state": ModerationState.REMOVED},
    ],
)
def test_liking_a_post_one_may_not_see_is_not_found(alice: User, bob: User, hidden: dict[str, str]) -> None:
    post = PostFactory(author=alice, **hidden)
    with pytest.raises(NotFound):
        like(user=bob, post=post)
    assert not Like.objects.exists()


def test_liking_a_post_of_a_blocker_is_not_found(alice: User, bob: User) -> None:
    post = create_post(author=alice, text="hi")
    block(blocker=alice, target=bob)
    with pytest.raises(NotFound):
        like(user=bob, post=post)


def test_liking_ones_own_post_notifies_no_one(alice: User, run_on_commit: RunOnCommit) -> None:
    with run_on_commit():
        like(user=alice, post=create_post(author=alice, text="me"))
    assert notifications() == []
