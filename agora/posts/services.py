"""Every change to posts: create, reply, edit (with history), delete (for real), repost, like.

Each service validates, writes in one transaction and schedules side effects after the commit: notifications
and fan-out to home timelines (only for published posts; a held post notifies no one and fans out nowhere
until it is published, see `post_published`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed, NotFound
from agora.media import services as media_services
from agora.notifications.models import Notification
from agora.notifications.tasks import deliver_notification, deliver_post_notifications
from agora.posts.models import (
    Hashtag,
    Like,
    Mention,
    ModerationState,
    Post,
    PostEdit,
    PostHashtag,
    Tombstone,
    Visibility,
)
from agora.posts.selectors import can_view_post
from agora.posts.text import parse_text
from agora.search import services as search_services
from agora.streaming import services as streaming_services
from agora.timelines.services import schedule_fan_out

REPOSTABLE_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)
# More would be a way to spam notifications; Mastodon has no cap, GoToSocial caps at 50 too.
MAX_MENTIONS = 50


def _clean_post_fields(
    *, text: str, spoiler_text: str, visibility: str, has_media: bool = False
) -> tuple[str, str]:
    text = text.replace("\r\n", "\n").strip()
    spoiler_text = spoiler_text.strip()
    errors: dict[str, list[str]] = {}
    if not text and not has_media:
        errors["text"] = [_("Write something first.")]
    elif len(text) > settings.AGORA_MAX_POST_CHARS:
        errors["text"] = [
            _("Posts can have at most %(limit)d characters; this one has %(count)d.")
            % {"limit": settings.AGORA_MAX_POST_CHARS, "count": len(text)}
        ]
    if len(spoiler_text) > 200:
        errors["spoiler_text"] = [_("A content warning can have at most 200 characters.")]
    if visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who can see this post.")]
    if "\x00" in text or "\x00" in spoiler_text:
        errors["text"] = [_("The text contains characters that cannot be stored.")]
    if errors:
        raise ValidationError(errors)
    return text, spoiler_text


def _link_mentions_and_hashtags(post: Post) -> list[uuid.UUID]:
    """Store the post's mentions and hashtags from its text; returns ids of accounts newly mentioned."""
    parsed = parse_text(post.text, settings.AGORA_DOMAIN)
    mentioned_users = list(
        User.objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=parsed.mentioned_usernames[:MAX_MENTIONS], is_active=True)
        .exclude(pk=post.author_id)
        .only("id")
    )
    before = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    after = {u.pk for u in mentioned_users}
    Mention.objects.filter(post=post).exclude(user_id__in=after).delete()
    Mention.objects.bulk_create(
        [Mention(post=post, user_id=user_id) for user_id in after - before], ignore_conflicts=True
    )
    PostHashtag.objects.filter(post=post).delete()
    if parsed.hashtags:
        Hashtag.objects.bulk_create([Hashtag(name=name) for name in parsed.hashtags], ignore_conflicts=True)
        tags = Hashtag.objects.filter(name__in=parsed.hashtags)
        PostHashtag.objects.bulk_create(
            [PostHashtag(post=post, hashtag=tag) for tag in tags], ignore_conflicts=True
        )
    return list(after - before)


