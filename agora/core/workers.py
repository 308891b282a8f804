"""Background workers (`agora worker`): run queued tasks, and make sure a killed worker loses nothing.

With the database backend (django-tasks-db), a worker marks a task running before it starts it; if the worker
dies (killed, out of memory, the machine lost), the row would stay "running" forever. So every worker, when it
starts and then every minute, puts such tasks back in the queue: on its own host, those of worker processes
that no longer exist (each worker id names its host and process); on any host, those running for longer than
AGORA_TASK_STALE_AFTER seconds. The task then runs again, to the same result, because tasks are idempotent.

With the Redis backend (RQ, through django-tasks-rq), RQ notices a dead worker's job once its timeout has
passed and marks it abandoned; the worker puts abandoned jobs back in their queue the same way.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

RECOVERY_INTERVAL_S = 60.0


def host_name() -> str:
    return socket.gethostname().replace(":", "-")[:40]


def new_worker_id() -> str:
    """Unique across the pool, and tells which host and process runs it (at most 64 characters)."""
    return f"{host_name()}:{os.getpid()}:{secrets.token_hex(4)}"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_is_gone(worker_id: str, *, started_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    if started_at is None or started_at < now - datetime.timedelta(seconds=settings.AGORA_TASK_STALE_AFTER):
        return True
    host, _sep, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    return host == host_name() and pid.isdigit() and not _process_exists(int(pid))


def requeue_abandoned_tasks() -> int:
    """Put tasks whose worker is gone back in the database queue; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    requeued = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        last_worker = result.worker_ids[-1] if result.worker_ids else ""
        if _worker_is_gone(last_worker, started_at=result.started_at, now=now):
            # Only if nobody else has requeued or finished it meanwhile.
            requeued += DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            ).update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        logger.warning("requeued %d task(s) whose worker had gone", requeued)
    return requeued


def requeue_abandoned_jobs(queue_names: list[str]) -> int:
    """RQ: move jobs of dead workers (past their timeout) back from the failed registry to their queue."""
    import django_rq
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    requeued = 0
    for name in queue_names:
        queue = django_rq.get_queue(name)
        StartedJobRegistry(queue=queue).cleanup()
        failed = FailedJobRegistry(queue=queue)
        for job_id in failed.get_job_ids():
            job = queue.fetch_job(job_id)
            result = job.latest_result() if job is not None else None
            if result is not None and "AbandonedJobError" in (result.exc_string or ""):
                failed.requeue(job_id)
                requeued += 1
    if requeued:
        logger.warning("requeued %d job(s) whose worker had gone", requeued)
    return requeued


def recover_periodically(recover: Callable[[], object], stop: threading.Event) -> threading.Thread:
    """Run `recover` every minute in a daemon thread until `stop` is set."""

    def loop() -> None:
        while not stop.wait(RECOVERY_INTERVAL_S):
            try:
                recover()
            except Exception:
                logger.exception("could not requeue abandoned tasks")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="agora-task-recovery", daemon=True)
    thread.start()
    return thread


def start_worker_process(concurrency: int) -> subprocess.Popen[bytes] | None:
    """For `agora serve`: run `agora worker` beside the web server, unless tasks run in the web processes
    (AGORA_TASKS=immediate) or no worker is wanted (0: the operator runs `agora worker` elsewhere).
    """
    if settings.AGORA_TASKS == "immediate":
        return None
    if concurrency < 1:
        logger.warning(
            "no task worker started: queued tasks wait until `agora worker` runs (AGORA_TASKS=%s)",
            settings.AGORA_TASKS,
        )
        return None
    return subprocess.Popen([sys.executable, "-m", "agora.cli", "worker", "--concurrency", str(concurrency)])


def stop_worker_process(process: subprocess.Popen[bytes] | None) -> None:
    """Let the worker finish its current task (SIGTERM), then end it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
