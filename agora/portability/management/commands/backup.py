"""`agora backup FILE`: one consistent backup of the database and media while the server runs;
`agora backup --verify FILE`: check a backup against its manifest. See agora/portability/backup.py.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agora.portability.backup import BackupError, create_backup, verify_backup
from agora.portability.management.progress import ProgressBars


class Command(BaseCommand):
    help = "Back up the database and media into one file (or --verify one)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the backup file (.tar, or .tar.gz to compress)")
        parser.add_argument("--verify", action="store_true", help="check a backup instead of writing one")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        with ProgressBars(enabled=not options["no_progress"]) as bars:
            try:
                if options["verify"]:
                    problems = verify_backup(path, progress=bars.update)
                else:
                    result = create_backup(path, progress=bars.update)
            except BackupError as error:
                raise CommandError(str(error)) from error
        if options["verify"]:
            if problems:
                raise CommandError("The backup does not match its manifest:\n" + "\n".join(problems))
            self.stdout.write(self.style.SUCCESS(f"{path} is sound: it matches its manifest."))
            return
        manifest = result.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
                f"{len(manifest['media'])} media files to {path}."
            )
        )
        if manifest["media_missing"]:
            self.stdout.write(f"{len(manifest['media_missing'])} media file(s) were deleted while it ran.")
