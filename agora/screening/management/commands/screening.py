"""`agora screening train`: build the stage-1 screening model from the shared labelled data (see model.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Automated screening: `train` builds the stage-1 model from the labelled data sets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train the per-language TF-IDF model and calibrate thresholds.")
        train.add_argument(
            "--data", type=Path, default=None, help="The shared data folder (see data/README.md)."
        )
        train.add_argument(
            "--out", type=Path, default=None, help="Where to write the model (default: settings)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from agora.screening import model
        except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency, but may be stripped
            raise CommandError(f"Training needs scikit-learn: {exc}") from exc
        data = options["data"] or settings.AGORA_SCREENING_DATA_DIR
        if not (data / "eval" / "README.md").exists():
            raise CommandError(f"No labelled data at {data} (set AGORA_SCREENING_DATA_DIR or pass --data).")
        try:
            trained = model.train(data, options["out"], log=self.stdout.write)
        except ImportError as exc:
            raise CommandError(f"Training needs scikit-learn (uv sync): {exc}") from exc
        out = options["out"] or model.model_dir()
        self.stdout.write(json.dumps(trained.card["thresholds"]))
        self.stdout.write(self.style.SUCCESS(f"Wrote {model.MODEL_NAME}@{trained.version} to {out}"))
