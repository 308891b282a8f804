"""`agora restore FILE [--force]`: restore a backup into an empty instance (an instance with accounts or posts
only with --force, which replaces everything), then check every row count and checksum against its manifest.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agora.portability.backup import BackupError, restore_backup
from agora.portability.management.progress import ProgressBars


class Command(BaseCommand):
    help = "Restore a backup made by `agora backup` into an empty instance."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="replace an instance that is not empty")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        with ProgressBars(enabled=not options["no_progress"]) as bars:
            try:
                problems = restore_backup(path, force=options["force"], progress=bars.update)
            except BackupError as error:
                raise CommandError(str(error)) from error
        if problems:
            raise CommandError("Restored, but it does not match the manifest:\n" + "\n".join(problems))
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path}: every table's row count and every media checksum match.")
        )
