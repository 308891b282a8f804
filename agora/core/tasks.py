"""Background tasks that are retried with backoff when they fail.

`retried_task` is django-tasks' `@task()` plus retries: when the function raises, the same call is enqueued
again to run after a delay that doubles each time (AGORA_TASK_RETRY_DELAY, 2 s by default, with jitter) until
AGORA_TASK_ATTEMPTS tries in all have failed. Each failed try is recorded as a failed task result with its
traceback (the retry is a new result), and logged.
Neither django-tasks nor its database backend retries by itself. Tasks must be idempotent (they take ids and
load fresh rows), because a retried or re-run task (see agora/core/workers.py) may run twice.

With the immediate backend (no worker), retries happen at once, in the same process.
"""

from __future__ import annotations

import datetime
import functools
import logging
import random
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
ATTEMPT_ARGUMENT = "_attempt"


def retry_delay(attempt: int) -> float:
    """Seconds to wait before try `attempt + 1`: doubling from AGORA_TASK_RETRY_DELAY, +/- 20 % jitter."""
    base = float(settings.AGORA_TASK_RETRY_DELAY) * 2 ** (attempt - 1)
    return base * random.uniform(0.8, 1.2)  # spreading retries, not security


def retried_task(*, queue_name: str = "default", priority: int = 0) -> Callable[[Callable[P, T]], Task[P, T]]:
    def decorate(function: Callable[P, T]) -> Task[P, T]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> T:
            attempt = int(kwargs.pop(ATTEMPT_ARGUMENT, 1))
            try:
                return function(*args, **kwargs)
            except Exception as error:
                if attempt >= settings.AGORA_TASK_ATTEMPTS:
                    logger.error("task %s failed %d times, giving up", function.__qualname__, attempt)
                    raise
                later = background
                if later.get_backend().supports_defer:
                    run_after = timezone.now() + datetime.timedelta(seconds=retry_delay(attempt))
                    later = background.using(run_after=run_after)
                logger.warning(
                    "task %s failed (try %d of %d), retrying: %r",
                    function.__qualname__,
                    attempt,
                    settings.AGORA_TASK_ATTEMPTS,
                    error,
                )
                later.enqueue(*args, **{**kwargs, ATTEMPT_ARGUMENT: attempt + 1})
                raise  # this try is recorded as failed, with its traceback; the retry is queued

        background: Task[P, T] = task(queue_name=queue_name, priority=priority)(run)  # type: ignore[arg-type]
        return background

    return decorate
