"""`agora worker`: run background tasks from the queue AGORA_TASKS names (database or Redis)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.core import workers


class Command(BaseCommand):
    help = "Run background tasks (notifications, fan-out, media processing) from the task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.AGORA_TASK_WORKERS,
            help="Worker processes to run (default: AGORA_TASK_WORKERS, 1).",
        )
        parser.add_argument("--queue", default="default", help="Queues to take tasks from, comma-separated.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, then exit (database queue only)."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.AGORA_TASKS
        if backend == "immediate":
            raise CommandError(
                "AGORA_TASKS=immediate: tasks run in the web processes, there is no queue to work on."
            )
        queues = [name.strip() for name in options["queue"].split(",") if name.strip()]
        concurrency = max(1, options["concurrency"])
        if backend == "redis":
            self._run_rq(queues, concurrency, options)
        elif concurrency > 1:
            self._supervise(concurrency, options)
        else:
            self._run_database_worker(queues, options)

    def _run_database_worker(self, queues: list[str], options: dict[str, Any]) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        workers.requeue_abandoned_tasks()
        stop = threading.Event()
        workers.recover_periodically(workers.requeue_abandoned_tasks, stop)
        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=workers.new_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

    def _supervise(self, concurrency: int, options: dict[str, Any]) -> None:
        """Run `concurrency` single worker processes; restart any that dies (its task is requeued first)."""
        command = [sys.executable, "-m", "agora.cli", "worker", "--concurrency", "1"]
        command += ["--queue", options["queue"], "--interval", str(options["interval"])]
        if options["batch"]:
            command.append("--batch")
        children = [subprocess.Popen(command) for _ in range(concurrency)]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Agora: {concurrency} task workers running.")
        while children:
            time.sleep(0.5)
            for child in list(children):
                code = child.poll()
                if code is None:
                    continue
                children.remove(child)
                if stopping or (options["batch"] and code == 0):
                    continue
                self.stderr.write(f"Task worker {child.pid} exited ({code}); starting another.")
                workers.requeue_abandoned_tasks()
                children.append(subprocess.Popen(command))

    def _run_rq(self, queues: list[str], concurrency: int, options: dict[str, Any]) -> None:
        workers.requeue_abandoned_jobs(queues)
        stop = threading.Event()
        workers.recover_periodically(lambda: workers.requeue_abandoned_jobs(queues), stop)
        try:
            # django-tasks-rq's job class runs the task and records its result.
            job_class = "django_tasks_rq.backend.Job"
            if concurrency > 1:
                call_command(
                    "rqworker-pool",
                    *queues,
                    num_workers=concurrency,
                    burst=options["batch"],
                    job_class=job_class,
                    with_scheduler=True,
                )
            else:
                call_command(
                    "rqworker", *queues, with_scheduler=True, burst=options["batch"], job_class=job_class
                )
        finally:
            stop.set()
