"""Taking one's data along: archive exports and imports of follows, blocks, mutes and bookmarks.

Both move through named states, one step at a time, in background tasks:
- `ArchiveExport`: queued → building → ready (downloadable until `expires_at`) | failed; ready → expired
  (the file is deleted).
- `ImportJob`: preview (parsed, waiting for the person to confirm) → queued → running → done | failed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel


class ArchiveExport(AgoraModel):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archives")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    # Name of the ZIP file in the private archive folder (AGORA_ARCHIVE_DIR); empty until ready.
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="archive_recent")]

    def __str__(self) -> str:
        return f"Archive {self.id} of {self.user_id} ({self.state})"


class ImportJob(AgoraModel):
    class Kind(models.TextChoices):
        FOLLOWING = "following", _("Follows")
        BLOCKS = "blocks", _("Blocks")
        MUTES = "mutes", _("Mutes")
        BOOKMARKS = "bookmarks", _("Bookmarks")

    class Mode(models.TextChoices):
        MERGE = "merge", _("Merge: keep what you have and add these")
        OVERWRITE = "overwrite", _("Overwrite: replace what you have with these")

    class State(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.MERGE)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PREVIEW)
    # The parsed rows: [{"target": "alice@example.org" or a post URL, "options": {...}}, ...]
    entries = models.JSONField(default=list)
    processed = models.PositiveIntegerField(default=0)
    # The report: {"done": [...], "not_found": [...], "failed": [{"target", "reason"}], "removed": n}
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="import_recent")]

    def __str__(self) -> str:
        return f"Import {self.kind} {self.id} of {self.user_id} ({self.state})"
