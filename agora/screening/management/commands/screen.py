"""`agora screen`: screen texts (one per line on stdin, or `--tsv FILE` with a `text` column) and print one
JSON object per input, in order, for moderators testing policies and for the benchmarks."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.screening.services import screen


class Command(BaseCommand):
    stages = 2
    help = "Screen texts: stdin lines or --tsv FILE (a `text` column); writes JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tsv", type=Path, default=None, help="A tab-separated file with a `text` column."
        )
        parser.add_argument(
            "--fast",
            action="store_true",
            help="Stage 1 only (by default stage 2 re-scores what stage 1 flags).",
        )
        parser.add_argument("--batch", type=int, default=256, help="Texts screened per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        texts = self._read(options["tsv"]) if options["tsv"] else (line.rstrip("\n") for line in sys.stdin)
        batch: list[str] = []
        size = max(1, options["batch"])
        self.stages = 1 if options["fast"] else 2
        for text in texts:
            batch.append(text)
            if len(batch) >= size:
                self._emit(batch)
                batch = []
        if batch:
            self._emit(batch)

    def _emit(self, batch: list[str]) -> None:
        for result in screen(batch, stages=self.stages):
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _read(self, path: Path) -> list[str]:
        csv.field_size_limit(sys.maxsize)
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh, delimiter="\t")
                if not reader.fieldnames or "text" not in reader.fieldnames:
                    raise CommandError(f"{path} has no `text` column.")
                return [row["text"] or "" for row in reader]
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
