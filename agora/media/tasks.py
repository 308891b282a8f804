"""Background work on media: processing an upload. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from agora.media import services


@task()
def process_media(media_id: str) -> str:
    """Decode and re-encode one upload; returns the state it ends in (ready, failed, or missing)."""
    return str(services.process_attachment(media_id=media_id))
