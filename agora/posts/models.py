"""Posts and what hangs on them: mentions, hashtags, likes, edit history and tombstones of deleted posts."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel

if TYPE_CHECKING:
    from agora.accounts.models import User


class Visibility(models.TextChoices):
    """Who may see a post when all is well (moderation state aside)."""

    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    FOLLOWERS = "followers", _("Followers only")
    MENTIONED = "mentioned", _("Mentioned people only")


class ModerationState(models.TextChoices):
    """What moderation has done to a post."""

    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for review")
    LIMITED = "limited", _("Limited")
    REMOVED = "removed", _("Removed")


class Hashtag(AgoraModel):
    """A hashtag, stored once in lower case; posts keep the spelling their author used in the text."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class Post(AgoraModel):
    """A post, a reply (``in_reply_to``) or a repost (``repost_of``, with no text of its own)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=200, blank=True)
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    moderation_state = models.CharField(
        max_length=16, choices=ModerationState.choices, default=ModerationState.PUBLISHED
    )
    language = models.CharField(max_length=8, blank=True)
    # Replies and reposts are looked up through partial indexes (see Meta) that leave out the many NULLs: a
    # full index would invite SQLite's planner to walk "IS NULL" rows instead of the ids it was given.
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies", db_index=False
    )
    # The id of the thread's first post; kept when that post is deleted so the thread still holds together.
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    repost_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reposts", db_index=False
    )
    mentions: models.ManyToManyField[User, Mention] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="mentioned_in", blank=True
    )
    hashtags: models.ManyToManyField[Hashtag, PostHashtag] = models.ManyToManyField(
        Hashtag, through="PostHashtag", related_name="posts", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    replies_count = models.PositiveIntegerField(default=0)
    reposts_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"], name="post_author_recent"),
            models.Index(fields=["visibility", "moderation_state", "-id"], name="post_public_recent"),
            models.Index(
                fields=["in_reply_to", "id"],
                name="post_replies",
                condition=models.Q(in_reply_to__isnull=False),
            ),
            models.Index(
                fields=["repost_of"], name="post_reposts", condition=models.Q(repost_of__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "repost_of"],
                condition=models.Q(repost_of__isnull=False),
                name="unique_repost_per_author",
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.id} by {self.author_id}"

    @property
    def is_repost(self) -> bool:
        return self.repost_of_id is not None

    @property
    def is_published(self) -> bool:
        return self.moderation_state == ModerationState.PUBLISHED


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mention_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mention_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_mention")]
        indexes = [models.Index(fields=["user", "post"])]

    def __str__(self) -> str:
        return f"Mention of {self.user_id} in {self.post_id}"


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="hashtag_links")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="post_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "hashtag"], name="unique_post_hashtag")]
        indexes = [models.Index(fields=["hashtag", "-post"], name="hashtag_recent_posts")]

    def __str__(self) -> str:
        return f"#{self.hashtag_id} on {self.post_id}"


class Like(AgoraModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_like")]
        indexes = [models.Index(fields=["post", "-created_at"])]


class PostEdit(AgoraModel):
    """One earlier version of an edited post, as it read before the edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=200, blank=True)
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Version of {self.post_id} from {self.created_at:%Y-%m-%d %H:%M}"


class Tombstone(models.Model):
    """What remains of a deleted post or account: its id and when it went (for caches and federation)."""

    class Kind(models.TextChoices):
        POST = "post"
        ACCOUNT = "account"

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Deleted {self.kind} {self.id}"

    @classmethod
    def record(cls, kind: Kind, ids: list[uuid.UUID]) -> None:
        Tombstone.objects.bulk_create([Tombstone(id=i, kind=kind) for i in ids], ignore_conflicts=True)
