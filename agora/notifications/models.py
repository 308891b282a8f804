"""Notifications: something happened that a person should know about."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel


class Notification(AgoraModel):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("followed you")
        FOLLOW_REQUEST = "follow_request", _("requested to follow you")
        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied to your post")
        REPOST = "repost", _("reposted your post")
        LIKE = "like", _("liked your post")
        # From the moderation team (agora/moderation): the actor is the recipient, the text is in the notice.
        MODERATION = "moderation", _("moderation notice")
        # The archive someone asked for is ready to download (agora/portability); the actor is the recipient.
        ARCHIVE = "archive", _("your archive is ready")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_read = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recent"),
            models.Index(fields=["recipient", "is_read"], name="notification_unread"),
        ]
        constraints = [
            # One notification per (kind, actor, post): liking, unliking and liking again does not spam.
            models.UniqueConstraint(
                fields=["recipient", "actor", "kind", "post"], name="unique_notification"
            ),
        ]
