"""Background work on timelines. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from agora.core.tasks import retried_task
from agora.timelines import services


@retried_task()
def fan_out_post(post_id: str) -> int:
    """Put a published post into its author's followers' Redis home timelines (nothing without Redis)."""
    return services.fan_out_post(post_id=post_id)