def create_post(
    *,
    author: User,
    text: str,
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    in_reply_to: Post | None = None,
    language: str = "",
    media_ids: Sequence[uuid.UUID | str] = (),
) -> Post:
    """Publish a post or a reply, with the author's uploads `media_ids` attached in that order. Side effects
    after commit: notifications to mentioned accounts and to the author of the post replied to.
    """
    text, spoiler_text = _clean_post_fields(
        text=text, spoiler_text=spoiler_text, visibility=visibility, has_media=bool(media_ids)
    )
    from agora.moderation.selectors import ensure_may_post  # moderation imports posts: import here

    ensure_may_post(author)
    from agora.screening.services import record_post_screening, screen_post_text

    # Screened before anything is written: a hold must never be visible, or notify anyone, even briefly.
    screening = screen_post_text(
        text=text,
        spoiler_text=spoiler_text,
        language=language,
        author=author,
        media_ids=media_ids,
        new_post=True,
    )
    if in_reply_to is not None:
        if in_reply_to.repost_of_id is not None:
            in_reply_to = in_reply_to.repost_of
        assert in_reply_to is not None
        if not can_view_post(author, in_reply_to):
            raise NotFound(in_reply_to.pk)
    with transaction.atomic():
        post = Post(
            author=author,
            text=text,
            spoiler_text=spoiler_text,
            sensitive=sensitive or bool(spoiler_text),
            visibility=visibility,
            in_reply_to=in_reply_to,
            language=language[:8],
        )
        if screening is not None and screening.decision == "hold":
            post.moderation_state = ModerationState.HELD
        post.conversation_id = (in_reply_to.conversation_id or in_reply_to.pk) if in_reply_to else post.pk
        post.save()
        record_post_screening(post=post, result=screening)
        media_services.attach_media(post_id=post.pk, author=author, media_ids=media_ids)
        _link_mentions_and_hashtags(post)
        search_services.index_post(post=post)
        User.objects.filter(pk=author.pk).update(posts_count=F("posts_count") + 1)
        if in_reply_to is not None:
            Post.objects.filter(pk=in_reply_to.pk).update(replies_count=F("replies_count") + 1)
        if post.is_published:
            post_id = str(post.pk)
            transaction.on_commit(lambda: deliver_post_notifications.enqueue(post_id=post_id))
            schedule_fan_out(post_id=post.pk)
            transaction.on_commit(lambda: streaming_services.publish_post_created(post_id))
    return post


def edit_post(
    *, editor: User, post: Post, text: str, spoiler_text: str = "", sensitive: bool = False
) -> Post:
    """Change a post's text; the version it replaces goes to its edit history. Newly mentioned accounts are
    notified after commit.
    """
    if post.author_id != editor.pk:
        raise NotAllowed(_("Only the author can edit a post."))
    if post.repost_of_id is not None:
        raise NotAllowed(_("A repost cannot be edited."))
    text, spoiler_text = _clean_post_fields(text=text, spoiler_text=spoiler_text, visibility=post.visibility)
    from agora.screening.services import record_post_screening, screen_post_text

    screening = screen_post_text(
        text=text, spoiler_text=spoiler_text, language=post.language, author=editor, post=post
    )
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if (current.text, current.spoiler_text, current.sensitive) == (text, spoiler_text, sensitive):
            return current
        PostEdit.objects.create(
            post=current,
            text=current.text,
            spoiler_text=current.spoiler_text,
            sensitive=current.sensitive,
            created_at=current.edited_at or current.created_at,
        )
        current.text = text
        current.spoiler_text = spoiler_text
        current.sensitive = sensitive or bool(spoiler_text)
        current.edited_at = timezone.now()
        # An edit is screened again; a hold takes a published post back until a moderator decides.
        if screening is not None and screening.decision == "hold" and current.is_published:
            current.moderation_state = ModerationState.HELD
        current.save(update_fields=["text", "spoiler_text", "sensitive", "edited_at", "moderation_state"])
        record_post_screening(post=current, result=screening)
        newly_mentioned = _link_mentions_and_hashtags(current)
        search_services.index_post(post=current)
        if current.is_published and newly_mentioned:
            post_id = str(current.pk)
            recipients = [str(user_id) for user_id in newly_mentioned]
            transaction.on_commit(
                lambda: deliver_post_notifications.enqueue(post_id=post_id, only_recipient_ids=recipients)
            )
        edited_id = str(current.pk)
        transaction.on_commit(lambda: streaming_services.publish_post_edited(edited_id))
    return current


