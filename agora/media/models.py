"""Uploaded media: one `MediaAttachment` per picture or video a person uploads, and the `MediaFile`s made from
it.

An attachment moves through named states: ``pending`` (accepted after a cheap check, waiting in the private
staging area) -> ``ready`` (decoded, re-encoded without metadata, derivatives stored) or ``failed`` (with a
reason the uploader can read). The uploaded bytes themselves are never kept: staging is deleted once
processing ends.

Every stored file has its own random key (>= 128 bits from the OS's CSPRNG), never derived from ids, names or
time, so knowing one file's URL says nothing about any other, not even another size of the same picture.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel

# 24 URL-safe base64 characters = 144 random bits.
KEY_BYTES = 18


def new_file_key() -> str:
    """A fresh storage key: random, URL-safe, unrelated to anything else."""
    return secrets.token_urlsafe(KEY_BYTES)


class MediaAttachment(AgoraModel):
    """A picture or video uploaded for a post, an avatar or a profile header."""

    class Purpose(models.TextChoices):
        POST = "post", _("Post attachment")
        AVATAR = "avatar", _("Avatar")
        HEADER = "header", _("Profile header")

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        ANIMATED = "animated", _("Animated image")
        VIDEO = "video", _("Video")

    class State(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="media_attachments"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.POST)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    error = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(_("description (alt text)"), max_length=1500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    # Name of the upload in the private staging area while it waits to be processed; empty afterwards.
    staging_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["post", "position"], name="media_post_position"),
            models.Index(fields=["owner", "purpose", "-created_at"], name="media_owner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    def file_of(self, variant: str) -> MediaFile | None:
        """The stored file of one variant (uses prefetched files when present)."""
        for media_file in self.files.all():
            if media_file.variant == variant:
                return media_file
        return None

    @property
    def main_file(self) -> MediaFile | None:
        return self.file_of(MediaFile.Variant.ORIGINAL)

    @property
    def preview_file(self) -> MediaFile | None:
        return (
            self.file_of(MediaFile.Variant.SMALL) or self.file_of(MediaFile.Variant.POSTER) or self.main_file
        )

    @property
    def image_files(self) -> list[MediaFile]:
        """Still-image variants, smallest first, for `srcset`."""
        variants: tuple[str, ...] = (MediaFile.Variant.SMALL, MediaFile.Variant.ORIGINAL)
        if self.kind == self.Kind.VIDEO:
            variants = (MediaFile.Variant.POSTER,)
        files = [f for f in self.files.all() if f.variant in variants]
        return sorted(files, key=lambda f: f.width or 0)

    @property
    def srcset(self) -> str:
        return ", ".join(f"{f.url} {f.width}w" for f in self.image_files if f.width)


class MediaFile(models.Model):
    """One stored object: the processed full-size file, a smaller size, or a video's poster frame."""

    class Variant(models.TextChoices):
        ORIGINAL = "original", _("Full size")
        SMALL = "small", _("Small")
        POSTER = "poster", _("Poster frame")

    key = models.CharField(max_length=64, unique=True, default=new_file_key, editable=False)
    attachment = models.ForeignKey(MediaAttachment, on_delete=models.CASCADE, related_name="files")
    variant = models.CharField(max_length=16, choices=Variant.choices)
    storage_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attachment", "variant"], name="unique_media_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.variant} of {self.attachment_id}"

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("media:file", kwargs={"key": self.key})
