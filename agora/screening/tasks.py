"""Background work of screening: stage 2 re-scores a post after commit. Takes ids; safe to run twice."""

from __future__ import annotations

from django_tasks import task

from agora.screening import services


@task()
def rescreen_post(post_id: str, screening_id: str) -> str:
    """Re-score one post with stage 2 and apply the combined decision (see services.run_stage2_for_post)."""
    return services.run_stage2_for_post(post_id=post_id, screening_id=screening_id)