def delete_post(*, actor: User, post: Post) -> None:
    """Delete a post for real: the row, its likes, reposts, mentions and notifications go; its replies stay
    (detached); a tombstone with the id and time remains.
    """
    if post.author_id != actor.pk:
        raise NotAllowed(_("Only the author can delete a post."))
    with transaction.atomic():
        repost_ids = list(Post.objects.filter(repost_of=post).values_list("id", flat=True))
        Tombstone.record(Tombstone.Kind.POST, [post.pk, *repost_ids])
        media_services.delete_media_of_posts([post.pk])
        streaming_services.publish_post_deleted_on_commit(post)
        deleted, _by_model = Post.objects.filter(pk=post.pk).delete()
        if not deleted:
            return
        if post.repost_of_id is None:
            User.objects.filter(pk=post.author_id, posts_count__gt=0).update(posts_count=F("posts_count") - 1)
        else:
            Post.objects.filter(pk=post.repost_of_id, reposts_count__gt=0).update(
                reposts_count=F("reposts_count") - 1
            )
        if post.in_reply_to_id is not None:
            Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
                replies_count=F("replies_count") - 1
            )


def repost(*, user: User, post: Post) -> Post:
    """Share a public or unlisted post with one's followers. Reposting twice keeps one repost."""
    original = post.repost_of if post.repost_of_id is not None else post
    assert original is not None
    if not can_view_post(user, original):
        raise NotFound(original.pk)
    if original.visibility not in REPOSTABLE_VISIBILITIES or not original.is_published:
        raise NotAllowed(_("This post cannot be reposted."))
    try:
        with transaction.atomic():
            shared = Post.objects.create(
                author=user, repost_of=original, visibility=original.visibility, conversation_id=None
            )
            Post.objects.filter(pk=original.pk).update(reposts_count=F("reposts_count") + 1)
            schedule_fan_out(post_id=shared.pk)
            shared_id = str(shared.pk)
            transaction.on_commit(lambda: streaming_services.publish_post_created(shared_id))
            if original.author_id != user.pk:
                recipient_id, actor_id, post_id = str(original.author_id), str(user.pk), str(original.pk)
                transaction.on_commit(
                    lambda: deliver_notification.enqueue(
                        recipient_id=recipient_id,
                        actor_id=actor_id,
                        kind=Notification.Kind.REPOST,
                        post_id=post_id,
                    )
                )
    except IntegrityError:
        return Post.objects.get(author=user, repost_of=original)
    return shared


def undo_repost(*, user: User, post: Post) -> None:
    original_id = post.repost_of_id or post.pk
    with transaction.atomic():
        deleted, _by_model = Post.objects.filter(author=user, repost_of_id=original_id).delete()
        if deleted:
            Post.objects.filter(pk=original_id, reposts_count__gt=0).update(
                reposts_count=F("reposts_count") - 1
            )
            Notification.objects.filter(
                actor=user, kind=Notification.Kind.REPOST, post_id=original_id
            ).delete()


def like(*, user: User, post: Post) -> None:
    """Like a post the user may see. Liking twice is harmless."""
    original = post.repost_of if post.repost_of_id is not None else post
    assert original is not None
    if not can_view_post(user, original):
        raise NotFound(original.pk)
    with transaction.atomic():
        _row, created = Like.objects.get_or_create(user=user, post=original)
        if created:
            Post.objects.filter(pk=original.pk).update(likes_count=F("likes_count") + 1)
            if original.author_id != user.pk and original.is_published:
                recipient_id, actor_id, post_id = str(original.author_id), str(user.pk), str(original.pk)
                transaction.on_commit(
                    lambda: deliver_notification.enqueue(
                        recipient_id=recipient_id,
                        actor_id=actor_id,
                        kind=Notification.Kind.LIKE,
                        post_id=post_id,
                    )
                )


def unlike(*, user: User, post: Post) -> None:
    original_id = post.repost_of_id or post.pk
    with transaction.atomic():
        deleted, _by_model = Like.objects.filter(user=user, post_id=original_id).delete()
        if deleted:
            Post.objects.filter(pk=original_id, likes_count__gt=0).update(likes_count=F("likes_count") - 1)
            Notification.objects.filter(actor=user, kind=Notification.Kind.LIKE, post_id=original_id).delete()


def post_published(*, post: Post) -> None:
    """What a held post sets off once moderation publishes it, after commit: fan-out to home timelines."""
    if post.is_published:
        schedule_fan_out(post_id=post.pk)
        published_id = str(post.pk)
        transaction.on_commit(lambda: streaming_services.publish_post_created(published_id))
