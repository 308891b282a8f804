"""`agora purge_media`: delete uploads that were never posted (abandoned composers), files included."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from agora.media import services


class Command(BaseCommand):
    help = "Delete post uploads older than --hours that never became part of a post (run e.g. daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.purge_stale_uploads(older_than_hours=options["hours"])
        self.stdout.write(f"Deleted {deleted} unposted upload(s).")
