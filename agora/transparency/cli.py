"""The transparency subcommands of `agora moderation` (added there by `add_subcommands`, run by `run`):

- `report --from YYYY-MM-DD --to YYYY-MM-DD --format html|pdf|json|csv [--output FILE]`: the transparency
  report.
- `plan [--format html|pdf] [--output FILE]`: the moderation plan with the last 30 days' performance.
- `submit-sor [--dry-run --output-dir DIR] [--batch-size N]`: statements of reasons to the EU Transparency
  Database (off unless AGORA_TDB_SUBMIT is set; a dry run validates and writes the batches as files).
- `scenario [--cases N] [--days D] [--seed S]`: reports, holds, decisions and appeals on a seeded instance.
"""

from __future__ import annotations

import datetime
import sys
from argparse import ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

SUBCOMMANDS = ("report", "plan", "submit-sor", "scenario")


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from error


def add_subcommands(commands: Any) -> None:
    report = commands.add_parser("report", help="Transparency report for a period (EU DSA templates).")
    report.add_argument("--from", dest="start", type=_day, required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_day, required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--format", choices=["html", "pdf", "json", "csv"], default="html")
    report.add_argument("--output", default="-", help="file to write (default: standard output)")
    plan = commands.add_parser("plan", help="The moderation plan, from this instance's configuration.")
    plan.add_argument("--format", choices=["html", "pdf"], default="html")
    plan.add_argument("--output", default="-", help="file to write (default: standard output)")
    submit = commands.add_parser(
        "submit-sor", help="Send statements of reasons to the EU Transparency Database (or --dry-run)."
    )
    submit.add_argument("--dry-run", action="store_true", help="validate and write batches, send nothing")
    submit.add_argument("--output-dir", type=Path, help="folder for the dry run's batch files")
    submit.add_argument("--batch-size", type=int, default=100, help="statements per request (1-100)")
    scenario = commands.add_parser(
        "scenario", help="Play reports, holds, decisions and appeals on a seeded instance (demo data)."
    )
    scenario.add_argument("--cases", type=int, default=60, help="moderation stories to play (default 60)")
    scenario.add_argument("--days", type=int, default=28, help="spread over this many past days (default 28)")
    scenario.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def _write(command: BaseCommand, output: str, content: str | bytes) -> None:
    if output == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            command.stdout.write(content, ending="")
        return
    path = Path(output)
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from error
    print(f"Wrote {output}.", file=sys.stderr)


def run(command: BaseCommand, options: dict[str, Any]) -> bool:
    """Run a transparency subcommand; False when `options` names another one."""
    name = options.get("subcommand")
    if name not in SUBCOMMANDS:
        return False
    if name == "report":
        _report(command, options)
    elif name == "plan":
        _plan(command, options)
    elif name == "submit-sor":
        _submit(command, options)
    else:
        _scenario(command, options)
    return True


def _report(command: BaseCommand, options: dict[str, Any]) -> None:
    from agora.transparency import report
    from agora.transparency.documents import render_html
    from agora.transparency.pdf import render_pdf

    if options["end"] < options["start"]:
        raise CommandError("--to is before --from")
    figures, document = report.build_report(options["start"], options["end"])
    fmt = options["format"]
    content: str | bytes
    if fmt == "json":
        content = report.to_json(figures)
    elif fmt == "csv":
        content = report.to_csv(figures)
    elif fmt == "pdf":
        content = render_pdf(document)
    else:
        content = render_html(document)
    _write(command, options["output"], content)


def _plan(command: BaseCommand, options: dict[str, Any]) -> None:
    from agora.transparency.documents import render_html
    from agora.transparency.pdf import render_pdf
    from agora.transparency.plan import build_plan

    document = build_plan()
    _write(
        command,
        options["output"],
        render_pdf(document) if options["format"] == "pdf" else render_html(document),
    )


def _submit(command: BaseCommand, options: dict[str, Any]) -> None:
    from agora.transparency.services import SubmissionError, submit_statements

    try:
        run = submit_statements(
            dry_run=options["dry_run"], out_dir=options["output_dir"], batch_size=options["batch_size"]
        )
    except SubmissionError as error:
        raise CommandError(str(error)) from error
    command.stdout.write(
        f"{run.get_outcome_display()}: {run.validated} valid, {run.invalid} invalid, "
        f"{run.submitted} submitted in {run.batches} batch(es)."
    )
    if run.error:
        command.stderr.write(run.error)
    if run.outcome in ("failed", "partial"):
        raise CommandError("submission stopped; what was accepted is recorded and will not be sent again")


def _scenario(command: BaseCommand, options: dict[str, Any]) -> None:
    from agora.transparency.scenario import ScenarioError, run_scenario

    if options["cases"] < 1 or options["days"] < 1:
        raise CommandError("--cases and --days must be positive")
    try:
        result = run_scenario(cases=options["cases"], days=options["days"], seed=options["seed"])
    except ScenarioError as error:
        raise CommandError(str(error)) from error
    command.stdout.write(f"Played {result.summary()}.")
