"""Streaming events on their way between processes when there is no Redis (see agora.streaming.broker)."""

from __future__ import annotations

from django.db import models


class StreamEvent(models.Model):
    """One event for some channels, kept a few minutes so that every process's relay can pick it up.

    Its integer id never leaves the server (it is not an API id); clients only ever see the event's payload.
    """

    id = models.BigAutoField(primary_key=True)
    channels = models.JSONField()
    message = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Stream event {self.pk} for {len(self.channels)} channel(s)"
