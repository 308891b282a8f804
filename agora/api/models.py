"""What the client API keeps beside the other apps' data: app registrations' Mastodon details, bookmarks,
pinned posts and read markers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings

from agora.core.models import AgoraModel


class AppDetails(models.Model):
    """What Mastodon's `POST /api/v1/apps` records beside the OAuth application: its scopes and website."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="agora_details",
    )
    scopes = models.CharField(max_length=1000, default="read")
    website = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Details of app {self.application_id}"


class Bookmark(AgoraModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_bookmark")]
        indexes = [models.Index(fields=["user", "-id"], name="bookmark_recent")]

    def __str__(self) -> str:
        return f"Bookmark of {self.post_id} by {self.user_id}"


class Pin(AgoraModel):
    """A post its author pinned to their profile (at most MAX_PINS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pins")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_pin")]

    def __str__(self) -> str:
        return f"Pin of {self.post_id} by {self.user_id}"


class Marker(models.Model):
    """Where a person stopped reading a timeline (home or notifications), shared between their apps."""

    class Timeline(models.TextChoices):
        HOME = "home"
        NOTIFICATIONS = "notifications"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers")
    timeline = models.CharField(max_length=16, choices=Timeline.choices)
    last_read_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "timeline"], name="unique_marker")]

    def __str__(self) -> str:
        return f"{self.timeline} marker of {self.user_id}"
