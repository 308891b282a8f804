"""`agora search reindex`: rebuild the full-text index from the posts table.

Needed after rows were written without the services (`agora seed` does it at its end), after a restore, or to
recover from a damaged index. Posts created and edited through the services are indexed as they are written.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from agora.search.services import reindex_all_posts


class Command(BaseCommand):
    help = "Search index maintenance. `reindex`: rebuild the index of every post."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex"], help="What to do: reindex.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = reindex_all_posts()
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(f"Indexed {count} posts in {time.monotonic() - started:.1f} s.")
            )
