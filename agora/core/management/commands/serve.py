"""`agora serve`: bring the database up to date, then serve the site with gunicorn (not runserver)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply migrations, collect static files and serve Agora with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.AGORA_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.AGORA_WEB_THREADS)
        parser.add_argument(
            "--demo",
            action="store_true",
            help="On an empty database, seed a demo community and print its logins first.",
        )
        parser.add_argument("--demo-users", type=int, default=300)
        parser.add_argument("--demo-posts", type=int, default=4000)
        parser.add_argument("--no-migrate", action="store_true", help="Skip applying migrations.")
        parser.add_argument(
            "--task-workers",
            type=int,
            default=settings.AGORA_TASK_WORKERS,
            help="Task worker processes to run beside the server (0: run `agora worker` yourself).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            # The table for database-backed rate-limit counters (AGORA_RATELIMIT_CACHE=db); a no-op otherwise.
            call_command("createcachetable", verbosity=0)
        # Collected with hashed names in a child process, whatever storage this process started with; the
        # server uses them from the next start on (until then WhiteNoise serves the same files unhashed).
        subprocess.run(
            [sys.executable, "-m", "agora.cli", "collectstatic", "--noinput", "--verbosity", "0"],
            env={**os.environ, "AGORA_STATIC_MANIFEST": "1"},
            check=True,
        )
        if options["demo"]:
            call_command(
                "seed",
                users=options["demo_users"],
                posts=options["demo_posts"],
                demo=True,
                if_empty=True,
                verbosity=options["verbosity"],
            )
        from agora.core.server import run_gunicorn
        from agora.core.workers import start_worker_process, stop_worker_process

        # Queued tasks (notifications, fan-out, media) need a worker; one runs beside the server by default.
        task_workers = start_worker_process(options["task_workers"])
        self.stdout.write(f"Agora is serving at http://{options['host']}:{options['port']}/")
        try:
            run_gunicorn(
                bind=f"{options['host']}:{options['port']}",
                workers=options["workers"],
                threads=options["threads"],
            )
        finally:
            stop_worker_process(task_workers)
