"""`agora moderation ...`: moderation tasks for operators.

- `export-sor --since DATE [--output FILE]`: statements of reasons since DATE as JSON lines in the EU
  Transparency Database schema, each checked against the schema first (an invalid one stops the export).
- `lift-expired`: end freezes and suspensions whose period is over (run it from cron every few minutes).
- `report`, `plan`, `submit-sor`, `scenario`: transparency report, moderation plan, statements of reasons
  to the EU Transparency Database, demo scenario (see `agora.transparency.cli`).
"""

from __future__ import annotations

import datetime
import json
import sys
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agora.moderation import selectors, services
from agora.moderation.sor import validate_record
from agora.transparency import cli as transparency_cli


def _date(value: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from error
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class Command(BaseCommand):
    help = (
        "Moderation tasks: export or submit statements of reasons, lift expired restrictions, transparency "
        "report, moderation plan, demo scenario."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        export = commands.add_parser(
            "export-sor", help="Statements of reasons as JSON lines (EU TDB schema)."
        )
        export.add_argument("--since", type=_date, required=True, help="first day to include, YYYY-MM-DD")
        export.add_argument("--output", default="-", help="file to write (default: standard output)")
        commands.add_parser("lift-expired", help="End freezes and suspensions whose period is over.")
        transparency_cli.add_subcommands(commands)  # report, plan, submit-sor, scenario

    def handle(self, *args: Any, **options: Any) -> None:
        if transparency_cli.run(self, options):
            return
        if options["subcommand"] == "export-sor":
            self._export(options["since"], options["output"])
        elif options["subcommand"] == "lift-expired":
            lifted = services.lift_expired_restrictions(now=timezone.now())
            self.stdout.write(f"Lifted {lifted} restriction(s).")

    def _export(self, since: datetime.datetime, output: str) -> None:
        lines = []
        for statement in selectors.statements_since(since):
            errors = validate_record(statement.record)
            if errors:
                raise CommandError(f"statement {statement.puid} does not validate: {'; '.join(errors)}")
            lines.append(json.dumps(statement.record, ensure_ascii=False, sort_keys=True))
        text = "".join(line + "\n" for line in lines)
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        print(f"Exported {len(lines)} statement(s).", file=sys.stderr)
