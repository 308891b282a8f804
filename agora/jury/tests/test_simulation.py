"""The capture simulation at a small size: the acceptance numbers at a 90/10 partisan split; the command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agora.accounts.models import User
from agora.jury.models import Jury
from agora.jury.simulation import parse_splits, run_split

pytestmark = pytest.mark.django_db


def test_ninety_ten_partisan_split_cannot_keep_incitement_up_or_purge_the_minority(settings: Any) -> None:
    settings.AGORA_JURY = {}  # the shipped parameters, not the tests' short calibration
    result = run_split(users=150, cases=110, split=(90, 10), seed=7)
    print(result.table())
    jury, baseline = result.jury, result.baseline
    assert jury.incitement >= 20 and jury.minority_lawful >= 20
    assert jury.incitement_visible == 0
    assert jury.minority_lawful_removed_share < 0.02
    assert baseline.incitement_visible_share > 0.5
    # The baseline is the failure the jury must avoid: most incitement stays up, lawful posts go.
    assert baseline.incitement_visible > jury.incitement_visible
    # Partisans were caught by gold cases, and nothing the run wrote is left behind.
    assert "ineligible honest/partisan/lazy" in result.details
    assert not User.objects.filter(email__endswith="@sim.invalid").exists()
    assert not Jury.objects.exists()


def test_simulate_command_prints_one_table_per_split_with_the_baseline() -> None:
    out = io.StringIO()
    call_command(
        "jury",
        "simulate",
        "--users",
        "40",
        "--cases",
        "8",
        "--splits",
        "70/30",
        "--seed",
        "3",
        "--in-place",
        stdout=out,
    )
    text = out.getvalue()
    assert "Split 70/30 (40 users, 8 reported posts)" in text
    assert "| Agora jury |" in text and "| Parler-like jury (5 volunteers, 4 of 5 to remove) |" in text
    assert not User.objects.filter(email__endswith="@sim.invalid").exists()


def test_simulate_command_rejects_bad_splits() -> None:
    with pytest.raises(CommandError, match="90/10"):
        call_command("jury", "simulate", "--splits", "10/90", "--in-place")


def test_splits_are_parsed_majority_first() -> None:
    assert parse_splits("50/50, 70/30,90/10") == [(50, 50), (70, 30), (90, 10)]
    with pytest.raises(ValueError):
        parse_splits("ninety/ten")
