"""`agora screening train`: build both screening stages from the shared labelled data (see training.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Automated screening: `train` builds both stages from the labelled data sets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train both stages, calibrate thresholds, promote if not worse.")
        train.add_argument(
            "--data", type=Path, default=None, help="The shared data folder (see data/README.md)."
        )
        train.add_argument(
            "--out", type=Path, default=None, help="Where to write the model (default: settings)."
        )
        train.add_argument(
            "--include-decisions",
            action="store_true",
            help="Also train on moderators' decisions on held, reviewed and reported posts.",
        )
        train.add_argument("--no-stage2", action="store_true", help="Stage 1 only (no encoder needed).")
        train.add_argument(
            "--negatives",
            type=int,
            default=None,
            help="Negatives per language the stage-2 encoder embeds for training (default 2000).",
        )
        train.add_argument(
            "--force",
            action="store_true",
            help="Promote the new model even if it is worse than the current one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from agora.screening import training
        except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency, but may be stripped
            raise CommandError(f"Training needs scikit-learn: {exc}") from exc
        data = options["data"] or settings.AGORA_SCREENING_DATA_DIR
        if not (data / "eval" / "README.md").exists():
            raise CommandError(f"No labelled data at {data} (set AGORA_SCREENING_DATA_DIR or pass --data).")
        if options["negatives"] is not None and options["negatives"] < 1:
            raise CommandError("--negatives must be at least 1.")
        try:
            outcome = training.train(
                data,
                options["out"],
                include_decisions=options["include_decisions"],
                with_stage2=not options["no_stage2"],
                negatives=options["negatives"] or training.NEGATIVES,
                force=options["force"],
                log=self.stdout.write,
            )
        except ImportError as exc:
            raise CommandError(f"Training needs scikit-learn (uv sync): {exc}") from exc
        card = outcome.card
        self.stdout.write(json.dumps(card["thresholds"]))
        self.stdout.write(outcome.report)
        name = card["model"] + (f" + {card['stage2_model']}" if card["stage2_model"] else "")
        if outcome.promoted:
            self.stdout.write(self.style.SUCCESS(f"Promoted {name} in {outcome.directory} ({outcome.why})"))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept the current model; {name} is in {outcome.directory / 'challenger'} ({outcome.why})"
                )
            )
