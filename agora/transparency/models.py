"""What this app writes itself: the record of statements of reasons sent to the EU DSA Transparency Database.

Everything else it shows (dashboard, transparency report, moderation plan) is read from the moderation and
screening records; see `selectors.py`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from agora.core.models import AgoraModel


class SubmissionRun(AgoraModel):
    """One run of `agora moderation submit-sor`: how many statements it validated and sent, how it ended."""

    class Outcome(models.TextChoices):
        SUBMITTED = "submitted", "submitted"
        DRY_RUN = "dry_run", "dry run"
        PARTIAL = "partial", "partly submitted"
        FAILED = "failed", "failed"
        NOTHING = "nothing", "nothing to send"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    endpoint = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.NOTHING)
    validated = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Submission run {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"


class SubmittedStatement(AgoraModel):
    """A statement of reasons the Transparency Database accepted (201 Created); it is never sent again."""

    # Kept by puid as well: the record of the submission outlives the statement row.
    statement = models.OneToOneField(
        "moderation.StatementOfReasons",
        null=True,
        on_delete=models.SET_NULL,
        related_name="tdb_submission",
    )
    puid = models.CharField(max_length=500, unique=True)
    tdb_uuid = models.CharField(max_length=64, blank=True)
    run = models.ForeignKey(SubmissionRun, null=True, on_delete=models.SET_NULL, related_name="statements")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Submitted {self.puid}"
