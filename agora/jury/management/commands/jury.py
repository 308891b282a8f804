"""`agora jury ...`: the community jury's operator commands.

- `tick`: close juries whose time is up, draw juries for new cases and appeals (run from cron every minute
  or two, like `agora moderation lift-expired`).
- `refit`: fit the viewpoint model on the vote history now.
- `status`: the circuit breakers and the pool, as text.
- `add-gold --rule N --violates yes|no --text ... --explanation ...`: add a known-answer case.
- `simulate [--users N --cases M --splits 50/50,70/30,90/10 --seed S]`: the capture simulation. It runs on a
  throwaway in-memory SQLite database (migrated from scratch in a child process) so it can never touch this
  instance; `--in-place` runs it on the configured database instead, inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agora.jury import services, simulation
from agora.jury.models import CategoryBreaker, JurorProfile, ViewpointFit
from agora.moderation.models import Rule


def _splits(value: str) -> list[tuple[int, int]]:
    try:
        return simulation.parse_splits(value)
    except ValueError as error:
        raise ArgumentTypeError(str(error)) from error


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)


def _yes_no(value: str) -> bool:
    if value.lower() not in ("yes", "no"):
        raise ArgumentTypeError("yes or no")
    return value.lower() == "yes"


class Command(BaseCommand):
    help = "Community jury: tick, refit, status, add-gold, simulate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        commands.add_parser("tick", help="Close due juries; draw juries for new cases and appeals.")
        commands.add_parser("refit", help="Fit the viewpoint model on the vote history now.")
        commands.add_parser("status", help="Circuit breakers and the juror pool.")
        gold = commands.add_parser("add-gold", help="Add a known-answer case.")
        gold.add_argument("--rule", type=_positive, required=True, help="rule number")
        gold.add_argument("--violates", type=_yes_no, required=True, help="yes or no")
        gold.add_argument("--text", required=True)
        gold.add_argument("--explanation", required=True)
        sim = commands.add_parser("simulate", help="The capture simulation (prints one table per split).")
        sim.add_argument("--users", type=_positive, default=200)
        sim.add_argument("--cases", type=_positive, default=150)
        sim.add_argument("--splits", type=_splits, default=[(50, 50), (70, 30), (90, 10)])
        sim.add_argument("--seed", type=int, default=1)
        sim.add_argument("--partisan", type=float, default=simulation.Behaviour.partisan)
        sim.add_argument("--lazy", type=float, default=simulation.Behaviour.lazy)
        sim.add_argument(
            "--in-place",
            action="store_true",
            help="run on the configured database (inside a transaction that is rolled back)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options["subcommand"]
        if sub == "tick":
            result = services.tick()
            self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
        elif sub == "refit":
            fit = services.refit_viewpoint()
            self.stdout.write(
                f"Modelled {fit.raters} jurors on {fit.items} items; pool variance {fit.pool_variance:.3f}."
            )
        elif sub == "status":
            self._status()
        elif sub == "add-gold":
            rule = Rule.objects.filter(number=options["rule"]).first()
            if rule is None:
                raise CommandError(f"No rule number {options['rule']}.")
            try:
                gold = services.create_gold_case(
                    moderator=None,
                    rule=rule,
                    text=options["text"],
                    violates=options["violates"],
                    explanation=options["explanation"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(f"Added known-answer case {gold.pk}.")
        elif sub == "simulate":
            self._simulate(options)

    def _status(self) -> None:
        for breaker in CategoryBreaker.objects.all():
            accuracy = f"{100 * breaker.accuracy:.1f} %" if breaker.accuracy is not None else "-"
            self.stdout.write(
                f"{breaker.category}: {breaker.state} (gold accuracy {accuracy} over {breaker.sample}, "
                f"threshold {100 * breaker.threshold:.0f} %) {breaker.reason}"
            )
        fit = ViewpointFit.objects.first()
        eligible = JurorProfile.objects.filter(ineligible_since__isnull=True, opted_out=False).count()
        self.stdout.write(f"Jurors: {JurorProfile.objects.count()}, eligible: {eligible}.")
        if fit is not None:
            self.stdout.write(
                f"Viewpoint model: {fit.raters} jurors modelled, variance {fit.pool_variance:.3f}."
            )

    def _simulate(self, options: dict[str, Any]) -> None:
        if not options["in_place"]:
            if connection.vendor == "sqlite" and connection.settings_dict["NAME"] in (":memory:", ""):
                options["in_place"] = True  # already the throwaway database (the child process)
            else:
                self._simulate_in_child(options)
                return
        if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
            call_command("migrate", verbosity=0, interactive=False)
        behaviour = simulation.Behaviour(partisan=options["partisan"], lazy=options["lazy"])
        if not (0 <= behaviour.partisan <= 1 and 0 <= behaviour.lazy <= 1 - behaviour.partisan):
            raise CommandError("--partisan and --lazy are shares between 0 and 1 that add up to at most 1.")
        self.stdout.write(
            f"Capture simulation: {options['users']} users, {options['cases']} reported posts, seed "
            f"{options['seed']}, partisan {behaviour.partisan:.0%}, lazy {behaviour.lazy:.0%} of each camp.\n"
        )
        simulation.simulate(
            users=options["users"],
            cases=options["cases"],
            splits=options["splits"],
            seed=options["seed"],
            behaviour=behaviour,
            write=self.stdout.write,
        )

    def _simulate_in_child(self, options: dict[str, Any]) -> None:
        argv = [
            sys.executable,
            "-m",
            "agora.cli",
            "jury",
            "simulate",
            "--users",
            str(options["users"]),
            "--cases",
            str(options["cases"]),
            "--splits",
            ",".join(f"{a}/{b}" for a, b in options["splits"]),
            "--seed",
            str(options["seed"]),
            "--partisan",
            str(options["partisan"]),
            "--lazy",
            str(options["lazy"]),
        ]
        env = {**os.environ, "DATABASE_URL": "sqlite://:memory:"}
        completed = subprocess.run(argv, env=env, check=False, stdout=subprocess.PIPE, text=True)
        self.stdout.write(completed.stdout, ending="")
        if completed.returncode:
            raise CommandError("The simulation failed (see above).")
